"""The warehouse build, scheduled on the raw tables' Assets (never on a clock): Great
Expectations gates the new raw batches, then dbt builds staging -> marts -> sna through Cosmos,
with the credentials of the Airflow connection `warehouse` (no profiles file in the build),
then Great Expectations checks the key marts (a critical failure fails the run).

The gate checks the load batches named by the triggering Asset events. A manual run checks the
batches in its conf (`{"batch_ids": [12, 13]}`), or every raw table whole without one.
`svdw build` runs the same three steps outside Airflow (svdw.transform.build_warehouse)."""

from __future__ import annotations

from typing import Any

from airflow.sdk import DAG, AssetAny, task
from cosmos import (
    DbtTaskGroup,
    ExecutionConfig,
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
    batch_ids_to_check,
    raw_asset,
    run_quality_gate,
)
from svdw.contracts import load_contracts
from svdw.transform import dbt_project_dir

DBT_DIR = dbt_project_dir()
RAW_ASSETS = [raw_asset(c) for c in load_contracts().values()]

with DAG(
    dag_id="warehouse_build",
    description="Data-quality gate on new raw batches, then dbt build of marts and sna",
    doc_md=__doc__,
    schedule=AssetAny(*RAW_ASSETS),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["svdw", "warehouse", "dbt"],
):

    @task
    def check_raw_batches(**context: Any) -> str:
        """Run the GX suites on the batches that triggered this run (on a manual run, the
        conf's `batch_ids`, else every raw table whole)."""
        from svdw.transform import gate_raw_batches

        batch_ids = batch_ids_to_check(context)
        return run_quality_gate(lambda url: gate_raw_batches(url, batch_ids))

    dbt_build = DbtTaskGroup(
        group_id="dbt",
        project_config=ProjectConfig(
            dbt_project_path=DBT_DIR, manifest_path=DBT_DIR / "target" / "manifest.json"
        ),
        profile_config=ProfileConfig(
            profile_name="svdw",
            target_name="airflow",
            profile_mapping=PostgresUserPasswordProfileMapping(
                conn_id=WAREHOUSE_CONN_ID, profile_args={"schema": "public"}
            ),
        ),
        # dbt runs inside the task's process (dbtRunner) rather than as a subprocess per model:
        # each of the ~95 tasks saves starting Python and importing dbt again.
        execution_config=ExecutionConfig(invocation_mode=InvocationMode.DBT_RUNNER),
        # Tests run once, after every model: relationship tests span models (fct -> dim), so a
        # per-model `dbt test --select` would run them before the other side exists.
        # No Asset per model: nothing is scheduled on single marts tables, and emitting them
        # costs every one of the ~95 tasks a second or two.
        render_config=RenderConfig(
            load_method=LoadMode.DBT_MANIFEST,
            test_behavior=TestBehavior.AFTER_ALL,
            emit_datasets=False,
        ),
        operator_args={"install_deps": False},
    )

    @task
    def check_marts() -> str:
        """Run the GX suites on the key marts dbt just built (marts not built yet are listed)."""
        from svdw.quality import validate_marts

        return run_quality_gate(validate_marts)

    check_raw_batches() >> dbt_build >> check_marts()
