"""The batch gate compares a delivery with its own source (checks.same_file_name,
svdw.batch_history._yardstick), on real loads and the real Great Expectations gate: one file per
force or trust and month, so a small source is not held to a large one's size, while a short
month of a source, or a short re-delivery sent under another name, still fails.

The deliveries are cut from the synthetic Synthshire extracts (tests/conftest.py synthetic_dir):
a "big" and a "small" force, two trusts.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest
from deliveries import load_batch, row_count_note

from svdw.quality import ROW_COUNT_EXPECTATION, DataQualityError, validate_raw_batches
from svdw.synthetic.world import csv_writer

pytestmark = pytest.mark.integration

KEY = "batch-streams-test-key-0123456789abcdef"
Change = Callable[[dict[str, str]], None]


def _unchanged(row: dict[str, str]) -> None:
    return None


def _cut(source: Path, out: Path, keep: float, change: Change = _unchanged) -> Path:
    """A delivery made of the first `keep` share of source's rows, each passed through change."""
    with source.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        headers = list(reader.fieldnames or [])
        rows = list(reader)
    out.parent.mkdir(parents=True, exist_ok=True)
    with csv_writer(out, headers) as writer:
        for row in rows[: int(len(rows) * keep)]:
            change(row)
            writer.writerow([row[h] for h in headers])
    return out


def _fails_on_row_count(url: str, batch: int) -> str:
    with pytest.raises(DataQualityError) as caught:
        validate_raw_batches(url, [batch])
    assert [f.expectation for f in caught.value.summary.failing] == [ROW_COUNT_EXPECTATION]
    return row_count_note(url, batch)


@pytest.fixture
def warehouse(make_database: Callable[[str], str], monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SVDW_PSEUDONYM_KEY", KEY)
    return make_database("streams")


def _months(synthetic_dir: Path, contract: str) -> list[Path]:
    files = sorted((synthetic_dir / contract).glob("*.csv"))
    assert len(files) == 3
    return files


def _small_force(row: dict[str, str]) -> None:
    # Another force's crime references (the force code is their first two digits).
    row["Crime Reference"] = "99" + row["Crime Reference"][2:]


def test_a_small_force_is_compared_with_its_own_months(
    warehouse: str, synthetic_dir: Path, tmp_path: Path
) -> None:
    url = warehouse
    months = _months(synthetic_dir, "police_force_crimes")
    for month in months:
        load_batch(url, _cut(month, tmp_path / f"big-force-{month.name.split('-', 1)[1]}", 1.0))
    small = [
        load_batch(
            url,
            _cut(
                month, tmp_path / f"small-force-{month.name.split('-', 1)[1]}", 0.15, _small_force
            ),
        )
        for month in months
    ]
    # Its first month, for a month the big force delivered: not held to the big force's size.
    summary = validate_raw_batches(url, [small[0]])
    assert summary.success and not summary.failing
    assert "no earlier delivery of police_force_crimes" in row_count_note(url, small[0])

    # Its third month is about a sixth of the big force's: compared with the big force's last
    # month and its own two, it would fall under half their mean.
    summary = validate_raw_batches(url, [small[2]])
    assert summary.success and not summary.failing
    note = row_count_note(url, small[2])
    assert f"(batches {small[0]}, {small[1]}:" in note, note
    assert "named like small-force-crime-extract--.csv" in note, note

    # A genuinely short month of the small force (a re-delivery of its last month, same name).
    short_month = tmp_path / "resent" / f"small-force-{months[2].name.split('-', 1)[1]}"
    short = load_batch(url, _cut(months[2], short_month, 0.03, _small_force))
    note = _fails_on_row_count(url, short)
    assert f"(batches {small[0]}, {small[1]}, {small[2]}:" in note, note


def _trust_b(row: dict[str, str]) -> None:
    row["Site Code"] = "ZZB01"  # another trust's emergency department


def test_a_second_trust_joins_and_a_renamed_redelivery_is_compared_with_its_source(
    warehouse: str, synthetic_dir: Path, tmp_path: Path
) -> None:
    url = warehouse
    months = _months(synthetic_dir, "health_ed_assault_attendances")
    trust_a = [load_batch(url, month) for month in months]
    # A small trust's first file, for a month the first trust delivered: nothing to compare
    # its size with (the first trust's is not its own).
    first = load_batch(url, _cut(months[0], tmp_path / "trust-b-ed-2025-07.csv", 0.15, _trust_b))
    summary = validate_raw_batches(url, [first])
    assert summary.success and not summary.failing
    assert "no earlier delivery of health_ed_assault_attendances" in row_count_note(url, first)

    # The first trust re-sends its last month short, under another name: the rows it replaces
    # (same sites and dates) say whose it is.
    resent = load_batch(url, _cut(months[2], tmp_path / "ed-resend.csv", 0.4))
    note = _fails_on_row_count(url, resent)
    assert f"(batches {', '.join(map(str, trust_a))}:" in note, note
    assert "the files it re-delivers" in note, note


def test_a_one_force_partnership_whose_file_name_drifted_is_compared_with_its_months(
    warehouse: str, synthetic_dir: Path, tmp_path: Path
) -> None:
    url = warehouse
    months = _months(synthetic_dir, "police_force_crimes")
    earlier = [load_batch(url, month) for month in months[:2]]
    # Its next month arrives short, named differently: the partnership's only source.
    drifted = load_batch(url, _cut(months[2], tmp_path / "Crime extract September.csv", 0.4))
    note = _fails_on_row_count(url, drifted)
    assert f"(batches {', '.join(map(str, earlier))}:" in note, note
    assert "the only earlier source's files" in note, note


def _rows(source: Path, wanted: int) -> float:
    """The `keep` share of source that makes a delivery of `wanted` rows."""
    with source.open(encoding="utf-8-sig", newline="") as handle:
        total = sum(1 for _ in csv.DictReader(handle))
    assert total > wanted
    return (wanted + 0.5) / total


def test_a_small_trusts_month_that_chance_explains_goes_ahead(
    warehouse: str, synthetic_dir: Path, tmp_path: Path
) -> None:
    """A trust of about 30 assault attendances a month sends 10: under half its mean, but a
    count that small varies that much by chance (svdw.batch_checks.chance_minimum), so the
    delivery is not held back, and the gate's note says why."""
    url = warehouse
    months = _months(synthetic_dir, "health_ed_assault_attendances")
    batches = [
        load_batch(url, _cut(month, tmp_path / f"trust-b-ed-{n}.csv", _rows(month, n), _trust_b))
        for month, n in zip(months, (29, 31, 10), strict=True)
    ]
    summary = validate_raw_batches(url, [batches[2]])
    assert summary.success and not summary.failing
    note = row_count_note(url, batches[2])
    assert "fewer rows than 15.0 (0.5 x the mean) are within chance" in note, note
    assert f"(batches {batches[0]}, {batches[1]}: 29, 31 rows)" in note, note
