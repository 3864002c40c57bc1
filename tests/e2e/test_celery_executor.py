"""The CeleryExecutor for real: Redis and two Celery workers started by the project's scripts run
an ingestion DAG and the warehouse build it schedules; the tasks spread over both workers; one
worker is killed in the middle of the build, its lost task is retried on the other worker, and,
once the killed worker is replaced (as compose or Kubernetes would), the run succeeds.

To keep this to minutes on two cores, every other contract's synthetic files are loaded first
with the loader directly (as `svdw ingest` would); the police street-crime files arrive through
their ingestion DAG, whose Asset event schedules the build (a dbt task per layer)."""

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

# Minutes on a quiet two-core machine; an hour bounds it on a busy one.
pytestmark = [pytest.mark.e2e, pytest.mark.distributed, pytest.mark.timeout(3600)]

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
    tries: list[tuple[str, int, str, str]]  # (task_id, try_number, state, worker) of the build

    def describe(self) -> str:
        return "\n".join(
            [f"ingest {self.ingest_state}, build {self.build_state}", *map(str, self.tries)]
            + [self.stack.worker_log(n) for n in range(1, WORKERS + 1)]
        )


def preload_other_contracts(warehouse_url: str, synthetic_dir: Path) -> None:
    files = [p for p in synthetic_dir.rglob("*.csv") if p.parent.name != THROUGH_AIRFLOW]
    with psycopg.connect(warehouse_url) as conn:
        for path in loading_order(files):
            result = load_file(conn, path)
            assert result.status == "loaded", result.error


def on_worker(tries: list[tuple[str, int, str, str]], number: int, state: str) -> list[str]:
    """Build tasks (dbt.*, not pin_snapshot) with a try in `state` on worker `number`."""
    return [
        task
        for task, _try, try_state, worker in tries
        if try_state == state and worker.startswith(worker_name(number)) and task.startswith("dbt.")
    ]


def ready_to_kill(stack: CeleryStack, run_id: str) -> str | None:
    """A dbt task running on the worker to kill, once that worker has finished one already (so
    both workers ran part of the build); Celery records STARTED with the worker's name."""
    tries = stack.tries(WAREHOUSE_DAG, run_id)
    running = on_worker(tries, KILLED, "running")
    if running and on_worker(tries, KILLED, "success"):
        return running[0]
    return None


def retried_elsewhere(stack: CeleryStack, run_id: str, task_id: str) -> bool:
    """The task's latest try started on a worker other than the killed one."""
    tries = [t for t in stack.tries(WAREHOUSE_DAG, run_id) if t[0] == task_id]
    return len(tries) > 1 and not tries[-1][3].startswith(worker_name(KILLED))


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
        # The build has a few dbt tasks (one per layer): worker 2 joins once worker 1 runs them,
        # so that both workers are sure to share the build and the kill to find worker 1 busy.
        stack.script("airflow.sh", "worker", "stop", str(KILLED + 1))
        ingest_run = client.trigger(INGEST_DAG)
        ingest_state = client.wait_for_run(INGEST_DAG, ingest_run)

        def build_run() -> str | None:
            runs = client.api("GET", f"/dags/{WAREHOUSE_DAG}/dagRuns")["dag_runs"]
            return str(runs[0]["dag_run_id"]) if runs else None

        build_run_id = wait_for("the Asset-scheduled build", build_run, 120)
        killed_task = wait_for(
            f"worker {KILLED} running a dbt task after finishing one",
            lambda: ready_to_kill(stack, build_run_id),
            1800,
            every_s=0.5,
        )
        stack.script("airflow.sh", "worker", "start", str(KILLED + 1))
        stack.kill_worker(KILLED)
        wait_for(
            f"{killed_task} retried on a worker that is alive",
            lambda: retried_elsewhere(stack, build_run_id, killed_task),
            900,
        )
        # The lost machine is replaced (compose restarts it; Kubernetes reschedules the pod):
        # the rest of the build has both workers again.
        stack.script("airflow.sh", "worker", "start", str(KILLED))
        build_state = client.wait_for_run(WAREHOUSE_DAG, build_run_id)
        yield DistributedRun(
            stack=stack,
            warehouse_url=warehouse_url,
            ingest_state=ingest_state,
            build_run_id=build_run_id,
            build_state=build_state,
            killed_task=killed_task,
            tries=stack.tries(WAREHOUSE_DAG, build_run_id),
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
    run = distributed_run
    for number in range(1, WORKERS + 1):
        assert on_worker(run.tries, number, "success"), run.describe()


def test_the_task_of_the_killed_worker_was_retried_on_the_other(
    distributed_run: DistributedRun,
) -> None:
    run = distributed_run
    tries = [t for t in run.tries if t[0] == run.killed_task]
    lost = [t for t in tries if t[3].startswith(worker_name(KILLED))]
    final = tries[-1]
    assert lost and lost[0][2] == "failed", run.describe()
    assert final[2] == "success" and final[1] > lost[0][1], run.describe()
    assert not final[3].startswith(worker_name(KILLED)), run.describe()
