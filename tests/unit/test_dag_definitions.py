"""The DAG files without running them (no database): every DAG imports, follows the policy,
and each contract has its ingestion DAG emitting the Asset the warehouse build is scheduled on."""

from __future__ import annotations

import functools
import importlib.util
import os
from types import ModuleType

import pytest

from svdw.config import REPO_DIR
from svdw.contracts import load_contracts

DAGS = REPO_DIR / "dags"
EXPECTED_DAGS = {f"ingest_{name}" for name in load_contracts()} | {
    "warehouse_build",
    "archive_purge",
    "sna_reports",
}


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


def test_sna_documents_are_rendered_after_each_successful_build(dagbag) -> None:
    """The reports DAG is scheduled on the Asset that only a successful build's last task emits."""
    build = dagbag.dags["warehouse_build"]
    emitted = {o.uri for t in build.tasks for o in t.outlets}
    evaluate = build.get_task("evaluate_programmes")
    assert [o.uri for o in evaluate.outlets] == list(emitted)
    reports = dagbag.dags["sna_reports"]
    scheduled_on = {asset.uri for asset in reports.timetable.asset_condition.objects}
    assert scheduled_on == emitted
    assert [t.task_id for t in reports.tasks] == ["render_sna_documents"]
