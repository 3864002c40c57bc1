"""Pick up files from a contract's landing directory, load them, and file them away.

The Airflow ingestion DAGs and `svdw ingest` call this same function. Loaded (and duplicate)
files move to the archive, named by sha256; rejected files move to the landing directory's
`rejected/` folder beside a `.reason.txt` that says what to fix. Both are stored only
age-encrypted (svdw.archive) and purged after their contract's retention.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from svdw.archive import private_dir, recipients, store_encrypted
from svdw.config import Settings
from svdw.contracts import Contract, get_contract
from svdw.landing import arrival_order, waiting_files
from svdw.loader import LoadResult, connect, load_file
from svdw.outage import ingest_unavailable


class WarehouseUnavailable(ConnectionError):
    """PostgreSQL is down or went away during an ingestion; the message says what to do."""


@dataclass
class IngestSummary:
    contract: str
    results: list[LoadResult] = field(default_factory=list)

    @property
    def loaded(self) -> list[LoadResult]:
        return [r for r in self.results if r.status == "loaded"]

    @property
    def rejected(self) -> list[LoadResult]:
        return [r for r in self.results if r.status == "rejected"]

    @property
    def batch_ids(self) -> list[int]:
        return [r.batch_id for r in self.loaded if r.batch_id is not None]

    def describe(self) -> str:
        counts = {
            s: sum(r.status == s for r in self.results) for s in ("loaded", "duplicate", "rejected")
        }
        rows = sum(r.rows_loaded for r in self.results)
        quarantined = sum(r.rows_quarantined for r in self.results)
        unmatched = sum(r.postcodes_unmatched for r in self.results)
        no_lsoa = f", {unmatched} postcode(s) not in the ONS lookup" if unmatched else ""
        return (
            f"{self.contract}: {len(self.results)} file(s): {counts['loaded']} loaded "
            f"({rows} rows, {quarantined} quarantined{no_lsoa}), {counts['duplicate']} already"
            f" loaded, {counts['rejected']} rejected"
        )


def landing_dir(contract: Contract, settings: Settings) -> Path:
    return settings.landing_dir / contract.name


def landed_files(contract: Contract, settings: Settings) -> list[Path]:
    return waiting_files(landing_dir(contract, settings), contract.file_glob)


def archive_path(result: LoadResult, settings: Settings) -> Path:
    """archive/<contract>/<sha256 prefix>__<name>: one copy per distinct file content."""
    prefix = f"{result.sha256[:16]}__"
    name = result.path.name.removeprefix(prefix)  # a backfill loads from the archive itself
    return settings.archive_dir / str(result.contract) / f"{prefix}{name}"


def file_away(result: LoadResult, settings: Settings, *, move: bool) -> Path:
    """Archive a loaded or duplicate file; set a rejected one aside with its reason. Both are
    written only encrypted, in 0700 folders (svdw.archive); returns the encrypted file."""
    if result.status == "rejected":
        target = result.path.parent / "rejected" / result.path.name
        private_dir(target.parent)
        target.with_name(target.name + ".reason.txt").write_text(f"{result.error}\n")
    else:
        target = archive_path(result, settings)
        private_dir(settings.archive_dir)
        private_dir(target.parent)
    # an archived name holds the content's hash: one there already has the same bytes
    replace = result.status == "rejected"
    return store_encrypted(result.path, target, settings, move=move, replace=replace)


def ingest_landing(
    contract_name: str,
    settings: Settings | None = None,
    loaded_by: str = "svdw",
    files: list[Path] | None = None,
) -> IngestSummary:
    """Load the files waiting in the contract's landing directory (or the given ones), in name
    order, so that monthly files load oldest first."""
    settings = settings or Settings.from_env()
    contract = get_contract(contract_name)
    summary = IngestSummary(contract.name)
    if files is not None:
        # A retried task gets the list its first try found; files that try already filed away
        # are gone from landing, and loaded.
        files = arrival_order([p for p in files if p.exists()])
    else:
        files = landed_files(contract, settings)
    if not files:
        return summary
    recipients(settings)  # no archive key: load nothing rather than file it away in the clear
    doing = f"connecting to load {files[0].name}"
    try:
        # As svdw_loader when LOADER_DATABASE_URL is set: rows only, no DDL (`svdw setup`).
        with connect(settings.loader_url) as conn:
            # One ingest of a contract at a time: a second one started meanwhile waits here,
            # then finds the files the first filed away gone, and is a no-op for them.
            conn.execute("select pg_advisory_lock(hashtext(%s))", (f"svdw.ingest.{contract.name}",))
            conn.commit()
            for path in [p for p in files if p.exists()]:
                doing = f"loading {path.name}"
                result = load_file(conn, path, contract, loaded_by=loaded_by)
                file_away(result, settings, move=True)
                summary.results.append(result)
    except (ConnectionError, psycopg.OperationalError) as exc:
        # A load is one transaction: the file being loaded left nothing and is still in landing.
        cause = exc.__cause__ if isinstance(exc, ConnectionError) and exc.__cause__ else exc
        raise WarehouseUnavailable(ingest_unavailable(contract.name, doing, cause)) from exc
    return summary
