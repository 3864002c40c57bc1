"""Every force's real police.uk street file of 2018-10 (../shared/realdata, skipped where absent)
through the warehouse into sna_comparator_rates, checked against the files themselves (read with
the csv module), the ONS mid-2018 force-area populations and exact Poisson limits (scipy).

Hertfordshire's real geography (ONS lookup, IoD population) makes Hertfordshire Constabulary the
partnership's force, as in the demo.
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
from scipy.stats import chi2

from svdw.transform import dbt_project_dir

pytestmark = [pytest.mark.integration, pytest.mark.realdata]

MONTH_DIR = "police_uk/all_forces_2018-10"
REFERENCE_FILES = (
    "lookups/LSOA11_to_WD19_LAD19_lookup_hertfordshire.csv",
    "imd2019/File_6_-_IoD2019_Population_Denominators_hertfordshire.csv",
)
GROUPS = {
    "Violence and sexual offences": {"Violence and sexual offences", "Violent crime"},
    "Robbery": {"Robbery"},
    "Possession of weapons": {"Possession of weapons"},
}
# ONS mid-2018 estimates (local authority totals summed to force areas): Bedfordshire,
# Cambridgeshire (with Peterborough), Essex (with Southend and Thurrock), Norfolk and Suffolk
EASTERN_WITHOUT_HERTFORDSHIRE = 669_338 + 852_523 + 1_832_752 + 903_680 + 758_556


@dataclass(frozen=True)
class Comparators:
    url: str
    counts: Counter[tuple[str, str]]  # (force, crime group) -> rows in the files


def _crime_groups(crime_type: str) -> list[str]:
    groups = [name for name, types in GROUPS.items() if crime_type in types]
    return groups + ([] if crime_type == "Anti-social behaviour" else ["All crime"])


@pytest.fixture(scope="module")
def comparators(realdata: Path, make_database: Callable[[str], str]) -> Comparators:
    from svdw.loader import load_file
    from svdw.transform import build_warehouse

    police_files = sorted((realdata / MONTH_DIR).glob("*-street.csv"))
    reference_files = [realdata / name for name in REFERENCE_FILES]
    if len(police_files) < 30 or not all(path.is_file() for path in reference_files):
        pytest.skip("the all-forces month or the Hertfordshire reference files are absent")
    url = make_database("comparators")
    with psycopg.connect(url) as conn:
        for path in [*reference_files, *police_files]:
            result = load_file(conn, path)
            assert result.status == "loaded", f"{path}: {result.error}"
    build_warehouse(
        url, select=["+sna_comparator_rates"], report=lambda _line: None, trigger="tests"
    )
    counts: Counter[tuple[str, str]] = Counter()
    for path in police_files:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                for group in _crime_groups(row["Crime type"]):
                    counts[(row["Falls within"], group)] += 1
    return Comparators(url=url, counts=counts)


def _seed(name: str) -> list[dict[str, str]]:
    path = dbt_project_dir() / "seeds" / "comparators" / f"{name}.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _published(url: str, area_type: str) -> dict[tuple[str, str], tuple]:
    found = _rows(
        url,
        "select area_name, crime_group, crimes, population, crime_rate_per_1000,"
        " crime_rate_per_1000_lower_95, crime_rate_per_1000_upper_95, forces_included,"
        " forces_without_population, months_loaded"
        " from sna.sna_comparator_rates where area_type = %s",
        (area_type,),
    )
    return {(row[0], row[1]): row[2:] for row in found}


def _per_1000(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_every_force_counts_its_file_rows(comparators: Comparators) -> None:
    forces = _published(comparators.url, "force")
    expected = {key: count for key, count in comparators.counts.items()}
    # every force of the files, no-location rows included; a crime group it never recorded is 0
    assert {key: row[0] for key, row in forces.items() if row[0]} == expected
    assert len({force for force, _ in forces}) == len({force for force, _ in expected})
    assert forces[("Police Service of Northern Ireland", "All crime")][1] is None  # no population


def test_eastern_group_adds_up_its_forces_without_the_partnership(
    comparators: Comparators,
) -> None:
    group = _published(comparators.url, "comparator_group")
    members = {
        row["force_name"]
        for row in _seed("comparator_groups")
        if row["group_name"] == "Eastern region forces"
    } - {"Hertfordshire Constabulary"}
    for crime_group in (*GROUPS, "All crime"):
        crimes, population, rate, lower, upper, included, missing, months = group[
            ("Eastern region forces", crime_group)
        ]
        expected = sum(comparators.counts[(force, crime_group)] for force in members)
        assert (crimes, population, included, missing, months) == (
            expected,
            EASTERN_WITHOUT_HERTFORDSHIRE,
            5,
            None,
            1,
        )
        assert rate == _per_1000(expected * 1000 / EASTERN_WITHOUT_HERTFORDSHIRE)
        # Byar's limits are within a rounding step of the exact Poisson limits at these counts
        exact_lower = chi2.ppf(0.025, 2 * expected) / 2 * 1000 / population
        exact_upper = chi2.ppf(0.975, 2 * expected + 2) / 2 * 1000 / population
        assert abs(float(lower) - exact_lower) <= 0.01
        assert abs(float(upper) - exact_upper) <= 0.01
        assert lower <= rate <= upper and lower < upper


def test_partnership_is_hertfordshire(comparators: Comparators) -> None:
    partnership = _published(comparators.url, "partnership")
    crimes, population, rate, *_ = partnership[("Partnership area", "Violence and sexual offences")]
    expected = comparators.counts[("Hertfordshire Constabulary", "Violence and sexual offences")]
    assert (crimes, population) == (expected, 1_184_365)  # ONS mid-2018 Hertfordshire
    assert rate == _per_1000(expected * 1000 / 1_184_365)


def test_england_and_wales_adds_up_the_forces_with_a_population(
    comparators: Comparators,
) -> None:
    populations = {
        row["force_name"]: int(row["population"])
        for row in _seed("police_force_area_population")
        if row["mid_year"] == "2018"
    }
    country = {row["force_name"]: row["country"] for row in _seed("police_force_areas")}
    loaded = {force for force, _ in comparators.counts}
    in_england_and_wales = {f for f in loaded if country.get(f) in ("England", "Wales")}
    included = in_england_and_wales & populations.keys()
    assert "British Transport Police" in loaded and "British Transport Police" not in included
    national = _published(comparators.url, "england_and_wales")
    crimes, population, rate, _lower, _upper, forces, missing, _months = national[
        ("England and Wales", "All crime")
    ]
    expected = sum(comparators.counts[(force, "All crime")] for force in included)
    residents = sum(populations[force] for force in included)
    assert (crimes, population, forces) == (expected, residents, len(included))
    assert missing == ", ".join(sorted(in_england_and_wales - included))
    assert rate == _per_1000(expected * 1000 / residents)
