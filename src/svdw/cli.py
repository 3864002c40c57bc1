"""svdw: the Serious Violence Duty warehouse from the command line.

The same library code the Airflow tasks run, for data engineers working outside Airflow.
"""

from __future__ import annotations

import contextlib
from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from svdw.config import Settings
from svdw.contracts import ContractError, get_contract, load_contracts

app = typer.Typer(
    help=(
        "Serious Violence Duty warehouse.\n\n"
        "Load partner extracts against their data contracts (svdw load), build the star schema "
        "and SNA marts with dbt and Great Expectations (svdw build), and see what was loaded "
        "and rejected (svdw status, svdw quarantine). `make demo` runs the whole pipeline "
        "through Airflow; these commands run the same code by hand.\n\n"
        "Settings come from the environment and the repo's .env (WAREHOUSE_URL, "
        "SVDW_LANDING_DIR, SVDW_ARCHIVE_DIR)."
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
)
console = Console()
err = Console(stderr=True)


def _fail(message: str, hint: str | None = None) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}")
    if hint:
        err.print(f"[yellow]next:[/] {hint}")
    return typer.Exit(code=1)


def _expand(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.csv") if "rejected" not in p.parts))
        elif path.exists():
            files.append(path)
        else:
            raise _fail(f"{path}: no such file or directory")
    return files


@app.command()
def load(
    paths: Annotated[list[Path], typer.Argument(help="Files, or directories searched for *.csv")],
    contract: Annotated[
        str | None, typer.Option(help="Contract to load with (default: matched by header)")
    ] = None,
    archive: Annotated[
        bool, typer.Option(help="Keep a copy of each loaded file in the archive")
    ] = True,
) -> None:
    """Load partner files into the raw tables (contract picked by header).

    The same file twice adds nothing; bad rows go to quarantine with their reason; a file that
    cannot be read is rejected whole and the command exits non-zero.
    """
    from svdw.ingest import file_away
    from svdw.loader import LoadResult, connect, load_file, loading_order
    from svdw.pseudonymise import PseudonymisationError

    settings = Settings.from_env()
    try:
        chosen = get_contract(contract) if contract else None
    except ContractError as exc:
        raise _fail(str(exc)) from exc
    files = loading_order(_expand(paths))
    if not files:
        raise _fail("no files to load", "pass CSV files or directories holding them")
    results: list[LoadResult] = []
    try:
        conn = connect(settings.warehouse_url)
    except ConnectionError as exc:
        raise _fail(str(exc)) from exc
    with (
        conn,
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            console=err,
            transient=True,
        ) as progress,
    ):
        for path in files:
            task = progress.add_task(path.name, total=path.stat().st_size)
            try:
                result = load_file(
                    conn,
                    path,
                    chosen,
                    loaded_by="svdw load",
                    on_progress=partial(progress.update, task),
                )
            except PseudonymisationError as exc:
                raise _fail(f"{path.name}: {exc}") from exc
            progress.remove_task(task)
            if archive and result.status != "rejected":
                file_away(result, settings, move=False)
            results.append(result)
            _print_result(result)
    rejected = [r for r in results if r.status == "rejected"]
    if rejected:
        raise _fail(
            f"{len(rejected)} of {len(results)} file(s) rejected; nothing of them was loaded",
            "fix the file (or name the right contract with --contract) and load it again",
        )


def _print_result(result: object) -> None:
    from svdw.loader import LoadResult

    assert isinstance(result, LoadResult)
    if result.status == "rejected":
        err.print(f"[red]rejected[/]  {result.error}")
    elif result.status == "duplicate":
        console.print(
            f"[dim]unchanged[/] {result.path.name}: already loaded as batch {result.batch_id}"
        )
    else:
        quarantined = (
            f", [yellow]{result.rows_quarantined} quarantined[/]" if result.rows_quarantined else ""
        )
        replaced = (
            f", {result.rows_superseded} earlier rows replaced" if result.rows_superseded else ""
        )
        console.print(
            f"[green]loaded[/]    {result.path.name} -> {result.contract} batch {result.batch_id}: "
            f"{result.rows_read} read, {result.rows_loaded} loaded{quarantined}{replaced}"
        )


