"""One regular expression per contract that recognises a whole line of valid, plain fields, and
turns it into COPY text with a few string operations: the loader's fastest path.

Only for contracts where every column's rule can be written as a regular expression that
accepts a subset of what the contract's field type accepts (plain text, allowed values, simple
anchored patterns, integers, decimals, months, Y/N flags; bounds are checked on the captured
value), and whose rows need no typed value (no identifier to replace, no order rule). A line
it does not recognise goes to the per-field path (svdw.fast_rows), then the row validator.

COPY reads these lines with NULL '' (an empty field is NULL): the loader never stores an empty
string (a blank value is NULL), so the delimiter becomes a tab and nothing else changes, except
a month, which gains its first day.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import date

from svdw.contracts import Column, Contract
from svdw.validation import _resolve
from svdw.zero_padded import zero_padded_fragment

# Anchored patterns of literals, classes (not negated) and repeats: they match only the
# characters they list, so one inside a line cannot run into the next field.
SIMPLE_PATTERN = re.compile(
    r"\^((?:[0-9A-Za-z /-]|\[(?:[0-9A-Za-z](?:-[0-9A-Za-z])?)+\]"
    r"|\{[0-9]+(?:,[0-9]*)?\}|[?+*]|\\\.)*)\$"
)
# Flag spellings PostgreSQL reads as the same boolean (its input is case-insensitive).
PG_TRUE = frozenset({"t", "true", "y", "yes", "on", "1"})
PG_FALSE = frozenset({"f", "false", "n", "no", "off", "0"})
# What a plain field holds none of: what the csv module reads specially (quotes, and NUL, which
# it may refuse), and what COPY text would need escaped (tab, backslash; line ends cannot occur).
PLAIN_EXCLUDED = '"\\\\\\t\\x00'
NUMBER = {"integer": r"-?[0-9]{1,18}", "decimal": r"-?[0-9]{1,20}(?:\.[0-9]{1,20})?"}
MONTH = r"[0-9]{4}-(?:0[1-9]|1[0-2])"
# A column's field turned into its stored COPY text (a keyed hash, a birth year, an ISO date),
# or None when the field is not valid after all (the row then goes the slower way).
Substitute = Callable[[str], "str | None"]


class LinePattern:
    """Recognises a valid line of a contract and gives its COPY text (NULL '')."""

    def __init__(
        self,
        regex: re.Pattern[str],
        delimiter: str,
        bounds: list[tuple[int, float, float, bool]],
        months: list[tuple[int, str, str]],
        substitutes: Mapping[int, Substitute] | None = None,
    ) -> None:
        self._fullmatch = regex.fullmatch
        self._delimiter = delimiter
        # (group, low, high, whole): an integer against its exact bounds, a decimal against
        # bounds already moved inwards (see _inwards)
        self._bounds = bounds
        self._months = months  # (group, earliest, latest day), "" and "~" when unbounded
        self._substitutes = sorted((substitutes or {}).items())  # (column index, substitute)

    def copy_text(self, body: str) -> str | None:
        match = self._fullmatch(body)
        if match is None:
            return None
        group = match.group
        for number, low, high, whole in self._bounds:
            value = group(number)
            if value and not (low <= int(value) <= high if whole else low < float(value) < high):
                return None
        if self._substitutes:
            return self._substituted(match)
        if self._months:
            pieces, start = [], 0
            for number, earliest, latest in self._months:
                day = group(number) + "-01"
                if not earliest <= day <= latest or day.startswith("0000"):
                    return None
                end = match.end(number)
                pieces += [body[start:end], "-01"]
                start = end
            body = "".join([*pieces, body[start:]])
        return body if self._delimiter == "\t" else body.replace(self._delimiter, "\t")

    def _substituted(self, match: re.Match[str]) -> str | None:
        """The COPY text rebuilt field by field, with each substituted column's stored text."""
        fields = list(match.groups())
        for number, earliest, latest in self._months:
            day = fields[number - 1] + "-01"
            if not earliest <= day <= latest or day.startswith("0000"):
                return None
            fields[number - 1] = day
        for index, substitute in self._substitutes:
            if fields[index]:  # an empty optional field stays NULL
                stored = substitute(fields[index])
                if stored is None:
                    return None
                fields[index] = stored
        return "\t".join(fields)


