"""Row validation against a contract, with pydantic (Rust core: fast, and every error is
located at a field, which is what a quarantine reason must name)."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, TypeAdapter, ValidationError
from typing_extensions import TypedDict

from svdw.contracts import TODAY, Column, Contract, read_code_list
from svdw.input_limits import long_field

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def _month_start(value: Any) -> Any:
    if isinstance(value, str):
        match = MONTH.match(value)
        if not match:
            raise ValueError("expected a month as YYYY-MM")
        return date(int(match.group(1)), int(match.group(2)), 1)
    return value


def _without_thousands_separators(value: Any) -> Any:
    # Published statistics quote counts as "1,514"; a comma is only valid between digit groups.
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,3}(,\d{3})+", value):
        return value.replace(",", "")
    return value


def _parse_with(fmt: str, kind: type) -> BeforeValidator:
    def parse(value: Any) -> Any:
        if isinstance(value, str):
            try:
                parsed = datetime.strptime(value, fmt)
            except ValueError:
                raise ValueError(f"expected the format {fmt}") from None
            if kind is date:
                return parsed.date()
            if kind is time:
                return parsed.time()
            return parsed
        return value

    return BeforeValidator(parse)


def _flag(true_values: tuple[str, ...], false_values: tuple[str, ...]) -> BeforeValidator:
    def parse(value: Any) -> Any:
        if isinstance(value, str):
            if value in true_values:
                return True
            if value in false_values:
                return False
            raise ValueError(f"expected one of {', '.join(true_values + false_values)}")
        return value

    return BeforeValidator(parse)


def _one_of(allowed: frozenset[str]) -> AfterValidator:
    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError("not one of the values the contract allows")
        return value

    return AfterValidator(check)


def _in_code_list(codes: frozenset[str], name: str) -> AfterValidator:
    # Compared as staging normalises the code (trimmed, upper case), so " 8n" is 8N.
    def check(value: str) -> str:
        if value.strip().upper() not in codes:
            raise ValueError(f"code not in the official code list {name}")
        return value

    return AfterValidator(check)


def _day(value: date) -> date:
    """A datetime's day: date bounds and date pairs compare days."""
    return value.date() if isinstance(value, datetime) else value


def _within_dates(low: date | None, high: date | None) -> AfterValidator:
    def check(value: date) -> date:
        if low is not None and _day(value) < low:
            raise ValueError(f"before {low.isoformat()}, the earliest date the contract allows")
        if high is not None and _day(value) > high:
            raise ValueError(f"after {high.isoformat()}, the latest date the contract allows")
        return value

    return AfterValidator(check)


def _resolve(bound: date | str | None, today: date) -> date | None:
    return today if bound == TODAY else bound if isinstance(bound, date) else None


def _field_type(column: Column, today: date) -> Any:
    low, high = column.number_bounds
    bounds = Field(ge=low, le=high)
    if column.type == "text":
        kind: Any = Annotated[str, Field(pattern=column.pattern)] if column.pattern else str
        if column.allowed:
            kind = Annotated[kind, _one_of(frozenset(column.allowed))]
        if column.allowed_from:
            source = column.allowed_from
            codes = read_code_list(source.code_list, source.column)
            kind = Annotated[kind, _in_code_list(codes, source.code_list)]
    elif column.type == "integer":
        kind = Annotated[int, BeforeValidator(_without_thousands_separators), bounds]
    elif column.type == "decimal":
        kind = Annotated[Decimal, Field(allow_inf_nan=False), bounds]
    elif column.type == "month":
        kind = Annotated[date, BeforeValidator(_month_start)]
        kind = _date_bounded(kind, column, today)
    elif column.type == "boolean":
        kind = Annotated[bool, _flag(column.true_values, column.false_values)]
    else:
        temporal = {"date": date, "datetime": datetime, "time": time}[column.type]
        kind = (
            Annotated[temporal, _parse_with(column.format, temporal)] if column.format else temporal
        )
        kind = _date_bounded(kind, column, today)
    return kind if column.required else kind | None


def _date_bounded(kind: Any, column: Column, today: date) -> Any:
    low, high = (_resolve(bound, today) for bound in column.date_bounds)
    if low is None and high is None:
        return kind
    return Annotated[kind, _within_dates(low, high)]


