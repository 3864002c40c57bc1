"""Incremental facts (dbt/macros/incremental_batches.sql) give the tables a full refresh gives.

The synthetic partnership's three months arrive one build at a time; the third comes with
re-deliveries that replace part of the first month of police.uk street crimes and of hospital
admissions (a fact without and one with person keys). Every incremental fact, and sna tables
that read them, must then hold exactly the rows of a `--full-refresh` build of the same snapshot
(EXCEPT ALL both ways), and a month's build must leave the rows of other months untouched
(PostgreSQL's xmin: a row that was deleted and inserted again has a new one).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from db import rows, scalar

from svdw.contracts import load_contracts
from svdw.loader import load_file, loading_order
from svdw.synthetic.world import csv_writer
from svdw.transform import build_warehouse

# four builds, each gating its new batches with Great Expectations: minutes on a busy machine
pytestmark = [pytest.mark.integration, pytest.mark.timeout(1800)]

INCREMENTAL_FACTS = [
    "fct_police_crime",
    "fct_police_force_crime",
    "fct_ed_assault_attendance",
    "fct_hospital_admission",
    "fct_ambulance_callout",
    "fct_school_attendance",
    "fct_provision_session",
]
# sna tables that read the facts: between them, every incremental fact
SNA_READERS = [
    "sna_violence_lsoa_month",
    "sna_serious_violence_spc_month",
    "sna_health_assaults_month",
    "sna_ambulance_callouts_month",
    "sna_persistent_absence",
    "sna_provision_vs_need",
]
SELECTION = [f"+{model}" for model in SNA_READERS]
REDELIVERED = ["police_uk_street", "health_hospital_admissions"]
# what the incremental facts read (the other partners' raw tables stay empty: fewer batches to gate)
FACT_CONTRACTS = {
    "police_uk_street",
    "police_force_crimes",
    "health_ed_assault_attendances",
    "health_ed_attendances_identifiable",
    "health_hospital_admissions",
    "health_ambulance_callouts",
    "education_attendance",
    "provider_sessions_attendance",
}


def _rounds(synthetic_dir: Path) -> list[list[Path]]:
    """The deliveries in the order a partnership sends them: the i-th file (by name) of each
    fact's contract in round i, with the reference data in the first."""
    rounds: list[list[Path]] = [[], [], []]
    for contract in load_contracts().values():
        if contract.partner != "reference" and contract.name not in FACT_CONTRACTS:
            continue
        files = sorted((synthetic_dir / contract.name).glob("*.*"))
        for index, path in enumerate(files):
            rounds[min(index, len(rounds) - 1)].append(path)
    return [loading_order(files) for files in rounds]


def _load(url: str, files: list[Path]) -> None:
    with psycopg.connect(url) as conn:
        for path in files:
            result = load_file(conn, path)
            assert result.status == "loaded", result.error


def _redelivery(source: Path, out: Path, keep: float) -> Path:
    """The same extract again with the first `keep` share of its rows: loaded, it replaces the
    rows of its periods (the contract's replace_scope)."""
    with source.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        headers = list(reader.fieldnames or [])
        kept = list(reader)
    with csv_writer(out, headers) as writer:
        for row in kept[: int(len(kept) * keep)]:
            writer.writerow([row[h] for h in headers])
    return out


def _build(url: str, *, full_refresh: bool = False) -> None:
    # models and seeds only: the data and unit tests check the models, not this path, and would
    # run four times over
    pinned = build_warehouse(
        url,
        select=SELECTION,
        exclude=["resource_type:test"],
        report=lambda _line: None,
        trigger="tests",
        full_refresh=full_refresh,
    )
    assert not pinned.skipped


def _row_versions(url: str, fact: str, batch_ids: list[int]) -> set[str]:
    found = rows(
        url,
        f"select xmin::text from marts.{fact} where _batch_id = any(%s)",
        (batch_ids,),
    )
    return {row[0] for row in found}


def _batches(url: str, contract: str) -> list[int]:
    found = rows(
        url,
        "select batch_id from audit.load_batch where contract = %s order by batch_id",
        (contract,),
    )
    return [int(row[0]) for row in found]


def _difference(url: str, schema: str, table: str) -> int:
    """Rows in one copy of the table and not the other, both ways (duplicates counted)."""
    return scalar(
        url,
        f"select (select count(*) from (select * from {schema}.{table} except all"
        f" select * from incremental_copy.{table}) as only_full)"
        f" + (select count(*) from (select * from incremental_copy.{table} except all"
        f" select * from {schema}.{table}) as only_incremental)",
    )


def test_month_by_month_builds_equal_a_full_refresh(
    make_database: Callable[[str], str], synthetic_dir: Path, tmp_path: Path
) -> None:
    url = make_database("incremental")
    first, second, third = _rounds(synthetic_dir)

    _load(url, first)
    _build(url)
    month_1 = _batches(url, "police_uk_street")
    month_1_rows = _row_versions(url, "fct_police_crime", month_1)

    _load(url, second)
    _build(url)
    # month 2's build did not rewrite month 1's rows
    assert _row_versions(url, "fct_police_crime", month_1) == month_1_rows
    month_2 = sorted(set(_batches(url, "police_uk_street")) - set(month_1))
    month_2_rows = _row_versions(url, "fct_police_crime", month_2)
    assert month_2_rows

    # month 3 comes with re-deliveries replacing part of month 1
    redeliveries = []
    for contract in REDELIVERED:
        first_month = sorted((synthetic_dir / contract).glob("*.csv"))[0]
        redeliveries.append(_redelivery(first_month, tmp_path / contract / first_month.name, 0.8))
    _load(url, [*third, *redeliveries])
    _build(url)
    assert _row_versions(url, "fct_police_crime", month_2) == month_2_rows
    assert _row_versions(url, "fct_police_crime", month_1) != month_1_rows

    incremental_tables = [("marts", fact) for fact in INCREMENTAL_FACTS] + [
        ("sna", model) for model in SNA_READERS
    ]
    with psycopg.connect(url) as conn:
        conn.execute("create schema incremental_copy")
        for schema, table in incremental_tables:
            conn.execute(f"create table incremental_copy.{table} as table {schema}.{table}")

    _build(url, full_refresh=True)

    different = {
        table: count
        for schema, table in incremental_tables
        if (count := _difference(url, schema, table))
    }
    assert different == {}, f"incremental and full-refresh tables differ (rows): {different}"
    for fact in INCREMENTAL_FACTS:
        assert scalar(url, f"select count(*) from marts.{fact}") > 0, fact
