"""Person linkage and the provision, referral, cohort and action plan SNA marts, on the 3-month
synthetic warehouse (conftest's `built_warehouse`): identifiers seen together resolve to one
dim_person row, every fact's person column joins to it, and the marts hold what 3 months allow."""

from __future__ import annotations

import pytest
from conftest import BuiltWarehouse
from db import scalar

pytestmark = pytest.mark.integration


def test_dim_person_has_one_row_per_resolved_person(built_warehouse: BuiltWarehouse) -> None:
    url = built_warehouse.url
    assert scalar(
        url,
        "select count(distinct person_key) from intermediate.int_person_resolved",
    ) == scalar(url, "select count(*) from marts.dim_person")
    assert (
        scalar(
            url,
            "select count(*) from intermediate.int_person_resolved where not is_resolution_stable",
        )
        == 0
    )


def test_youth_justice_and_police_share_a_person_through_the_pnc_id(
    built_warehouse: BuiltWarehouse,
) -> None:
    # the same PNC id hash in both sources must give the same person: linked, and never split
    pairs = """
        from marts.fct_youth_justice_outcome as yj
        inner join marts.fct_police_force_crime as police
            on yj.pnc_key = police.suspect_pnc_key
    """
    assert scalar(built_warehouse.url, f"select count(*) {pairs}") > 0
    assert (
        scalar(
            built_warehouse.url,
            f"select count(*) {pairs} where yj.person_key <> police.suspect_person_key",
        )
        == 0
    )


def test_referrals_reach_other_sources(built_warehouse: BuiltWarehouse) -> None:
    # a referral's NHS number and UPN lead to records in other sources for some young people
    assert (
        scalar(
            built_warehouse.url,
            "select count(*) from marts.dim_person where is_referred and linked_source_count > 1",
        )
        > 0
    )


@pytest.mark.parametrize(
    "model", ["sna_provision_vs_need", "sna_referral_funnel", "sna_action_plan_status"]
)
def test_provision_marts_have_rows(built_warehouse: BuiltWarehouse, model: str) -> None:
    assert scalar(built_warehouse.url, f"select count(*) from sna.{model}") > 0


def test_cohort_outcomes_wait_for_a_complete_follow_up_year(
    built_warehouse: BuiltWarehouse,
) -> None:
    # three months of data hold no referral with a complete 12-month after-window
    assert scalar(built_warehouse.url, "select count(*) from sna.sna_cohort_outcomes") == 0
    assert scalar(built_warehouse.url, "select count(*) from marts.fct_referral") > 0
