"""Real police.uk street files (../shared/realdata, skipped where absent) through the warehouse:
loaded with their contract, built by dbt, and fct_police_crime counted against the files
themselves, read with nothing but the csv module.

A representative subset keeps the test near a minute: Hertfordshire for three months (the real
ONS lookup and IoD population give its LSOAs, wards and districts) and two other forces for
2018-10 (a small city force and a rural one), so counts are checked across forces and months.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import psycopg
import pytest
from db import rows as _rows

pytestmark = [pytest.mark.integration, pytest.mark.realdata]

POLICE_FILES = (
    "all_forces_2018-10/2018-10-hertfordshire-street.csv",
    "hertfordshire/2018-11-hertfordshire-street.csv",
    "hertfordshire/2018-12-hertfordshire-street.csv",
    "all_forces_2018-10/2018-10-city-of-london-street.csv",
    "all_forces_2018-10/2018-10-cumbria-street.csv",
)
REFERENCE_FILES = (
    "lookups/LSOA11_to_WD19_LAD19_lookup_hertfordshire.csv",
    "imd2019/File_6_-_IoD2019_Population_Denominators_hertfordshire.csv",
    "imd2019/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv",
)
# What real police data (with the real geography) alone feeds: the police fact and the SNA
# place models on it, with every test and unit test dbt can run on them. The prioritisation
# index builds too; its force and health indicators stay empty (no such extracts here).
MODELS = (
    "+fct_police_crime",
    "+sna_violence_district_month",
    "+sna_violence_ward_month",
    "+sna_violence_lsoa_month",
    "+sna_violence_lsoa_latest_12_months",
    "+sna_area_prioritisation",
)
# Hertfordshire's extent, with a margin: an LSOA point outside it is a wrong centroid
HERTS_LATITUDE = (51.55, 52.15)
HERTS_LONGITUDE = (-0.80, 0.25)


@dataclass(frozen=True)
class RealWarehouse:
    url: str
    police_files: list[Path]


@pytest.fixture(scope="module")
def real_warehouse(realdata: Path, make_database: Callable[[str], str]) -> RealWarehouse:
    from svdw.loader import load_file
    from svdw.transform import build_warehouse

    police_dir = realdata / "police_uk"
    police_files = [police_dir / name for name in POLICE_FILES]
    reference_files = [realdata / name for name in REFERENCE_FILES]
    missing = [str(path) for path in police_files + reference_files if not path.is_file()]
    if missing:
        pytest.skip(f"real data subset incomplete: {', '.join(missing)}")
    url = make_database("realpolice")
    with psycopg.connect(url) as conn:
        for path in reference_files + police_files:
            result = load_file(conn, path)
            assert result.status == "loaded", f"{path}: {result.error}"
            assert result.rows_quarantined == 0, path.name
    # Raises DataQualityError or DbtError naming any failing batch, model or test.
    build_warehouse(url, select=list(MODELS), report=lambda _line: None, trigger="tests")
    return RealWarehouse(url=url, police_files=police_files)


def _file_counts(paths: list[Path]) -> Counter[tuple[str, str, str]]:
    """Rows per (Falls within, Month, Crime type), straight from the files."""
    counts: Counter[tuple[str, str, str]] = Counter()
    for path in paths:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                counts[(row["Falls within"], row["Month"], row["Crime type"])] += 1
    return counts


def test_fct_police_crime_counts_match_the_files(real_warehouse: RealWarehouse) -> None:
    expected = _file_counts(real_warehouse.police_files)
    rows = _rows(
        real_warehouse.url,
        "select force_name, to_char(month_start, 'YYYY-MM'), crime_type, count(*)"
        " from marts.fct_police_crime group by 1, 2, 3",
    )
    actual = Counter(
        {(force, month, crime_type): count for force, month, crime_type, count in rows}
    )
    assert len(expected) > 40, "the subset should span forces, months and crime types"
    assert {force for force, _, _ in expected} >= {
        "Hertfordshire Constabulary",
        "City of London Police",
        "Cumbria Constabulary",
    }
    assert actual == expected


def test_lsoa_points_fall_in_hertfordshire(real_warehouse: RealWarehouse) -> None:
    rows = _rows(
        real_warehouse.url,
        "select count(*), count(latitude),"
        " count(*) filter (where latitude between %s and %s and longitude between %s and %s)"
        " from sna.sna_violence_lsoa_latest_12_months",
        (*HERTS_LATITUDE, *HERTS_LONGITUDE),
    )
    lsoas, located, inside = rows[0]
    assert lsoas == 690  # Hertfordshire's 2011 LSOAs, from the real ONS lookup
    assert located > 680  # a Hertfordshire LSOA with no crime in three months is rare
    assert inside == located


def test_place_models_hold_every_area_and_month(real_warehouse: RealWarehouse) -> None:
    counts = dict(
        _rows(
            real_warehouse.url,
            "select 'lsoa', count(*) from sna.sna_violence_lsoa_month"
            " union all select 'ward', count(*) from sna.sna_violence_ward_month"
            " union all select 'ward_codes', count(distinct ward_code) from marts.dim_geography"
            " union all select 'months', count(distinct month_start) from marts.fct_police_crime",
        )
    )
    assert counts["months"] == 3
    assert counts["lsoa"] == 690 * 3
    assert counts["ward"] == counts["ward_codes"] * 3


def test_hertfordshire_violence_adds_up_where_published(real_warehouse: RealWarehouse) -> None:
    """The district model's visible counts equal the files' violence rows located in that
    district's LSOAs (the real lookup), so the sna layer counts what the files hold."""
    lookup_path = real_warehouse.police_files[0].parents[2] / REFERENCE_FILES[0]
    with lookup_path.open(encoding="utf-8-sig", newline="") as handle:
        district_of = {row["LSOA11CD"]: row["LAD19CD"] for row in csv.DictReader(handle)}
    expected: Counter[tuple[str, str]] = Counter()
    for path in real_warehouse.police_files:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                district = district_of.get(row["LSOA code"])
                if district and row["Crime type"] == "Violence and sexual offences":
                    expected[(district, row["Month"])] += 1
    published = _rows(
        real_warehouse.url,
        "select district_code, to_char(month_start, 'YYYY-MM'), violence_count"
        " from sna.sna_violence_district_month where not is_suppressed",
    )
    assert len(published) == 30  # ten districts, three months, none small
    for district, month, count in published:
        assert count == expected[(district, month)], (district, month)