@app.command()
def ingest(
    contract: Annotated[str, typer.Argument(help="Contract whose landing directory to load")],
) -> None:
    """Load what waits in a contract's landing directory, as its Airflow DAG does."""
    from svdw.ingest import ingest_landing

    try:
        summary = ingest_landing(contract, loaded_by="svdw ingest")
    except (ContractError, ConnectionError) as exc:
        raise _fail(str(exc)) from exc
    for result in summary.results:
        _print_result(result)
    console.print(summary.describe())
    if summary.rejected:
        raise _fail("some files were rejected", "see landing/<contract>/rejected/*.reason.txt")


@app.command()
def fetch(
    contract: Annotated[str, typer.Argument(help="Contract whose partner source to fetch from")],
    source: Annotated[
        str | None,
        typer.Option(
            help="sftp://user@host:port/path/ or s3://bucket/prefix/"
            " (default: SVDW_SOURCE_<CONTRACT>)"
        ),
    ] = None,
) -> None:
    """Fetch new files from a partner's SFTP server or object storage into the landing
    directory (then `svdw ingest CONTRACT`, or let its Airflow DAG load them)."""
    from svdw.connectors import ConnectorError, fetch_configured_source, fetch_new_files

    settings = Settings.from_env()
    try:
        if source:
            fetched = fetch_new_files(get_contract(contract), settings, source)
        else:
            fetched = fetch_configured_source(contract, settings)
    except (ConnectorError, ContractError) as exc:
        raise _fail(str(exc)) from exc
    for path in fetched:
        console.print(f"fetched {path}")
    console.print(f"{len(fetched)} new file(s) in {settings.landing_dir / contract}")


@app.command("fetch-police-api")
def fetch_police(
    force: Annotated[str, typer.Argument(help="police.uk force id, e.g. hertfordshire")],
    month: Annotated[str, typer.Option(help="Month, YYYY-MM")],
) -> None:
    """Pull a force's street-level crimes for a month from the police.uk API, written as a
    police.uk street CSV into the landing directory (SVDW_POLICE_API_URL to use a mirror)."""
    from svdw.connectors import ConnectorError, fetch_police_api

    settings = Settings.from_env()
    try:
        with console.status(f"police.uk API: {force} {month}"):
            path = fetch_police_api(force, month, settings)
    except ConnectorError as exc:
        raise _fail(str(exc)) from exc
    console.print(f"wrote {path}")


@app.command()
def build(
    select: Annotated[
        str | None, typer.Option(help="dbt node selection (default: everything)")
    ] = None,
) -> None:
    """Check the raw tables with Great Expectations, then dbt build (models and tests)."""
    from svdw.quality import DataQualityError, validate_raw_batches
    from svdw.transform import DbtError, dbt_build

    settings = Settings.from_env()
    with console.status("Great Expectations: checking the raw tables"):
        try:
            summary = validate_raw_batches(settings.warehouse_url)
        except DataQualityError as exc:
            raise _fail(
                str(exc), "fix or re-deliver the failing batch, then run svdw build again"
            ) from exc
    console.print(f"[green]data quality[/] {summary}")
    with console.status("dbt build: staging, marts, sna"):
        try:
            dbt_build(settings.warehouse_url, select=select.split() if select else None)
        except DbtError as exc:
            raise _fail(str(exc), "see dbt/logs/dbt.log for the full output") from exc
    console.print("[green]dbt build passed[/]")


