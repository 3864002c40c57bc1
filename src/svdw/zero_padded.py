"""Dates and times in a contract's strptime format, read without strptime where every part is
zero-padded ("05/09/2025 07:30"): the loader's fast paths (svdw.fast_rows, svdw.line_pattern)
parse hundreds of thousands of them a national month, most of them distinct, so a cache does not
help and strptime costs ~20 us each. A value in any other shape (one-digit parts, which strptime
also reads) is left to the contract's field type, which says whether it is valid."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from svdw.contracts import Column
from svdw.validation import _resolve

# strptime directives read here with their two- or four-digit forms only (strptime also takes
# one digit, and a space before a day, which go to the field type).
TEMPORAL_DIRECTIVES = {"%d": "([0-9]{2})", "%m": "([0-9]{2})", "%Y": "([0-9]{4})"}
TEMPORAL_DIRECTIVES |= {"%H": "([0-9]{2})", "%M": "([0-9]{2})", "%S": "([0-9]{2})"}
TEMPORAL_LITERALS = re.compile(r"[/:. T-]")


def zero_padded_parser(column: Column, today: date) -> Callable[[str], Any] | None:
    """For a date, datetime or time column with a strptime format of day, month, year, hour,
    minute and second: a parser of the zero-padded values of that format, giving the typed
    value the field type gives (None when it cannot tell: the field type decides then). A
    national month has hundreds of thousands of dates and times, most of them distinct, so a
    cache does not help and strptime costs ~20 us each."""
    if column.type not in ("date", "datetime", "time") or not column.format:
        return None
    pieces = re.split(r"(%[A-Za-z])", column.format)
    order: list[str] = []
    regex = ""
    for piece in pieces:
        if piece in TEMPORAL_DIRECTIVES:
            if piece in order:
                return None
            order.append(piece[1])
            regex += TEMPORAL_DIRECTIVES[piece]
        elif piece.startswith("%") or TEMPORAL_LITERALS.sub("", piece):
            return None  # another directive or literal: strptime alone reads it
        else:
            regex += re.escape(piece)
    low, high = (_resolve(bound, today) for bound in column.date_bounds)
    if column.type == "time" and (low or high):
        return None  # a time against date bounds: the field type decides
    if column.type != "time" and not {"d", "m", "Y"} <= set(order):
        return None
    shape = re.compile(regex).fullmatch
    kind = column.type

    def parse(value: str) -> Any:
        match = shape(value)
        if match is None:
            return None
        parts = dict(zip(order, map(int, match.groups()), strict=True))
        try:
            moment = datetime(
                parts.get("Y", 1900),
                parts.get("m", 1),
                parts.get("d", 1),
                parts.get("H", 0),
                parts.get("M", 0),
                parts.get("S", 0),
            )
        except ValueError:
            return None  # day 31 of a short month, hour 24 ...: the field type says why
        if kind == "time":
            return moment.time()
        day = moment.date()
        if (low is not None and day < low) or (high is not None and day > high):
            return None
        return day if kind == "date" else moment

    return parse


def zero_padded_fragment(column: Column) -> str | None:
    """A regular expression (no groups) of the column's zero-padded values, or None when its
    format has a part read only by strptime (zero_padded_parser decides validity and bounds)."""
    if column.type not in ("date", "datetime", "time") or not column.format:
        return None
    fragment = ""
    for piece in re.split(r"(%[A-Za-z])", column.format):
        if piece in TEMPORAL_DIRECTIVES:
            fragment += TEMPORAL_DIRECTIVES[piece].replace("(", "(?:", 1)
        elif piece.startswith("%") or TEMPORAL_LITERALS.sub("", piece):
            return None
        else:
            fragment += re.escape(piece)
    return fragment
