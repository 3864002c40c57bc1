"""The people, health, education and youth justice SNA models on a built synthetic warehouse:
each has rows for the dashboards, its visible counts agree with the facts it aggregates, and
no small count shows."""

from __future__ import annotations

import psycopg
import pytest
from db import scalar

pytestmark = pytest.mark.integration

# model -> its count columns (each disclosure-controlled)
COUNT_COLUMNS = {
    "sna_victim_suspect_profile": ["person_count"],
    "sna_knife_crime_drivers": ["knife_crime_count"],
    "sna_ed_vs_police": ["ed_assault_count", "police_violence_count"],
    "sna_health_assaults_month": ["assault_count"],
    "sna_school_exclusions": ["exclusion_count"],
    "sna_persistent_absence": ["pupil_count", "persistently_absent_count"],
    "sna_youth_justice": [
        "first_time_entrant_count",
        "reoffending_cohort_count",
        "reoffender_count",
    ],
}


# a cohort needs 12 months of follow-up, which a short build (3 months) does not have
NEEDS_A_YEAR = {"reoffending_cohort_count", "reoffender_count"}


# NHS data (ED attendances, admissions): 1-7 withheld, the rest rounded to the nearest 5;
# every other source: 1-4 withheld (dbt_project.yml, var disclosure_control)
HEALTH_COLUMNS = {"ed_assault_count", "assault_count"}


@pytest.mark.parametrize("model", sorted(COUNT_COLUMNS))
def test_model_has_visible_counts_and_no_small_ones(built_warehouse, model: str) -> None:
    with psycopg.connect(built_warehouse.url) as conn:
        for column in COUNT_COLUMNS[model]:
            up_to, base = (7, 5) if column in HEALTH_COLUMNS else (4, 1)
            visible = scalar(conn, f"select count(*) from sna.{model} where {column} > 0")
            small = scalar(
                conn, f"select count(*) from sna.{model} where {column} between 1 and {up_to}"
            )
            unrounded = scalar(
                conn, f"select count(*) from sna.{model} where {column} % {base} <> 0"
            )
            if column not in NEEDS_A_YEAR:
                assert visible > 0, f"{model}.{column} has no visible non-zero count"
            assert small == 0, f"{model}.{column} shows {small} counts of 1-{up_to}"
            assert unrounded == 0, (
                f"{model}.{column} shows {unrounded} counts not rounded to {base}"
            )


def test_reoffending_cohort_only_once_twelve_months_have_passed(built_warehouse) -> None:
    with psycopg.connect(built_warehouse.url) as conn:
        followed_up = scalar(
            conn,
            "select count(*) from marts.fct_youth_justice_outcome"
            " where is_formal_outcome and has_full_reoffending_window",
        )
        in_cohorts = scalar(
            conn,
            "select count(*) from sna.sna_youth_justice"
            " where reoffending_cohort_count > 0 or reoffending_cohort_count_is_suppressed",
        )
        complete_years = scalar(
            conn, "select count(*) from sna.sna_youth_justice where reoffending_cohort_is_complete"
        )
    if followed_up == 0:
        assert (in_cohorts, complete_years) == (0, 0)
    else:
        assert in_cohorts > 0


def test_knife_crime_all_row_matches_the_force_extract(built_warehouse) -> None:
    # every visible 'all' cell equals the distinct knife-enabled serious violence crimes
    with psycopg.connect(built_warehouse.url) as conn:
        mismatches = conn.execute(
            """
            select drivers.financial_year, drivers.district_code, drivers.knife_crime_count,
                count(distinct crimes.crime_reference)
            from sna.sna_knife_crime_drivers as drivers
            left join marts.fct_police_force_crime as crimes
                on crimes.district_code = drivers.district_code
                and crimes.is_serious_violence and crimes.is_knife_or_sharp_object
                and (extract(year from crimes.recorded_date)
                    - case when extract(month from crimes.recorded_date) < 4 then 1 else 0 end)
                    = cast(left(drivers.financial_year, 4) as integer)
            where drivers.driver_code = 'all' and not drivers.is_suppressed
            group by 1, 2, 3
            having drivers.knife_crime_count <> count(distinct crimes.crime_reference)
            """
        ).fetchall()
        checked = scalar(
            conn,
            "select count(*) from sna.sna_knife_crime_drivers"
            " where driver_code = 'all' and knife_crime_count > 0",
        )
    assert checked > 0
    assert mismatches == []


def test_ed_all_ages_matches_the_ed_fact(built_warehouse) -> None:
    """The published ED count is the fact's count rounded to the nearest 5 (NHS data rule)."""
    with psycopg.connect(built_warehouse.url) as conn:
        mismatches = conn.execute(
            """
            select sna.month_start, sna.district_code, sna.ed_assault_count, count(ed.*)
            from sna.sna_ed_vs_police as sna
            left join marts.fct_ed_assault_attendance as ed
                on ed.home_district_code = sna.district_code
                and date_trunc('month', ed.arrival_date) = sna.month_start
            where sna.age_band = 'All ages' and not sna.ed_assault_count_is_suppressed
            group by 1, 2, 3
            having sna.ed_assault_count <> round(count(ed.*) / 5.0) * 5
            """
        ).fetchall()
    assert mismatches == []
