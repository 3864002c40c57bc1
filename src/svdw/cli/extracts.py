"""Commands for partner extracts: fetch, load, ingest, backfill, quarantine, generate."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from svdw.cli.app import app, console, err
from svdw.cli.app import fail as _fail
from svdw.config import Settings
from svdw.contracts import ContractError, get_contract, load_contracts


def _expand(paths: list[Path]) -> list[Path]:
    from svdw.landing import is_complete
    from svdw.loader import EXTRACT_SUFFIXES

    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.suffix.lower() in EXTRACT_SUFFIXES
                    and "rejected" not in p.parts
                    and is_complete(p)
                )
            )
        elif path.exists():
            files.append(path)
        else:
            raise _fail(f"{path}: no such file or directory")
    return files


@app.command()
def load(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Files, or directories searched for *.csv and *.geojson"),
    ],
    contract: Annotated[
        str | None, typer.Option(help="Contract to load with (default: matched by header)")
    ] = None,
    archive: Annotated[
        bool, typer.Option(help="Keep a copy of each loaded file in the archive")
    ] = True,
    jobs: Annotated[
        int,
        typer.Option(
            min=1,
            help="Processes loading at once: each contract's files load in one process, in"
            " order, after the reference files (a month of every extract loads on several"
            " cores)",
        ),
    ] = 1,
) -> None:
    """Load partner files into the raw tables (contract picked by header).

    The same file twice adds nothing; bad rows go to quarantine with their reason; a file that
    cannot be read is rejected whole and the command exits non-zero.
    """
    import psycopg

    from svdw.ingest import file_away
    from svdw.loader import LoadResult, connect, load_file, loading_order
    from svdw.outage import LOAD_RERUN, lost_connection
    from svdw.pseudonymise import PseudonymisationError

    settings = Settings.from_env()
    try:
        chosen = get_contract(contract) if contract else None
    except ContractError as exc:
        raise _fail(str(exc)) from exc
    files = loading_order(_expand(paths))
    if not files:
        raise _fail("no files to load", "pass CSV files or directories holding them")
    if archive:
        _check_archive_key(settings)
    results: list[LoadResult] = []
    if jobs > 1:
        results = _load_in_parallel(settings, files, chosen, jobs, archive)
        _fail_on_rejections(results)
        return
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
            except psycopg.OperationalError as exc:
                raise _fail(
                    lost_connection(f"loading {path.name}", exc)
                    + "; nothing of this file was kept (a load is one transaction)",
                    LOAD_RERUN,
                ) from exc
            progress.remove_task(task)
            if archive and result.status != "rejected":
                file_away(result, settings, move=False)
            results.append(result)
            _print_result(result)
    _fail_on_rejections(results)


def _fail_on_rejections(results: list[Any]) -> None:
    rejected = [r for r in results if r.status == "rejected"]
    if rejected:
        raise _fail(
            f"{len(rejected)} of {len(results)} file(s) rejected; nothing of them was loaded",
            "fix the file (or name the right contract with --contract) and load it again",
        )


def _load_in_parallel(
    settings: Settings, files: list[Path], chosen: Any, jobs: int, archive: bool
) -> list[Any]:
    """`svdw load --jobs N`: svdw.parallel_load, with a bar of the files done."""
    from svdw.ingest import file_away
    from svdw.loader import LoadResult
    from svdw.outage import LOAD_RERUN
    from svdw.parallel_load import GroupOutcome, load_in_parallel

    results: list[LoadResult] = []
    stopped: list[GroupOutcome] = []
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task(f"loading with {jobs} processes", total=len(files))

        def report(outcome: GroupOutcome) -> None:
            for result in outcome.results:
                if archive and result.status != "rejected":
                    file_away(result, settings, move=False)
                results.append(result)
                _print_result(result)
            progress.advance(task, len(outcome.results))
            if outcome.failure:
                stopped.append(outcome)

        load_in_parallel(settings.warehouse_url, files, jobs, chosen, "svdw load", report)
    for outcome in stopped:
        name = outcome.failed_path.name if outcome.failed_path else "?"
        if outcome.failure == "connection":
            err.print(
                f"[red]lost the warehouse connection loading {name}[/]: {outcome.message};"
                " nothing of this file was kept (a load is one transaction)"
            )
        else:
            err.print(f"[red]{name}[/]: {outcome.message}")
    if stopped:
        lost = any(outcome.failure == "connection" for outcome in stopped)
        raise _fail(
            f"{len(stopped)} contract(s) stopped at an error; the files before it are loaded",
            LOAD_RERUN
            if lost
            else "fix what it says and run the same load again: files already loaded are skipped",
        )
    return results


def _check_archive_key(settings: Settings) -> None:
    """Archived copies are written only encrypted: without a key, load nothing."""
    from svdw.archive import ArchiveKeyError, recipients

    try:
        recipients(settings)
    except ArchiveKeyError as exc:
        raise _fail(str(exc)) from exc


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
        unmatched = (
            f", [yellow]{result.postcodes_unmatched} postcode(s) not in the ONS lookup (no LSOA)[/]"
            if result.postcodes_unmatched
            else ""
        )
        notes = f"{quarantined}{unmatched}{replaced}"
        console.print(
            f"[green]loaded[/]    {result.path.name} -> {result.contract} batch {result.batch_id}: "
            f"{result.rows_read} read, {result.rows_loaded} loaded{notes}"
        )


@app.command()
def ingest(
    contract: Annotated[str, typer.Argument(help="Contract whose landing directory to load")],
) -> None:
    """Load what waits in a contract's landing directory, as its Airflow DAG does."""
    from svdw.archive import ArchiveKeyError
    from svdw.ingest import ingest_landing
    from svdw.pseudonymise import PseudonymisationError

    try:
        summary = ingest_landing(contract, loaded_by="svdw ingest")
    except (ContractError, ConnectionError, ArchiveKeyError, PseudonymisationError) as exc:
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
    """Fetch new files from a partner's SFTP server or object storage into landing.

    Then `svdw ingest CONTRACT` loads them, or the contract's Airflow DAG does.
    """
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
    """Pull a force's street-level crimes for a month from the police.uk API.

    Written as a police.uk street CSV into the landing directory; set
    SVDW_POLICE_API_URL to use a mirror.
    """
    from svdw.connectors import ConnectorError, fetch_police_api

    settings = Settings.from_env()
    try:
        with console.status(f"police.uk API: {force} {month}"):
            path = fetch_police_api(force, month, settings)
    except ConnectorError as exc:
        raise _fail(str(exc)) from exc
    console.print(f"wrote {path}")


