"""`svdw archive`: the encrypted archived and rejected files, and purging them on retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from svdw.cli.app import app, console
from svdw.cli.app import fail as _fail
from svdw.config import Settings

archive_app = typer.Typer(
    help=(
        "Archived (loaded) and rejected partner files: kept age-encrypted, and deleted when "
        "their contract's `retention` runs out (archive_days, rejected_days)."
    ),
    rich_markup_mode="markdown",
)
app.add_typer(archive_app, name="archive")


@archive_app.command("list")
def list_kept() -> None:
    """Every kept file with the day its retention runs out."""
    from svdw.archive_retention import kept_files
    from svdw.loader import connect
    from svdw.schema import ensure_audit_schema

    settings = Settings.from_env()
    try:
        with connect(settings.warehouse_url) as conn:
            ensure_audit_schema(conn)
            kept = kept_files(conn, settings)
    except ConnectionError as exc:
        raise _fail(str(exc)) from exc
    if not kept:
        console.print("No archived or rejected files.")
        return
    table = Table(title="Kept partner files (encrypted)")
    for column in ("contract", "kind", "file", "kept since", "purged after"):
        table.add_column(column, overflow="fold")
    for f in kept:
        until = f.kept_since + timedelta(days=f.retention_days)
        table.add_row(
            Text(f.contract), f.kind, Text(f.path.name), f"{f.kept_since:%Y-%m-%d}",
            f"{until:%Y-%m-%d}",
        )  # fmt: skip
    console.print(table)


@archive_app.command()
def purge(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only list what would be deleted")
    ] = False,
    by: Annotated[str, typer.Option("--by", help="Who purges (kept in the audit)")] = (
        "svdw archive purge"
    ),
) -> None:
    """Delete archived and rejected files past their contract's retention (audit.archive_purge
    records each); the daily archive_purge DAG runs the same."""
    from svdw.archive import ArchiveKeyError
    from svdw.archive_retention import purge_expired
    from svdw.loader import connect

    settings = Settings.from_env()
    try:
        with connect(settings.warehouse_url) as conn:
            purged = purge_expired(conn, settings, purged_by=by, dry_run=dry_run)
    except (ConnectionError, ArchiveKeyError, OSError) as exc:
        raise _fail(str(exc)) from exc
    verb = "would be deleted" if dry_run else "deleted"
    for f in purged:
        console.print(
            Text(f"{f.kind} {f.contract}/{f.path.name} {verb} (kept since {f.kept_since:%Y-%m-%d},"
                 f" retention {f.retention_days} days)")
        )  # fmt: skip
    console.print(f"{len(purged)} file(s) {verb}; now {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")


@archive_app.command()
def reload(
    contract: Annotated[
        list[str] | None, typer.Option(help="Only this contract (repeat for several)")
    ] = None,
) -> None:
    """Load every archived file into the warehouse (WAREHOUSE_URL) with the current
    SVDW_PSEUDONYM_KEY: how the key is rotated, into a fresh warehouse (docs/runbook.md)."""
    from svdw.archive import ArchiveKeyError
    from svdw.archive_reload import reload_archive
    from svdw.cli.extracts import _print_result
    from svdw.contracts import ContractError
    from svdw.loader import connect
    from svdw.pseudonymise import PseudonymisationError

    settings = Settings.from_env()
    try:
        with connect(settings.warehouse_url) as conn:
            results = reload_archive(conn, settings, contract)
    except (ConnectionError, ArchiveKeyError, ContractError, PseudonymisationError) as exc:
        raise _fail(str(exc)) from exc
    for result in results:
        _print_result(result)
    loaded = sum(r.status == "loaded" for r in results)
    console.print(
        f"{len(results)} archived file(s): {loaded} loaded; run `svdw build` to build the marts"
    )


@archive_app.command()
def seal() -> None:
    """Encrypt, in place, archived and rejected files kept in the clear before archives were
    encrypted (each becomes `<name>.age`; the clear file is deleted)."""
    from svdw.archive import ArchiveKeyError, seal_clear_files
    from svdw.contracts import load_contracts

    settings = Settings.from_env()
    try:
        sealed = seal_clear_files(settings, sorted(load_contracts()))
    except (ArchiveKeyError, OSError) as exc:
        raise _fail(str(exc)) from exc
    for path in sealed:
        console.print(Text(f"encrypted {path}"))
    console.print(f"{len(sealed)} clear file(s) encrypted")