# How each order rule is broken (the value is below / above the other) and how it is said.
BROKEN_WHEN = {
    "not_before": (True, "before"),
    "not_after": (False, "after"),
    "at_least": (True, "below"),
    "at_most": (False, "above"),
}


class OrderRule:
    """One `not_before`/`not_after` (dates) or `at_least`/`at_most` (numbers) rule: a column
    against another column of the same row."""

    def __init__(self, rule: str, column: Column, other: Column, index: int, other_index: int):
        self.column, self.other = column, other
        self.index, self.other_index = index, other_index
        self.lower, self.word = BROKEN_WHEN[rule]

    def broken_by(self, row: tuple[Any, ...]) -> str | None:
        value, other = row[self.index], row[self.other_index]
        if value is None or other is None:
            return None  # an empty optional value has no order to break
        if isinstance(value, date) and isinstance(other, date):
            value, other = _day(value), _day(other)
        if (value < other) if self.lower else (value > other):
            return (
                f"field {self.column.header!r}: {_shown(self.column, row[self.index])} is"
                f" {self.word} {self.other.header!r} {_shown(self.other, row[self.other_index])}"
            )
        return None


def _shown(column: Column, value: Any) -> str:
    # A date of birth is a direct identifier: the reason names the rule, never the value.
    return "(withheld)" if column.privacy == "direct_identifier" else str(value)


def _order_rules(contract: Contract) -> list[OrderRule]:
    index = {c.name: i for i, c in enumerate(contract.columns)}
    return [
        OrderRule(rule, column, contract.columns[index[other]], i, index[other])
        for i, column in enumerate(contract.columns)
        for rule, other in column.order_rules
    ]


class RowValidator:
    """Turns one CSV record (a list of strings) into typed values, or into reasons."""

    def __init__(self, contract: Contract, today: date | None = None) -> None:
        """`today` (default: the day the validator is made, i.e. the load day) is what a
        contract's `today` bound means."""
        self.columns = contract.columns
        day = today or date.today()
        self.today = day
        fields = {c.name: _field_type(c, day) for c in contract.columns}
        self._orders = self.orders = _order_rules(contract)
        row_type = TypedDict(f"{contract.name}_row", fields)  # type: ignore[misc]
        self._adapter: TypeAdapter[Any] = TypeAdapter(row_type)
        self._by_name = {c.name: c for c in contract.columns}
        self._headers = contract.headers
        self._max_field_chars = contract.limits.max_field_chars

    def validate(self, record: list[str]) -> tuple[tuple[Any, ...] | None, str | None]:
        if len(record) != len(self.columns):
            return None, f"expected {len(self.columns)} fields, found {len(record)}"
        if too_long := long_field(record, self._headers, self._max_field_chars):
            return None, too_long
        data: dict[str, Any] = {}
        missing: list[str] = []
        for column, raw in zip(self.columns, record, strict=True):
            if raw.strip() == "":
                if column.required:
                    missing.append(f"field {column.header!r}: required value is empty")
                data[column.name] = None
            else:
                # Text is kept verbatim (it is data, never trimmed or interpreted).
                data[column.name] = raw if column.type == "text" else raw.strip()
        try:
            row = self._adapter.validate_python(data)
        except ValidationError as exc:
            reasons = missing + [self._describe(err) for err in exc.errors()]
            return None, "; ".join(dict.fromkeys(reasons))
        if missing:
            return None, "; ".join(missing)
        values = tuple(row[c.name] for c in self.columns)
        broken = [reason for order in self._orders if (reason := order.broken_by(values))]
        if broken:
            return None, "; ".join(broken)
        return values, None

    def _describe(self, error: Any) -> str:
        name = str(error["loc"][0]) if error["loc"] else "?"
        column = self._by_name.get(name)
        header = column.header if column else name
        value = error.get("input")
        if error["type"] in ("none_required",) or (value is None and column and column.required):
            return f"field {header!r}: required value is empty"
        message = error["msg"].removeprefix("Value error, ")
        if column and column.privacy == "direct_identifier":
            return f"field {header!r}: {message} (value withheld: a direct identifier)"
        return f"field {header!r}: {message} (got {value!r})"
