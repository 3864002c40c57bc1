"""Database helpers the tests share: URLs of other databases and roles in the project-local
cluster, and one-statement queries against a warehouse by URL or on an open connection."""

from __future__ import annotations

import os
from typing import Any

import psycopg

from svdw.db_urls import with_database, with_user

__all__ = ["one", "rows", "scalar", "superuser_url", "with_database", "with_user"]


def superuser_url(cluster_url: str, database: str = "postgres") -> str:
    """The cluster's superuser: needed to drop a database that other roles (Superset's
    read-only role, say) are still connected to."""
    password = os.environ.get("SVDW_PG_SUPERUSER_PASSWORD", "")
    return with_database(with_user(cluster_url, "postgres", password), database)


def rows(target: str | psycopg.Connection, query: str, params: tuple[Any, ...] = ()) -> list[tuple]:
    """Every row the query returns, from a warehouse URL (connecting for this query only) or on
    an open connection."""
    if isinstance(target, psycopg.Connection):
        return target.execute(query, params or None).fetchall()
    with psycopg.connect(target) as conn:
        return conn.execute(query, params or None).fetchall()


def one(target: str | psycopg.Connection, query: str, params: tuple[Any, ...] = ()) -> Any:
    """The first column of the query's first row (the query must return a row)."""
    found = rows(target, query, params)
    assert found, f"no row from: {query}"
    return found[0][0]


def scalar(target: str | psycopg.Connection, query: str, params: tuple[Any, ...] = ()) -> int:
    """A count (or any whole number) the query returns."""
    return int(one(target, query, params))
