"""The Airflow scheduler killed in the middle of a warehouse build, then restarted.

Airflow runs with the LocalExecutor, each service its own process (airflow_stack.local_stack),
over a warehouse loaded with the synthetic partnership. The warehouse_build DAG is triggered;
once a dbt layer task is running SQL in the warehouse, the scheduler is SIGKILLed together with
every process under it: the LocalExecutor's worker processes and the task processes they
supervise (each in a session of its own). That is what losing the scheduler's machine or
container does; the api-server and the dag-processor run elsewhere in a deployment (their own
containers) and stay up. A scheduler killed alone, its tasks left running, is the milder case:
the tasks finish and report to the api-server by themselves.

A new scheduler then starts. It finds the dead one's task instances still `running` (queued by a
scheduler job that stopped heartbeating) and resets them for another try (Airflow's
adopt_or_reset_orphaned_tasks: the LocalExecutor cannot adopt a task it did not start). The dbt
layer runs again inside the same build (the build id is pinned_snapshot's XCom), and the run
succeeds. Airflow's waits are shortened here: a dead scheduler's job is failed after
SCHEDULER_HEALTH_CHECK_THRESHOLD seconds without a heartbeat (default 30) and orphans are looked
for every ORPHANED_TASKS_CHECK_INTERVAL seconds (default 300: docs/runbook.md says what an
operator sees meanwhile).

Checked: the run succeeds with the killed task tried again; while the scheduler was down the
build was `running` and nothing was recorded as published; afterwards exactly one build of the
run is recorded, succeeded; the next run finds the build lock free and the snapshot unchanged
(skipped: nothing new); and the marts hold what a clean build of the same files holds."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from airflow_stack import AirflowStack, local_stack, wait_for
from conftest import BuiltWarehouse, load_synthetic_files
from db import rows

from svdw.airflow_client import WAREHOUSE_DAG, AirflowClient, PipelineError
from svdw.evaluation.publish import BALANCE_TABLE, EFFECTS_TABLE, SNA_MODELS

# A few minutes on a quiet two-core machine (one dbt build through Airflow); half an hour bounds
# it on a busy one.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1800)]

# Airflow's waits, shortened: the new scheduler fails the dead one's job after 15 s without a
# heartbeat (30 s by default; not shorter, or a live scheduler slowed by a busy machine would be
# taken for dead) and looks for its orphans every 5 s (300 s by default), and a retry waits 5 s.
SHORT_WAITS = {
    "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_THRESHOLD": "15",
    "AIRFLOW__SCHEDULER__ORPHANED_TASKS_CHECK_INTERVAL": "5",
    "SVDW_RETRY_DELAY_SECONDS": "5",
}
TRANSFORMER = "svdw_transformer"


@dataclass
class CrashRun:
    stack: AirflowStack
    warehouse_url: str
    run_id: str
    killed: list[str]  # the dbt layer tasks the kill cut
    builds_while_down: list[tuple[int, str, str]]  # (build_id, trigger, status)
    state: str = ""
    tries: list[tuple[str, int, str | None]] = field(default_factory=list)
    next_run_state: str = ""
    builds: list[tuple[int, str, str]] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def describe(self) -> str:
        return "\n".join(
            [
                f"run {self.run_id}: {self.state}, killed {self.killed}",
                f"next run: {self.next_run_state}",
                f"phases (s): {self.seconds}",
                f"builds while down: {self.builds_while_down}",
                f"builds: {self.builds}",
                *map(str, self.tries),
                self.stack.log("scheduler"),
            ]
        )


def builds(warehouse_url: str) -> list[tuple[int, str, str]]:
    return [
        (int(b), str(t), str(s))
        for b, t, s in rows(
            warehouse_url, "select build_id, trigger, status from audit.build order by build_id"
        )
    ]


def running_layers(stack: AirflowStack, run_id: str) -> list[str]:
    """The run's dbt layer tasks the metadata shows running."""
    return [
        task
        for task, _try, state in stack.task_tries(WAREHOUSE_DAG, run_id)
        if state == "running" and task.startswith("dbt.")
    ]


def running_dbt_layers(stack: AirflowStack, run_id: str, warehouse_url: str) -> list[str]:
    """The run's dbt layer tasks in state running, once dbt is running SQL in the warehouse."""
    running = running_layers(stack, run_id)
    if not running:
        return []
    with psycopg.connect(warehouse_url) as conn:
        busy = conn.execute(
            "select count(*) from pg_stat_activity where datname = current_database()"
            " and usename = %s and state = 'active'",
            (TRANSFORMER,),
        ).fetchone()
    return running if busy and busy[0] else []


