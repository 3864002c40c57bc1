"""A throwaway database per benchmark run on the shared cluster (as the tests' make_database
does): created empty, owned by the warehouse role, dropped at the end whatever happens."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import psycopg

from svdw.db_urls import with_database


@contextmanager
def scratch_database(
    warehouse_url: str, admin_url: str, label: str, owner: str | None = None
) -> Iterator[str]:
    """The URL (as the warehouse role) of a new empty database owned by `owner` (default: the
    warehouse role); dropped on exit."""
    owner = owner or urlsplit(warehouse_url).username or "svdw_engineer"
    name = f"svdw_bench_{uuid.uuid4().hex[:8]}_{label}"[:63]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'create database "{name}" owner "{owner}"')
    try:
        yield with_database(warehouse_url, name)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')
