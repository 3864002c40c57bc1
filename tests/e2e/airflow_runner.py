"""Run several DAGs with `airflow dags test` in ONE process: start Python, import Airflow and
parse the DAG folder once, then call the CLI's own `dags test` command function for each DAG in
turn. Each `airflow dags test` subprocess spends about half its time starting up and parsing;
this pays that once per wave instead of once per DAG.

    python airflow_runner.py --logs DIR [--conf JSON] DAG_ID...

Each run's output (task logs, prints) goes to DIR/<dag_id>.log; stdout carries only one JSON
line per DAG: {"dag_id", "state", "run_id", "log"}, state being the run's final state ("success",
"failed") or "error" when the command raised before the run finished (the log says why).
The exit code is 0 when every run succeeded."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def output_to(path: Path) -> Iterator[None]:
    """Send this process's stdout and stderr (file descriptors, so task subprocesses, logging
    handlers and prints all follow) to path for the duration."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with path.open("ab") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def parse_dags() -> dict[str, Any]:
    """Every DAG of every configured bundle, written to the metadata DB: what the CLI's
    get_bagged_dag does before `dags test` (minus the parsing context naming one dag_id; the
    svdw DAG files do not read it)."""
    from airflow.dag_processing.bundles.manager import DagBundlesManager
    from airflow.dag_processing.dagbag import BundleDagBag, sync_bag_to_db

    manager = DagBundlesManager()
    manager.sync_bundles_to_db()
    dags: dict[str, Any] = {}
    for bundle in manager.get_all_dag_bundles():
        bundle.initialize()
        dagbag = BundleDagBag(
            dag_folder=bundle.path, bundle_path=bundle.path, bundle_name=bundle.name
        )
        sync_bag_to_db(dagbag, bundle.name, bundle.version)
        if dagbag.import_errors:
            raise SystemExit(f"DAG import errors: {dagbag.import_errors}")
        dags.update(dagbag.dags)
    return dags


def latest_run(dag_id: str) -> tuple[str | None, str | None]:
    """(run_id, state) of the DAG's latest run in the metadata DB."""
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        run = session.scalars(
            select(DagRun).where(DagRun.dag_id == dag_id).order_by(DagRun.id.desc()).limit(1)
        ).first()
        return (run.run_id, str(getattr(run.state, "value", run.state))) if run else (None, None)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--logs", type=Path, required=True)
    parser.add_argument("--conf", help="the run conf (JSON), as `airflow dags test --conf`")
    parser.add_argument("dag_ids", nargs="+")
    options = parser.parse_args(argv)
    options.logs.mkdir(parents=True, exist_ok=True)
    report = os.fdopen(os.dup(1), "w", buffering=1)

    with output_to(options.logs / "_parse.log"):
        # What `airflow` (airflow/__main__.py) does before running a command.
        from airflow.cli import cli_parser
        from airflow.cli.commands.dag_command import dag_test
        from airflow.configuration import write_default_airflow_configuration_if_needed

        write_default_airflow_configuration_if_needed()
        dags = parse_dags()

    failed = 0
    for dag_id in options.dag_ids:
        log = options.logs / f"{dag_id}.log"
        command = ["dags", "test", dag_id] + (["--conf", options.conf] if options.conf else [])
        state: str | None
        with output_to(log):
            try:
                # The `dags test` command itself (CLI decorators included: provider
                # configuration, migration check, action log), handed the DAG parsed above
                # instead of parsing the folder again; it raises SystemExit on a failed run.
                dag_test(cli_parser.get_parser().parse_args(command), dag=dags[dag_id])
                run_id, state = latest_run(dag_id)
            except SystemExit as exc:
                print(f"dags test {dag_id}: {exc}", file=sys.stderr)
                run_id, state = latest_run(dag_id)
                state = state if state == "failed" else "error"
            except Exception:
                import traceback

                traceback.print_exc()
                run_id, state = None, "error"
        failed += state != "success"
        record = {"dag_id": dag_id, "state": state, "run_id": run_id, "log": str(log)}
        report.write(json.dumps(record) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
