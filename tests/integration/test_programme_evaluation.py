"""The evaluation step on a built warehouse (the dashboards' 18 months, evaluated by the fixture as
the warehouse_build DAG does): results reach sna only as disclosure-controlled aggregates, one row
per programme and outcome, with intervals around every estimate."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
import yaml
from conftest import BuiltWarehouse

from svdw.evaluation.panel import OUTCOMES, read_panel
from svdw.transform import dbt_project_dir

pytestmark = pytest.mark.integration


def _rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


def _providers_suppress_up_to() -> int:
    project = yaml.safe_load((dbt_project_dir() / "dbt_project.yml").read_text())
    return int(project["vars"]["disclosure_control"]["providers"]["suppress_up_to"])


def test_every_programme_with_referrals_is_evaluated_on_every_outcome(
    dashboard_warehouse: BuiltWarehouse,
) -> None:
    url = dashboard_warehouse.url
    referred = {r[0] for r in _rows(url, "select distinct programme_name from marts.fct_referral")}
    rows = _rows(
        url,
        """
        select programme_name, outcome_code from sna.sna_programme_evaluation
        where design = 'Matched comparison group'
        """,
    )
    assert {p for p, _ in rows} == referred
    assert len(rows) == len(referred) * len(OUTCOMES) == len(set(rows))


def test_estimates_carry_intervals_and_verdicts_follow_them(
    dashboard_warehouse: BuiltWarehouse,
) -> None:
    rows = _rows(
        dashboard_warehouse.url,
        """
        select percent_change, percent_change_lower_95, percent_change_upper_95, verdict
        from sna.sna_programme_evaluation
        """,
    )
    estimated = [r for r in rows if r[0] is not None]
    assert estimated, "no programme had enough participants to estimate anything"
    for change, lower, upper, verdict in estimated:
        assert lower <= change <= upper
        if verdict == "reduced":
            assert upper < 0
        if verdict == "increased":
            assert lower > 0
        if verdict == "no detectable change":
            assert lower <= 0 <= upper


def test_small_participant_counts_are_withheld_with_their_estimates(
    dashboard_warehouse: BuiltWarehouse,
) -> None:
    up_to = _providers_suppress_up_to()
    rows = _rows(
        dashboard_warehouse.url,
        """
        select participant_count, participant_count_is_suppressed, percent_change, verdict
        from sna.sna_programme_evaluation
        """,
    )
    for count, suppressed, change, verdict in rows:
        if suppressed:
            assert count is None and change is None and verdict == "too few to tell"
        else:
            assert count == 0 or count > up_to


def test_no_person_level_column_reaches_sna(dashboard_warehouse: BuiltWarehouse) -> None:
    columns = {
        r[0]
        for r in _rows(
            dashboard_warehouse.url,
            """
            select column_name from information_schema.columns
            where table_schema = 'sna'
                and table_name in ('sna_programme_evaluation', 'sna_programme_balance')
            """,
        )
    }
    assert columns and not {c for c in columns if "person" in c or c.endswith("_id")}


def test_the_panel_reads_referrals_and_contacts_from_the_marts(
    dashboard_warehouse: BuiltWarehouse,
) -> None:
    panel = read_panel(dashboard_warehouse.url)
    assert panel.last_month - panel.first_month >= 12  # 18 months, whole ones
    assert set(panel.events["outcome"]) >= {"police_contact", "youth_justice_outcome"}
    referred = set(panel.referrals["person_id"])
    assert referred and referred <= set(panel.people["person_id"])
