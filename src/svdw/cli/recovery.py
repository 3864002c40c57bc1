"""Commands to come back from a lost disk: back up the databases, restore them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from svdw.cli.app import app, console
from svdw.cli.app import fail as _fail
from svdw.config import Settings


@app.command()
def backup(
    out: Annotated[Path, typer.Option(help="A new directory for the archives and manifest")],
) -> None:
    """Back up the warehouse and the Superset and Airflow metadata databases: one pg_dump
    archive each (custom format) and a manifest.json with versions, sizes and sha256 checksums.
    The directory holds pseudonymised person-level data: keep it as safe as the database."""
    from svdw.backup import BackupError
    from svdw.backup import backup as run_backup

    try:
        manifest = run_backup(Settings.from_env(), out, report=console.print)
    except BackupError as exc:
        raise _fail(str(exc)) from exc
    names = ", ".join(entry["name"] for entry in manifest["databases"])
    console.print(f"[green]backed up[/] {names} to {out} (manifest.json)")


@app.command()
def restore(
    backup_dir: Annotated[Path, typer.Argument(help="A directory `svdw backup` wrote")],
) -> None:
    """Restore a backup into an empty cluster: checks every archive's checksum first, then
    recreates each database with its owner and grants. The cluster's roles must exist
    (`infra/local/pg.sh up` makes them); connects as its superuser (SVDW_PG_SUPERUSER_PASSWORD)."""
    from svdw.backup import BackupError
    from svdw.backup import restore as run_restore

    try:
        manifest = run_restore(Settings.from_env(), backup_dir, report=console.print)
    except BackupError as exc:
        raise _fail(str(exc), 'docs/runbook.md, "Restore from a backup"') from exc
    console.print(
        f"[green]restored[/] {len(manifest['databases'])} database(s) backed up at"
        f" {manifest['created_at']}; check with `svdw status`"
    )
