"""Running the svdw DAGs for real in the e2e tests: the demo's Airflow settings pointed at
throwaway databases, and `airflow dags test` runs (one DAG, or several in one process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from svdw.config import REPO_DIR

AIRFLOW = Path(sys.executable).parent / "airflow"


def airflow_env(
    home: Path,
    metadata_url: str,
    warehouse_url: str,
    landing: Path,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The demo's Airflow settings (infra/local/airflow_env.sh) pointed at test databases, whose
    warehouse is set up by its owner first (as `svdw setup` in demo.sh). `extra` is set before
    airflow_env.sh reads the environment."""
    set_up_warehouse(warehouse_url)
    env = {
        **os.environ,
        **(extra or {}),
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata_url.replace(
            "postgresql://", "postgresql+psycopg2://"
        ),
        "WAREHOUSE_URL": warehouse_url,
        "SVDW_LANDING_DIR": str(landing),
        "SVDW_ARCHIVE_DIR": str(home / "archive"),
    }
    script = f"repo={REPO_DIR}; . {REPO_DIR}/infra/local/airflow_env.sh; env -0"
    out = subprocess.run(["bash", "-c", script], env=env, capture_output=True, check=True).stdout
    return dict(item.split("=", 1) for item in out.decode().split("\0") if "=" in item)


def set_up_warehouse(warehouse_url: str) -> None:
    """What `svdw setup` does before the demo's pipeline, as the owner: the DAGs' tasks load as
    svdw_loader and build as svdw_transformer, which may not create the tables."""
    import psycopg

    from svdw.freshness import register_contracts

    with psycopg.connect(warehouse_url) as conn:
        register_contracts(conn)


def run_dag(
    dag_id: str, env: dict[str, str], conf: dict[str, Any] | None = None
) -> subprocess.CompletedProcess[str]:
    command = [str(AIRFLOW), "dags", "test", dag_id]
    if conf is not None:
        command += ["--conf", json.dumps(conf)]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)


RUNNER = Path(__file__).parent / "airflow_runner.py"


@dataclass(frozen=True)
class DagTestRun:
    """One DAG's `dags test` run made by airflow_runner.py: its final state and its output."""

    dag_id: str
    state: str | None
    output: str

    @property
    def succeeded(self) -> bool:
        return self.state == "success"

    def describe(self) -> str:
        return f"{self.dag_id}: {self.state}\n{self.output[-6000:]}"


def run_dags_in_one_process(
    dag_ids: list[str], env: dict[str, str], logs: Path
) -> list[DagTestRun]:
    """`airflow dags test` of each DAG in turn, in one process that parses the DAG folder once."""
    done = subprocess.run(
        [sys.executable, str(RUNNER), "--logs", str(logs), *dag_ids],
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    reported = {
        record["dag_id"]: record
        for line in done.stdout.splitlines()
        if line.startswith("{")
        for record in [json.loads(line)]
    }
    runs = []
    for dag_id in dag_ids:
        log = logs / f"{dag_id}.log"
        output = log.read_text(errors="replace") if log.exists() else ""
        if dag_id not in reported:  # the runner died before reporting it: say why
            parse_log = logs / "_parse.log"
            output += parse_log.read_text(errors="replace") if parse_log.exists() else ""
            output += f"\nrunner exit {done.returncode}: {done.stdout[-3000:]}{done.stderr[-3000:]}"
        runs.append(DagTestRun(dag_id, reported.get(dag_id, {}).get("state"), output))
    return runs


def migrate_metadata_db(env: dict[str, str]) -> None:
    """`airflow db migrate` on the (empty) metadata database the environment names."""
    subprocess.run([str(AIRFLOW), "db", "migrate"], env=env, check=True, capture_output=True)
