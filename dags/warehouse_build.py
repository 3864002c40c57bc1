"""The warehouse build, scheduled on the raw tables' Assets (never on a clock): pin the snapshot
(Great Expectations gates every pending load batch; the build reads the passed and accepted
batches, fixed now), then dbt builds staging -> marts -> sna from that snapshot through Cosmos,
with the credentials of the Airflow connection `warehouse` (no profiles file in the build),
then the build is recorded as finished and the programmes are evaluated (svdw.evaluation).

A batch that fails the gate fails this run (naming expectation, table and batch) and stays out of
every later build until a person accepts it (`svdw batches accept ID --reason TEXT`). A run with
nothing new to admit skips dbt. `svdw build` runs the same steps outside Airflow
(svdw.transform.build_warehouse); svdw.snapshot explains the snapshot."""

from __future__ import annotations

from typing import Any

from airflow.sdk import DAG, AssetAny, task
from cosmos import (
    DbtTaskGroup,
    ExecutionConfig,
    ExecutionMode,
    InvocationMode,
    LoadMode,
    ProfileConfig,
    ProjectConfig,
    RenderConfig,
    TestBehavior,
)
from cosmos.profiles import PostgresUserPasswordProfileMapping

from svdw.airflow_support import (
    DEFAULT_ARGS,
    WAREHOUSE_CONN_ID,
    pin_build_for_run,
    raw_asset,
    warehouse_settings,
)
from svdw.airflow_watcher import watch_after_the_producer
from svdw.config import Settings
from svdw.contracts import load_contracts
from svdw.transform import BUILD_ID_VAR, dbt_project_dir

DBT_DIR = dbt_project_dir()
# Written by `dbt parse` (make demo, svdw.transform.dbt_parse) where dbt writes its target.
MANIFEST = Settings.from_env().dbt_target_dir / "manifest.json"
RAW_ASSETS = [raw_asset(c) for c in load_contracts().values()]
PIN_TASK = "pin_snapshot"

with DAG(
    dag_id="warehouse_build",
    description="Pin a gated snapshot of the load batches, then dbt build of marts and sna from it",
    doc_md=__doc__,
    schedule=AssetAny(*RAW_ASSETS),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["svdw", "warehouse", "dbt"],
):

    @task.short_circuit(task_id=PIN_TASK)
    def pin_snapshot(**context: Any) -> int | None:
        """Gate the pending batches and pin this build's snapshot; skip dbt when nothing new."""
        return pin_build_for_run(context)

    dbt_build = DbtTaskGroup(
        group_id="dbt",
        project_config=ProjectConfig(dbt_project_path=DBT_DIR, manifest_path=MANIFEST),
        profile_config=ProfileConfig(
            profile_name="svdw",
            target_name="airflow",
            profile_mapping=PostgresUserPasswordProfileMapping(
                conn_id=WAREHOUSE_CONN_ID, profile_args={"schema": "public"}
            ),
        ),
        # WATCHER: one task (dbt.dbt_producer_watcher) runs a single `dbt build` of every model
        # inside its process (dbtRunner); each model keeps its own task in the UI, a sensor that
        # reads the model's result from the producer's XComs instead of starting dbt again
        # (svdw.airflow_watcher; docs/runbook.md "Warehouse build in Airflow").
        execution_config=ExecutionConfig(
            execution_mode=ExecutionMode.WATCHER, invocation_mode=InvocationMode.DBT_RUNNER
        ),
        # Tests run once, after every model (`dbt test`, one task): relationship tests span
        # models (fct -> dim), and the producer's build leaves tests out.
        # No Asset per model: nothing is scheduled on single marts tables, and emitting them
        # costs every one of the ~95 tasks a second or two.
        render_config=RenderConfig(
            load_method=LoadMode.DBT_MANIFEST,
            test_behavior=TestBehavior.AFTER_ALL,
            emit_datasets=False,
        ),
        # Every dbt task of the run reads the snapshot pin_snapshot pinned (Cosmos templates
        # `vars`), so models built minutes apart still read the same load batches. (A new build
        # id changes dbt's vars, so the first task of a run parses the project in full; Cosmos
        # then caches that parse for the run's other tasks.)
        operator_args={
            "install_deps": False,
            "vars": {BUILD_ID_VAR: "{{ ti.xcom_pull(task_ids='" + PIN_TASK + "') }}"},
        },
    )

    @task
    def finish_build(**context: Any) -> None:
        """Every model and test passed: the build succeeded (it releases the build lock)."""
        from svdw.snapshot import finish_build

        build_id = context["ti"].xcom_pull(task_ids=PIN_TASK)
        finish_build(warehouse_settings().warehouse_url, int(build_id))

    @task(trigger_rule="one_failed")
    def record_failed_build(**context: Any) -> None:
        """A dbt task failed: record the build as failed (it releases the build lock). The run
        stays failed: the dbt task is a leaf's upstream."""
        from svdw.snapshot import fail_build

        build_id = context["ti"].xcom_pull(task_ids=PIN_TASK)
        if build_id:
            fail_build(
                warehouse_settings().warehouse_url,
                int(build_id),
                f"dbt failed in Airflow run {context['run_id']}: see the dbt task logs",
            )

    @task
    def evaluate_programmes() -> None:
        """After a successful build: each programme against a matched comparison group, then the
        What works sna models (svdw.evaluation; docs/evaluation.md). Reads the marts just built;
        a failure here fails the run but not the build, which is already recorded."""
        from svdw.evaluation.publish import run_evaluation

        run_evaluation(warehouse_settings().warehouse_url)

    pinned = pin_snapshot()
    finished = finish_build()
    watch_after_the_producer(dbt_build, pinned)
    pinned >> dbt_build >> [finished, record_failed_build()]
    finished >> evaluate_programmes()
