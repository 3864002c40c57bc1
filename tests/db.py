"""Database helpers the tests share: URLs of other databases and roles in the project-local
cluster, and one-statement queries against a warehouse by URL or on an open connection."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg


def with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def with_user(url: str, user: str, password: str, scheme: str = "postgresql") -> str:
    """The same database as another role (password URL-quoted)."""
    parts = urlsplit(url)
    netloc = f"{user}:{quote(password, safe='')}@{parts.hostname}:{parts.port or 5432}"
    return urlunsplit(parts._replace(scheme=scheme, netloc=netloc))


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
