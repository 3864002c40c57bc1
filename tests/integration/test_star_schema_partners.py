"""The star schema for education, youth justice, providers and the partnership, built by dbt
from the synthetic partnership (conftest's `built_warehouse`): grains, keys, foreign keys and
the derived measures the SNA relies on."""

from __future__ import annotations

import pytest
from conftest import BuiltWarehouse
from db import one as _one
from db import rows as _rows

pytestmark = pytest.mark.integration

# fact -> raw table whose rows it keeps one for one
ONE_ROW_PER_RAW_ROW = {
    "marts.fct_school_exclusion": "raw.education__suspensions_exclusions",
    "marts.fct_school_attendance": "raw.education__attendance",
    "marts.fct_youth_justice_outcome": "raw.youth_justice__offences_outcomes",
    "marts.fct_provision_session": "raw.providers__sessions_attendance",
    "marts.fct_workforce_training": "raw.providers__workforce_training",
    "marts.fct_action_plan_status": "raw.partnership__action_plan",
}
# (fact, column, dimension, dimension column): the foreign keys dbt's relationships tests check
FOREIGN_KEYS = [
    ("marts.fct_school_exclusion", "school_urn", "marts.dim_school", "school_urn"),
    ("marts.fct_school_attendance", "school_urn", "marts.dim_school", "school_urn"),
    ("marts.fct_school_exclusion", "start_date", "marts.dim_date", "date_day"),
    ("marts.fct_youth_justice_outcome", "outcome_date", "marts.dim_date", "date_day"),
    ("marts.fct_provision_session", "programme_key", "marts.dim_programme", "programme_key"),
    ("marts.fct_provision_session", "provider_key", "marts.dim_provider", "provider_key"),
    ("marts.fct_referral", "programme_key", "marts.dim_programme", "programme_key"),
    ("marts.fct_referral", "referral_source_agency_key", "marts.dim_agency", "agency_key"),
    ("marts.fct_action_plan_status", "owner_agency_key", "marts.dim_agency", "agency_key"),
    ("marts.dim_school", "district_code", "marts.dim_geography", "district_code"),
]


@pytest.mark.parametrize("fact", sorted(ONE_ROW_PER_RAW_ROW))
def test_fact_has_one_row_per_raw_row(built_warehouse: BuiltWarehouse, fact: str) -> None:
    url = built_warehouse.url
    raw = _one(url, f"select count(*) from {ONE_ROW_PER_RAW_ROW[fact]}")
    assert raw > 0
    assert _one(url, f"select count(*) from {fact}") == raw


def test_referral_fact_has_one_row_per_referral(built_warehouse: BuiltWarehouse) -> None:
    url = built_warehouse.url
    referrals, events = _rows(
        url, "select count(distinct referral_id), count(*) from raw.providers__referrals"
    )[0]
    assert events > referrals > 0  # the log holds several status events per referral
    assert _one(url, "select count(*) from marts.fct_referral") == referrals
    assert _one(url, "select sum(status_event_count) from marts.fct_referral") == events


@pytest.mark.parametrize(("fact", "column", "dim", "dim_column"), FOREIGN_KEYS)
def test_foreign_keys_are_filled(
    built_warehouse: BuiltWarehouse, fact: str, column: str, dim: str, dim_column: str
) -> None:
    # dbt's relationships tests fail the build on an orphan; a key that is always NULL passes
    # them, and would leave the dimension unused
    assert _one(built_warehouse.url, f"select count({column}) from {fact}") > 0


def test_persistent_absence_share_is_plausible(built_warehouse: BuiltWarehouse) -> None:
    share = _one(
        built_warehouse.url,
        "select avg(is_persistent_absence::int) from marts.fct_school_attendance"
        " where is_secondary_year",
    )
    assert 0.15 <= float(share) <= 0.30  # type: ignore[arg-type]
    # and it is what the definition says: 10% or more of possible sessions missed
    wrong = _one(
        built_warehouse.url,
        "select count(*) from marts.fct_school_attendance where is_persistent_absence"
        " <> (sessions_possible > 0 and sessions_missed * 10 >= sessions_possible)",
    )
    assert wrong == 0


def test_first_time_entrants_and_reoffending(built_warehouse: BuiltWarehouse) -> None:
    url = built_warehouse.url
    entrants, children_entering, informal_entrants = _rows(
        url,
        "select count(*) filter (where is_first_time_entrant),"
        " count(distinct child_key) filter (where is_first_time_entrant),"
        " count(*) filter (where is_first_time_entrant and not is_formal_outcome)"
        " from marts.fct_youth_justice_outcome",
    )[0]
    assert entrants > 0
    assert entrants == children_entering  # a child enters once
    assert informal_entrants == 0  # community resolutions and Outcome 22 never make an entrant
    # every child with a formal outcome has exactly one entry
    formal_children = _one(
        url,
        "select count(distinct child_key) from marts.fct_youth_justice_outcome"
        " where is_formal_outcome",
    )
    assert formal_children == children_entering
    # a reoffence is a later offence of the same child within 12 months of the outcome
    wrong = _one(
        url,
        "select count(*) from marts.fct_youth_justice_outcome f"
        " where is_reoffended_within_12_months <> exists"
        " (select 1 from marts.fct_youth_justice_outcome g"
        " where g.child_key = f.child_key and g.offence_date > f.outcome_date"
        " and g.offence_date <= f.outcome_date + interval '12 months')",
    )
    assert wrong == 0


def test_referral_sources_and_programmes(built_warehouse: BuiltWarehouse) -> None:
    url = built_warehouse.url
    sources = {r[0] for r in _rows(url, "select distinct referral_source from marts.fct_referral")}
    assert {"Early Help", "Police", "Youth Justice Service"} <= sources
    agencies = {
        r[0]
        for r in _rows(url, "select agency_name from marts.dim_agency where is_referral_source")
    }
    assert sources <= agencies
    tiers = {r[0] for r in _rows(url, "select distinct tier from marts.dim_programme")}
    assert tiers == {"Primary", "Secondary", "Tertiary"}
    # a referral's stage dates never run backwards
    backwards = _one(
        url,
        "select count(*) from marts.fct_referral where started_date < accepted_date"
        " or accepted_date < received_date",
    )
    assert backwards == 0


def test_exclusions_carry_reason_and_permanence(built_warehouse: BuiltWarehouse) -> None:
    rows = _rows(
        built_warehouse.url,
        "select count(*) filter (where reason_description is null or reason_description"
        " = 'Unknown reason'), count(*) filter (where is_permanent <> (category = 'PERM')),"
        " count(*) filter (where is_violence_related) from marts.fct_school_exclusion",
    )
    unknown, wrong_permanent, violent = rows[0]
    assert (unknown, wrong_permanent) == (0, 0)
    assert violent > 0


def test_action_plan_history_compares_snapshots(built_warehouse: BuiltWarehouse) -> None:
    url = built_warehouse.url
    snapshots = _one(url, "select count(distinct snapshot_date) from marts.fct_action_plan_status")
    assert snapshots >= 2
    # 'New' exactly on each action's first snapshot
    wrong = _one(
        url,
        "select count(*) from marts.fct_action_plan_status f where (rag_change = 'New')"
        " <> (snapshot_date = (select min(snapshot_date) from marts.fct_action_plan_status g"
        " where g.action_id = f.action_id))",
    )
    assert wrong == 0
