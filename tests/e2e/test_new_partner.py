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

from svdw.config import REPO_DIR, Settings

pytestmark = pytest.mark.e2e
SVDW = Path(sys.executable).parent / "svdw"

# Step 1: the contract (src/svdw/contracts/probation_caseload.yml in a real onboarding).
CONTRACT = """\
name: probation_caseload
title: Probation caseload (monthly snapshot of people supervised)
partner: probation
description: >
  The Probation Service's monthly extract of the people it supervises who live in the area:
  one row per person and month, with the sentence, the index offence group, the RoSH level and
  a knife flag. The CRN is replaced at load by a keyed hash, the date of birth by the birth year
  and the age at sentence. A re-delivery of a month replaces that month.
table: raw.probation__caseload
cadence: monthly
period_column: caseload_month
file_glob: "caseload_*.csv"
encoding: utf-8-sig
delimiter: ","
replace_scope: [caseload_month]
columns:
  - {header: Caseload Month, name: caseload_month, type: month, required: true,
     description: "Month of the snapshot (YYYY-MM)."}
  - {header: CRN, name: person_key, type: text, required: true, pattern: "^[A-Z][0-9]{6}$",
     privacy: direct_identifier, pseudonymise: hmac,
     description: "Case reference number; stored only as a keyed hash."}
  - {header: Date of Birth, name: birth_year, type: date, format: "%d/%m/%Y", required: true,
     privacy: direct_identifier, pseudonymise: birth_year, age_at: sentence_date,
     description: "Date of birth (DD/MM/YYYY); stored as the birth year."}
  - {header: Sentence Date, name: sentence_date, type: date, format: "%d/%m/%Y",
     required: true, description: "Date of the sentence under supervision (DD/MM/YYYY)."}
  - {header: Sentence Type, name: sentence_type, type: text, required: true,
     allowed: [Community Order, Suspended Sentence Order, Licence, Post Sentence Supervision],
     description: "What the person is supervised under."}
  - {header: Index Offence Group, name: offence_group, type: text,
     allowed: [Violence against the person, Possession of weapons, Robbery, Other],
     description: "Offence group of the index offence."}
  - {header: RoSH, name: rosh_level, type: text, required: true,
     allowed: [Low, Medium, High, Very High], description: "Risk of serious harm level."}
  - {header: Knife Flag, name: knife_flag, type: boolean, true_values: ["Y"],
     false_values: ["N"], description: "Y when the index offence involved a knife."}
  - {header: OGRS Score, name: ogrs_score, type: decimal, minimum: 0, maximum: 100,
     description: "OGRS4 two-year reoffending probability (%)."}
  - {header: LSOA, name: lsoa_code, type: text, pattern: "^E01[0-9]{6}$",
     description: "2011 LSOA of the person's home address."}
"""

# Step 2: the staging folder (dbt/models/staging/probation/).
SOURCES = """\
version: 2

sources:
  - name: raw
    schema: raw
    tables:
      - name: probation__caseload
        description: Probation caseload (contract `probation_caseload`), a row per person, month.
"""
MODELS = """\
version: 2

models:
  - name: stg_probation__caseload
    description: The probation caseload, one row per raw row, renamed and typed once.
    columns:
      - name: caseload_key
        data_tests: [unique, not_null]
      - name: person_key
        data_tests: [not_null]
"""
STAGING = """\
-- The probation caseload, one row per raw row, renamed and typed once.
with

source as (

    select * from {{ source('raw', 'probation__caseload') }}

),

renamed as (

    select
        md5(cast(_batch_id as text) || '-' || cast(_line_number as text)) as caseload_key,
        cast(caseload_month as date)           as caseload_month,
        person_key,
        cast(birth_year as integer)            as birth_year,
        cast(age_at_event as integer)          as age_at_sentence,
        cast(sentence_date as date)            as sentence_date,
        sentence_type,
        offence_group,
        rosh_level,
        knife_flag,
        cast(ogrs_score as numeric)            as ogrs_score,
        upper(nullif(trim(lsoa_code), ''))     as lsoa_code,
        cast(_batch_id as bigint)              as _batch_id,
        cast(_line_number as integer)          as _line_number

    from source

)

select * from renamed
"""


def add_probation_extract(project: Path) -> tuple[Path, Path]:
    """A copy of the project's contracts and dbt project with the new extract added: the only
    two things a new extract needs. Returns (contracts dir, dbt project dir)."""
    contracts = project / "contracts"
    shutil.copytree(Settings.from_env().contracts_dir, contracts)
    (contracts / "probation_caseload.yml").write_text(CONTRACT)
    dbt = project / "dbt"
    shutil.copytree(
        REPO_DIR / "dbt", dbt, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages")
    )
    staging = dbt / "models" / "staging" / "probation"
    staging.mkdir()
    (staging / "_probation__sources.yml").write_text(SOURCES)
    (staging / "_probation__models.yml").write_text(MODELS)
    (staging / "stg_probation__caseload.sql").write_text(STAGING)
    return contracts, dbt


def svdw(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SVDW), *args], env=env, capture_output=True, text=True, timeout=1200)


def in_project(env: dict[str, str], call: str) -> subprocess.CompletedProcess[str]:
    """A svdw.transform call (dbt parse or build) in a process with the project's environment:
    the copied contracts directory and dbt project."""
    code = f"import os\nfrom svdw.transform import dbt_build, dbt_parse\n{call}\n"
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=1800
    )


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
    parsed = in_project(env, "dbt_parse()")  # the warehouse DAG renders dbt's manifest
    assert parsed.returncode == 0, parsed.stdout[-3000:] + parsed.stderr[-3000:]
    migrate_metadata_db(env)
    (run,) = run_dags_in_one_process(["ingest_probation_caseload"], env, tmp_path / "logs")
    assert run.succeeded, run.describe()

    # Step 5: the build stages every row the two deliveries left in raw.
    built = in_project(env, "dbt_build(os.environ['WAREHOUSE_URL'])")
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