# What the build's last step (evaluate_programmes) writes: a clean `build_warehouse` leaves these
# out, so they are not compared.
EVALUATED = {EFFECTS_TABLE, BALANCE_TABLE, *(f"sna.{model}" for model in SNA_MODELS)}


def mart_counts(warehouse_url: str) -> dict[str, int]:
    """Rows of every table dbt builds in marts and sna (the evaluation's left out)."""
    with psycopg.connect(warehouse_url) as conn:
        tables = conn.execute(
            "select schemaname, tablename from pg_tables where schemaname in ('marts', 'sna')"
        ).fetchall()
        counts = {}
        for schema, table in tables:
            if f"{schema}.{table}" not in EVALUATED:
                row = conn.execute(f'select count(*) from "{schema}"."{table}"').fetchone()
                counts[f"{schema}.{table}"] = int(row[0]) if row else -1
        return counts


@pytest.fixture(scope="module")
def crash_run(
    make_database: Callable[[str], str],
    synthetic_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[CrashRun]:
    started = time.monotonic()
    seconds: dict[str, float] = {}

    def phase(name: str) -> None:
        seconds[name] = round(time.monotonic() - started - sum(seconds.values()), 1)

    home = tmp_path_factory.mktemp("scheduler-crash")
    (home / "landing").mkdir()
    warehouse_url = make_database("crashwh")
    load_synthetic_files(warehouse_url, synthetic_dir)
    phase("load")
    metadata_url = make_database("crashaf")
    with local_stack(
        home / "airflow", metadata_url, warehouse_url, home / "landing", SHORT_WAITS
    ) as stack:
        client = wait_for("the api-server", lambda: _client(stack), 300)
        client.wait_for_dags([WAREHOUSE_DAG])
        phase("airflow up")
        run_id = client.trigger(WAREHOUSE_DAG)
        wait_for(
            "a dbt layer task running SQL in the warehouse",
            lambda: running_dbt_layers(stack, run_id, warehouse_url),
            900,
            every_s=0.5,
        )
        phase("to a dbt layer")
        stack.kill("scheduler")
        # What the kill cut: the layers the metadata still shows running (one that finished in
        # the moment before the kill shows success, and is not retried).
        killed = running_layers(stack, run_id)
        assert killed, stack.task_tries(WAREHOUSE_DAG, run_id)
        run = CrashRun(stack, warehouse_url, run_id, killed, builds(warehouse_url))
        stack.start("scheduler")
        run.state = client.wait_for_run(WAREHOUSE_DAG, run_id)
        run.tries = stack.task_tries(WAREHOUSE_DAG, run_id)
        phase("restart to run end")
        next_run = client.trigger(WAREHOUSE_DAG)
        run.next_run_state = client.wait_for_run(WAREHOUSE_DAG, next_run)
        run.builds = builds(warehouse_url)
        phase("next run")
        run.seconds = seconds
        print(f"scheduler crash test phases (s): {seconds}")  # shown by pytest -rP
        yield run


def _client(stack: AirflowStack) -> AirflowClient | None:
    """A logged-in client once the api-server answers."""
    try:
        return stack.client()
    except (OSError, PipelineError):
        return None


def test_the_run_recovers_with_the_killed_task_tried_again(crash_run: CrashRun) -> None:
    run = crash_run
    assert run.state == "success", run.describe()
    for task in run.killed:
        tries = [t for t in run.tries if t[0] == task]
        assert len(tries) > 1 and tries[-1][2] == "success", run.describe()


def test_nothing_is_published_while_the_scheduler_is_down(crash_run: CrashRun) -> None:
    run = crash_run
    assert [status for _build, _trigger, status in run.builds_while_down] == ["running"], (
        run.describe()
    )
    assert run.run_id in run.builds_while_down[0][1], run.describe()


def test_the_recovered_run_records_one_build_and_the_next_run_finds_it(
    crash_run: CrashRun,
) -> None:
    run = crash_run
    assert run.next_run_state == "success", run.describe()
    statuses = [(status, run.run_id in trigger) for _build, trigger, status in run.builds]
    # The recovered build, then the next run's, skipped: nothing new since the recovered one.
    assert statuses == [("succeeded", True), ("skipped", False)], run.describe()


def test_the_marts_hold_what_a_clean_build_holds(
    crash_run: CrashRun, built_warehouse: BuiltWarehouse
) -> None:
    clean = mart_counts(built_warehouse.url)
    recovered = mart_counts(crash_run.warehouse_url)
    differ = {t: (n, recovered.get(t)) for t, n in clean.items() if recovered.get(t) != n}
    assert clean and not differ, f"(clean, recovered) rows: {differ}\n{crash_run.describe()}"
