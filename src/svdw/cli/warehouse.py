"""Commands for the warehouse: build, status, docs, and the pipeline in Airflow."""

from __future__ import annotations

import contextlib
from typing import Annotated

import typer
from rich.table import Table

from svdw.cli.app import app, console, err
from svdw.cli.app import fail as _fail
from svdw.config import Settings


@app.command()
def build(
    select: Annotated[
        str | None, typer.Option(help="dbt node selection (default: everything)")
    ] = None,
    rebuild: Annotated[
        bool, typer.Option(help="Build even when no new batch was admitted (after a model change)")
    ] = False,
    full_refresh: Annotated[
        bool,
        typer.Option(
            "--full-refresh",
            help="Rebuild the incremental facts from every admitted batch, not only the changed"
            " ones (dbt --full-refresh); builds even when nothing new was admitted",
        ),
    ] = False,
) -> None:
    """Build the warehouse as the warehouse_build DAG does: pin the snapshot (Great Expectations
    gates every pending load batch; the build reads passed and accepted batches), then dbt build
    (models and tests) from it. Nothing new to admit: nothing is built (see --rebuild)."""
    import getpass

    import psycopg

    from svdw.outage import BUILD_RERUN, lost_connection, warehouse_reachable
    from svdw.quality import DataQualityError
    from svdw.snapshot import BuildInProgress
    from svdw.transform import DbtError, build_warehouse

    settings = Settings.from_env()
    with console.status("Gating the pending batches, pinning the snapshot, then dbt build"):
        try:
            pinned = build_warehouse(
                settings.warehouse_url,
                select=select.split() if select else None,
                report=console.print,
                trigger=f"svdw build by {getpass.getuser()}",
                rebuild=rebuild,
                full_refresh=full_refresh,
            )
        except DataQualityError as exc:
            raise _fail(
                str(exc),
                "the failed batch stays out of every build: see `svdw batches`, then accept it"
                " (`svdw batches accept ID --reason TEXT`) or reject it and ask for a new"
                " delivery; either way run svdw build again",
            ) from exc
        except BuildInProgress as exc:
            raise _fail(str(exc)) from exc
        except DbtError as exc:
            if not warehouse_reachable(settings.warehouse_url):
                raise _fail(
                    f"{exc}\nThe warehouse does not answer: the build stopped because PostgreSQL"
                    " went away",
                    BUILD_RERUN,
                ) from exc
            raise _fail(str(exc), "see dbt/logs/dbt.log for the full output") from exc
        except psycopg.OperationalError as exc:
            raise _fail(lost_connection("building", exc), BUILD_RERUN) from exc
    if pinned.skipped:
        console.print("[green]nothing new to build[/] (`svdw build --rebuild` builds anyway)")
    else:
        console.print(f"[green]warehouse built[/] (build {pinned.build_id})")


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
        colour = {"overdue": "red", "on time": "green"}.get(f.state, "dim")
        state = f"[{colour}]{f.state}[/]"
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


PIPELINE_STEPS = ("all", "build", "reports")


@app.command()
def pipeline(
    # Generous: on 2 cores a whole warehouse build in Airflow takes minutes.
    timeout: Annotated[int, typer.Option(help="Seconds to wait for each DAG run")] = 2700,
    step: Annotated[
        str,
        typer.Option(
            help="all: ingestion, build, then the SNA documents; build: ingestion and the build"
            " only (the documents are not refreshed until `--step reports`); reports: the"
            " documents only (make demo runs them beside Superset's start)"
        ),
    ] = "all",
) -> None:
    """Run the pipeline in the running Airflow (AIRFLOW_URL) and wait for it.

    Every ingestion DAG, then one warehouse build over everything they loaded, then the SNA
    documents DAG (sna_reports) once.
    """
    from svdw.airflow_client import AirflowClient, PipelineError, run_pipeline, run_reports

    if step not in PIPELINE_STEPS:
        raise _fail(f"--step must be one of {', '.join(PIPELINE_STEPS)}, not {step!r}")
    settings = Settings.from_env()
    try:
        client = AirflowClient(
            settings.airflow_url,
            settings.airflow_admin_user,
            settings.airflow_admin_password,
            timeout_s=timeout,
        )
        if step in ("all", "build"):
            with console.status("Airflow: running the ingestion DAGs and the warehouse build"):
                run_pipeline(client, report=console.print)
        if step in ("all", "reports"):
            with console.status("Airflow: rendering the SNA documents (sna_reports)"):
                run_reports(client, report=console.print)
    except (PipelineError, OSError) as exc:
        raise _fail(
            str(exc), "is Airflow running? `make demo` starts it (infra/local/airflow.sh)"
        ) from exc
    console.print("[green]pipeline finished[/]")


@app.command()
def evaluate() -> None:
    """Evaluate every programme against a matched comparison group (docs/evaluation.md) from
    the marts, then rebuild the What works sna models; the warehouse_build DAG runs it after
    each build."""
    from svdw.evaluation.publish import run_evaluation
    from svdw.transform import DbtError

    settings = Settings.from_env()
    with console.status("Matching comparison groups and estimating effects"):
        try:
            results = run_evaluation(settings.warehouse_url)
        except DbtError as exc:
            raise _fail(str(exc), "see dbt/logs/dbt.log for the full output") from exc
    verdicts = results.effects[results.effects["outcome_code"] == "police_contact"]
    table = Table("Programme", "Participants", "Police contact", "Verdict")
    for row in verdicts.itertuples():
        change = (
            f"{row.percent_change:+.0f}% ({row.percent_change_lower_95:+.0f}% to "
            f"{row.percent_change_upper_95:+.0f}%)"
            if row.percent_change == row.percent_change and row.percent_change is not None
            else "-"
        )
        table.add_row(str(row.programme), str(row.participant_count), change, str(row.verdict))
    console.print(table)