def test_lsoa_points_cover_other_forces_too(real_warehouse: RealWarehouse) -> None:
    rows = _rows(
        real_warehouse.url,
        "select count(*), count(*) filter (where lsoa_code like 'E0100%')"
        " from intermediate.int_lsoa_centroids",
    )
    lsoas, city_of_london = rows[0]
    assert lsoas > 690  # Cumbria's and the City's LSOAs get points as well as Hertfordshire's
    assert city_of_london > 0  # the City of London's LSOAs are E01000001 to E01000032


def test_prioritisation_ranks_real_areas(real_warehouse: RealWarehouse) -> None:
    rows = _rows(
        real_warehouse.url,
        "select count(*), count(*) filter (where violence_is_top),"
        " count(*) filter (where deprivation_is_top), count(*) filter (where is_priority_area),"
        " count(*) filter (where knife_violence_points + ed_assault_points"
        "     + youth_violence_points > 0)"
        " from sna.sna_area_prioritisation",
    )
    lsoas, violence_top, deprivation_top, priority, scored_without_data = rows[0]
    assert lsoas == 690
    # 15% of 690 is 103.5: ties at the line may keep a few out, never let more in
    assert 95 <= violence_top <= 103
    assert 95 <= deprivation_top <= 103
    assert 0 < priority <= 103
    assert scored_without_data == 0


def test_district_violence_rates_match_the_files_and_the_population_file(
    real_warehouse: RealWarehouse,
) -> None:
    """Rates per 1,000 residents, computed here from the real police.uk rows and the real
    population file (IoD 2019 File 6, mid-2015: the only LSOA population in the reference
    files, so the warehouse takes it as the nearest year), equal the published ones."""
    realdata = real_warehouse.police_files[0].parents[2]
    with (realdata / REFERENCE_FILES[0]).open(encoding="utf-8-sig", newline="") as handle:
        district_of = {row["LSOA11CD"]: row["LAD19CD"] for row in csv.DictReader(handle)}
    residents: Counter[str] = Counter()
    with (realdata / REFERENCE_FILES[1]).open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            total = row["Total population: mid 2015 (excluding prisoners)"].replace(",", "")
            residents[row["Local Authority District code (2019)"]] += int(total)
    violence: Counter[tuple[str, str]] = Counter()
    for path in real_warehouse.police_files:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                district = district_of.get(row["LSOA code"])
                if district and row["Crime type"] == "Violence and sexual offences":
                    violence[(district, row["Month"])] += 1
    published = _rows(
        real_warehouse.url,
        "select district_code, to_char(month_start, 'YYYY-MM'), violence_rate_per_1000"
        " from sna.sna_violence_district_month where violence_rate_per_1000 is not null",
    )
    assert len(published) == 30  # ten districts, three months
    for district, month, rate in published:
        expected = (Decimal(violence[(district, month)]) * 1000 / residents[district]).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
        assert rate == expected, (district, month)
