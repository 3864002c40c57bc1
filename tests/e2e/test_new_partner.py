"""A new partner extract is a contract file and a staging folder, nothing else: in a copy of the
project's contracts and dbt project with a throwaway probation caseload extract added (no Python
changed), a sample file generated from the contract (`svdw sample`) loads with `svdw load`, a
second delivery goes through the extract's own ingestion DAG, and `dbt build` stages every row.

docs/runbook.md ("Adding a partner extract") describes these same steps."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from airflow_dags import airflow_env, migrate_metadata_db, run_dags_in_one_process

from svdw.config import REPO_DIR, contracts_dir

pytestmark = pytest.mark.e2e
SVDW = Path(sys.executable).parent / "svdw"

# The two things a new extract needs, as an engineer would write them: the contract (in a real
# onboarding src/svdw/contracts/probation_caseload.yml) and the staging folder
# (dbt/models/staging/probation/).
NEW_EXTRACT = Path(__file__).parent / "new_partner"


def add_probation_extract(project: Path) -> tuple[Path, Path]:
    """A copy of the project's contracts and dbt project with the new extract added: the only
    two things a new extract needs. Returns (contracts dir, dbt project dir)."""
    contracts = project / "contracts"
    shutil.copytree(contracts_dir(), contracts)
    shutil.copy(NEW_EXTRACT / "probation_caseload.yml", contracts)
    dbt = project / "dbt"
    shutil.copytree(
        REPO_DIR / "dbt", dbt, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages")
    )
    shutil.copytree(NEW_EXTRACT / "staging" / "probation", dbt / "models" / "staging" / "probation")
    return contracts, dbt


def svdw(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SVDW), *args], env=env, capture_output=True, text=True, timeout=1200)


def test_a_contract_and_a_staging_folder_are_all_a_new_extract_needs(
    make_database: Callable[[str], str], tmp_path: Path
) -> None:
    contracts, dbt = add_probation_extract(tmp_path / "project")
    landing = tmp_path / "landing"
    warehouse_url = make_database("onboard")
    env = {
        **airflow_env(tmp_path / "airflow", make_database("airflow"), warehouse_url, landing),
        "SVDW_CONTRACTS_DIR": str(contracts),
        "SVDW_DBT_PROJECT_DIR": str(dbt),
        "COLUMNS": "200",
    }

    # Step 3: a first delivery, loaded by hand (the contract is found by the file's header).
    delivery = tmp_path / "delivery"
    sampled = svdw(env, "sample", "probation_caseload", "--out", str(delivery), "--rows", "150")
    assert sampled.returncode == 0, sampled.stdout + sampled.stderr
    loaded = svdw(env, "load", "--no-archive", str(delivery))
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    assert "-> probation_caseload batch" in loaded.stdout and "150 loaded" in loaded.stdout

    # Step 4: the next delivery lands where the extract's ingestion DAG picks it up. The DAG
    # folder is the project's own; it makes the DAG from the contracts directory.
    sampled = svdw(env, "sample", "probation_caseload", "--out", str(landing), "--rows", "120",
                   "--seed", "2")  # fmt: skip
    assert sampled.returncode == 0, sampled.stdout + sampled.stderr
    listed = svdw(env, "contracts")  # the CLI lists the new contract with the others
    assert "probation_caseload" in listed.stdout, listed.stderr
    migrate_metadata_db(env)
    (run,) = run_dags_in_one_process(["ingest_probation_caseload"], env, tmp_path / "logs")
    assert run.succeeded, run.describe()

    # Step 5: the build (quality gate on the new batches, then dbt on the pinned snapshot)
    # stages every row the two deliveries left in raw.
    built = svdw(env, "build")
    assert built.returncode == 0, (built.stdout + built.stderr)[-6000:]

    with psycopg.connect(warehouse_url) as conn:
        batches = conn.execute(
            "select loaded_by, rows_loaded, rows_quarantined from audit.load_batch"
            " where contract = 'probation_caseload' and status = 'loaded' order by batch_id"
        ).fetchall()
        raw = conn.execute("select count(*) from raw.probation__caseload").fetchone()
        staged = conn.execute(
            "select count(*), min(length(person_key)), max(length(person_key)),"
            " bool_and(birth_year between 1960 and 2016),"
            " bool_and(age_at_sentence between 0 and 70)"
            " from staging.stg_probation__caseload"
        ).fetchone()
        registered = conn.execute(
            "select partner, cadence from audit.contract where contract = 'probation_caseload'"
        ).fetchone()
    assert [(by.split()[0], rows, quarantined) for by, rows, quarantined in batches] == [
        ("svdw", 150, 0),  # every generated row passes the contract
        ("airflow", 120, 0),
    ]
    assert raw is not None and raw[0] >= 120
    # every raw row is staged, pseudonymised: a 64-character keyed hash, a birth year, an age
    assert staged == (raw[0], 64, 64, True, True)
    assert registered == ("probation", "monthly")
    assert not list((landing / "probation_caseload").glob("*.csv")), "loaded files leave landing"
