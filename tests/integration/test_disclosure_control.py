"""Disclosure control holds on any table: random tables of many areas and months (1-3 groupings,
small random counts, police and health families) go through the real macros (compiled once by
dbt) in the real Postgres. No withheld cell may be recoverable from a published total of any
grouping, no published count may be in its family's withheld range, and health counts must be
multiples of 5."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
import yaml
from dbt_inline import compile_inline
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from svdw.transform import dbt_project_dir

pytestmark = pytest.mark.integration

DIMENSIONS = ["area", "month", "band"]
# the groupings a reader could add up, as the sna models declare them (1, 2 or 3 of them)
GROUPINGS: dict[int, list[list[str]]] = {
    1: [["month"]],
    2: [["month"], ["area"]],
    3: [["month", "band"], ["area", "band"], ["area", "month"]],
}
FAMILIES = ["police", "health"]
SPLIT = "-- next query --"


def family_rules() -> dict[str, dict[str, Any]]:
    """The rules as dbt_project.yml declares them (the test checks the declared rules)."""
    project = yaml.safe_load((dbt_project_dir() / "dbt_project.yml").read_text())
    rules: dict[str, dict[str, Any]] = project["vars"]["disclosure_control"]
    return rules


def variants() -> list[tuple[str, int]]:
    return [(family, size) for family in FAMILIES for size in sorted(GROUPINGS)]


def protected_query(family: str, size: int) -> str:
    """The macros as a sna model calls them, on the table pbt.cells."""
    groupings, tiebreak = json.dumps(GROUPINGS[size]), json.dumps(DIMENSIONS)
    return (
        f"select *, {{{{ published_count('events', 'is_suppressed', family='{family}') }}}}"
        f" as published from ({{{{ suppress_small_counts('pbt.cells', 'events',"
        f" groupings={groupings}, tiebreak={tiebreak}, family='{family}') }}}}) as protected"
    )


def compile_queries(url: str, target: Path) -> dict[tuple[str, int], str]:
    """One dbt invocation compiles the macros for every (family, number of groupings)."""
    inline = f"\n{SPLIT}\n".join(protected_query(family, size) for family, size in variants())
    compiled = compile_inline(url, target, inline)
    return dict(zip(variants(), compiled.split(SPLIT), strict=True))


@dataclass(frozen=True)
class Protection:
    url: str
    queries: dict[tuple[str, int], str] = field(repr=False)


@pytest.fixture(scope="module")
def protection(
    make_database: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> Protection:
    url = make_database("disclosure")
    with psycopg.connect(url) as conn:
        conn.execute("create schema pbt")
        conn.execute("create table pbt.cells (area text, month date, band text, events integer)")
    return Protection(url=url, queries=compile_queries(url, tmp_path_factory.mktemp("dbt_target")))


# A raw draw from 0 to 999 becomes a small count (0-9) with probability `small_share`, else a
# large one. Sparse small counts are the hard case: each withheld cell must find a partner, and
# the partner withheld for one grouping leaves a new lone cell in another, in long chains.
RAW_COUNTS = st.integers(min_value=0, max_value=999)
SMALL_SHARES = st.sampled_from([0.02, 0.05, 0.15, 0.4, 0.8])


def count_from(raw: int, small_share: float) -> int:
    return raw % 10 if raw < small_share * 1000 else 10 + raw % 300


@st.composite
def tables(draw: st.DrawFn) -> tuple[str, int, list[tuple[str, date, str, int]]]:
    family = draw(st.sampled_from(FAMILIES))
    size = draw(st.sampled_from(sorted(GROUPINGS)))
    areas = draw(st.integers(min_value=1, max_value=40))
    months = draw(st.integers(min_value=1, max_value=24))
    bands = draw(st.integers(min_value=1, max_value=3))
    cells = areas * months * bands
    share = draw(SMALL_SHARES)
    counts = [
        count_from(raw, share) for raw in draw(st.lists(RAW_COUNTS, min_size=cells, max_size=cells))
    ]
    # a few cells missing from the grid: groups of unequal sizes, as in real extracts
    missing = draw(st.sets(st.integers(min_value=0, max_value=cells - 1), max_size=cells // 10))
    rows = []
    index = 0
    for area in range(areas):
        for month in range(months):
            for band in range(bands):
                if index not in missing:
                    start = date(2023 + month // 12, month % 12 + 1, 1)
                    rows.append((f"a{area:03d}", start, f"b{band}", counts[index]))
                index += 1
    return family, size, rows


def group_key(row: dict[str, Any], grouping: list[str]) -> tuple[Any, ...]:
    return tuple(row[column] for column in grouping)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)
@given(table=tables())
def test_no_withheld_cell_can_be_recovered(protection: Protection, table: tuple) -> None:
    family, size, rows = table
    rule = family_rules()[family]
    with psycopg.connect(protection.url) as conn:
        conn.execute("truncate pbt.cells")
        with conn.cursor().copy("copy pbt.cells (area, month, band, events) from stdin") as copy:
            for row in rows:
                copy.write_row(row)
        cursor = conn.execute(protection.queries[(family, size)])
        names = [column.name for column in cursor.description or []]
        result = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
        conn.rollback()

    assert len(result) == len(rows), "every cell is published, withheld or not"
    assert_protected(result, family, rule, GROUPINGS[size])


def assert_protected(
    result: list[dict[str, Any]],
    family: str,
    rule: dict[str, Any],
    groupings: list[list[str]],
    public: Callable[[dict[str, Any]], bool] = lambda row: False,
) -> None:
    """Primary and secondary suppression and rounding hold for every cell and grouping."""
    up_to = int(rule["suppress_up_to"])
    base = int(rule["rounding_base"])

    for row in result:
        if public(row):
            continue
        if 1 <= row["events"] <= up_to:
            assert row["is_suppressed"], f"primary: a count of {row['events']} is published"
        if row["is_suppressed"]:
            assert row["published"] is None, "a withheld cell shows a number"
        else:
            published = row["published"]
            assert published is not None
            assert not 1 <= published <= up_to, f"{family}: published {published} is withheld range"
            assert published % base == 0, f"{family}: {published} not rounded to {base}"
            assert abs(published - row["events"]) * 2 <= base, "rounded to the nearest multiple"

    for grouping in groupings:
        withheld: dict[tuple[Any, ...], int] = defaultdict(int)
        members: dict[tuple[Any, ...], int] = defaultdict(int)
        for row in result:
            key = group_key(row, grouping)
            members[key] += 1
            withheld[key] += bool(row["is_suppressed"])
        lone = [key for key, count in withheld.items() if count == 1 and members[key] > 1]
        assert not lone, (
            f"{family}: a withheld cell recoverable from the total of {grouping} {lone[0]}"
        )


def test_publishable_public_cells_are_published_and_the_rest_protected(
    protection: Protection, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A count the partnership declares already public (here area a0's band b0, as homicide at
    county level can be) is published however small, never withheld to protect another cell;
    the other cells are still protected around it."""
    rule = {"suppress_up_to": 4, "publishable_public": [{"area": "a0", "band": "b0"}]}
    # the whole project compiles with these vars: every other family keeps its declared rule
    dbt_vars = json.dumps({"disclosure_control": {**family_rules(), "police": rule}})
    groupings = [["band"], ["area"]]
    inline = (
        "select *, {{ published_count('events', 'is_suppressed', family='police') }} as published"
        " from ({{ suppress_small_counts('pbt.cells', 'events', groupings="
        + json.dumps(groupings)
        + ", tiebreak=['area', 'band'], family='police') }}) as protected"
    )
    query = compile_inline(protection.url, tmp_path_factory.mktemp("public"), inline, dbt_vars)
    # area x band: a0's b0 is public (2); a0's b1 (3) is withheld and needs partners
    counts = {"b0": [2, 30, 25], "b1": [3, 40, 35], "b2": [50, 45, 60]}
    rows = [
        (f"a{area}", date(2024, 1, 1), band, values[area])
        for band, values in counts.items()
        for area in range(3)
    ]
    with psycopg.connect(protection.url) as conn:
        conn.execute("truncate pbt.cells")
        with conn.cursor().copy("copy pbt.cells (area, month, band, events) from stdin") as copy:
            for row in rows:
                copy.write_row(row)
        cursor = conn.execute(query)
        names = [column.name for column in cursor.description or []]
        result = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
        conn.rollback()

    def is_public(row: dict[str, Any]) -> bool:
        return bool(row["area"] == "a0" and row["band"] == "b0")

    public = [row for row in result if is_public(row)]
    assert [(row["published"], row["is_suppressed"]) for row in public] == [(2, False)]
    withheld = {(row["area"], row["band"]) for row in result if row["is_suppressed"]}
    assert ("a0", "b1") in withheld
    assert_protected(result, "police", {**rule, "rounding_base": 1}, groupings, is_public)