@app.command()
def docs(
    serve: Annotated[bool, typer.Option(help="Serve it on 127.0.0.1 until Ctrl-C")] = False,
    port: Annotated[int, typer.Option(help="Port to serve on")] = 8081,
) -> None:
    """The data dictionary: dbt's documentation of every mart, sna model and column."""
    import functools
    import http.server

    from svdw.transform import DbtError, dbt_docs

    settings = Settings.from_env()
    with console.status("dbt docs generate"):
        try:
            page = dbt_docs(settings.warehouse_url)
        except DbtError as exc:
            raise _fail(
                str(exc), "is the warehouse built? run `make demo` or `svdw build`"
            ) from exc
    console.print(f"Data dictionary: {page}")
    if serve:
        handler = functools.partial(
            http.server.SimpleHTTPRequestHandler, directory=str(page.parent)
        )
        with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
            console.print(f"Serving http://127.0.0.1:{port}/{page.name} (Ctrl-C to stop)")
            with contextlib.suppress(KeyboardInterrupt):
                server.serve_forever()


@app.command()
def status(
    limit: Annotated[int, typer.Option(help="Batches to show per contract")] = 3,
) -> None:
    """Is every partner delivering? Freshness per contract, then the last batches."""
    from svdw.freshness import freshness_report
    from svdw.loader import connect
    from svdw.status import latest_batches

    settings = Settings.from_env()
    try:
        with connect(settings.warehouse_url) as conn:
            freshness = freshness_report(conn)
            batches = latest_batches(conn, limit)
    except ConnectionError as exc:
        raise _fail(str(exc)) from exc
    fresh = Table(title="Deliveries per contract")
    fresh.add_column("contract", overflow="fold", min_width=20)
    for column in ("cadence", "last loaded", "state", "files", "quarantined", "rejected"):
        fresh.add_column(column, no_wrap=True)
    for f in freshness:
        last = f"{f.last_delivery:%Y-%m-%d}" if f.last_delivery else "never"
        state = "[red]overdue[/]" if f.overdue else "[green]on time[/]"
        fresh.add_row(
            f.contract, f.cadence, last, state, str(f.files_loaded), str(f.rows_quarantined),
            str(f.files_rejected),
        )  # fmt: skip
    console.print(fresh)
    table = Table(title="Latest batches per contract")
    for column in (
        "contract",
        "batch",
        "file",
        "status",
        "read",
        "loaded",
        "quarantined",
        "finished",
    ):
        table.add_column(
            column,
            justify="right" if column in ("batch", "read", "loaded", "quarantined") else "left",
        )
    for b in batches:
        style = {"rejected": "red", "loaded": "green"}.get(b.status, "")
        finished = f"{b.finished_at:%Y-%m-%d %H:%M}" if b.finished_at else ""
        table.add_row(
            b.contract, str(b.batch_id), b.file_name, f"[{style}]{b.status}[/]", str(b.rows_read),
            str(b.rows_loaded), str(b.rows_quarantined), finished,
        )  # fmt: skip
    if not batches:
        console.print("Nothing loaded yet: try `svdw load PATH` or `make demo`.")
        return
    console.print(table)
    for b in batches:
        if b.error:
            err.print(f"[red]batch {b.batch_id}[/] {b.error}")


