"""How long archived and rejected partner files are kept, and deleting them after.

Each contract's `retention` (svdw.contracts.Retention) sets the days: an archived file's clock
starts at its first load (audit.load_batch; its modification time when no load of it is
recorded, e.g. an old warehouse's file), a rejected file's at the rejection (its `.reason.txt`'s
modification time). `svdw archive purge` and the daily DAG archive_purge delete what is past
it, each file recorded in audit.archive_purge in the same transaction as its deletion. Files
archived in the clear before encryption (svdw.archive) are purged the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

import psycopg

from svdw.archive import AGE_SUFFIX, ARCHIVED_NAME, REASON_SUFFIX
from svdw.config import Settings
from svdw.contracts import Contract, load_contracts
from svdw.schema import ensure_audit_schema

Kind = Literal["archived", "rejected"]


@dataclass(frozen=True)
class KeptFile:
    contract: str
    kind: Kind
    path: Path
    kept_since: datetime  # when the retention clock started
    retention_days: int

    def expired(self, now: datetime) -> bool:
        return now - self.kept_since > timedelta(days=self.retention_days)


def kept_files(conn: psycopg.Connection, settings: Settings) -> list[KeptFile]:
    """Every archived and rejected file of every contract, with when its retention started:
    an archived file's first load (audit.load_batch; the file's mtime when no load of it is
    recorded), a rejected file's rejection (its reason file's mtime)."""
    kept: list[KeptFile] = []
    for contract in load_contracts().values():
        kept.extend(_archived(conn, contract, settings))
        kept.extend(_rejected(contract, settings))
    return kept


def _archived(conn: psycopg.Connection, contract: Contract, settings: Settings) -> list[KeptFile]:
    folder = settings.archive_dir / contract.name
    if not folder.is_dir():
        return []
    first_loaded: dict[str, datetime] = dict(
        conn.execute(
            "select left(sha256, 16), min(started_at) from audit.load_batch"
            " where contract = %s and status = 'loaded' group by 1",
            (contract.name,),
        ).fetchall()
    )
    found = []
    for path in sorted(folder.iterdir()):
        match = ARCHIVED_NAME.match(path.name)
        if not match or not path.is_file():
            continue
        since = first_loaded.get(match["sha"]) or _mtime(path)
        found.append(
            KeptFile(contract.name, "archived", path, since, contract.retention.archive_days)
        )
    return found


def _rejected(contract: Contract, settings: Settings) -> list[KeptFile]:
    folder = settings.landing_dir / contract.name / "rejected"
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.name.endswith(REASON_SUFFIX) or not path.is_file():
            continue
        reason = _reason_file(path)
        since = _mtime(reason if reason.is_file() else path)
        found.append(
            KeptFile(contract.name, "rejected", path, since, contract.retention.rejected_days)
        )
    return found


def _reason_file(path: Path) -> Path:
    return path.with_name(path.name.removesuffix(AGE_SUFFIX) + REASON_SUFFIX)


def _mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC)


def purge_expired(
    conn: psycopg.Connection,
    settings: Settings,
    *,
    purged_by: str,
    now: datetime | None = None,
    dry_run: bool = False,
) -> list[KeptFile]:
    """Delete every kept file older than its contract's retention (a rejected file with its
    reason), one audit.archive_purge row each, committed with the deletion."""
    moment = now or datetime.now(UTC)
    ensure_audit_schema(conn)
    expired = [f for f in kept_files(conn, settings) if f.expired(moment)]
    conn.commit()
    if dry_run:
        return expired
    for kept in expired:
        with conn.transaction():
            conn.execute(
                "insert into audit.archive_purge (contract, kind, file_name, kept_since,"
                " retention_days, purged_by, purged_at) values (%s, %s, %s, %s, %s, %s, %s)",
                (
                    kept.contract,
                    kept.kind,
                    kept.path.name,
                    kept.kept_since,
                    kept.retention_days,
                    purged_by,
                    moment,
                ),
            )
            kept.path.unlink()  # raises before the commit: the audit row goes with it
            if kept.kind == "rejected":
                _reason_file(kept.path).unlink(missing_ok=True)
    return expired
