"""The loader's fast path: a record's fields straight to a line of COPY text, for the rows that
are valid, decided per field with cheap checks and the contract's own field types.

Every decision is one the row validator (svdw.validation) would make the same way: a value is
accepted here only when a quick check proves the contract's field type accepts it, else that
field type itself decides (through a small per-column cache: dates, codes and flags repeat).
A row any field of which fails goes back to the row validator, which gives the quarantine
reason, so reasons and quarantine are unchanged; only valid rows take this path. The text
written for a value is what psycopg's COPY writes for the validator's typed value (or text
PostgreSQL reads as the same value: "0.50" for Decimal("0.50"), "2018-10-01" for a month).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from psycopg import DataError
from pydantic import TypeAdapter, ValidationError

from svdw.contracts import Column, Contract
from svdw.line_pattern import line_pattern
from svdw.pseudonymise import Pseudonymiser, keyed_hash
from svdw.validation import RowValidator, _field_type, _resolve
from svdw.zero_padded import zero_padded_parser

NULL = "\\N"  # COPY text format's NULL
CACHE_LIMIT = 20_000  # distinct values remembered per column (memory stays flat)
INTEGER = re.compile(r"-?[0-9]{1,18}")
DECIMAL = re.compile(r"-?[0-9]{1,20}(?:\.[0-9]{1,20})?")
MONTH = re.compile(r"[0-9]{4}-(?:0[1-9]|1[0-2])")
# Contract patterns Python's `re` reads as pydantic's Rust regex does, on printable ASCII text
# without line breaks: literals, classes, ranges, repeats, groups, anchors and `\.` only.
PORTABLE_PATTERN = re.compile(r"(?:[\^$\[\]\-0-9A-Za-z{},?*+()|. /@_:;#%&=<>!~'\"]|\\\.)*")
# What psycopg escapes in COPY text (PostgreSQL reads the rest as it is).
COPY_SPECIAL = re.compile("[\b\t\n\v\f\r\\\\]")
COPY_ESCAPES = {
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\v": "\\v",
    "\f": "\\f",
    "\r": "\\r",
    "\\": "\\\\",
}

Converter = Callable[[str], "str | None"]


def copy_text(value: Any) -> str:
    """One typed value as psycopg's COPY (text format) writes it."""
    if value is None:
        return NULL
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        if "\x00" in value:
            raise DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes")
        if COPY_SPECIAL.search(value):
            return COPY_SPECIAL.sub(lambda m: COPY_ESCAPES[m.group()], value)
        return value
    return str(value)


def copy_line(values: Sequence[Any], null: str = NULL) -> str:
    return "\t".join(null if value is None else copy_text(value) for value in values)


class _Exact:
    """The contract's own field type for one column, remembered per distinct value (dates and
    times in a zero-padded strptime format are parsed directly: svdw.zero_padded)."""

    def __init__(self, column: Column, today: date) -> None:
        self._adapter: TypeAdapter[Any] = TypeAdapter(_field_type(column, today))
        self._verbatim = column.type == "text"  # text is kept as it is; others are trimmed
        self._cache: dict[str, tuple[Any, str] | None] = {}
        self._temporal = zero_padded_parser(column, today)

    def __call__(self, raw: str) -> tuple[Any, str] | None:
        """(typed value, its COPY text), or None when the field type rejects the value."""
        value = raw if self._verbatim else raw.strip()
        if self._temporal is not None and (typed := self._temporal(value)) is not None:
            return typed, copy_text(typed)
        try:
            return self._cache[value]
        except KeyError:
            pass
        try:
            typed = self._adapter.validate_python(value)
            found: tuple[Any, str] | None = (typed, copy_text(typed))
        except ValidationError:
            found = None
        if len(self._cache) >= CACHE_LIMIT:
            self._cache.clear()
        self._cache[value] = found
        return found


def _quick(column: Column, today: date) -> Callable[[str], str | None]:
    """A check that proves a (non-blank) value valid and gives its COPY text, or None when it
    cannot tell (the field type decides then)."""
    low, high = column.number_bounds
    if column.type == "text":
        allowed = frozenset(column.allowed) if column.allowed else None
        portable = (
            re.compile(column.pattern)
            if column.pattern and PORTABLE_PATTERN.fullmatch(column.pattern)
            else None
        )
        if column.allowed_from or (column.pattern and portable is None):
            return lambda raw: None
        if allowed is None and portable is None:
            return lambda raw: raw

        def text(raw: str) -> str | None:
            if allowed is not None and raw not in allowed:
                return None
            if portable is not None and not (
                raw.isascii() and raw.isprintable() and portable.search(raw)
            ):
                return None
            return raw

        return text
    if column.type in ("integer", "decimal"):
        shape = INTEGER if column.type == "integer" else DECIMAL
        number: Callable[[str], Any] = int if column.type == "integer" else Decimal

        def numeric(raw: str) -> str | None:
            value = raw.strip()
            if not shape.fullmatch(value):
                return None
            if low is not None or high is not None:
                parsed = number(value)  # a bound itself is left to the field type
                if (low is not None and not parsed > low) or (
                    high is not None and not parsed < high
                ):
                    return None
            return value

        return numeric
    if column.type == "month":
        first, last = (_resolve(bound, today) for bound in column.date_bounds)
        earliest = first.isoformat() if first else None
        latest = last.isoformat() if last else None

        def month(raw: str) -> str | None:
            value = raw.strip()
            if not MONTH.fullmatch(value) or value.startswith("0000"):
                return None
            day = value + "-01"
            if (earliest and day < earliest) or (latest and day > latest):
                return None
            return day

        return month
    if column.type == "boolean":
        flags = {v: "t" for v in column.true_values} | {v: "f" for v in column.false_values}
        return lambda raw: flags.get(raw.strip())
    return lambda raw: None  # dates and times: the field type, remembered per value


