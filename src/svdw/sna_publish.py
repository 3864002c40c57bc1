"""The dashboards' schema `sna` changes from one build to the next in one transaction.

While a pinned build runs, dbt builds the sna models into the shadow schema `sna_next`
(dbt/macros/generate_schema_name.sql), and their tests read it there; the dashboards keep
reading the last good build in `sna`. When every model and test passed, svdw.snapshot
.finish_build calls `swap_in_shadow` in the transaction that marks the build succeeded. A build
that fails or is cut leaves `sna` as it was, and its `sna_next` behind (what it got as far as
building, to look at) until the next build pins and drops it (`drop_shadow`).

The marts are still rebuilt model by model (their incremental facts would make a shadow copy
expensive): docs/runbook.md.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

LIVE_SCHEMA = "sna"
SHADOW_SCHEMA = "sna_next"  # as dbt/macros/generate_schema_name.sql names it

_KIND = {"r": "table", "p": "table", "v": "view", "m": "materialized view", "f": "foreign table"}


def _exists(conn: psycopg.Connection, schema: str) -> bool:
    return conn.execute("select to_regnamespace(%s) is not null", (schema,)).fetchone() == (True,)


def drop_shadow(conn: psycopg.Connection) -> None:
    """What a build that failed or was cut left in the shadow schema goes, before dbt runs."""
    conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(SHADOW_SCHEMA)))


def _keep_unbuilt(conn: psycopg.Connection) -> list[str]:
    """Move into the shadow what the build did not rebuild (a build that selected part of the
    sna models): after the swap, sna holds it as before. Returns the names moved."""
    kinds = list(_KIND)
    rows = conn.execute(
        "select c.relname, c.relkind::text from pg_class c"
        " where c.relnamespace = to_regnamespace(%s) and c.relkind = any(%s::char[])"
        " and to_regclass(format('%%I.%%I', %s::text, c.relname)) is null order by 1",
        (LIVE_SCHEMA, kinds, SHADOW_SCHEMA),
    ).fetchall()
    for name, kind in rows:
        conn.execute(
            sql.SQL("alter {} {} set schema {}").format(
                sql.SQL(_KIND[kind]),
                sql.Identifier(LIVE_SCHEMA, name),
                sql.Identifier(SHADOW_SCHEMA),
            )
        )
    return [name for name, _kind in rows]


def _copy_schema_grants(conn: psycopg.Connection) -> None:
    """The live schema's grants (USAGE for the dashboard and analyst roles, by dbt's on-run-end
    hook or by hand) hold on its successor too."""
    grants = conn.execute(
        "select case when a.grantee = 0 then 'public' else a.grantee::regrole::text end,"
        " a.privilege_type, a.is_grantable"
        " from pg_namespace n, aclexplode(n.nspacl) a where n.nspname = %s"
        " and a.grantee <> n.nspowner",
        (LIVE_SCHEMA,),
    ).fetchall()
    for grantee, privilege, grantable in grants:
        conn.execute(
            sql.SQL("grant {} on schema {} to {}{}").format(
                sql.SQL(privilege),
                sql.Identifier(SHADOW_SCHEMA),
                sql.SQL("public") if grantee == "public" else sql.SQL(grantee),
                sql.SQL(" with grant option" if grantable else ""),
            )
        )


def swap_in_shadow(conn: psycopg.Connection) -> bool:
    """Publish the shadow as sna, inside the caller's transaction; False when this build built
    no sna model (no shadow), so sna stays as it is. Objects outside sna never depend on sna's
    (nothing in the dbt project reads sna from elsewhere; dbt drops a replaced table `cascade`
    anyway), so dropping the old sna with its contents takes nothing else with it."""
    if not _exists(conn, SHADOW_SCHEMA):
        return False
    if _exists(conn, LIVE_SCHEMA):
        _keep_unbuilt(conn)
        _copy_schema_grants(conn)
        conn.execute(sql.SQL("drop schema {} cascade").format(sql.Identifier(LIVE_SCHEMA)))
    conn.execute(
        sql.SQL("alter schema {} rename to {}").format(
            sql.Identifier(SHADOW_SCHEMA), sql.Identifier(LIVE_SCHEMA)
        )
    )
    return True
