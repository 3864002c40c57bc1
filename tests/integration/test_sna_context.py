"""Exploitation flags and workforce training in the synthetic warehouse, counted against the
partner files themselves (read with the csv module); and an older force extract without the
exploitation columns, loaded with its flags left unrecorded."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import psycopg
import pytest
from conftest import BuiltWarehouse
from db import rows

from svdw.contracts import get_contract
from svdw.transform import dbt_project_dir

pytestmark = pytest.mark.integration

FLAG_COLUMNS = {
    "County Lines Flag": "county_lines",
    "CCE Flag": "child_criminal_exploitation",
    "CSE Flag": "child_sexual_exploitation",
    "Cuckooing Flag": "cuckooing",
}


def financial_year(day: date) -> str:
    start = day.year - (day.month < 4)
    return f"{start}/{(start + 1) % 100:02d}"


def _csv_rows(paths: list[Path]) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    for path in paths:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            found.extend(csv.DictReader(handle))
    return found


def _files(directory: Path, contract: str) -> list[Path]:
    return sorted((directory / contract).glob("*.csv"))


def test_flagged_crimes_add_up_to_the_extracts(
    built_warehouse: BuiltWarehouse, synthetic_dir: Path
) -> None:
    flagged: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in _csv_rows(_files(synthetic_dir, "police_force_crimes")):
        year = financial_year(datetime.strptime(row["Recorded Date"], "%d/%m/%Y").date())
        for header, flag in FLAG_COLUMNS.items():
            if row[header] == "Y":
                flagged[(year, flag)].add(row["Crime Reference"])
    assert {flag for _, flag in flagged} == set(FLAG_COLUMNS.values())
    published = rows(
        built_warehouse.url,
        "select financial_year, flag, sum(flagged_crimes), count(*) filter (where is_suppressed),"
        " bool_and(is_flag_recorded)"
        " from sna.sna_exploitation_flags group by financial_year, flag",
    )
    assert published
    for year, flag, total, withheld, recorded in published:
        expected = len(flagged[(year, flag)])
        assert recorded, (year, flag)
        if withheld == 0:
            assert total == expected, (year, flag)
        else:  # a lone withheld cell would be recoverable from the total
            assert withheld >= 2 and (total or 0) < expected, (year, flag)


def test_practitioners_trained_against_the_target(
    built_warehouse: BuiltWarehouse, synthetic_dir: Path
) -> None:
    trained: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in _csv_rows(_files(synthetic_dir, "provider_workforce_training")):
        year = financial_year(datetime.strptime(row["Completed Date"], "%d/%m/%Y").date())
        trained[(year, row["Level"])].add(row["Practitioner Email"].lower())
    seed = dbt_project_dir() / "seeds" / "workforce" / "workforce_training_targets.csv"
    with seed.open(encoding="utf-8", newline="") as handle:
        targets = {
            r["level"]: int(r["annual_target_practitioners"]) for r in csv.DictReader(handle)
        }
    published = rows(
        built_warehouse.url,
        "select financial_year, level, practitioners, target_practitioners, percent_of_target,"
        " percent_of_target_lower_95, percent_of_target_upper_95"
        " from sna.sna_workforce_training where is_all_organisations and not is_suppressed",
    )
    assert len(published) >= len(targets)
    for year, level, practitioners, target, percent, lower, upper in published:
        expected = len(trained[(year, level)])
        assert (practitioners, target) == (expected, targets[level]), (year, level)
        if expected >= 10:
            assert percent == (Decimal(expected * 100) / target).quantize(
                Decimal("0.1"), rounding=ROUND_HALF_UP
            )
            assert lower < percent < upper


def test_an_older_force_extract_loads_without_the_flags(
    synthetic_dir: Path, make_database: Callable[[str], str], tmp_path: Path
) -> None:
    from svdw.loader import load_file

    source = _files(synthetic_dir, "police_force_crimes")[0]
    with source.open(encoding="utf-8-sig", newline="") as handle:
        records = list(csv.reader(handle))
    header = records[0]
    keep = [i for i, name in enumerate(header) if name not in FLAG_COLUMNS]
    older = tmp_path / "police_force_crimes" / f"older-{source.name}"
    older.parent.mkdir()
    with older.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows([[r[i] for i in keep] for r in records])
    newer_flags = sum(r[header.index("County Lines Flag")] == "Y" for r in records[1:])
    assert newer_flags > 0, "the synthetic month should flag some county lines crimes"

    url = make_database("olderextract")
    with psycopg.connect(url) as conn:
        old = load_file(conn, older, contract=get_contract("police_force_crimes"))
        assert old.status == "loaded", old.error
        assert (old.rows_loaded, old.rows_quarantined) == (len(records) - 1, 0)
        new = load_file(conn, source)  # a newer delivery, detected by its header
        assert new.status == "loaded", new.error
    counts = rows(
        url,
        "select _batch_id, count(*), count(county_lines_flag), count(*) filter (where"
        " county_lines_flag), count(cuckooing_flag) from raw.police__force_crimes group by 1"
        " order by 1",
    )
    # the same recording dates: the newer delivery replaced the older one's rows
    assert [row[1:] for row in counts] == [
        (len(records) - 1, len(records) - 1, newer_flags, len(records) - 1)
    ]
    history = rows(
        url,
        "select count(*), count(county_lines_flag) from history.police__force_crimes",
    )
    assert history == [(len(records) - 1, 0)]  # the older rows: flags not recorded (NULL)
