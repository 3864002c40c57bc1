"""Re-run a period: reload the archived files of a contract whose periods fall in a range.

Each file loads as a new batch that replaces its period (the contract's replace_scope), so a
backfill never duplicates rows and running it twice leaves the raw table as once; the replaced
rows stay in history.<table>. Use it after a contract or loader fix, or to rebuild a period.

Only the batches live for the period are reloaded (those whose rows are in the raw table, not
replaced by a later delivery), in batch order, so the delivery that won before wins again; a
superseded delivery, even one of the same name, is never reloaded over its replacement.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import psycopg
from psycopg import sql

from svdw.archive import AGE_SUFFIX, ArchiveKeyError, archived_file, identities, opened
from svdw.config import Settings
from svdw.contracts import Contract, get_contract
from svdw.ingest import archive_path
from svdw.loader import LoadResult, load_file


class BackfillError(RuntimeError):
    """The backfill cannot run (missing archive, no period column); nothing was changed."""


@dataclass(frozen=True)
class Archived:
    batch_id: int
    file_name: str
    sha256: str


def month_start(text: str) -> date:
    year, month = text.split("-")
    return date(int(year), int(month), 1)


def live_batches(
    conn: psycopg.Connection, contract: Contract, first: date, last: date
) -> list[Archived]:
    """The batches to reload for months [first, last], in batch order: those with rows live in
    the raw table in those months, and, since reloading a file replaces every period it holds
    (audit.load_batch.periods), the live batches of those other periods too, so that each is
    replaced again by what replaced it before."""
    if conn.execute("select to_regclass(%s)", (contract.table,)).fetchone() == (None,):
        return []  # nothing of the contract was ever loaded
    raw = sql.Identifier(contract.schema_name, contract.table_name)
    period = sql.Identifier(str(contract.period_column))
    chosen = {
        int(row[0])
        for row in conn.execute(
            sql.SQL(
                "select distinct _batch_id from {raw}"
                " where date_trunc('month', {period})::date between %s and %s"
            ).format(raw=raw, period=period),
            (first, last),
        )
    }
    in_periods = sql.SQL("select distinct _batch_id from {raw} where {period}::text = any(%s)")
    while chosen:
        touched = conn.execute(
            "select coalesce(array_agg(distinct p), '{}') from audit.load_batch,"
            " unnest(periods) p where batch_id = any(%s)",
            (sorted(chosen),),
        ).fetchone()
        more = {
            int(row[0])
            for row in conn.execute(
                in_periods.format(raw=raw, period=period),
                (touched[0] if touched else [],),
            )
        }
        if more <= chosen:
            break
        chosen |= more
    rows = conn.execute(
        "select batch_id, file_name, sha256 from audit.load_batch where batch_id = any(%s)"
        " and status = 'loaded' order by batch_id",
        (sorted(chosen),),
    ).fetchall()
    return [Archived(*row) for row in rows]


def backfill(
    conn: psycopg.Connection, contract_name: str, first: str, last: str, settings: Settings
) -> list[LoadResult]:
    contract = get_contract(contract_name)
    if not contract.period_column:
        raise BackfillError(
            f"{contract.name} has no period column (each delivery is a full snapshot): "
            "load its latest file again with `svdw load` instead"
        )
    period = next((c for c in contract.columns if c.name == contract.period_column), None)
    if period is None or period.type not in ("month", "date", "datetime"):
        raise BackfillError(
            f"{contract.name}'s period column {contract.period_column!r} is not a date, so"
            " months cannot select its files: reload the files you need with `svdw load` instead"
        )
    batches = live_batches(conn, contract, month_start(first), month_start(last))
    # every file is found, and can be decrypted, before anything is reloaded
    stored = [_stored_file(batch, contract.name, settings) for batch in batches]
    if any(path.suffix == AGE_SUFFIX for path in stored):
        try:
            identities(settings)
        except ArchiveKeyError as exc:
            raise BackfillError(str(exc)) from exc
    results = []
    # archived files are encrypted: each is decrypted only while it loads (svdw.archive)
    with tempfile.TemporaryDirectory(prefix="svdw-backfill-") as private:
        for path in stored:
            with opened(path, Path(private), settings) as clear:
                results.append(
                    load_file(conn, clear, contract, loaded_by="svdw backfill", force=True)
                )
    return results


def _stored_file(batch: Archived, contract_name: str, settings: Settings) -> Path:
    stub = LoadResult(settings.archive_dir / batch.file_name, contract_name, "loaded", batch.sha256)
    path = archive_path(stub, settings)
    stored = archived_file(path)
    if stored is None:
        raise BackfillError(
            f"batch {batch.batch_id} ({batch.file_name}) is not in the archive at {path}.age;"
            " restore the archive or load the partner's file again (`svdw archive purge`"
            " deletes files past their contract's retention, audit.archive_purge lists them)"
        )
    return stored
