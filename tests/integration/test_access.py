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
    "svdw_analyst_linked": {
        "marts.fct_police_crime",
        "marts.dim_person",
        "marts.fct_referral",
        "sna.sna_violence_district_month",
    },
    "svdw_dashboard": {"sna.sna_violence_district_month"},
    "svdw_loader": {"raw.police_uk__street_crimes", "audit.load_batch"},
    "svdw_transformer": {"raw.police_uk__street_crimes", "audit.load_batch"},
}
TABLES = {
    "raw.police_uk__street_crimes",
    "audit.load_batch",
    "staging.stg_police__street_crimes",
    "marts.fct_police_crime",
    # person-level linked data (a person_key column): svdw_analyst_linked only
    "marts.dim_person",
    "marts.fct_referral",
    "sna.sna_violence_district_month",
}
PASSWORDS = {
    "svdw_analyst": "ANALYST_PASSWORD",
    "svdw_analyst_linked": "ANALYST_LINKED_PASSWORD",
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


def test_the_loader_cannot_create_a_schema_or_a_table(built_warehouse) -> None:
    """Schema DDL runs once, as the owner (`svdw setup`); the loader only writes rows."""
    for statement in (
        "create schema svdw_loader_was_here",
        "create table raw.svdw_loader_was_here (x int)",
        "create table audit.svdw_loader_was_here (x int)",
        "alter table raw.police_uk__street_crimes add column svdw_loader_was_here int",
    ):
        with (
            connect_as(built_warehouse.url, "svdw_loader") as conn,
            pytest.raises(errors.InsufficientPrivilege),
        ):
            conn.execute(statement)


def test_the_transformer_cannot_change_raw_or_history(built_warehouse) -> None:
    for statement in (
        "update raw.police_uk__street_crimes set crime_type = 'x'",
        "delete from raw.police_uk__street_crimes",
        "truncate raw.police_uk__street_crimes",
        "delete from history.police_uk__street_crimes",
        "delete from audit.load_batch",
    ):
        with (
            connect_as(built_warehouse.url, "svdw_transformer") as conn,
            pytest.raises(errors.InsufficientPrivilege),
        ):
            conn.execute(statement)


def test_person_level_marts_are_for_the_linked_analyst_role_only(built_warehouse) -> None:
    """Every marts table with a person key: the linked-data analyst reads it, the default
    analyst and the dashboard role do not (dbt/macros/grants.sql)."""
    with psycopg.connect(built_warehouse.url) as conn:
        person_level = [
            row[0]
            for row in conn.execute(
                "select distinct table_schema || '.' || table_name from information_schema.columns"
                " where table_schema = 'marts' and column_name ~ '(^|_)person_key$' order by 1"
            )
        ]
    assert {"marts.dim_person", "marts.fct_police_force_crime"} <= set(person_level)
    for role, allowed in (
        ("svdw_analyst_linked", True),
        ("svdw_analyst", False),
        ("svdw_dashboard", False),
    ):
        with connect_as(built_warehouse.url, role) as conn:
            # by oid: naming a table in a schema the role may not use is itself refused
            readable = {
                str(name)
                for name, can in conn.execute(
                    "select n.nspname || '.' || c.relname, has_schema_privilege(n.oid, 'usage')"
                    " and has_table_privilege(c.oid, 'select') from pg_class c"
                    " join pg_namespace n on n.oid = c.relnamespace"
                    " where n.nspname || '.' || c.relname = any(%s)",
                    (person_level,),
                )
                if can
            }
        assert readable == (set(person_level) if allowed else set()), role
