"""The tables of the document (and of its appendix: the data behind every chart): columns that
know how to write their values, so a withheld count is written "[c]" and never as a number, and
each row carries the area it belongs to (the tests check a district's report holds no other
district's rows)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from svdw.report.numbers import CELL_NOT_AVAILABLE, CELL_WITHHELD, count_text, decimal_text

Row = dict[str, Any]


@dataclass(frozen=True)
class Column:
    """A column of sna values. kind: text, count (people or events, disclosure-controlled),
    number (rows or actions, not about people), date, decimal1, decimal2, percent; `family` the
    disclosure family of a count (police, health, ...); `withheld_flag` the sna column saying a
    NULL here was withheld rather than not available."""

    key: str
    label: str
    kind: str = "text"
    family: str | None = None
    withheld_flag: str | None = None

    def cell(self, row: Row) -> str:
        value = row.get(self.key)
        if value is None:
            if self.kind == "text":
                return ""
            withheld = self.withheld_flag is None or bool(row.get(self.withheld_flag))
            return CELL_WITHHELD if withheld else CELL_NOT_AVAILABLE
        if self.kind == "date":
            return f"{value:%d %b %Y}"
        if self.kind in ("count", "number"):  # number: not about people, no disclosure rule
            return count_text(value)
        if self.kind == "decimal1":
            return decimal_text(value, 1)
        if self.kind == "decimal2":
            return decimal_text(value, 2)
        if self.kind == "percent":
            return decimal_text(value, 1) + "%"
        return str(value)

    def family_of(self, row: Row) -> str | None:
        """A count's disclosure family: the row's own (tables mixing sources name it per row)."""
        if self.kind != "count":
            return None
        return row.get("disclosure_family") or self.family

    @property
    def is_numeric(self) -> bool:
        return self.kind not in ("text", "date")


@dataclass(frozen=True)
class Table:
    key: str
    caption: str
    columns: Sequence[Column]
    rows: Sequence[Row]
    area_column: str | None = "district_code"
    source_table: str = ""

    def area_of(self, row: Row) -> str:
        """The district a row belongs to, or 'partnership' for a partnership-wide row."""
        if self.area_column is None:
            return "partnership"
        return row.get(self.area_column) or "partnership"
