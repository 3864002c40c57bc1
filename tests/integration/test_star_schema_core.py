"""The conformed star schema for police, health and reference data, built by dbt from the
synthetic partnership (conftest's `built_warehouse`: every extract loaded, GX-checked, dbt build).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from db import one as _one
from db import rows as _rows

pytestmark = pytest.mark.integration

SEEDS = Path(__file__).resolve().parents[2] / "dbt" / "seeds"

# fact -> (raw table, fact key)
FACTS = {
    "fct_police_crime": ("raw.police_uk__street_crimes", "crime_key"),
    "fct_police_force_crime": ("raw.police__force_crimes", "force_crime_key"),
    "fct_ed_assault_attendance": ("raw.health__ed_assault_attendances", "attendance_key"),
    "fct_hospital_admission": ("raw.health__hospital_admissions", "admission_key"),
    "fct_ambulance_callout": ("raw.health__ambulance_callouts", "callout_key"),
}
# (fact, column) -> (dimension, key): every foreign key of the facts built here
FOREIGN_KEYS = {
    ("fct_police_crime", "month_start"): ("dim_date", "date_day"),
    ("fct_police_crime", "offence_key"): ("dim_offence", "offence_key"),
    ("fct_police_force_crime", "recorded_date"): ("dim_date", "date_day"),
    ("fct_police_force_crime", "offence_date"): ("dim_date", "date_day"),
    ("fct_police_force_crime", "offence_key"): ("dim_offence", "offence_key"),
    ("fct_police_force_crime", "lsoa_code"): ("dim_geography", "lsoa_code"),
    ("fct_police_force_crime", "victim_person_key"): ("dim_person", "person_key"),
    ("fct_police_force_crime", "suspect_person_key"): ("dim_person", "person_key"),
    ("fct_police_force_crime", "victim_age_band"): ("dim_age_band", "age_band"),
    ("fct_police_force_crime", "suspect_age_band"): ("dim_age_band", "age_band"),
    ("fct_ed_assault_attendance", "arrival_date"): ("dim_date", "date_day"),
    ("fct_ed_assault_attendance", "home_lsoa_code"): ("dim_geography", "lsoa_code"),
    ("fct_ed_assault_attendance", "person_key"): ("dim_person", "person_key"),
    ("fct_ed_assault_attendance", "age_band"): ("dim_age_band", "age_band"),
    ("fct_hospital_admission", "admission_date"): ("dim_date", "date_day"),
    ("fct_hospital_admission", "home_lsoa_code"): ("dim_geography", "lsoa_code"),
    ("fct_hospital_admission", "person_key"): ("dim_person", "person_key"),
    ("fct_hospital_admission", "age_band"): ("dim_age_band", "age_band"),
    ("fct_ambulance_callout", "call_date"): ("dim_date", "date_day"),
    ("fct_ambulance_callout", "lsoa_code"): ("dim_geography", "lsoa_code"),
}


@pytest.fixture(scope="module")
def url(built_warehouse: Any) -> str:  # conftest's BuiltWarehouse
    return built_warehouse.url


@pytest.mark.parametrize("fact", sorted(FACTS))
def test_each_fact_has_one_row_per_raw_row(url: str, fact: str) -> None:
    raw_table, key = FACTS[fact]
    raw = _one(url, f"select count(*) from {raw_table}")
    counts = _rows(url, f"select count(*), count(distinct {key}) from marts.{fact}")
    assert raw > 0, f"the synthetic partnership loaded no rows into {raw_table}"
    assert counts == [(raw, raw)]


@pytest.mark.parametrize(("fact", "column"), sorted(FOREIGN_KEYS))
def test_foreign_keys_are_filled(url: str, fact: str, column: str) -> None:
    # dbt's relationships tests fail the build on an orphan; a key that is always NULL passes
    # them, and would leave the dimension unused
    assert _one(url, f"select count({column}) from marts.{fact}") > 0


def test_dim_offence_is_the_official_list_with_the_partnerships_flag(url: str) -> None:
    with (SEEDS / "code_lists" / "home_office_offence_classifications.csv").open() as handle:
        official = {f"ho_offence:{r['code']}": r["offence_name"] for r in csv.DictReader(handle)}
    with (SEEDS / "serious_violence_definition.csv").open(newline="") as handle:
        definition = {
            f"{row['code_type']}:{row['code']}": row["is_serious_violence"] == "true"
            for row in csv.DictReader(handle)
        }
    dim = {
        key: (name, sv)
        for key, name, sv in _rows(
            url,
            "select offence_key, offence_description, is_serious_violence from marts.dim_offence",
        )
    }
    assert {k: name for k, (name, _) in dim.items() if k.startswith("ho_offence:")} == official
    assert {k for k in dim if k.startswith("police_uk:")} == {
        k for k in definition if k.startswith("police_uk:")
    }
    assert all(sv == definition.get(key, False) for key, (_, sv) in dim.items())
    # its crimes carry the definition's flag
    mismatched = _one(
        url,
        "select count(*) from marts.fct_police_force_crime f"
        " join marts.dim_offence o using (offence_key)"
        " where f.is_serious_violence is distinct from o.is_serious_violence",
    )
    assert mismatched == 0


def test_knife_enabled_share_of_force_crimes_is_plausible(url: str) -> None:
    crimes, knife, possession_blade, possession_blade_knife = _rows(
        url,
        "select count(*), count(*) filter (where is_knife_or_sharp_object),"
        " count(*) filter (where ho_offence_code = '10D'),"
        " count(*) filter (where ho_offence_code = '10D' and is_knife_or_sharp_object)"
        " from marts.fct_police_force_crime where is_first_row_of_crime",
    )[0]
    assert crimes == _one(
        url,
        "select count(distinct crime_reference) from marts.fct_police_force_crime",
    )
    assert 0.02 < knife / crimes < 0.20
    assert possession_blade > 0 and possession_blade_knife == possession_blade


def test_ed_attendances_and_admissions_share_people(url: str) -> None:
    shared, admitted = _rows(
        url,
        "select count(distinct h.person_key) filter (where e.person_key is not null),"
        " count(distinct h.person_key)"
        " from marts.fct_hospital_admission h"
        " left join marts.fct_ed_assault_attendance e using (person_key)",
    )[0]
    assert shared > 0
    # the synthetic partnership admits people from ED (7% of ED rows have no NHS number)
    assert shared / admitted > 0.8
    flags = _rows(
        url,
        "select count(*) from marts.dim_person where is_known_to_ed and is_known_to_admissions",
    )
    assert flags == [(shared,)]


def test_dim_person_holds_pseudonymous_keys_sex_and_birth_year_only(url: str) -> None:
    columns = {
        name
        for (name,) in _rows(
            url,
            "select column_name from information_schema.columns"
            " where table_schema = 'marts' and table_name = 'dim_person'",
        )
    }
    assert {"person_key", "sex", "birth_year"} <= columns
    assert not {c for c in columns if "name" in c or "nhs" in c or "dob" in c or "postcode" in c}
    bad_keys = _one(
        url,
        "select count(*) from marts.dim_person where person_key !~ '^[0-9a-f]{64}$'",
    )
    assert bad_keys == 0
    # one row per resolved person (int_person_resolved links identifiers across sources), no
    # more; the police and health facts' people are among them, with education, youth justice
    # and provider records' people
    seen = _one(
        url,
        "select count(distinct k) from ("
        " select victim_person_key k from marts.fct_police_force_crime"
        " union all select suspect_person_key from marts.fct_police_force_crime"
        " union all select person_key from marts.fct_ed_assault_attendance"
        " union all select person_key from marts.fct_hospital_admission) s",
    )
    persons = _one(url, "select count(distinct person_key) from intermediate.int_person_resolved")
    assert _one(url, "select count(*) from marts.dim_person") == persons
    assert 0 < seen <= persons


def test_dim_geography_reaches_county_force_and_imd(url: str) -> None:
    rows = _rows(
        url,
        "select county_code, police_force_area, count(*), count(imd_decile),"
        " count(population_total), count(msoa_code), min(imd_decile), max(imd_decile)"
        " from marts.dim_geography group by 1, 2",
    )
    assert len(rows) == 1
    county, force, lsoas, with_imd, with_population, with_msoa, low, high = rows[0]
    assert county == "E10900001" and force == "Synthshire Constabulary"
    assert lsoas == with_imd == with_msoa
    # IoD mid-2015 denominators (2011 LSOAs) sit on each one's best fit: a split's other part
    # has none, but every 2021 LSOA has its ONS mid-year estimate for every year
    assert 0 < lsoas - with_population < 20
    unestimated = _one(
        url,
        "select count(*) from marts.dim_geography g where not exists ("
        " select 1 from intermediate.int_population_by_area p where p.area_type = 'lsoa'"
        " and p.area_code = g.lsoa_code and p.period_type = 'calendar_year'"
        " and p.period = '2025' and p.population > 0)",
    )
    assert unestimated == 0
    assert (low, high) == (1, 10)


def test_age_bands_agree_with_ages(url: str) -> None:
    wrong = _one(
        url,
        "select count(*) from marts.fct_ed_assault_attendance f"
        " join marts.dim_age_band b using (age_band)"
        " where f.patient_age < b.min_age or f.patient_age > coalesce(b.max_age, 200)"
        " or f.is_under_25 is distinct from (f.patient_age < 25)",
    )
    assert wrong == 0
    under_25 = _one(
        url,
        "select avg(is_under_25::int) from marts.fct_hospital_admission",
    )
    assert 0.1 < float(under_25) < 0.9


def test_icd10_classification_of_admissions(url: str) -> None:
    rows = _rows(
        url,
        "select bool_and(spell_is_assault),"
        " bool_and(is_sharp_object = exists (select 1 from unnest(diagnosis_codes) as c"
        " where left(c, 3) = 'X99')), count(*) filter (where is_sharp_object)"
        " from marts.fct_hospital_admission",
    )
    assert rows[0][:2] == (True, True) and rows[0][2] > 0
