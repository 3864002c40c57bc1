"""The warehouse's own tables, in one place: the audit schema (src/svdw/sql/audit.sql, with the
roles' grants in sql/access.sql), and each contract's raw.<table> and history.<table>.

raw.<table> holds every row a loaded batch delivered that no later batch has replaced (plus
`_batch_id` and `_line_number`). history.<table> holds the replaced rows, with the batch that
moved them (`_superseded_by_batch`) and every batch that has replaced them since
(`_superseded_by_batches`): a build that has not admitted any of those batches still reads the
rows (svdw.snapshot, dbt macro `pinned_source`).
"""

from __future__ import annotations

import hashlib
from importlib import resources

import psycopg
from psycopg import sql

from svdw.contracts import Contract

LINEAGE_COLUMNS = [("_batch_id", "bigint not null"), ("_line_number", "integer not null")]
SUPERSEDED_COLUMNS = [
    ("_superseded_by_batch", "bigint not null"),
    ("_superseded_at", "timestamptz"),
    ("_superseded_by_batches", "bigint[]"),
]


def lock_schema_changes(conn: psycopg.Connection) -> None:
    """Serialise DDL and grants across concurrent loaders (one per DAG): PostgreSQL fails
    concurrent changes to one schema's catalog rows ("tuple concurrently updated"). Held until
    the caller's transaction ends."""
    conn.execute("select pg_advisory_xact_lock(hashtext('svdw.schema-changes'))")


def ensure_audit_schema(conn: psycopg.Connection) -> None:
    """The audit, raw and history schemas, and the loader/transformer roles' access to them.

    Runs the scripts only when they (or the svdw roles that exist) changed since they last ran
    here: even a no-op `alter table ... add column if not exists` takes an ACCESS EXCLUSIVE lock,
    and taken on every load it deadlocks with concurrent loaders inserting into audit.load_batch.
    """
    scripts = [
        resources.files("svdw").joinpath(script).read_text()
        for script in ("sql/audit.sql", "sql/access.sql")
    ]
    roles = conn.execute(
        "select coalesce(string_agg(rolname, ',' order by rolname), '') from pg_roles"
        " where rolname like 'svdw%%'"
    ).fetchone()
    digest = hashlib.sha256("\0".join([*scripts, str(roles)]).encode()).hexdigest()
    if _applied(conn, digest):
        return
    require_owner(conn)
    lock_schema_changes(conn)
    if _applied(conn, digest):  # another loader applied them while this one waited
        return
    for script in scripts:
        conn.execute(script)
    conn.execute(
        "create table if not exists audit.schema_version"
        " (digest text primary key, applied_at timestamptz not null default now())"
    )
    conn.execute(
        "insert into audit.schema_version (digest) values (%s) on conflict do nothing", (digest,)
    )


class SetupRequired(RuntimeError):
    """A service role (the loader, dbt) met a warehouse whose tables are not what this version
    needs: only the owner changes them, once, at setup."""


def require_owner(conn: psycopg.Connection) -> None:
    """Schema DDL and grants run as the warehouse owner (`svdw setup`); the service roles
    (svdw_loader, svdw_transformer) may not create schemas or tables, so say what to do instead
    of failing on a permission error half-way through the scripts."""
    owner = conn.execute(
        "select pg_has_role(current_user, datdba, 'MEMBER'), current_user"
        " from pg_database where datname = current_database()"
    ).fetchone()
    if owner is None or not owner[0]:
        role = owner[1] if owner else "this role"
        raise SetupRequired(
            f"the warehouse's tables need setting up or upgrading, which {role} may not do:"
            " run `svdw setup` as the warehouse owner (WAREHOUSE_URL), then retry"
        )


def _applied(conn: psycopg.Connection, digest: str) -> bool:
    if conn.execute("select to_regclass('audit.schema_version')").fetchone() == (None,):
        return False
    return (
        conn.execute("select 1 from audit.schema_version where digest = %s", (digest,)).fetchone()
        is not None
    )


def ensure_raw_table(conn: psycopg.Connection, contract: Contract) -> None:
    """Create the raw and history tables, and add columns a newer contract version declares.

    Issues DDL only for what is missing (see ensure_audit_schema: a no-op ALTER still locks the
    table against the loaders writing to it)."""
    schema, table = contract.schema_name, contract.table_name
    columns = contract.stored_columns
    wanted = {
        target_schema: columns + extra
        for target_schema, extra in (
            (schema, LINEAGE_COLUMNS),
            ("history", LINEAGE_COLUMNS + SUPERSEDED_COLUMNS),
        )
    }
    if not _missing(conn, table, wanted) and conn.execute(
        "select to_regclass(%s)", (f"{schema}.{table}__batch",)
    ).fetchone() != (None,):
        return
    require_owner(conn)
    lock_schema_changes(conn)
    missing = _missing(conn, table, wanted)
    for target_schema, absent in missing.items():
        ident = sql.Identifier(target_schema, table)
        conn.execute(
            sql.SQL("create schema if not exists {}").format(sql.Identifier(target_schema))
        )
        conn.execute(
            sql.SQL("create table if not exists {} ({})").format(
                ident,
                sql.SQL(", ").join(
                    sql.SQL("{} {}").format(sql.Identifier(n), sql.SQL(t))
                    for n, t in wanted[target_schema]
                ),
            )
        )
        for name, sql_type in absent:
            if name != "_superseded_by_batches":  # _upgrade_history seeds it
                conn.execute(
                    sql.SQL("alter table {} add column if not exists {} {}").format(
                        ident, sql.Identifier(name), sql.SQL(sql_type)
                    )
                )
    _upgrade_history(conn, table)
    conn.execute(
        sql.SQL("create index if not exists {} on {} (_batch_id)").format(
            sql.Identifier(f"{table}__batch"), sql.Identifier(schema, table)
        )
    )


def _missing(
    conn: psycopg.Connection, table: str, wanted: dict[str, list[tuple[str, str]]]
) -> dict[str, list[tuple[str, str]]]:
    """Per schema, the wanted columns the table lacks (all of them when it does not exist)."""
    present = {
        (str(r[0]), str(r[1]))
        for r in conn.execute(
            "select table_schema, column_name from information_schema.columns"
            " where table_name = %s and table_schema = any(%s)",
            (table, list(wanted)),
        ).fetchall()
    }
    missing = {
        target_schema: [(n, t) for n, t in columns if (target_schema, n) not in present]
        for target_schema, columns in wanted.items()
    }
    return {target_schema: absent for target_schema, absent in missing.items() if absent}


def _upgrade_history(conn: psycopg.Connection, table: str) -> None:
    """History tables made before `_superseded_by_batches` existed: add it, seeded with the one
    superseding batch they recorded."""
    history = sql.Identifier("history", table)
    added = conn.execute(
        "select 1 from information_schema.columns where table_schema = 'history'"
        " and table_name = %s and column_name = '_superseded_by_batches'",
        (table,),
    ).fetchone()
    if added:
        return
    conn.execute(
        sql.SQL("alter table {} add column _superseded_by_batches bigint[]").format(history)
    )
    conn.execute(
        sql.SQL("update {} set _superseded_by_batches = array[_superseded_by_batch]").format(
            history
        )
    )