def _inwards(bound: float | None, side: int) -> float:
    """A bound moved inwards by more than a float's rounding of a decimal's text, so a value
    strictly inside it is inside the exact bound (a value at or near a bound, and an integer
    too large for a float, go to the field type)."""
    if bound is None:
        return -side * math.inf
    return bound + side * 1e-9 * max(1.0, abs(bound))


def _plain(value: str, delimiter: str) -> bool:
    return bool(value.strip()) and not re.search(f"[{re.escape(delimiter)}{PLAIN_EXCLUDED}]", value)


def _fragment(column: Column, delimiter: str) -> str | None:
    """The column's regular expression (no groups of its own), or None when it has none."""
    plain = re.escape(delimiter) + PLAIN_EXCLUDED
    other, not_blank, leading_space = f"[^{plain}]", f"[^{plain}\\s]", f"[^{plain}\\S]"
    if column.type == "text":
        if column.allowed_from:
            return None
        if column.allowed:
            if column.pattern or not all(_plain(v, delimiter) for v in column.allowed):
                return None
            return "(?:" + "|".join(map(re.escape, column.allowed)) + ")"
        if column.pattern:
            simple = SIMPLE_PATTERN.fullmatch(column.pattern)
            if not simple or delimiter in simple.group(1):
                return None
            return f"(?:{simple.group(1)})"
        # Not blank (a blank value is NULL), and unambiguous: the leading spaces, the first
        # other character, then the rest. `other*not_blank other*` would let a line that fails
        # (a quoted field further on) be tried at every split of every text field: seconds a line.
        return f"{leading_space}*{not_blank}{other}*"
    if column.type in NUMBER:
        return NUMBER[column.type]
    if column.type == "month":
        return MONTH
    flags = column.true_values + column.false_values
    if (
        column.type == "boolean"
        and {v.lower() for v in column.true_values} <= PG_TRUE
        and {v.lower() for v in column.false_values} <= PG_FALSE
    ):
        return "(?:" + "|".join(map(re.escape, flags)) + ")"
    return None


def line_pattern(
    contract: Contract, today: date, substitutes: Mapping[int, Substitute] | None = None
) -> LinePattern | None:
    """The contract's line pattern, or None when a column's rule cannot be one (or the
    contract has one column: a blank line, which is no row, would match it). `substitutes`
    (column index: its stored text from the field) lets columns whose stored value is not the
    field itself in: keyed hashes and birth years (svdw.fast_rows), and dates in a zero-padded
    format, matched as such (svdw.zero_padded) and made ISO by their substitute."""
    substitutes = substitutes or {}
    delimiter = contract.delimiter
    if len(contract.columns) < 2:
        return None
    parts: list[str] = []
    bounds: list[tuple[int, float, float, bool]] = []
    months: list[tuple[int, str, str]] = []
    for number, column in enumerate(contract.columns, start=1):
        if number - 1 in substitutes and column.type in ("date", "datetime", "time"):
            fragment = zero_padded_fragment(column)
        else:
            fragment = _fragment(column, delimiter)
        if fragment is None:
            return None
        parts.append(f"({fragment})" if column.required else f"({fragment}|)")
        low, high = column.number_bounds
        if low is not None or high is not None:
            if column.type == "integer":  # exact: int and float compare exactly in Python
                exact = (-math.inf if low is None else low, math.inf if high is None else high)
                bounds.append((number, *exact, True))
            else:
                bounds.append((number, _inwards(low, 1), _inwards(high, -1), False))
        if column.type == "month" and number - 1 not in substitutes:
            first, last = (_resolve(bound, today) for bound in column.date_bounds)
            months.append(
                (number, first.isoformat() if first else "", last.isoformat() if last else "~")
            )
    regex = re.compile(re.escape(delimiter).join(parts))
    return LinePattern(regex, delimiter, bounds, months, substitutes)
