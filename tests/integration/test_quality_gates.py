"""The Great Expectations gates (svdw.quality) on real loads into throwaway databases: a corrupted
police force crime delivery fails the gate with a message naming each broken expectation, the
table and the load batch; a good delivery passes; warnings do not stop the build; every result
is kept in audit.expectation_result; the key marts pass after dbt.

GX costs ~4.5 s to import once per process; each database gets one GX context (cached in
svdw.quality), so the tests share a database where they can.
"""

from __future__ import annotations

import csv
import importlib.util
import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import psycopg
import pytest

from svdw.contracts import load_contracts
from svdw.loader import load_file, loading_order
from svdw.quality import (
    ROW_COUNT_EXPECTATION,
    DataQualityError,
    gx_project_dir,
    validate_marts,
    validate_raw_batches,
)
from svdw.synthetic.incidents import OFFENCES
from svdw.synthetic.world import csv_writer

pytestmark = pytest.mark.integration

TABLE = "raw.police__force_crimes"
KEY = "quality-gate-test-key-0123456789abcdef"


def _build_project() -> ModuleType:
    path = gx_project_dir() / "build_project.py"
    spec = importlib.util.spec_from_file_location("gx_build_project", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_raw_extract_has_a_suite_and_checkpoints() -> None:
    project = _build_project()
    tables = {c.table for c in load_contracts().values()}
    assert set(project.SUITES) == tables
    gx_dir = gx_project_dir() / "gx"
    for table in tables:
        suite = json.loads(
            (gx_dir / "expectations" / f"{table.replace('.', '/')}.json").read_text()
        )
        types = [e["type"] for e in suite["expectations"]]
        assert "expect_table_row_count_to_be_between" in types, table
        for name in (table, f"{table}.by_load_batch"):
            assert (gx_dir / "checkpoints" / f"{name}.json").is_file(), name
    # The generator's offence codes are all on the partnership's list.
    assert {o.code for o in OFFENCES} <= set(project.HO_OFFENCE_CODES)


@pytest.fixture
def police_db(
    make_database: Callable[[str], str], synthetic_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[str, list[int]]:
    """A warehouse holding the three monthly force crime deliveries; their batch ids."""
    monkeypatch.setenv("SVDW_PSEUDONYM_KEY", KEY)
    url = make_database("gx")
    files = loading_order(list((synthetic_dir / "police_force_crimes").glob("*.csv")))
    assert len(files) == 3
    with psycopg.connect(url) as conn:
        results = [load_file(conn, path) for path in files]
    assert all(r.status == "loaded" for r in results)
    return url, [r.batch_id for r in results]


def _delivery(
    synthetic_dir: Path, out: Path, keep: float, change: Callable[[int, dict[str, str]], None]
) -> Path:
    """A new force crime delivery made from the last month's file: the first `keep` share of
    its rows, each passed through change(index, row)."""
    source = sorted((synthetic_dir / "police_force_crimes").glob("*.csv"))[-1]
    with source.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        headers = list(reader.fieldnames or [])
        rows = list(reader)
    rows = rows[: int(len(rows) * keep)]
    with csv_writer(out, headers) as writer:
        for index, row in enumerate(rows):
            change(index, row)
            writer.writerow([row[h] for h in headers])
    return out


def _load(url: str, path: Path) -> int:
    with psycopg.connect(url) as conn:
        result = load_file(conn, path)
    assert result.status == "loaded", result.error
    assert result.batch_id is not None
    return result.batch_id


def test_a_good_delivery_passes(police_db: tuple[str, list[int]]) -> None:
    url, batches = police_db
    summary = validate_raw_batches(url, [batches[-1]])
    assert summary.success and summary.tables == (TABLE,)
    assert summary.batch_ids == (batches[-1],) and not summary.failing
    with psycopg.connect(url) as conn:
        row_count = conn.execute(
            "select success, observed_value from audit.expectation_result"
            " where batch_id = %s and expectation = %s",
            (batches[-1], ROW_COUNT_EXPECTATION),
        ).fetchall()
    assert len(row_count) == 1 and row_count[0][0] is True
    assert "row count" in row_count[0][1] and "2 previous deliveries" in row_count[0][1]


def test_a_corrupted_delivery_fails_naming_each_expectation_table_and_batch(
    police_db: tuple[str, list[int]], synthetic_dir: Path, tmp_path: Path
) -> None:
    url, batches = police_db

    def corrupt(index: int, row: dict[str, str]) -> None:
        if index % 10 == 0 and row["Victim ID"]:
            row["Victim Date of Birth"] = "01/01/1890"  # aged over 120 at the offence
        if index % 10 == 1:
            row["HO Offence Code"] = "99Z"  # well-formed (the contract lets it in), unknown

    # Two-fifths of a month: under half the mean of the three earlier deliveries.
    path = _delivery(synthetic_dir, tmp_path / "crime-extract-corrupted.csv", 0.4, corrupt)
    batch = _load(url, path)

    with pytest.raises(DataQualityError) as caught:
        validate_raw_batches(url, [batch])
    message = str(caught.value)
    lines = message.splitlines()[1:]
    assert all(TABLE in line and f"load batch {batch}" in line for line in lines), message
    assert any(
        "expect_column_values_to_be_between on column age_at_event" in line and "'13" in line
        for line in lines
    ), message
    assert any("on column victim_birth_year" in line and "'1890'" in line for line in lines)
    assert any(
        "expect_column_values_to_be_in_set on column ho_offence_code" in line and "'99Z'" in line
        for line in lines
    ), message
    (count_line,) = [line for line in lines if ROW_COUNT_EXPECTATION in line]
    with psycopg.connect(url) as conn:
        previous = conn.execute(
            "select rows_loaded from audit.load_batch where batch_id = any(%s) order by batch_id",
            (batches,),
        ).fetchall()
        loaded = conn.execute(
            "select rows_loaded from audit.load_batch where batch_id = %s", (batch,)
        ).fetchone()
    assert loaded is not None
    mean = sum(r[0] for r in previous) / 3
    assert f"row count {loaded[0]} is under half the mean {mean:.1f}" in count_line
    assert "3 previous deliveries of police_force_crimes" in count_line

    summary = caught.value.summary
    assert {f.expectation for f in summary.failing} >= {
        "expect_column_values_to_be_between",
        "expect_column_values_to_be_in_set",
        ROW_COUNT_EXPECTATION,
    }
    with psycopg.connect(url) as conn:
        recorded = conn.execute(
            "select expectation, column_name, severity from audit.expectation_result"
            " where batch_id = %s and not success order by 1, 2",
            (batch,),
        ).fetchall()
        total = conn.execute(
            "select count(*) from audit.expectation_result where batch_id = %s", (batch,)
        ).fetchone()
    assert ("expect_column_values_to_be_in_set", "ho_offence_code", "critical") in recorded
    assert ("expect_column_values_to_be_between", "age_at_event", "critical") in recorded
    assert (ROW_COUNT_EXPECTATION, None, "critical") in recorded
    assert total == (summary.expectations_evaluated,)


def test_warning_only_failures_are_recorded_and_do_not_stop_the_build(
    police_db: tuple[str, list[int]], synthetic_dir: Path, tmp_path: Path
) -> None:
    url, _batches = police_db

    def no_location(index: int, row: dict[str, str]) -> None:
        if index % 2 == 0:
            row["LSOA Code"] = ""  # allowed by the contract; too many is a warning

    path = _delivery(synthetic_dir, tmp_path / "crime-extract-no-location.csv", 1.0, no_location)
    batch = _load(url, path)
    summary = validate_raw_batches(url, [batch])
    assert summary.success and not summary.failing
    (warning,) = summary.warnings
    assert (warning.table, warning.batch_id, warning.column) == (TABLE, batch, "lsoa_code")
    assert warning.expectation == "expect_column_values_to_not_be_null"
    assert warning.severity == "warning"
    with psycopg.connect(url) as conn:
        recorded = conn.execute(
            "select severity from audit.expectation_result"
            " where batch_id = %s and column_name = 'lsoa_code' and not success",
            (batch,),
        ).fetchall()
    assert recorded == [("warning",)]


def test_marts_not_built_yet_are_listed_not_failed(make_database: Callable[[str], str]) -> None:
    summary = validate_marts(make_database("gxmarts"))
    assert summary.success and summary.tables == ()
    assert set(summary.tables_missing) >= {
        "marts.fct_police_crime",
        "sna.sna_violence_district_month",
    }


def test_key_marts_pass_after_dbt(built_warehouse) -> None:  # type: ignore[no-untyped-def]
    summary = validate_marts(built_warehouse.url)
    assert summary.success and not summary.failing
    assert {"marts.fct_police_crime", "sna.sna_violence_district_month"} <= set(summary.tables)
    with psycopg.connect(built_warehouse.url) as conn:
        recorded = conn.execute(
            "select count(*) from audit.expectation_result"
            " where target_table = 'sna.sna_violence_district_month' and batch_id is null"
        ).fetchone()
    assert recorded and recorded[0] >= 5
