"""The DAG files without running them (no database): every DAG imports, follows the policy,
and each contract has its ingestion DAG emitting the Asset the warehouse build is scheduled on."""

from __future__ import annotations

import functools
import importlib.util
import json
import os
from types import ModuleType

import pytest

from svdw.airflow_watcher import ALL_DONE_MIN_ONE_SUCCESS, PRODUCER_TASK
from svdw.config import REPO_DIR, Settings
from svdw.contracts import load_contracts

DAGS = REPO_DIR / "dags"
EXPECTED_DAGS = {f"ingest_{name}" for name in load_contracts()} | {"warehouse_build"}


@pytest.fixture(scope="module")
def dagbag(tmp_path_factory: pytest.TempPathFactory):
    from svdw.transform import dbt_parse

    dbt_parse()  # Cosmos renders the warehouse DAG from dbt's manifest
    os.environ.setdefault("AIRFLOW_HOME", str(tmp_path_factory.mktemp("airflow_home")))
    os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    os.environ["AIRFLOW__COSMOS__ENABLE_TELEMETRY"] = "False"
    os.environ["AIRFLOW__COSMOS__ENABLE_CACHE_DBT_LS"] = "False"
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


def test_dags_import_without_errors(dagbag) -> None:
    assert dagbag.import_errors == {}
    assert set(dagbag.dags) == EXPECTED_DAGS


@pytest.mark.parametrize("dag_id", sorted(EXPECTED_DAGS))
def test_dag_policy(dagbag, dag_id: str) -> None:
    dag = dagbag.dags[dag_id]
    assert dag.catchup is False
    assert "svdw" in dag.tags and len(dag.tags) >= 2
    assert dag.doc_md, "document every DAG"
    for task in dag.tasks:
        assert task.owner == "svdw-data-engineering", task.task_id
        # The one exception: a retried WATCHER producer skips (svdw.airflow_watcher).
        if not task.task_id.endswith(f".{PRODUCER_TASK}"):
            assert task.retries >= 1, task.task_id


@functools.cache
def ingest_module() -> ModuleType:
    """dags/ingest_contracts.py as a module (its poll schedule per cadence)."""
    spec = importlib.util.spec_from_file_location("svdw_ingest_dags", DAGS / "ingest_contracts.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("contract", sorted(load_contracts()))
def test_each_contract_has_its_ingestion_dag(dagbag, contract: str) -> None:
    spec = load_contracts()[contract]
    dag = dagbag.dags.get(f"ingest_{contract}")
    assert dag is not None, f"no DAG for contract {contract}: {dagbag.import_errors}"
    assert dag.schedule == ingest_module().POLL_SCHEDULE[spec.cadence]
    assert spec.partner in dag.tags
    assert spec.table in dag.doc_md and spec.title in dag.doc_md
    outlets = [outlet for task in dag.tasks for outlet in task.outlets]
    assert [(o.name, o.uri.rsplit("/", 2)[-2:]) for o in outlets] == [
        (spec.table, [spec.schema_name, spec.table_name])
    ]


def test_ingest_dags_emit_the_asset_the_warehouse_dag_is_scheduled_on(dagbag) -> None:
    build = dagbag.dags["warehouse_build"]
    scheduled_on = {asset.name for asset in build.timetable.asset_condition.objects}
    emitted = {
        outlet.name
        for dag_id, dag in dagbag.dags.items()
        if dag_id.startswith("ingest_")
        for task in dag.tasks
        for outlet in task.outlets
    }
    assert emitted == scheduled_on == {c.table for c in load_contracts().values()}


def test_programmes_are_evaluated_after_a_successful_build(dagbag) -> None:
    build = dagbag.dags["warehouse_build"]
    evaluate = build.get_task("evaluate_programmes")
    assert evaluate.upstream_task_ids == {"finish_build"}
    assert evaluate.trigger_rule == "all_success"


def dbt_models() -> set[str]:
    """Every model and seed of the dbt project, from the manifest the DAG renders from."""
    manifest = json.loads((Settings.from_env().dbt_target_dir / "manifest.json").read_text())
    return {
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] in {"model", "seed"} and node["package_name"] == "svdw"
    }


def test_the_warehouse_build_runs_dbt_once_and_keeps_a_task_per_model(dagbag) -> None:
    """WATCHER mode: one producer task runs dbt; every model keeps a task of its own that only
    reads its result, after the producer (`dags test` runs one task at a time); the tests run
    once after every model; the build is recorded as failed when any dbt task fails."""
    build = dagbag.dags["warehouse_build"]
    dbt_tasks = [t for t in build.tasks if t.task_id.startswith("dbt.")]
    producer = build.get_task(f"dbt.{PRODUCER_TASK}")
    assert type(producer).__name__ == "DbtProducerWatcherOperator"
    assert producer.upstream_task_ids == {"pin_snapshot"} and producer.retries == 0
    assert "--resource-type" in producer.dbt_cmd_flags  # the tests are not in the build
    sensor_types = {"DbtRunWatcherOperator", "DbtSeedWatcherOperator"}
    sensors = {t.task_id: t for t in dbt_tasks if type(t).__name__ in sensor_types}
    others = sorted(
        type(t).__name__ for t in dbt_tasks if t is not producer and t not in sensors.values()
    )
    # Besides the producer, only the tests start dbt (EmptyOperator: Cosmos' producer gate).
    assert others == ["DbtTestLocalOperator", "EmptyOperator"]
    (tests,) = [t for t in dbt_tasks if type(t).__name__ == "DbtTestLocalOperator"]

    per_model = {task_id.removeprefix("dbt.").rsplit("_", 1)[0] for task_id in sensors}
    assert per_model == dbt_models()
    roots = [t for t in sensors.values() if not t.upstream_task_ids & set(sensors)]
    assert roots and all(
        t.upstream_task_ids == {producer.task_id, "pin_snapshot"}
        and t.trigger_rule == ALL_DONE_MIN_ONE_SUCCESS
        for t in roots
    )
    # Every dbt invocation reads the snapshot pin_snapshot pinned.
    assert all("pin_snapshot" in str(t.vars) for t in [producer, tests, *sensors.values()])

    assert set(build.get_task("finish_build").upstream_task_ids) >= {tests.task_id}
    assert tests.upstream_task_ids <= set(sensors) and tests.upstream_task_ids
    failed = build.get_task("record_failed_build")
    assert failed.trigger_rule == "one_failed" and tests.task_id in failed.upstream_task_ids