@app.command()
def backfill(
    contract: Annotated[str, typer.Argument(help="Contract to backfill")],
    first: Annotated[str, typer.Option("--from", help="First month, YYYY-MM")],
    last: Annotated[str, typer.Option("--to", help="Last month, YYYY-MM")],
) -> None:
    """Reload a contract's archived files for a range of months.

    Each replaces its period: nothing is duplicated, and running it twice is the same as once.
    """
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
    console.print(quarantine_table(rows) if rows else "No quarantined rows.")


def quarantine_table(rows: list[Any]) -> Table:
    """(batch, file, line, reason, raw text) rows as a table. Every cell is plain Text: a raw
    line or a reason is data, and read as rich markup its `[redacted]` markers would vanish."""
    table = Table(title="Quarantined rows")
    for column in ("batch", "file", "line", "reason", "raw text"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(Text(str(value)) for value in row))
    return table


@app.command()
def sample(
    contract: Annotated[str, typer.Argument(help="Contract to write a sample file for")],
    out: Annotated[
        Path, typer.Option(help="Directory to write into (a folder per contract)")
    ] = Path("landing"),
    rows: Annotated[int, typer.Option(min=1, help="Rows to write")] = 200,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same file)")] = 2023,
) -> None:
    """Write a sample file generated from a contract alone (every row passes it).

    For an extract without a hand-written synthetic writer: a new partner's, to try the
    loader and the DAG before the first real delivery, or to show the partner the format.
    """
    from svdw.synthetic.from_contract import SampleError, sample_from_contract

    try:
        path = sample_from_contract(get_contract(contract), out, rows=rows, seed=seed)
    except (ContractError, SampleError) as exc:
        raise _fail(str(exc)) from exc
    console.print(f"wrote {path} ({rows} rows)")


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
        typer.Option(
            help="Real ONS/IMD files for the geography (default: the repository's reference/,"
            " real Hertfordshire; or e.g. ../shared/realdata)"
        ),
    ] = None,
    synthetic_geography: Annotated[
        bool,
        typer.Option(
            "--synthetic-geography",
            help="A fully synthetic county (Synthshire) instead of the real reference files",
        ),
    ] = False,
    last_month: Annotated[str, typer.Option(help="Last month, YYYY-MM")] = "2025-09",
    family: Annotated[
        list[str] | None, typer.Option(help="Only these extract families (repeat the option)")
    ] = None,
) -> None:
    """Write the synthetic partnership, every extract in its real format: on the real
    Hertfordshire of reference/ (or --reference-dir), or the synthetic Synthshire.

    With the people, places and patterns a Strategic Needs Assessment would find.
    """
    from svdw.backfill import month_start
    from svdw.synthetic import REFERENCE_DIR
    from svdw.synthetic import generate as generate_partnership

    if scale not in ("county", "national"):
        raise _fail(f"--scale must be county or national, not {scale!r}")
    if synthetic_geography and reference_dir is not None:
        raise _fail("--synthetic-geography and --reference-dir exclude each other")
    geography = None if synthetic_geography else (reference_dir or REFERENCE_DIR)
    with console.status(f"Writing {months} months of the synthetic partnership to {out}"):
        try:
            paths = generate_partnership(
                out, months=months, scale=scale, seed=seed,  # type: ignore[arg-type]
                reference_dir=geography, last_month=month_start(last_month),
                families=set(family) if family else None,
            )  # fmt: skip
        except (ValueError, OSError) as exc:
            raise _fail(str(exc)) from exc
    megabytes = sum(p.stat().st_size for p in paths) / 1e6
    console.print(f"Wrote {len(paths)} files ({megabytes:.0f} MB) under {out}/")
