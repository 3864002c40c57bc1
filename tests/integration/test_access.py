"""Each role sees what it may and nothing more (the roles come from infra/sql/bootstrap_roles.sql;
grants from src/svdw/sql/access.sql and dbt's on-run-end hook)."""

from __future__ import annotations

import os

import psycopg
import pytest
from db import with_user
from psycopg import errors

pytestmark = pytest.mark.integration

CAN_READ = {
    "svdw_analyst": {"marts.fct_police_crime", "sna.sna_violence_district_month"},
    "svdw_dashboard": {"sna.sna_violence_district_month"},
    "svdw_loader": {"raw.police_uk__street_crimes", "audit.load_batch"},
    "svdw_transformer": {"raw.police_uk__street_crimes", "audit.load_batch"},
}
TABLES = {
    "raw.police_uk__street_crimes",
    "audit.load_batch",
    "staging.stg_police__street_crimes",
    "marts.fct_police_crime",
    "sna.sna_violence_district_month",
}
PASSWORDS = {
    "svdw_analyst": "ANALYST_PASSWORD",
    "svdw_dashboard": "DASHBOARD_PASSWORD",
    "svdw_loader": "LOADER_PASSWORD",
    "svdw_transformer": "TRANSFORMER_PASSWORD",
}


def connect_as(built_url: str, role: str) -> psycopg.Connection:
    password = os.environ.get(PASSWORDS[role])
    if not password:
        pytest.fail(f"{PASSWORDS[role]} is not set: run `make env` and `make pg`")
    return psycopg.connect(with_user(built_url, role, password), autocommit=True)


@pytest.mark.parametrize("role", sorted(CAN_READ))
def test_each_role_reads_only_its_schemas(built_warehouse, role: str) -> None:
    readable = set()
    with connect_as(built_warehouse.url, role) as conn:
        for table in sorted(TABLES):
            try:
                conn.execute(f"select 1 from {table} limit 1").fetchall()
                readable.add(table)
            except errors.InsufficientPrivilege:
                pass
    assert readable == CAN_READ[role]


def test_only_the_loader_writes_raw(built_warehouse) -> None:
    statement = (
        "insert into raw.police_uk__street_crimes (month, reported_by, falls_within, crime_type,"
        " _batch_id, _line_number) values ('2020-01-01', 'x', 'x', 'Robbery', -1, 1)"
    )
    with connect_as(built_warehouse.url, "svdw_loader") as conn, conn.transaction():
        conn.execute(statement)
        raise_rollback = psycopg.Rollback()
        raise raise_rollback
    for role in ("svdw_transformer", "svdw_analyst"):
        with (
            connect_as(built_warehouse.url, role) as conn,
            pytest.raises(errors.InsufficientPrivilege),
        ):
            conn.execute(statement)