@app.command()
def quarantine(
    batch: Annotated[int | None, typer.Option(help="Only this batch")] = None,
    limit: Annotated[int, typer.Option(help="Rows to show")] = 20,
) -> None:
    """Rows that were kept out of the raw tables, with line number and reason."""
    from svdw.loader import connect
    from svdw.status import quarantined_rows

    settings = Settings.from_env()
    with connect(settings.warehouse_url) as conn:
        rows = quarantined_rows(conn, batch, limit)
    table = Table(title="Quarantined rows")
    for column in ("batch", "file", "line", "reason", "raw text"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(str(row[0]), row[1], str(row[2]), row[3], row[4])
    console.print(table if rows else "No quarantined rows.")


@app.command()
def generate(
    out: Annotated[
        Path, typer.Option(help="Directory to write into (one folder per contract)")
    ] = Path("landing"),
    months: Annotated[
        int, typer.Option(min=1, max=120, help="Months of data, ending at --last-month")
    ] = 12,
    scale: Annotated[
        str, typer.Option(help="county (like Hertfordshire) or national (benchmarks)")
    ] = "county",
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same files)")] = 2023,
    reference_dir: Annotated[
        Path | None,
        typer.Option(help="Real ONS/IMD files (e.g. ../shared/realdata) for the geography"),
    ] = None,
    last_month: Annotated[str, typer.Option(help="Last month, YYYY-MM")] = "2025-09",
    family: Annotated[
        list[str] | None, typer.Option(help="Only these extract families (repeat the option)")
    ] = None,
) -> None:
    """Write the synthetic partnership (Synthshire): every partner extract in its real format,
    with the people, places and patterns a Strategic Needs Assessment would find."""
    from svdw.backfill import month_start
    from svdw.synthetic import generate as generate_partnership

    if scale not in ("county", "national"):
        raise _fail(f"--scale must be county or national, not {scale!r}")
    with console.status(f"Writing {months} months of the synthetic partnership to {out}"):
        try:
            paths = generate_partnership(
                out, months=months, scale=scale, seed=seed,  # type: ignore[arg-type]
                reference_dir=reference_dir, last_month=month_start(last_month),
                families=set(family) if family else None,
            )  # fmt: skip
        except (ValueError, OSError) as exc:
            raise _fail(str(exc)) from exc
    megabytes = sum(p.stat().st_size for p in paths) / 1e6
    console.print(f"Wrote {len(paths)} files ({megabytes:.0f} MB) under {out}/")


@app.command()
def backfill(
    contract: Annotated[str, typer.Argument(help="Contract to backfill")],
    first: Annotated[str, typer.Option("--from", help="First month, YYYY-MM")],
    last: Annotated[str, typer.Option("--to", help="Last month, YYYY-MM")],
) -> None:
    """Reload a contract's archived files for a range of months. Each replaces its period:
    nothing is duplicated, and running it twice is the same as once."""
    from svdw.backfill import BackfillError
    from svdw.backfill import backfill as run_backfill
    from svdw.loader import connect

    settings = Settings.from_env()
    try:
        with connect(settings.warehouse_url) as conn:
            results = run_backfill(conn, contract, first, last, settings)
    except (BackfillError, ContractError, ConnectionError, ValueError) as exc:
        raise _fail(str(exc)) from exc
    for result in results:
        _print_result(result)
    console.print(f"{len(results)} file(s) reloaded; run `svdw build` to rebuild the marts")


@app.command()
def pipeline(
    timeout: Annotated[int, typer.Option(help="Seconds to wait for each DAG run")] = 900,
) -> None:
    """Run the pipeline in a running Airflow (AIRFLOW_URL): every ingestion DAG, then the
    warehouse build that their Assets schedule. Waits for each run and reports."""
    import os

    from svdw.airflow_client import AirflowClient, PipelineError, run_pipeline

    Settings.from_env()  # reads .env
    try:
        client = AirflowClient(
            os.environ.get("AIRFLOW_URL", "http://127.0.0.1:8080"),
            os.environ.get("AIRFLOW_ADMIN_USER", "admin"),
            os.environ.get("AIRFLOW_ADMIN_PASSWORD", ""),
            timeout_s=timeout,
        )
        with console.status("Airflow: running the ingestion DAGs and the warehouse build"):
            run_pipeline(client, report=console.print)
    except (PipelineError, OSError) as exc:
        raise _fail(
            str(exc), "is Airflow running? `make demo` starts it (infra/local/airflow.sh)"
        ) from exc
    console.print("[green]pipeline finished[/]")


@app.command()
def contracts(
    docs: Annotated[
        Path | None, typer.Option(help="Also write one onboarding page per contract here")
    ] = None,
) -> None:
    """The data contracts this warehouse knows, and the raw table each loads into."""
    if docs is not None:
        from svdw.contract_docs import write_docs

        for path in write_docs(docs):
            console.print(f"wrote {path}")
    table = Table(title="Data contracts")
    for column in ("contract", "partner", "cadence", "raw table", "columns"):
        table.add_column(column)
    for c in load_contracts().values():
        table.add_row(c.name, c.partner, c.cadence, c.table, str(len(c.columns)))
    console.print(table)


if __name__ == "__main__":
    app()