def column_converter(column: Column, today: date, null: str = NULL) -> tuple[Converter, _Exact]:
    """A column's COPY text for a raw field, or None when the row validator must see the row
    (the value is invalid, or empty where required); and its exact field type."""
    quick, exact = _quick(column, today), _Exact(column, today)
    required = column.required

    def convert(raw: str) -> str | None:
        if not raw or raw.isspace():
            return None if required else null  # a required empty value: the validator says so
        text = quick(raw)
        if text is not None:
            return text
        found = exact(raw)
        return found[1] if found else None

    return convert, exact


class FastRows:
    """Turns the text of a one-line record into the body of its COPY line (without the lineage
    columns), or None when the row validator must see it. `null` is how the COPY reads NULL:
    '' where the whole-line pattern applies (svdw.line_pattern), else psycopg's \\N."""

    def __init__(
        self,
        contract: Contract,
        validator: RowValidator,
        pseudonymiser: Pseudonymiser,
        lineage: Sequence[Any] = (),
    ) -> None:
        today = validator.today
        self._orders = validator.orders
        self._pseudonymiser = pseudonymiser
        steps = [index for index, _ in pseudonymiser.steps]
        age = list(pseudonymiser.age or ())
        ordered = [i for order in self._orders for i in (order.index, order.other_index)]
        typed = sorted({*steps, *age, *ordered})
        # An empty lineage value cannot use NULL ''; a row that needs typed values can only
        # where each is a keyed hash or a birth year (_substitutes).
        substitutes = None if age or ordered else _substitutes(contract, pseudonymiser, today)
        plain = "" not in lineage and contract.format != "geojson"
        usable = plain and (not typed or substitutes is not None)
        self.pattern = line_pattern(contract, today, substitutes) if usable else None
        self.null = "" if self.pattern else NULL
        pairs = [column_converter(column, today, self.null) for column in contract.columns]
        self._convert = [convert for convert, _ in pairs]
        # Columns whose typed values the row needs: identifiers, ages, order rules. A text
        # value is its field as it is (not remembered: identifiers are mostly unique).
        self._typed = [
            (i, None if contract.columns[i].type == "text" else pairs[i][1]) for i in typed
        ]
        self._replaced = steps
        self._with_age = bool(age)
        self._width = len(contract.columns)
        self._delimiter = contract.delimiter
        self._null = self.null

    def line(self, body: str) -> str | None:
        """Field by field (the caller tries `pattern` first, where there is one)."""
        record = body.split(self._delimiter)
        if len(record) != self._width:
            return None
        return self._fields(record)

    def _fields(self, record: list[str]) -> str | None:
        texts = []
        for convert, raw in zip(self._convert, record, strict=True):
            text = convert(raw)
            if text is None:
                return None
            texts.append(text)
        if not self._typed:
            return "\t".join(texts)
        values: list[Any] = [None] * self._width
        for index, exact in self._typed:
            raw = record[index]
            if raw and not raw.isspace():
                if exact is None:
                    values[index] = raw
                    continue
                found = exact(raw)
                if found is None:
                    return None
                values[index] = found[0]
        row = tuple(values)
        for order in self._orders:
            if order.broken_by(row):
                return None
        stored = self._pseudonymiser.apply(row)  # counts unmatched postcodes: after all checks
        for index in self._replaced:
            texts[index] = copy_line((stored[index],), self._null)
        if self._with_age:
            texts.append(copy_line((stored[-1],), self._null))
        return "\t".join(texts)


def _substitutes(
    contract: Contract, pseudonymiser: Pseudonymiser, today: date
) -> dict[int, Callable[[str], str | None]] | None:
    """For the whole-line pattern of a contract whose rows need no typed value but keyed hashes
    and birth years: each such column's stored text from its field, and each other date or time
    column's ISO text (the line pattern reads zero-padded values only: svdw.zero_padded); None
    when a column needs more (a postcode lookup, a date strptime alone reads)."""
    substitutes: dict[int, Callable[[str], str | None]] = {}
    methods = dict(pseudonymiser.steps)
    for index, column in enumerate(contract.columns):
        method = methods.get(index)
        temporal = column.type in ("date", "datetime", "time")
        parse = zero_padded_parser(column, today) if temporal else None
        if method == "hmac" and column.type == "text" and pseudonymiser.key is not None:
            key = pseudonymiser.key
            substitutes[index] = partial(keyed_hash, key)
        elif method == "birth_year" and parse is not None and column.type == "date":
            substitutes[index] = partial(_birth_year, parse)
        elif method is None and parse is not None:
            substitutes[index] = partial(_iso, parse)
        elif method is not None or temporal:
            return None
    return substitutes


def _birth_year(parse: Callable[[str], Any], field: str) -> str | None:
    born = parse(field)
    return None if born is None else str(born.year)


def _iso(parse: Callable[[str], Any], field: str) -> str | None:
    value = parse(field)
    return None if value is None else copy_text(value)
