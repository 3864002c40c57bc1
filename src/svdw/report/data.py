"""Data access for the SNA document: reads the disclosure-controlled `sna` schema and nothing
else (the schema is fixed in every statement built here; table and column names are quoted
identifiers), so the document cannot quote a marts figure or a person-level row.

An Area scopes every read: the partnership reads every district's rows; a district reads only
its own rows, plus the partnership-wide rows that sna publishes as comparators (county rows of
sna_core_measures, the partnership row of sna_violence_hour_weekday, and the tables that are
partnership-wide by design: comparators, referrals, evaluation, action plan, data quality)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

SCHEMA = "sna"
PARTNERSHIP = "partnership"

Row = dict[str, Any]


@dataclass(frozen=True)
class Area:
    """The partnership (code 'partnership') or one district (its ONS code)."""

    code: str
    name: str

    @property
    def is_partnership(self) -> bool:
        return self.code == PARTNERSHIP

    @property
    def slug(self) -> str:
        return self.code.lower()


class SnaReader:
    """Reads `sna` tables for one area on an open connection."""

    def __init__(self, conn: psycopg.Connection, area: Area) -> None:
        self.conn = conn
        self.area = area

    def rows(
        self,
        table: str,
        where: Mapping[str, Any] | None = None,
        order_by: Sequence[str] = (),
        district_column: str | None = "district_code",
    ) -> list[Row]:
        """Every row of sna.<table> matching `where` (column = value, or None for IS NULL),
        limited to the area's district when the table has a district column."""
        conditions: list[sql.Composable] = []
        params: list[Any] = []
        for column, value in (where or {}).items():
            if value is None:
                conditions.append(sql.SQL("{} is null").format(sql.Identifier(column)))
            else:
                conditions.append(sql.SQL("{} = %s").format(sql.Identifier(column)))
                params.append(value)
        if district_column and not self.area.is_partnership:
            conditions.append(sql.SQL("{} = %s").format(sql.Identifier(district_column)))
            params.append(self.area.code)
        query = sql.SQL("select * from {}.{}").format(sql.Identifier(SCHEMA), sql.Identifier(table))
        if conditions:
            query += sql.SQL(" where ") + sql.SQL(" and ").join(conditions)
        if order_by:
            query += sql.SQL(" order by ") + sql.SQL(", ").join(
                sql.Identifier(column) for column in order_by
            )
        with self.conn.cursor(row_factory=dict_row) as cursor:
            return cursor.execute(query, params).fetchall()

    def partnership_rows(
        self, table: str, where: Mapping[str, Any] | None = None, order_by: Sequence[str] = ()
    ) -> list[Row]:
        """Rows that are partnership-wide by design (no district scoping)."""
        return self.rows(table, where, order_by, district_column=None)


def districts(conn: psycopg.Connection) -> list[Area]:
    """The partnership's districts, from the published district series."""
    query = sql.SQL("select distinct district_code, district_name from {}.{} order by 1").format(
        sql.Identifier(SCHEMA), sql.Identifier("sna_core_measures")
    )
    found = conn.execute(query).fetchall()
    return [Area(code, name) for code, name in found if code is not None]


def partnership(conn: psycopg.Connection) -> Area:
    """The partnership as an area, named as sna_core_measures names its county."""
    query = sql.SQL("select max(county_name) from {}.{} where geography_level = 'county'").format(
        sql.Identifier(SCHEMA), sql.Identifier("sna_core_measures")
    )
    row = conn.execute(query).fetchone()
    return Area(PARTNERSHIP, (row[0] if row else None) or "Partnership area")


def latest_financial_year(conn: psycopg.Connection) -> str | None:
    query = sql.SQL(
        "select max(financial_year) from {}.{} where period_type = 'financial_year'"
    ).format(sql.Identifier(SCHEMA), sql.Identifier("sna_core_measures"))
    row = conn.execute(query).fetchone()
    return row[0] if row else None


def area_by_code(conn: psycopg.Connection, code: str) -> Area | None:
    if code.lower() == PARTNERSHIP:
        return partnership(conn)
    return next((area for area in districts(conn) if area.code == code.upper()), None)
