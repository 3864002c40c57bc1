"""The two ED feeds: ISTV (ISB 1594, anonymised) always, the identifiable ED feed only where the
partnership has a legal basis for it. A build with ISTV and no identifiable feed succeeds and
publishes every ISTV figure; the outputs that need the patient (home area, age, person) have no
ED rows. With the identifiable feed, the same outputs have ED rows."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from conftest import BuiltWarehouse, build_synthetic_warehouse

pytestmark = pytest.mark.integration

IDENTIFIABLE = "health_ed_attendances_identifiable"

# (what, SQL counting the ED rows of an output that needs the identifiable feed)
NEEDS_IDENTIFIABLE = [
    (
        "identified attendances",
        "select count(*) from marts.fct_ed_assault_attendance where is_identified",
    ),
    (
        "person linkage",
        "select count(*) from intermediate.int_person_identifiers where source_name = 'ed'",
    ),
    (
        "ED by home district",
        "select count(*) from sna.sna_health_assaults_month where measure_code like 'ed_%'",
    ),
    ("ED against police", "select count(*) from sna.sna_ed_vs_police"),
    (
        "ED outcomes of cohorts",
        "select count(*) from sna.sna_cohort_outcomes where outcome_code = 'ed_assault_attendance'",
    ),
]


@pytest.fixture(scope="module")
def istv_only_warehouse(
    make_database: Callable[[str], str],
    synthetic_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> BuiltWarehouse:
    """The synthetic partnership without the identifiable ED feed."""
    partnership = tmp_path_factory.mktemp("istv_only") / "partnership"
    shutil.copytree(synthetic_dir, partnership, ignore=shutil.ignore_patterns(IDENTIFIABLE))
    assert not list(partnership.rglob(f"{IDENTIFIABLE}/*.csv"))
    return build_synthetic_warehouse(make_database("istv_only"), partnership)


def counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        result = {}
        for what, query in NEEDS_IDENTIFIABLE:
            row = conn.execute(query).fetchone()
            assert row is not None
            result[what] = int(row[0])
        return result


def test_without_the_identifiable_feed_istv_builds_and_patient_outputs_are_empty(
    istv_only_warehouse: BuiltWarehouse,
) -> None:
    with psycopg.connect(istv_only_warehouse.url) as conn:
        attendances, sharp = conn.execute(
            "select count(*), count(*) filter (where is_sharp_object)"
            " from marts.fct_ed_assault_attendance"
        ).fetchone() or (0, 0)
        patients = conn.execute(
            "select count(*) from marts.fct_ed_assault_attendance"
            " where person_key is not null or home_lsoa_code is not null"
            " or patient_age is not null"
        ).fetchone()
        admissions = conn.execute(
            "select count(*) from sna.sna_health_assaults_month"
            " where measure_code like '%admission'"
        ).fetchone()
    assert attendances > 0 and sharp > 0, "every ISTV attendance is in the fact"
    assert patients == (0,), "ISTV carries no patient details"
    assert admissions and admissions[0] > 0, "the other health figures are still published"
    assert counts(istv_only_warehouse.url) == {what: 0 for what, _ in NEEDS_IDENTIFIABLE}


def test_with_the_identifiable_feed_patient_outputs_have_ed_rows(
    built_warehouse: BuiltWarehouse,
) -> None:
    found = counts(built_warehouse.url)
    # cohorts need 12 months of follow-up, which the short synthetic build does not have
    found.pop("ED outcomes of cohorts")
    assert all(found.values()), found
    with psycopg.connect(built_warehouse.url) as conn:
        share = conn.execute(
            "select avg(is_identified::int) from marts.fct_ed_assault_attendance"
        ).fetchone()
    assert share and share[0] > 0.95, "nearly every ISTV attendance links to its patient row"
