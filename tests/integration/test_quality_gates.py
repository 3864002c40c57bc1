"""The raw quality gate (svdw.quality) on real loads into throwaway databases: the batch checks
generated from the contracts hold a short delivery, duplicate keys, dates in the future and
unknown codes, naming each expectation, the table and the load batch; a normal delivery passes;
warnings (a null-rate shift) are recorded and do not stop the build; every raw table without
checks is named; the synthetic partnership passes, every batch judged.

GX costs seconds to import once per process; each database gets one GX context (cached in
svdw.quality).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from conftest import BuiltWarehouse
from deliveries import load_batch, row_count_note

from svdw.loader import load_file, loading_order
from svdw.quality import (
    ROW_COUNT_EXPECTATION,
    DataQualityError,
    build_data_docs,
    validate_raw_batches,
)
from svdw.synthetic.world import csv_writer

pytestmark = pytest.mark.integration

TABLE = "raw.police__force_crimes"
KEY = "quality-gate-test-key-0123456789abcdef"
Change = Callable[[int, dict[str, str]], None]


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
    return url, [r.batch_id for r in results if r.batch_id is not None]


def _unchanged(index: int, row: dict[str, str]) -> None:
    return None


def _delivery(
    synthetic_dir: Path, out: Path, keep: float = 1.0, change: Change = _unchanged, twice: int = 0
) -> Path:
    """A new force crime delivery made from the last month's file: the first `keep` share of
    its rows, each passed through change(index, row); the first `twice` rows written twice."""
    source = sorted((synthetic_dir / "police_force_crimes").glob("*.csv"))[-1]
    with source.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        headers = list(reader.fieldnames or [])
        rows = list(reader)
    rows = rows[: int(len(rows) * keep)]
    with csv_writer(out, headers) as writer:
        for index, row in enumerate(rows):
            change(index, row)
            for _ in range(2 if index < twice else 1):
                writer.writerow([row[h] for h in headers])
    return out


def _failing_lines(url: str, batch: int) -> tuple[list[str], DataQualityError]:
    with pytest.raises(DataQualityError) as caught:
        validate_raw_batches(url, [batch])
    lines = [line.strip() for line in str(caught.value).splitlines()[1:]]
    assert lines and all(f"in {TABLE} (load batch {batch})" in line for line in lines), lines
    return lines, caught.value


def test_a_normal_delivery_passes(
    police_db: tuple[str, list[int]], synthetic_dir: Path, tmp_path: Path
) -> None:
    url, batches = police_db
    batch = load_batch(url, _delivery(synthetic_dir, tmp_path / "crime-extract-again.csv"))
    summary = validate_raw_batches(url, [batch])
    assert summary.success and summary.tables == (TABLE,)
    assert summary.batch_ids == (batch,) and not summary.failed
    with psycopg.connect(url) as conn:
        row_count = conn.execute(
            "select success, observed_value from audit.expectation_result"
            " where batch_id = %s and expectation = %s",
            (batch, ROW_COUNT_EXPECTATION),
        ).fetchall()
    assert len(row_count) == 1 and row_count[0][0] is True
    ids = ", ".join(map(str, batches))
    assert f"3 previous deliveries of police_force_crimes (batches {ids}:" in row_count[0][1]


def test_a_short_delivery_fails_against_the_previous_deliveries(
    police_db: tuple[str, list[int]], synthetic_dir: Path, tmp_path: Path
) -> None:
    url, batches = police_db
    # Two-fifths of a month: under half the mean of the three earlier deliveries.
    batch = load_batch(
        url, _delivery(synthetic_dir, tmp_path / "crime-extract-short.csv", keep=0.4)
    )
    lines, error = _failing_lines(url, batch)
    (line,) = lines
    with psycopg.connect(url) as conn:
        previous = conn.execute(
            "select rows_loaded from audit.load_batch where batch_id = any(%s)", (batches,)
        ).fetchall()
        (loaded,) = conn.execute(
            "select rows_loaded from audit.load_batch where batch_id = %s", (batch,)
        ).fetchone() or (None,)
    mean = sum(r[0] for r in previous) / 3
    assert line.startswith(f"{ROW_COUNT_EXPECTATION} failed in {TABLE} (load batch {batch})")
    assert f"observed {loaded}" in line
    assert f"minimum {0.5 * mean:.1f} rows = 0.5 x the mean {mean:.1f}" in line
    (failure,) = error.summary.failing
    assert (failure.table, failure.batch_id, failure.column, failure.severity) == (
        TABLE,
        batch,
        None,
        "critical",
    )


def test_duplicate_keys_within_a_delivery_fail(
    police_db: tuple[str, list[int]], synthetic_dir: Path, tmp_path: Path
) -> None:
    url, _batches = police_db
    path = _delivery(synthetic_dir, tmp_path / "crime-extract-twice.csv", twice=3)
    batch = load_batch(url, path)
    lines, error = _failing_lines(url, batch)
    (line,) = lines
    assert line.startswith("expect_compound_columns_to_be_unique failed")
    assert "6 unexpected" in line  # three rows, each twice
    assert [f.expectation for f in error.summary.failing] == [
        "expect_compound_columns_to_be_unique"
    ]


def test_future_dates_fail_naming_each_expectation(
    police_db: tuple[str, list[int]], synthetic_dir: Path, tmp_path: Path
) -> None:
    url, _batches = police_db

    def corrupt(index: int, row: dict[str, str]) -> None:
        if index % 10 == 0:
            row["Recorded Date"] = "01/01/2999"  # well-formed (the contract lets it in)
            row["Offence Date"] = "31/12/2998 23:00"

    batch = load_batch(
        url, _delivery(synthetic_dir, tmp_path / "crime-extract-odd.csv", change=corrupt)
    )
    lines, error = _failing_lines(url, batch)
    assert any(
        "expect_column_values_to_be_between on column recorded_date" in line
        and "'2999-01-01'" in line
        for line in lines
    ), lines
    assert any(
        "expect_column_values_to_be_between on column offence_datetime" in line for line in lines
    )
    with psycopg.connect(url) as conn:
        recorded = conn.execute(
            "select expectation, column_name, severity from audit.expectation_result"
            " where batch_id = %s and not success order by 1, 2",
            (batch,),
        ).fetchall()
        (total,) = conn.execute(
            "select count(*) from audit.expectation_result where batch_id = %s", (batch,)
        ).fetchone() or (None,)
    assert ("expect_column_values_to_be_between", "recorded_date", "critical") in recorded
    assert total == error.summary.expectations_evaluated


def test_a_null_rate_shift_is_a_warning_that_does_not_stop_the_build(
    police_db: tuple[str, list[int]], synthetic_dir: Path, tmp_path: Path
) -> None:
    url, _batches = police_db

    def no_location(index: int, row: dict[str, str]) -> None:
        if index % 2 == 0:
            row["LSOA Code"] = ""  # allowed by the contract; half the rows is a shift

    path = _delivery(synthetic_dir, tmp_path / "crime-extract-no-location.csv", change=no_location)
    batch = load_batch(url, path)
    summary = validate_raw_batches(url, [batch])
    assert summary.success and not summary.failing
    (warning,) = summary.warnings
    assert (warning.table, warning.batch_id, warning.column) == (TABLE, batch, "lsoa_code")
    assert warning.expectation == "expect_column_proportion_of_non_null_values_to_be_between"
    assert (
        warning.severity == "warning" and warning.expected and "non-null share" in warning.expected
    )
    assert "lsoa_code" in summary.describe()
    with psycopg.connect(url) as conn:
        recorded = conn.execute(
            "select severity from audit.expectation_result"
            " where batch_id = %s and column_name = 'lsoa_code' and not success",
            (batch,),
        ).fetchall()
    assert recorded == [("warning",)]


def test_raw_tables_without_checks_are_named(police_db: tuple[str, list[int]]) -> None:
    url, batches = police_db
    with psycopg.connect(url) as conn:
        conn.execute("create table raw.adhoc__extract (a text, _batch_id bigint)")
    summary = validate_raw_batches(url, batches[-1:])
    assert summary.unchecked == ("raw.adhoc__extract",)
    assert "; unchecked: raw.adhoc__extract" in summary.describe()


def test_the_synthetic_partnership_passed_with_every_batch_judged(
    built_warehouse: BuiltWarehouse,
) -> None:
    """build_synthetic_warehouse ran the gate on every load batch (no ids: all of them)."""
    with psycopg.connect(built_warehouse.url) as conn:
        loaded = conn.execute(
            "select count(*) from audit.load_batch where status = 'loaded'"
        ).fetchone()
        judged = conn.execute(
            "select count(distinct batch_id) from audit.expectation_result"
            " where expectation = %s and success",
            (ROW_COUNT_EXPECTATION,),
        ).fetchone()
        critical = conn.execute(
            "select count(*) from audit.expectation_result"
            " where severity = 'critical' and not success"
        ).fetchone()
    assert loaded == judged == (len(built_warehouse.files),)
    assert critical == (0,)


def test_data_docs_show_the_latest_batch_of_each_table(police_db: tuple[str, list[int]]) -> None:
    """`make gx-docs`: the Data Docs site holds the validation of the checked raw table."""
    url, _batches = police_db
    index = build_data_docs(url)
    site = index.parent
    assert index.is_file()
    pages = [p for p in (site / "validations").rglob("*.html") if TABLE in p.as_posix()]
    assert pages, sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))[:10]


def test_a_held_back_batch_is_no_yardstick_for_the_next_delivery(
    police_db: tuple[str, list[int]], synthetic_dir: Path, tmp_path: Path
) -> None:
    """A delivery the gate failed (audit.load_batch.quality_status, svdw.snapshot's verdicts)
    is left out of the history the next delivery is compared with."""
    url, batches = police_db
    short = load_batch(
        url, _delivery(synthetic_dir, tmp_path / "crime-extract-tiny.csv", keep=0.05)
    )
    with psycopg.connect(url) as conn:
        conn.execute(
            "alter table audit.load_batch add column if not exists quality_status text"
            " not null default 'pending'"
        )
        conn.execute(
            "update audit.load_batch set quality_status = 'failed' where batch_id = %s", (short,)
        )
    batch = load_batch(url, _delivery(synthetic_dir, tmp_path / "crime-extract-again.csv"))
    summary = validate_raw_batches(url, [batch])
    assert summary.success
    note = row_count_note(url, batch)
    assert f"(batches {', '.join(map(str, batches))}:" in note
