"""Read-only views of the load audit, for `svdw status` and `svdw quarantine`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg


@dataclass(frozen=True)
class BatchRow:
    contract: str
    batch_id: int
    file_name: str
    status: str
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    finished_at: datetime | None
    error: str | None


def _audit_exists(conn: psycopg.Connection) -> bool:
    row = conn.execute("select to_regclass('audit.load_batch') is not null").fetchone()
    return bool(row and row[0])


def latest_batches(conn: psycopg.Connection, per_contract: int = 3) -> list[BatchRow]:
    if not _audit_exists(conn):
        return []
    rows = conn.execute(
        "select contract, batch_id, file_name, status, rows_read, rows_loaded, rows_quarantined,"
        " finished_at, error from (select *, row_number() over (partition by contract"
        " order by batch_id desc) as recency from audit.load_batch) b"
        " where recency <= %s order by contract, batch_id desc",
        (per_contract,),
    ).fetchall()
    return [BatchRow(*row) for row in rows]


def quarantined_rows(conn: psycopg.Connection, batch_id: int | None, limit: int) -> list[Any]:
    if not _audit_exists(conn):
        return []
    return conn.execute(
        "select q.batch_id, b.file_name, q.line_number, q.reason, q.raw_text"
        " from audit.quarantine q join audit.load_batch b using (batch_id)"
        " where %(batch)s::bigint is null or q.batch_id = %(batch)s"
        " order by q.batch_id desc, q.line_number limit %(limit)s",
        {"batch": batch_id, "limit": limit},
    ).fetchall()
