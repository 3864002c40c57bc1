"""The repeat places and people models on a warehouse built from the synthetic partnership with
planted people and a planted venue (tests/repeat_deliveries.py): a victim of 3 violent crimes
in 12 months is a repeat victim and a victim of 1 is not; spellings of one venue are ranked as
one; no withheld count of people can be recovered from a district's published total."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from conftest import build_synthetic_warehouse
from db import rows, scalar
from repeat_deliveries import PlantedPartnership, plant_repeats

from svdw.pseudonymise import keyed_hash, pseudonym_key

pytestmark = pytest.mark.integration

# Only what the tests read, and its parents: a fraction of the whole project's build.
MODELS = ["+int_person_resolved", "+int_person_repeats", "+sna_repeat_people", "+sna_ed_venues"]


@pytest.fixture(scope="module")
def planted(
    make_database: Callable[[str], str],
    synthetic_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[str, PlantedPartnership]:
    partnership = plant_repeats(synthetic_dir, tmp_path_factory.mktemp("planted") / "partnership")
    url = make_database("repeats")
    build_synthetic_warehouse(url, partnership.directory, select=MODELS)
    return url, partnership


def _police_victims(columns: str) -> str:
    """A query for these columns of int_person_repeats, for the people the force knows by the
    pseudonymised ids given as its one parameter."""
    return f"""
        select {columns}
        from intermediate.int_person_resolved as resolved
        inner join intermediate.int_person_repeats as repeats
            on resolved.person_key = repeats.person_key
        where resolved.identifier_type = 'police_nominal'
            and resolved.identifier_key = any(%s)
        """


def _hashed(victim_ids: list[str]) -> list[str]:
    key = pseudonym_key()
    return [keyed_hash(key, victim) for victim in victim_ids]


def _occasions(url: str, victim_ids: list[str]) -> list[tuple[int, bool]]:
    """(victim occasions, is repeat victim) of the people the force knows by these ids."""
    return rows(
        url,
        _police_victims("repeats.victim_occasions, repeats.is_repeat_victim"),
        (_hashed(victim_ids),),
    )


def test_three_violent_crimes_in_12_months_make_a_repeat_victim(planted) -> None:
    url, partnership = planted
    found = _occasions(url, partnership.repeat_victim_ids)
    assert found == [(3, True)] * len(partnership.repeat_victim_ids)


def test_one_violent_crime_does_not_make_a_repeat_victim(planted) -> None:
    url, partnership = planted
    found = _occasions(url, partnership.single_victim_ids)
    assert found == [(1, False)] * len(partnership.single_victim_ids)


def test_published_repeat_victims_of_the_district_count_the_planted_people(planted) -> None:
    # the district's 'All' row is the repeat victims of int_person_repeats there, rounded to 5
    # (the measure includes ED data, so the health rule applies), and the planted ten are in it
    url, partnership = planted
    with psycopg.connect(url) as conn:
        district = rows(
            conn,
            _police_victims("distinct repeats.district_code"),
            (_hashed(partnership.repeat_victim_ids),),
        )
        assert len(district) == 1 and district[0][0] is not None
        (district_code,) = district[0]
        repeat_victims = scalar(
            conn,
            "select count(*) from intermediate.int_person_repeats"
            " where is_repeat_victim and district_code = %s",
            (district_code,),
        )
        published = rows(
            conn,
            "select person_count, person_count_is_suppressed from sna.sna_repeat_people"
            " where measure_code = 'repeat_victim' and breakdown = 'all' and district_code = %s",
            (district_code,),
        )
    assert repeat_victims >= len(partnership.repeat_victim_ids)
    assert published == [(round(repeat_victims / 5) * 5, False)]


def test_spellings_of_one_venue_are_ranked_as_one(planted) -> None:
    url, partnership = planted
    found = rows(
        url,
        "select venue_name, venue_rank, assault_count from sna.sna_ed_venues"
        " where site_code = %s and row_type = 'venue' and venue_name like %s",
        (partnership.venue_site, "%dragon%"),
    )
    # 40 attendances (health rule: published rounded to the nearest 5), more than any other place
    assert found == [("bell and dragon", 1, partnership.venue_attendances)]


def test_no_withheld_count_of_people_can_be_recovered_from_the_all_row(planted) -> None:
    # The age bands of a district add up to its 'All' row, and so do its sexes: a reader who
    # subtracts the published cells of a set from a published 'All' learns a withheld cell
    # exactly when it is the only one withheld in that set. The dbt test groups by breakdown
    # only; this checks each set together with its total, as a reader would add them.
    url, _ = planted
    for column in ("person_count", "base_count"):
        recoverable = rows(
            url,
            f"""
            with sets as (
                select measure_code, district_code, breakdown as set_name,
                    count(*) filter (where {column}_is_suppressed) as withheld
                from sna.sna_repeat_people
                where breakdown in ('age_band', 'sex')
                group by measure_code, district_code, breakdown
            )
            select sets.measure_code, sets.district_code, sets.set_name
            from sets
            inner join sna.sna_repeat_people as total
                on total.measure_code = sets.measure_code
                and total.district_code = sets.district_code
                and total.breakdown = 'all'
            where sets.withheld = 1 and not total.{column}_is_suppressed
            """,
        )
        assert recoverable == [], f"{column}: a withheld cell equals 'All' minus the others"
    withheld = scalar(
        url, "select count(*) from sna.sna_repeat_people where person_count_is_suppressed"
    )
    assert withheld > 0, "nothing was withheld: the check above proved nothing"
