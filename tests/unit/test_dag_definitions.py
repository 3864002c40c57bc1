"""The DAG files without running them (no database): every DAG imports, follows the policy,
and each contract has its ingestion DAG emitting the Asset the warehouse build is scheduled on."""

from __future__ import annotations

import functools
import importlib.util
import json
import os
from types import ModuleType

import pytest

from svdw.airflow_layers import LAYERS, layer_of
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


@pytest.fixture(scope="module")
def dbt_nodes() -> dict[str, dict]:
    """Every model and seed of the dbt project, by unique id, from the manifest dbt parses."""
    from svdw.transform import dbt_parse

    manifest = json.loads(dbt_parse().read_text())
    return {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] in {"model", "seed"} and node["package_name"] == "svdw"
    }


def test_every_model_is_built_in_one_layer_after_the_layers_it_reads(dbt_nodes) -> None:
    """The warehouse DAG builds by layer (svdw.airflow_layers): a model in a folder no layer
    selects would never be built, and a model reading a later layer would read a stale table."""
    order = {layer: number for number, layer in enumerate(LAYERS)}
    layers = {
        uid: layer_of(n["resource_type"], n["original_file_path"]) for uid, n in dbt_nodes.items()
    }
    assert not [uid for uid, layer in layers.items() if layer is None]
    backwards = [
        (parent, uid)
        for uid, node in dbt_nodes.items()
        for parent in node.get("depends_on", {}).get("nodes", [])
        if parent in layers and order[layers[parent]] > order[layers[uid]]
    ]
    assert not backwards
    assert {layer for layer in layers.values()} == set(LAYERS)


def test_the_warehouse_build_runs_dbt_once_per_layer_then_the_tests(dagbag) -> None:
    """One dbt task per layer in build order, every one reading the snapshot pin_snapshot
    pinned; the tests once after every model; a failed dbt task records the build as failed."""
    build = dagbag.dags["warehouse_build"]
    dbt_tasks = {
        t.task_id.removeprefix("dbt."): t for t in build.tasks if t.task_id.startswith("dbt.")
    }
    assert set(dbt_tasks) == {*LAYERS, "tests"}
    upstream = {
        name: {u.removeprefix("dbt.") for u in t.upstream_task_ids} for name, t in dbt_tasks.items()
    }
    assert upstream == {
        "seeds": {"pin_snapshot"},
        "staging": {"pin_snapshot"},
        "marts": {"seeds", "staging"},
        "sna": {"marts"},
        "tests": {"sna"},
    }
    for layer in ("staging", "marts", "sna"):
        assert dbt_tasks[layer].select == LAYERS[layer]
    assert all("pin_snapshot" in str(t.vars) for t in dbt_tasks.values())
    # Data builds leave dbt's unit tests (the SQL's own tests) to `make test`.
    assert dbt_tasks["tests"].exclude == "resource_type:unit_test"
    # dbt builds each layer's independent models side by side, as `svdw build` does.
    assert {
        t.profile_config.profile_mapping.profile_args["threads"] for t in dbt_tasks.values()
    } == {4}
    assert build.get_task("finish_build").upstream_task_ids == {"dbt.tests"}
    failed = build.get_task("record_failed_build")
    assert failed.trigger_rule == "one_failed" and failed.upstream_task_ids == {"dbt.tests"}
