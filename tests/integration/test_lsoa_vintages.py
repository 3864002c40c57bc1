"""police.uk on 2011 LSOAs and on 2021 LSOAs land in the same districts (a real dbt build).

The generator writes the same month twice: once with 2011 LSOA codes (older police.uk files)
and once with 2021 codes (recent files; the synthetic county has split and merged LSOAs). Each
is loaded (the second replaces the first: same force and month) and built; the district counts
must be the same, equal to the files' own counts through the published ONS lookups, with every
record accounted for as in the area, outside it, or unlocated. Rates use the ONS mid-year
estimates read straight from the SAPE file.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import psycopg
import pytest

pytestmark = pytest.mark.integration

TEST_KEY = "test-pseudonym-key-0123456789abcdef0123456789"
MONTH = date(2022, 12, 1)
VIOLENCE = "Violence and sexual offences"
MODELS = ["+sna_violence_district_month", "+sna_geography_coverage"]


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        yield from csv.DictReader(handle)


def _generate(out: Path, lsoa_2021_from: date, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    from svdw.synthetic import generate, police

    monkeypatch.setattr(police, "LSOA_2021_FROM", lsoa_2021_from)
    paths = generate(
        out,
        months=1,
        last_month=MONTH,
        seed=5,
        families={"reference", "police"},
        reference_dir=None,
    )
    return [p for p in paths if p.parent.name.startswith(("ons_", "imd_", "police_uk_street"))]


def _street_file(paths: list[Path]) -> Path:
    return next(p for p in paths if p.parent.name == "police_uk_street")


@dataclass(frozen=True)
class Build:
    street_file: Path
    district_counts: dict[str, int]
    district_rates: dict[str, Decimal | None]
    coverage: dict[str, int]
    fact_rows: int


def _load_and_build(url: str, paths: list[Path]) -> None:
    from svdw.loader import load_file, loading_order
    from svdw.transform import build_warehouse

    with psycopg.connect(url) as conn:
        for path in loading_order(paths):
            result = load_file(conn, path)
            assert result.status in ("loaded", "duplicate"), (path, result.error)
            assert result.rows_quarantined == 0, path
    build_warehouse(url, select=MODELS, report=lambda _line: None, trigger="tests")


def _read(url: str, street_file: Path) -> Build:
    with psycopg.connect(url) as conn:
        published = conn.execute(
            "select district_code, violence_count, violence_rate_per_1000"
            " from sna.sna_violence_district_month where month_start = %s",
            (MONTH,),
        ).fetchall()
        counts = dict(
            conn.execute(
                "select district_code, count(*) from marts.fct_police_crime"
                " where is_violence_and_sexual and district_code is not null group by 1"
            ).fetchall()
        )
        coverage = dict(
            conn.execute(
                "select location_status, sum(record_count) from sna.sna_geography_coverage"
                " where partner = 'police' and month_start = %s group by 1",
                (MONTH,),
            ).fetchall()
        )
        fact_rows = conn.execute("select count(*) from marts.fct_police_crime").fetchone()
    assert fact_rows
    return Build(
        street_file=street_file,
        district_counts=counts,
        district_rates={code: rate for code, _, rate in published},
        coverage={status: int(total) for status, total in coverage.items()},
        fact_rows=fact_rows[0],
    )


@pytest.fixture(scope="module")
def builds(
    make_database: Callable[[str], str],
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Build, Build, Path]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("SVDW_PSEUDONYM_KEY", TEST_KEY)
        old = _generate(tmp_path_factory.mktemp("lsoa2011"), date(2100, 1, 1), monkeypatch)
        new = _generate(tmp_path_factory.mktemp("lsoa2021"), date(2000, 1, 1), monkeypatch)
        url = make_database("vintages")
        _load_and_build(url, old)
        on_2011 = _read(url, _street_file(old))
        _load_and_build(url, [_street_file(new)])  # the same force-month: replaces the first
        on_2021 = _read(url, _street_file(new))
    reference_dir = _street_file(new).parents[1]
    return on_2011, on_2021, reference_dir


def _only(directory: Path) -> Path:
    (path,) = directory.glob("*.csv")
    return path


def _expected_districts(build: Build, reference_dir: Path) -> Counter[str]:
    """Violence per district straight from the street file and the published ONS lookups: a
    2011 code through the ward lookup, a 2021 code through the 2011->2021 lookup."""
    district_of = {
        row["LSOA11CD"]: row["LAD19CD"]
        for row in _rows(_only(reference_dir / "ons_lsoa_ward_lad_lookup"))
    }
    district_of |= {
        row["LSOA21CD"]: row["LAD22CD"]
        for row in _rows(_only(reference_dir / "ons_lsoa11_lsoa21_lookup"))
    }
    return Counter(
        district_of[row["LSOA code"]]
        for row in _rows(build.street_file)
        if row["Crime type"] == VIOLENCE and row["LSOA code"] in district_of
    )


def test_both_vintages_land_in_the_same_districts(builds: tuple[Build, Build, Path]) -> None:
    on_2011, on_2021, reference_dir = builds
    codes_2011 = {row["LSOA code"] for row in _rows(on_2011.street_file)}
    codes_2021 = {row["LSOA code"] for row in _rows(on_2021.street_file)}
    assert codes_2021 - codes_2011, "the 2021 file should carry codes of split or merged LSOAs"
    assert on_2011.district_counts == on_2021.district_counts
    assert on_2011.district_counts == dict(_expected_districts(on_2011, reference_dir))
    assert on_2021.district_counts == dict(_expected_districts(on_2021, reference_dir))
    assert len(on_2021.district_counts) == 10


def test_every_record_is_in_the_area_outside_it_or_unlocated(
    builds: tuple[Build, Build, Path],
) -> None:
    for build in builds[:2]:
        rows = list(_rows(build.street_file))
        unlocated = sum(1 for row in rows if not row["LSOA code"])
        outside = sum(1 for row in rows if row["LSOA code"].startswith("E0199"))
        assert unlocated > 0 and outside > 0
        assert build.coverage == {
            "in_area": len(rows) - unlocated - outside,
            "outside_area": outside,
            "unlocated": unlocated,
        }
        assert sum(build.coverage.values()) == build.fact_rows == len(rows)


def test_district_rates_use_the_ons_estimate_of_the_nearest_year(
    builds: tuple[Build, Build, Path],
) -> None:
    _, on_2021, reference_dir = builds
    (sape,) = (reference_dir / "ons_lsoa_population_estimates").glob("*mid-2021*.csv")
    residents: Counter[str] = Counter()
    for row in _rows(sape):
        residents[row["LAD 2021 Code"]] += int(row["Total"])
    rated = 0
    for district, count in on_2021.district_counts.items():
        published = on_2021.district_rates[district]
        if published is None:
            continue
        expected = (Decimal(count) * 1000 / residents[district]).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
        assert published == expected, district
        rated += 1
    assert rated >= 5
