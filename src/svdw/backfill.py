"""Re-run a period: reload the archived files of a contract whose periods fall in a range.

Each file loads as a new batch that replaces its period (the contract's replace_scope), so a
backfill never duplicates rows and running it twice leaves the raw table as once; the replaced
rows stay in history.<table>. Use it after a contract or loader fix, or to rebuild a period.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import psycopg

from svdw.archive import AGE_SUFFIX, ArchiveKeyError, archived_file, identities, opened
from svdw.config import Settings
from svdw.contracts import get_contract
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


def archived_batches(
    conn: psycopg.Connection, contract_name: str, first: date, last: date
) -> list[Archived]:
    """Loaded files of the contract with a period in [first, last], latest load per file."""
    rows = conn.execute(
        "select distinct on (sha256) batch_id, file_name, sha256 from audit.load_batch"
        " where contract = %s and status = 'loaded' and exists (select 1 from unnest(periods) p"
        " where p::date between %s and %s) order by sha256, batch_id desc",
        (contract_name, first, last),
    ).fetchall()
    return sorted((Archived(*row) for row in rows), key=lambda a: a.file_name)


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
    batches = archived_batches(conn, contract.name, month_start(first), month_start(last))
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
