"""The warehouse build, scheduled on the raw tables' Assets (never on a clock): Great
Expectations gates the new raw batches, then dbt builds staging -> marts -> sna through Cosmos,
with the credentials of the Airflow connection `warehouse` (no profiles file in the build),
then Great Expectations checks the key marts (a critical failure fails the run)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from airflow.sdk import DAG, AssetAny, task
from cosmos import (
    DbtTaskGroup,
    ExecutionConfig,
    LoadMode,
    ProfileConfig,
    ProjectConfig,
    RenderConfig,
    TestBehavior,
)
from cosmos.profiles import PostgresUserPasswordProfileMapping

from svdw.airflow_support import DEFAULT_ARGS, WAREHOUSE_CONN_ID, raw_asset, warehouse_settings
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
        """Run the GX suites on the batches that triggered this run (all batches if manual)."""
        from svdw.quality import validate_raw_batches
        from svdw.transform import register_known_contracts

        batch_ids = sorted(
            {
                batch_id
                for events in (context.get("triggering_asset_events") or {}).values()
                for event in events
                for batch_id in (event.extra or {}).get("batch_ids", [])
            }
        )
        url = warehouse_settings().warehouse_url
        register_known_contracts(url)  # for sna_data_freshness
        summary = validate_raw_batches(url, batch_ids or None)
        print(summary)
        return str(summary)

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
        execution_config=ExecutionConfig(
            dbt_executable_path=str(Path(sys.executable).parent / "dbt")
        ),
        # Tests run once, after every model: relationship tests span models (fct -> dim), so a
        # per-model `dbt test --select` would run them before the other side exists.
        render_config=RenderConfig(
            load_method=LoadMode.DBT_MANIFEST, test_behavior=TestBehavior.AFTER_ALL
        ),
        operator_args={"install_deps": False},
    )

    @task
    def check_marts() -> str:
        """Run the GX suites on the key marts dbt just built (marts not built yet are listed)."""
        from svdw.quality import validate_marts

        summary = validate_marts(warehouse_settings().warehouse_url)
        print(summary)
        return str(summary)

    check_raw_batches() >> dbt_build >> check_marts()
