"""The warehouse build, scheduled on the raw tables' Assets (never on a clock): pin the snapshot
(Great Expectations gates every pending load batch; the build reads the passed and accepted
batches, fixed now), then dbt builds seeds and staging -> marts -> sna from that snapshot, one
Cosmos task per layer (svdw.airflow_layers: each lists its models' results), and tests them all
once, with the credentials of the Airflow connection `warehouse_transformer` (svdw_transformer;
`warehouse` when a deployment has none), no profiles file in the build;
then the build is recorded as finished, which publishes the sna the run built in the shadow
schema sna_next (after every test: svdw.sna_publish), and the programmes are evaluated
(svdw.evaluation).

A batch that fails the gate fails this run (naming expectation, table and batch) and stays out of
every later build until a person accepts it (`svdw batches accept ID --reason TEXT`). A run with
nothing new to admit skips dbt. `svdw build` runs the same steps outside Airflow
(svdw.transform.build_warehouse); svdw.snapshot explains the snapshot."""

from __future__ import annotations

from typing import Any

from airflow.sdk import DAG, AssetAny, TaskGroup, task
from cosmos import InvocationMode, ProfileConfig
from cosmos import settings as cosmos_settings
from cosmos.operators.local import (
    DbtRunLocalOperator,
    DbtSeedLocalOperator,
    DbtTestLocalOperator,
)
from cosmos.profiles import PostgresUserPasswordProfileMapping

from svdw.airflow_layers import LAYERS, report_models
from svdw.airflow_support import (
    DEFAULT_ARGS,
    dbt_conn_id,
    pin_build_for_run,
    raw_asset,
    sna_asset,
    warehouse_settings,
)
from svdw.contracts import load_contracts
from svdw.transform import BUILD_ID_VAR, UNIT_TESTS, dbt_project_dir

DBT_DIR = dbt_project_dir()
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

    # One dbt task per layer (svdw.airflow_layers), each a Cosmos operator running dbt inside the
    # task's process (dbtRunner), as svdw_transformer (airflow_support.dbt_conn_id).
    # Every one reads the snapshot pin_snapshot pinned (Cosmos templates `vars`), so layers built
    # minutes apart read the same load batches.
    dbt_args: dict[str, Any] = {
        "project_dir": str(DBT_DIR),
        "profile_config": ProfileConfig(
            profile_name="svdw",
            target_name="airflow",
            profile_mapping=PostgresUserPasswordProfileMapping(
                # dbt's threads, as dbt/profiles.yml (`svdw build`): a layer's independent
                # models build side by side (Cosmos' profile would leave dbt at one thread).
                conn_id=dbt_conn_id(),
                profile_args={"schema": "public", "threads": 4},
            ),
        ),
        "invocation_mode": InvocationMode.DBT_RUNNER,
        # Where each layer task leaves dbt's partial parse (target/partial_parse.msgpack) for the
        # next: a task runs dbt in a fresh copy of the project, so without it every layer parses
        # the whole project again (on two cores, a minute or more each). A later layer of the
        # same build has the same vars and profile, so dbt reuses the parse; another build's
        # vars differ and dbt parses afresh, as it must.
        "cache_dir": cosmos_settings.cache_dir / "warehouse_build",
        "install_deps": False,
        "emit_datasets": False,
        "vars": {BUILD_ID_VAR: "{{ ti.xcom_pull(task_ids='" + PIN_TASK + "') }}"},
        "callback": report_models,
    }
    with TaskGroup(group_id="dbt") as dbt_build:
        seeds = DbtSeedLocalOperator(task_id="seeds", **dbt_args)
        staging, marts, sna = (
            DbtRunLocalOperator(task_id=layer, select=LAYERS[layer], **dbt_args)
            for layer in ("staging", "marts", "sna")
        )
        # Tests run once, after every model: relationship tests span layers (fct -> dim).
        tests = DbtTestLocalOperator(task_id="tests", exclude=UNIT_TESTS, **dbt_args)
        [seeds, staging] >> marts >> sna >> tests

    @task
    def finish_build(**context: Any) -> None:
        """Every model and test passed: the build succeeded (it releases the build lock), and
        the sna the run built in sna_next becomes the dashboards' sna in the same transaction
        (svdw.sna_publish). Until then, and whenever a dbt task fails, sna stays as it was."""
        from svdw.snapshot import finish_build

        build_id = context["ti"].xcom_pull(task_ids=PIN_TASK)
        finish_build(warehouse_settings().transformer_url, int(build_id))

    @task(trigger_rule="one_failed")
    def record_failed_build(**context: Any) -> None:
        """A dbt task failed: record the build as failed (it releases the build lock). The run
        stays failed: the dbt task is a leaf's upstream."""
        from svdw.snapshot import fail_build

        build_id = context["ti"].xcom_pull(task_ids=PIN_TASK)
        if build_id:
            fail_build(
                warehouse_settings().transformer_url,
                int(build_id),
                f"dbt failed in Airflow run {context['run_id']}: see the dbt task logs",
            )

    @task(outlets=[sna_asset()])
    def evaluate_programmes() -> None:
        """After a successful build: each programme against a matched comparison group, then the
        What works sna models (svdw.evaluation; docs/evaluation.md). Reads the marts just built;
        a failure here fails the run but not the build, which is already recorded."""
        from svdw.evaluation.publish import run_evaluation

        run_evaluation(warehouse_settings().transformer_url)

    pinned = pin_snapshot()
    finished = finish_build()
    pinned >> dbt_build >> [finished, record_failed_build()]
    finished >> evaluate_programmes()
