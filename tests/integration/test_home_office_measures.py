"""The Home Office measures on hand-written extracts with known answers: a force crime extract
and an admitted patient care extract (tests/fixtures), loaded through the loader with the rest of
the synthetic partnership and built by dbt. Every count below is worked out in the fixtures'
comments from the official definitions (docs/definitions.md)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from conftest import BuiltWarehouse, build_synthetic_warehouse

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
# Only what the tests read, and its parents: a fraction of the whole project's build.
MODELS = ["+sna_core_measures", "+fct_police_force_crime", "+fct_hospital_admission"]
DISTRICT = "E07900001"  # the district of the fixtures' LSOA, E01900001
# (count or None when withheld, suppressed) for 2024/25, which is also the latest 12 months
EXPECTED = {
    "homicide": (7, False),
    "homicide_under_25": (None, True),  # 3: withheld
    "non_domestic_homicide": (5, False),
    "non_domestic_homicide_under_25": (None, True),  # 1: withheld
    "knife_enabled_serious_violence": (12, False),
    "knife_enabled_serious_violence_under_25": (6, False),
    "blade_or_point_possession": (5, False),
    # 7 and 5: withheld under the NHS data rule (1-7); the spells are counted below
    "sharp_object_admissions": (None, True),
    "sharp_object_admissions_under_25": (None, True),
}


@pytest.fixture(scope="module")
def measured(
    make_database: Callable[[str], str],
    synthetic_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> BuiltWarehouse:
    """The synthetic partnership with its force crime and admissions extracts replaced by the
    fixtures, so those are the only police and admissions data."""
    partnership = tmp_path_factory.mktemp("home_office_measures")
    shutil.copytree(
        synthetic_dir,
        partnership,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("police_force_crimes", "health_hospital_admissions"),
    )
    for name, folder in (
        ("force_crimes_home_office_measures.csv", "police_force_crimes"),
        ("hospital_admissions_home_office_measures.csv", "health_hospital_admissions"),
    ):
        (partnership / folder).mkdir()
        shutil.copy(FIXTURES / name, partnership / folder / name)
    return build_synthetic_warehouse(make_database("homeoffice"), partnership, select=MODELS)


@pytest.mark.parametrize("period", ["Latest 12 months", "2024/25"])
def test_every_home_office_measure_counts_what_its_definition_says(
    measured: BuiltWarehouse, period: str
) -> None:
    with psycopg.connect(measured.url) as conn:
        rows = conn.execute(
            "select measure, event_count, is_suppressed, months_covered, is_part_period"
            " from sna.sna_core_measures"
            " where geography_level = 'district' and area_code = %s and period = %s",
            (DISTRICT, period),
        ).fetchall()
    found = {measure: (count, suppressed) for measure, count, suppressed, _, _ in rows}
    assert found == EXPECTED
    assert {(months, part) for *_, months, part in rows} == {(12, False)}


def test_rates_are_per_100000_a_year_and_homicide_per_million(measured: BuiltWarehouse) -> None:
    with psycopg.connect(measured.url) as conn:
        rows = conn.execute(
            "select measure, population, event_rate_per_100k, event_rate_per_million"
            " from sna.sna_core_measures where geography_level = 'district' and area_code = %s"
            " and period = '2024/25'",
            (DISTRICT,),
        ).fetchall()
    rates = {measure: (population, rate, million) for measure, population, rate, million in rows}
    population, per_100k, per_million = rates["knife_enabled_serious_violence"]
    assert float(per_100k) == round(12 * 100_000 / population, 1)
    assert per_million is None  # per million is for homicide only
    # 7 homicides: under the 10 events a published rate needs
    assert rates["homicide"][1:] == (None, None)


def test_the_unknown_offence_code_is_counted_nowhere(measured: BuiltWarehouse) -> None:
    # the loader quarantines it (tests/integration/test_loader.py): 41 of the 42 crimes remain
    with psycopg.connect(measured.url) as conn:
        codes = conn.execute(
            "select count(*) filter (where ho_offence_code = '99Z'),"
            " count(distinct crime_reference) from marts.fct_police_force_crime"
        ).fetchone()
    assert codes == (0, 41)


def test_the_admissions_measure_counts_emergency_spells_with_x99_anywhere(
    measured: BuiltWarehouse,
) -> None:
    """The admissions behind the withheld figures: emergency spells (method 2x) with X99 in any
    diagnosis position of any episode, once per spell, in 2024/25 by the first episode's end."""
    with psycopg.connect(measured.url) as conn:
        counted = conn.execute(
            "select count(*), count(*) filter (where is_under_25)"
            " from marts.fct_hospital_admission"
            " where is_first_episode_of_spell and is_emergency_admission and spell_is_sharp_object"
            " and home_district_code = %s"
            " and episode_end_date between date '2024-04-01' and date '2025-03-31'",
            (DISTRICT,),
        ).fetchone()
    assert counted == (7, 5)
