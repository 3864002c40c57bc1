"""DAGs at three levels: they import, they follow the policy, and they really run
(`airflow dags test`) against throwaway databases."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from sinks import http_sink

from svdw.config import REPO_DIR
from svdw.contracts import load_contracts

pytestmark = pytest.mark.e2e
AIRFLOW = Path(sys.executable).parent / "airflow"
EXPECTED_DAGS = {f"ingest_{name}" for name in load_contracts()} | {"warehouse_build"}


def airflow_env(home: Path, metadata_url: str, warehouse_url: str, landing: Path) -> dict[str, str]:
    """The demo's Airflow settings (infra/local/airflow_env.sh) pointed at test databases."""
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata_url.replace(
            "postgresql://", "postgresql+psycopg2://"
        ),
        "WAREHOUSE_URL": warehouse_url,
        "SVDW_LANDING_DIR": str(landing),
        "SVDW_ARCHIVE_DIR": str(home / "archive"),
    }
    script = f"repo={REPO_DIR}; . {REPO_DIR}/infra/local/airflow_env.sh; env -0"
    out = subprocess.run(["bash", "-c", script], env=env, capture_output=True, check=True).stdout
    return dict(item.split("=", 1) for item in out.decode().split("\0") if "=" in item)


@pytest.fixture(scope="module")
def dagbag(tmp_path_factory: pytest.TempPathFactory):
    from svdw.transform import dbt_parse

    dbt_parse()  # Cosmos renders the warehouse DAG from dbt's manifest
    os.environ.setdefault("AIRFLOW_HOME", str(tmp_path_factory.mktemp("airflow_home")))
    os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    os.environ["AIRFLOW__COSMOS__ENABLE_TELEMETRY"] = "False"
    os.environ["AIRFLOW__COSMOS__ENABLE_CACHE_DBT_LS"] = "False"
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(REPO_DIR / "dags"))


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


def run_dag(dag_id: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(AIRFLOW), "dags", "test", dag_id], env=env, capture_output=True, text=True, timeout=600
    )


# Every contract's DAG comes from the same factory; a real run of each reference contract, the
# police.uk street files and one extract with identifiers (pseudonymised inside the task) covers
# the factory's paths without spending minutes on near-identical runs.
REFERENCE = sorted(c.name for c in load_contracts().values() if c.partner == "reference")
RUN_THROUGH_AIRFLOW = [REFERENCE, ["police_uk_street", "health_ed_assault_attendances"]]


def test_ingestion_and_warehouse_dags_run_end_to_end(
    make_database: Callable[[str], str], synthetic_dir: Path, tmp_path: Path
) -> None:
    landing = tmp_path / "landing"
    for wave in RUN_THROUGH_AIRFLOW:
        for contract in wave:
            shutil.copytree(synthetic_dir / contract, landing / contract)
    files_per_contract = {c.name: len(list(c.iterdir())) for c in landing.iterdir()}
    warehouse_url = make_database("dagwh")
    env = airflow_env(tmp_path / "airflow", make_database("airflow"), warehouse_url, landing)
    subprocess.run([str(AIRFLOW), "db", "migrate"], env=env, check=True, capture_output=True)

    # One at a time: concurrent `dags test` processes race to write the DAGs to the metadata DB.
    for wave in RUN_THROUGH_AIRFLOW:  # reference data first, as the demo does
        for contract in wave:
            done = run_dag(f"ingest_{contract}", env)
            assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    done = run_dag("warehouse_build", env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    with psycopg.connect(warehouse_url) as conn:
        batches = conn.execute(
            "select contract, count(*) from audit.load_batch where status = 'loaded'"
            " and loaded_by like 'airflow %' group by contract order by contract"
        ).fetchall()
        assert dict(batches) == files_per_contract
        ed = conn.execute(
            "select count(*), count(person_key), count(home_lsoa_code)"
            " from raw.health__ed_assault_attendances"
        ).fetchone()
        assert ed and ed[0] > 0 and ed[1] > 0.5 * ed[0] and ed[2] > 0.5 * ed[0]
        freshness = conn.execute("select count(*) from sna.sna_data_freshness").fetchone()
        assert freshness == (len(load_contracts()),)
        crimes = conn.execute("select count(*) from marts.fct_police_crime").fetchone()
        raw = conn.execute("select count(*) from raw.police_uk__street_crimes").fetchone()
        assert crimes == raw and raw and raw[0] > 1000
        sna = conn.execute("select count(*) from sna.sna_violence_district_month").fetchone()
        assert sna == (30,)  # 10 districts x 3 months
    assert not list(landing.rglob("*.csv")), "loaded files leave the landing directory"
    assert len(list((tmp_path / "airflow" / "archive").rglob("*.csv"))) == sum(
        files_per_contract.values()
    )

    # A file the loader cannot read fails the run loudly, sets the file aside with its reason,
    # and the failure callback alerts the configured webhook.
    bad = landing / "police_uk_street" / "2030-01-test-street.csv"
    bad.write_text("Crime ID;Month\n")
    with http_sink() as (hook, alerts):
        done = run_dag("ingest_police_uk_street", {**env, "SVDW_ALERT_WEBHOOK_URL": hook})
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert "2030-01-test-street.csv: wrong delimiter" in output
    assert any(b"ingest_police_uk_street" in a and b"wrong delimiter" in a for a in alerts), alerts
    reason = landing / "police_uk_street" / "rejected" / "2030-01-test-street.csv.reason.txt"
    assert "wrong delimiter" in reason.read_text()
