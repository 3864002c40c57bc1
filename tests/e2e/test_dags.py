"""The DAGs really run (`airflow dags test`) against throwaway databases: every contract's
ingestion DAG, then the warehouse build. (That they import and follow the policy is checked
without a database in tests/unit/test_dag_definitions.py.)"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from airflow_dags import (
    DagTestRun,
    airflow_env,
    migrate_metadata_db,
    run_dag,
    run_dags_in_one_process,
)
from deliveries import corrupted_force_crime_delivery, marts_fingerprint
from sinks import http_sink

from svdw.contracts import Contract, load_contracts
from svdw.quality import ROW_COUNT_EXPECTATION
from svdw.synthetic.from_contract import sample_from_contract

pytestmark = pytest.mark.e2e


# Every contract's ingestion DAG runs, reference data first (as the demo does: the loaders look
# postcodes up in it), each wave in one process; the warehouse build closes the last wave.
CONTRACTS = load_contracts()
REFERENCE = sorted(name for name, c in CONTRACTS.items() if c.partner == "reference")
RUN_THROUGH_AIRFLOW = [REFERENCE, sorted(set(CONTRACTS) - set(REFERENCE))]


def land_synthetic_files(contract: Contract, synthetic_dir: Path, landing: Path) -> None:
    """The synthetic partnership's files for the contract; for a contract with no hand-written
    writer (a new partner's), a sample generated from the contract itself."""
    if (synthetic_dir / contract.name).is_dir():
        shutil.copytree(synthetic_dir / contract.name, landing / contract.name)
    else:
        sample_from_contract(contract, landing)


@dataclass(frozen=True)
class Pipeline:
    """The synthetic partnership loaded by the ingestion DAGs and built by warehouse_build, all
    through Airflow's `dags test` with a throwaway metadata database and warehouse."""

    env: dict[str, str]
    warehouse_url: str
    metadata_url: str
    landing: Path
    archive: Path
    files_per_contract: dict[str, int]
    ingest_runs: dict[str, DagTestRun]
    build_run: DagTestRun


@pytest.fixture(scope="module")
def pipeline(
    make_database: Callable[[str], str],
    synthetic_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Pipeline:
    home = tmp_path_factory.mktemp("pipeline")
    landing = home / "landing"
    for wave in RUN_THROUGH_AIRFLOW:
        for contract in wave:
            land_synthetic_files(CONTRACTS[contract], synthetic_dir, landing)
    files_per_contract = {c.name: len(list(c.iterdir())) for c in landing.iterdir()}
    warehouse_url = make_database("dagwh")
    metadata_url = make_database("airflow")
    env = airflow_env(home / "airflow", metadata_url, warehouse_url, landing)
    migrate_metadata_db(env)

    # One wave at a time, one DAG at a time: concurrent runs race to write the DAGs to the
    # metadata DB.
    dag_waves = [[f"ingest_{c}" for c in wave] for wave in RUN_THROUGH_AIRFLOW]
    dag_waves[-1].append("warehouse_build")  # after every load, without another start-up
    runs = {
        run.dag_id: run
        for number, wave in enumerate(dag_waves)
        for run in run_dags_in_one_process(wave, env, home / f"wave{number}")
    }
    return Pipeline(
        env=env,
        warehouse_url=warehouse_url,
        metadata_url=metadata_url,
        landing=landing,
        archive=home / "airflow" / "archive",
        files_per_contract=files_per_contract,
        ingest_runs={c: runs[f"ingest_{c}"] for wave in RUN_THROUGH_AIRFLOW for c in wave},
        build_run=runs["warehouse_build"],
    )


def _output(done: subprocess.CompletedProcess[str]) -> str:
    return done.stdout[-3000:] + done.stderr[-3000:]


@pytest.mark.parametrize("contract", [c for wave in RUN_THROUGH_AIRFLOW for c in wave])
def test_ingestion_dag_loads_every_landed_file(pipeline: Pipeline, contract: str) -> None:
    run = pipeline.ingest_runs[contract]
    assert run.succeeded, run.describe()
    assert pipeline.files_per_contract.get(contract, 0) > 0, f"no synthetic files for {contract}"
    with psycopg.connect(pipeline.warehouse_url) as conn:
        loaded = conn.execute(
            "select count(*) from audit.load_batch where contract = %s and status = 'loaded'"
            " and loaded_by like 'airflow %%'",
            (contract,),
        ).fetchone()
    assert loaded == (pipeline.files_per_contract[contract],)
    # Any format (CSV, GeoJSON): every landed file leaves landing for the archive.
    assert not _files(pipeline.landing / contract), "loaded files leave landing"
    assert len(_files(pipeline.archive / contract)) == pipeline.files_per_contract[contract]


def _files(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


def test_warehouse_dag_builds_the_marts(pipeline: Pipeline) -> None:
    assert pipeline.build_run.succeeded, pipeline.build_run.describe()
    with psycopg.connect(pipeline.warehouse_url) as conn:
        ed = conn.execute(
            "select count(*), count(person_key), count(home_lsoa_code)"
            " from raw.health__ed_attendances_identifiable"
        ).fetchone()
        assert ed and ed[0] > 0 and ed[1] > 0.5 * ed[0] and ed[2] > 0.5 * ed[0]
        freshness = conn.execute(
            "select count(*), count(last_checked_at) from sna.sna_data_freshness"
        ).fetchone()
        # Every contract is listed; those delivered were checked by the gate before dbt.
        assert freshness == (len(load_contracts()), len(pipeline.files_per_contract))
        crimes = conn.execute("select count(*) from marts.fct_police_crime").fetchone()
        raw = conn.execute("select count(*) from raw.police_uk__street_crimes").fetchone()
        assert crimes == raw and raw and raw[0] > 1000
        sna = conn.execute("select count(*) from sna.sna_violence_district_month").fetchone()
        assert sna == (30,)  # 10 districts x 3 months
        # built in the shadow schema, swapped in as sna by finish_build (svdw.sna_publish)
        assert conn.execute("select to_regnamespace('sna_next')").fetchone() == (None,)
        # The run pinned every loaded batch (all passed the gate) and recorded its success.
        builds = conn.execute(
            "select status, batches_admitted, trigger from audit.build order by build_id"
        ).fetchall()
        loaded = conn.execute(
            "select count(*) from audit.load_batch where status = 'loaded'"
        ).fetchone()
        assert len(builds) == 1 and builds[0][:2] == ("succeeded", loaded[0] if loaded else -1)
        assert builds[0][2].startswith("airflow warehouse_build ")
    # Each layer's task lists its models' results (the UI's XCom tab): dbt ran once per layer.
    marts = task_xcom(pipeline.metadata_url, "warehouse_build", "dbt.marts", "models")
    sna = task_xcom(pipeline.metadata_url, "warehouse_build", "dbt.sna", "models")
    assert marts["fct_police_crime"].startswith("success") and "sna_data_freshness" in sna, marts
    assert not set(marts) & set(sna)


def test_a_rejected_file_fails_the_ingestion_run_and_alerts(pipeline: Pipeline) -> None:
    """A file the loader cannot read fails the run loudly, sets the file aside with its reason,
    and the failure callback alerts the configured webhook."""
    bad = pipeline.landing / "police_uk_street" / "2030-01-test-street.csv"
    bad.write_text("Crime ID;Month\n")
    with http_sink() as (hook, alerts):
        done = run_dag("ingest_police_uk_street", {**pipeline.env, "SVDW_ALERT_WEBHOOK_URL": hook})
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert "2030-01-test-street.csv: wrong delimiter" in output
    assert any(b"ingest_police_uk_street" in a and b"wrong delimiter" in a for a in alerts), alerts
    reason = (
        pipeline.landing / "police_uk_street" / "rejected" / "2030-01-test-street.csv.reason.txt"
    )
    assert "wrong delimiter" in reason.read_text()


# Last in this module: it leaves a corrupted batch in the raw tables.
def test_a_corrupted_extract_stops_the_warehouse_build_at_the_gate(
    pipeline: Pipeline, synthetic_dir: Path
) -> None:
    assert pipeline.build_run.succeeded, "needs the first build: " + pipeline.build_run.describe()
    delivery = corrupted_force_crime_delivery(
        synthetic_dir, pipeline.landing / "police_force_crimes" / "crime-extract-corrupted.csv"
    )
    before = marts_fingerprint(pipeline.warehouse_url)
    assert "marts.fct_police_force_crime" in before and len(before) > 10

    ingested = run_dag("ingest_police_force_crimes", pipeline.env)
    assert ingested.returncode == 0, _output(ingested)  # quarantined rows do not fail a load
    (batch,) = asset_event_batch_ids(pipeline.metadata_url, "ingest_police_force_crimes")
    # The scheduler would start the warehouse run on the Asset event; `dags test` starts it by
    # hand. Either way the run gates every pending batch.
    built = run_dag("warehouse_build", pipeline.env)
    output = built.stdout + built.stderr
    assert built.returncode != 0, _output(built)

    where = f"failed in {FORCE_CRIMES} (load batch {batch})"
    assert f"expect_column_values_to_be_between on column recorded_date {where}" in output
    assert "'2999-01-01'" in output
    assert f"{ROW_COUNT_EXPECTATION} {where}: observed {delivery.rows_loaded}; minimum" in output
    states = task_states(pipeline.metadata_url, "warehouse_build")
    assert states.pop("pin_snapshot") == "failed"
    assert states.pop("record_failed_build") == "success"  # nothing to record: no build pinned
    assert states and set(states.values()) == {"upstream_failed"}, states  # dbt never ran
    assert marts_fingerprint(pipeline.warehouse_url) == before

    # The verdict sticks: the next run leaves the failed batch out, finds nothing new to admit
    # and skips dbt.
    again = run_dag("warehouse_build", pipeline.env)
    assert again.returncode == 0, _output(again)
    states = task_states(pipeline.metadata_url, "warehouse_build")
    assert states.pop("pin_snapshot") == "success"
    assert states and set(states.values()) == {"skipped"}, states
    assert marts_fingerprint(pipeline.warehouse_url) == before

    with psycopg.connect(pipeline.warehouse_url) as conn:
        accounted = conn.execute(
            "select rows_read, rows_loaded, rows_quarantined from audit.load_batch"
            " where batch_id = %s",
            (batch,),
        ).fetchone()
        quarantined = conn.execute(
            "select line_number, reason from audit.quarantine where batch_id = %s order by 1",
            (batch,),
        ).fetchall()
        # The dashboards' views read the audit live: the stopped build shows at once.
        freshness = conn.execute(
            "select expectations_failed_count from sna.sna_data_freshness"
            " where contract = 'police_force_crimes'"
        ).fetchone()
        blocking = conn.execute(
            "select expectation, column_name from sna.sna_expectation_results"
            " where batch_id = %s and is_blocking and is_latest_check order by 1, 2",
            (batch,),
        ).fetchall()
        held = conn.execute(
            "select quality_status, decided_by, status_reason from sna.sna_load_batches"
            " where batch_id = %s and is_held",
            (batch,),
        ).fetchall()
    assert accounted == (delivery.rows, delivery.rows_loaded, len(delivery.malformed_lines))
    # The loader kept out only the codes outside the official list, each with a reason naming
    # the field and the code; the plausible-looking defects went in, for the gate to catch.
    assert [line for line, _ in quarantined] == delivery.malformed_lines
    assert all(
        "HO Offence Code" in reason and ("'X9-9'" in reason or "'99Z'" in reason)
        for _, reason in quarantined
    ), quarantined[:3]
    assert freshness is not None and freshness[0] >= 2  # a future date, the short delivery
    assert {
        ("expect_column_values_to_be_between", "recorded_date"),
        (ROW_COUNT_EXPECTATION, None),
    } <= set(blocking)
    assert held and held[0][0] == "failed" and held[0][1] == "quality gate", held
    assert f"expect_column_values_to_be_between on column recorded_date {where}" in held[0][2]


FORCE_CRIMES = "raw.police__force_crimes"


def asset_event_batch_ids(metadata_url: str, dag_id: str) -> list[int]:
    """The load batch ids of the Asset event the DAG's last run emitted (what the scheduler
    passes to the warehouse build as its triggering event)."""
    with psycopg.connect(metadata_url) as conn:
        row = conn.execute(
            "select extra from asset_event where source_dag_id = %s order by id desc limit 1",
            (dag_id,),
        ).fetchone()
    assert row is not None, f"{dag_id} emitted no Asset event"
    extra = row[0] if isinstance(row[0], dict) else json.loads(row[0])
    return [int(b) for b in extra["batch_ids"]]


def task_xcom(metadata_url: str, dag_id: str, task_id: str, key: str) -> dict[str, str]:
    """An XCom the task pushed in the DAG's latest run (Airflow keeps it as JSON)."""
    with psycopg.connect(metadata_url) as conn:
        row = conn.execute(
            "select value from xcom where dag_id = %s and task_id = %s and key = %s"
            " order by timestamp desc limit 1",
            (dag_id, task_id, key),
        ).fetchone()
    assert row is not None, f"{task_id} pushed no XCom {key!r}"
    return row[0] if isinstance(row[0], dict) else json.loads(row[0])


def task_states(metadata_url: str, dag_id: str) -> dict[str, str]:
    """task_id -> state in the DAG's latest run."""
    with psycopg.connect(metadata_url) as conn:
        rows = conn.execute(
            "select task_id, state from task_instance where dag_id = %s and run_id ="
            " (select run_id from dag_run where dag_id = %s order by id desc limit 1)",
            (dag_id, dag_id),
        ).fetchall()
    return {task_id: str(state) for task_id, state in rows}
