"""`svdw batches`: every load batch with its quality status and why; accept or reject one."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from svdw.cli.app import app, console
from svdw.cli.app import fail as _fail
from svdw.config import Settings

STATUS_STYLE = {
    "pending": "yellow",
    "passed": "green",
    "failed": "bold red",
    "accepted": "cyan",
    "rejected": "red",
}

batches_app = typer.Typer(
    help=(
        "Load batches and their quality status: pending (not gated yet), passed or failed (the "
        "build's Great Expectations gate), accepted or rejected (a person). Builds read passed "
        "and accepted batches only; a failed batch stays out until someone accepts it."
    ),
    rich_markup_mode="markdown",
)
app.add_typer(batches_app, name="batches")


@batches_app.callback(invoke_without_command=True)
def list_batches(
    ctx: typer.Context,
    status: Annotated[
        str | None,
        typer.Option(help="Only batches with this status (pending, passed, failed, ...)"),
    ] = None,
    limit: Annotated[int, typer.Option(help="How many batches, newest first")] = 30,
) -> None:
    """List the latest load batches with their quality status and the reason for it."""
    if ctx.invoked_subcommand is not None:
        return
    from svdw.loader import connect
    from svdw.snapshot import list_batches as batches_of

    if status is not None and status not in STATUS_STYLE:
        raise _fail(f"unknown status {status!r}", f"use one of {', '.join(STATUS_STYLE)}")
    try:
        with connect(Settings.from_env().warehouse_url) as conn:
            batches = batches_of(conn, status, limit)
    except ConnectionError as exc:
        raise _fail(str(exc)) from exc
    if not batches:
        console.print(
            "No batches" + (f" with status {status}" if status else "")
            + ": `svdw load PATH` loads files."
        )  # fmt: skip
        return
    table = Table(title="Load batches (builds read passed and accepted)")
    for column in ("batch", "contract", "file", "rows", "status", "reason", "when"):
        table.add_column(
            column,
            justify="right" if column in ("batch", "rows") else "left",
            overflow="fold",
            no_wrap=column in ("batch", "rows", "status"),
        )
    for b in batches:
        style = STATUS_STYLE.get(b.quality_status, "")
        who = f" ({escape(b.decided_by)})" if b.decided_by else ""
        when = f"{b.decided_at:%Y-%m-%d %H:%M}" if b.decided_at else ""
        table.add_row(
            str(b.batch_id), escape(b.contract), escape(b.file_name), str(b.rows_loaded),
            f"[{style}]{b.quality_status}[/]", escape(b.reason or "") + who, when,
        )  # fmt: skip
    console.print(table)
    if any(b.quality_status == "failed" for b in batches):
        console.print(
            "[yellow]next:[/] look at a failed batch's reason (and `svdw quarantine --batch ID`);"
            " then `svdw batches accept ID --reason TEXT` to build with it, or"
            " `svdw batches reject ID --reason TEXT` and ask the partner for a new delivery."
        )


def _decide(batch_id: int, decision: str, reason: str, by: str | None) -> None:
    from svdw.snapshot import BatchDecisionError, decide_batch

    settings = Settings.from_env()
    who = by or getpass.getuser()
    try:
        previous = decide_batch(
            settings.warehouse_url,
            batch_id,
            "accepted" if decision == "accept" else "rejected",
            reason,
            who,
        )
    except BatchDecisionError as exc:
        raise _fail(str(exc), "`svdw batches` lists every batch with its status") from exc
    except ConnectionError as exc:
        raise _fail(str(exc)) from exc
    verb = "accepted" if decision == "accept" else "rejected"
    console.print(f"batch {batch_id}: {previous} -> [bold]{verb}[/] by {escape(who)}")
    _trigger_build()


def _trigger_build() -> None:
    """Start the next build in Airflow when it is running; else say how to build by hand."""
    from svdw.airflow_client import PipelineError, trigger_warehouse_build

    settings = Settings.from_env()
    url = settings.airflow_url
    try:
        run_id = trigger_warehouse_build(
            url, settings.airflow_admin_user, settings.airflow_admin_password
        )
    except (PipelineError, OSError) as exc:
        console.print(
            f"Airflow is not reachable at {url} ({type(exc).__name__}): run `svdw build` to"
            " build with this decision."
        )
        return
    console.print(f"warehouse_build triggered in Airflow (run {run_id})")


Reason = Annotated[str, typer.Option("--reason", help="Why (kept in the audit)")]
By = Annotated[str | None, typer.Option("--by", help="Who decides (default: your OS user name)")]


@batches_app.command()
def accept(
    batch_id: Annotated[int, typer.Argument(help="The load batch (see `svdw batches`)")],
    reason: Reason,
    by: By = None,
) -> None:
    """Accept a failed batch: the next build reads it despite its failed checks."""
    _decide(batch_id, "accept", reason, by)


@batches_app.command()
def reject(
    batch_id: Annotated[int, typer.Argument(help="The load batch (see `svdw batches`)")],
    reason: Reason,
    by: By = None,
) -> None:
    """Reject a batch: no build reads it from now on (the next build leaves it out)."""
    _decide(batch_id, "reject", reason, by)
