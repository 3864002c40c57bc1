"""The CeleryExecutor for real: Redis and two Celery workers started by the project's scripts run
an ingestion DAG and the warehouse build it schedules; the tasks spread over both workers; one
worker is killed in the middle of the build and the run still succeeds, its lost task retried on
the other worker.

To keep this to minutes on two cores, every other contract's synthetic files are loaded first
with the loader directly (as `svdw ingest` would); the police street-crime files arrive through
their ingestion DAG, whose Asset event schedules the build (~95 Cosmos tasks)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from celery_stack import WORKERS, CeleryStack, celery_stack, wait_for, worker_name

from svdw.airflow_client import WAREHOUSE_DAG
from svdw.loader import load_file, loading_order

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1800)]

THROUGH_AIRFLOW = "police_uk_street"
INGEST_DAG = f"ingest_{THROUGH_AIRFLOW}"
KILLED = 1


@dataclass(frozen=True)
class DistributedRun:
    stack: CeleryStack
    warehouse_url: str
    ingest_state: str
    build_run_id: str
    build_state: str
    killed_task: str
    tasks: list[tuple[str, int, str, str]]  # (task_id, try_number, state, worker) of the build

    def describe(self) -> str:
        return "\n".join(
            [f"ingest {self.ingest_state}, build {self.build_state}", *map(str, self.tasks)]
            + [self.stack.worker_log(n) for n in range(1, WORKERS + 1)]
        )


def preload_other_contracts(warehouse_url: str, synthetic_dir: Path) -> None:
    files = [p for p in synthetic_dir.rglob("*.csv") if p.parent.name != THROUGH_AIRFLOW]
    with psycopg.connect(warehouse_url) as conn:
        for path in loading_order(files):
            result = load_file(conn, path)
            assert result.status == "loaded", result.error


def running_on(stack: CeleryStack, run_id: str, number: int) -> str | None:
    """A build task now running on worker `number` (Celery records STARTED with the worker)."""
    for task_id, _try, state, worker in stack.worker_of_tasks(WAREHOUSE_DAG, run_id):
        if state == "running" and worker.startswith(worker_name(number)) and "." in task_id:
            return task_id  # a dbt task (dbt.<model>_run), not pin_snapshot
    return None


@pytest.fixture(scope="module")
def distributed_run(
    make_database: Callable[[str], str],
    synthetic_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[DistributedRun]:
    home = tmp_path_factory.mktemp("celery")
    landing = home / "landing"
    shutil.copytree(synthetic_dir / THROUGH_AIRFLOW, landing / THROUGH_AIRFLOW)
    warehouse_url = make_database("celerywh")
    preload_other_contracts(warehouse_url, synthetic_dir)
    metadata_url = make_database("celeryaf")
    with celery_stack(home / "airflow", metadata_url, warehouse_url, landing) as stack:
        client = stack.client()
        client.wait_for_dags([INGEST_DAG, WAREHOUSE_DAG])
        ingest_run = client.trigger(INGEST_DAG)
        ingest_state = client.wait_for_run(INGEST_DAG, ingest_run)

        def build_run() -> str | None:
            runs = client.api("GET", f"/dags/{WAREHOUSE_DAG}/dagRuns")["dag_runs"]
            return str(runs[0]["dag_run_id"]) if runs else None

        build_run_id = wait_for("the Asset-scheduled build", build_run, 120)
        killed_task = wait_for(
            f"a dbt task running on worker {KILLED}",
            lambda: running_on(stack, build_run_id, KILLED),
            600,
            every_s=0.5,
        )
        stack.kill_worker(KILLED)
        build_state = client.wait_for_run(WAREHOUSE_DAG, build_run_id)
        yield DistributedRun(
            stack=stack,
            warehouse_url=warehouse_url,
            ingest_state=ingest_state,
            build_run_id=build_run_id,
            build_state=build_state,
            killed_task=killed_task,
            tasks=stack.worker_of_tasks(WAREHOUSE_DAG, build_run_id),
        )


def test_the_ingestion_dag_and_the_build_ran_through_celery(
    distributed_run: DistributedRun,
) -> None:
    run = distributed_run
    assert run.ingest_state == "success", run.describe()
    assert run.build_state == "success", run.describe()
    with psycopg.connect(run.warehouse_url) as conn:
        crimes = conn.execute("select count(*) from marts.fct_police_crime").fetchone()
        raw = conn.execute("select count(*) from raw.police_uk__street_crimes").fetchone()
        loaded_by = conn.execute(
            "select distinct loaded_by from audit.load_batch where contract = %s",
            (THROUGH_AIRFLOW,),
        ).fetchall()
    assert raw and raw[0] > 1000 and crimes == raw
    assert [row[0].split()[0] for row in loaded_by] == ["airflow"]


def test_the_build_tasks_ran_on_both_workers(distributed_run: DistributedRun) -> None:
    workers = {worker.split("@")[0] for _task, _try, _state, worker in distributed_run.tasks}
    assert workers == {f"svdw-worker-{n}" for n in range(1, WORKERS + 1)}, (
        distributed_run.describe()
    )


def test_the_task_of_the_killed_worker_was_retried_on_the_other(
    distributed_run: DistributedRun,
) -> None:
    run = distributed_run
    killed = [t for t in run.tasks if t[0] == run.killed_task]
    assert len(killed) == 1, run.describe()
    _task, try_number, state, worker = killed[0]
    assert state == "success" and try_number >= 2, run.describe()
    assert not worker.startswith(worker_name(KILLED)), run.describe()
