"""The funnel plot limits and the XmR chart rules, compiled by dbt and run in the real Postgres on
planted values: funnel limits against the exact Poisson limits around the expected count (scipy's
chi-squared quantiles; Spiegelhalter 2005), positions of planted counts, and Making Data Count's
special-cause rules on planted series (a shift, a trend, a spike must flag; a flat noisy series and
runs one point short of a rule must not)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest
from dbt_inline import compile_inline
from scipy.stats import chi2

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def database(make_database: Callable[[str], str]) -> str:
    return make_database("funnel_spc")


def run(url: str, target: Path, inline: str) -> list[dict[str, Any]]:
    query = compile_inline(url, target, inline)
    with psycopg.connect(url) as conn:
        cursor = conn.execute(query)
        names = [column.name for column in cursor.description or []]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_funnel_limits_are_the_exact_poisson_limits_around_the_expected_count(
    database: str, tmp_path: Path
) -> None:
    # a partnership rate of 10 per 1,000: expected counts of 20, 100 and 1,000
    select = ", ".join(
        f"{{{{ funnel_limit('0.01', 'population', '{bound}', {z}) }}}} as {bound}_{name}"
        for bound in ("lower", "upper")
        for z, name in ((1.96, "95"), (3.0902, "998"))
    )
    rows = run(
        database,
        tmp_path,
        f"select population, {select} from (values (2000), (10000), (100000)) as p (population)",
    )
    assert len(rows) == 3
    for row in rows:
        expected = 0.01 * row["population"]
        per_1000 = 1000 / row["population"]
        for name, share in (("95", 0.05), ("998", 0.002)):
            exact_lower = chi2.ppf(share / 2, 2 * expected) / 2 * per_1000
            exact_upper = chi2.ppf(1 - share / 2, 2 * expected + 2) / 2 * per_1000
            # Byar: within 0.2% at 95% for counts of 10 or more, within 0.4% at 99.8% from 20
            tolerance = 0.002 if name == "95" else 0.004
            assert float(row[f"lower_{name}"]) == pytest.approx(exact_lower, rel=tolerance)
            assert float(row[f"upper_{name}"]) == pytest.approx(exact_upper, rel=tolerance)
        # the funnel narrows: the 99.8% limits lie outside the 95% ones
        assert row["lower_998"] < row["lower_95"] < 10 < row["upper_95"] < row["upper_998"]


def test_funnel_positions_of_planted_counts(database: str, tmp_path: Path) -> None:
    """Expected 100 events (10,000 people at 10 per 1,000): exact 95% limits 81.4 to 121.6,
    99.8% limits 71.9 to 134.9."""
    planted = {
        100: "within 95% limits",
        121: "within 95% limits",
        125: "above 95% limit",
        140: "above 99.8% limit",
        78: "below 95% limit",
        65: "below 99.8% limit",
    }
    values = ", ".join(f"({count})" for count in planted)
    rows = run(
        database,
        tmp_path,
        "select events, {{ funnel_position('events', '10000', '0.01') }} as position"
        f" from (values {values}) as planted (events)",
    )
    assert {row["events"]: row["position"] for row in rows} == planted


# Series of 24 months. Common-cause noise alternates around its level, so it never runs 7 on one
# side nor rises 6 times in a row, and stays well inside two sigma.
NOISE = [3, -2, 4, -3, 1, -4, 2, -1, 3, -3, 2, -2]
FLAT = [100 + step for step in NOISE + NOISE[::-1]]
SHIFT = [100 + step for step in NOISE] + [130 + step for step in NOISE]
# 7 points rising one after another through the mean (months 8 to 14), noise around them
AFTER = [97, 103, 98, 101, 96, 102, 99, 104, 97, 101]
TREND = [100 + step for step in NOISE[:8]] + [96, 97, 98, 99, 100, 101, 102] + AFTER[:9]
# only 6 rising points: one short of a trend
ALMOST_TREND = [100 + step for step in NOISE[:8]] + [97, 98, 99, 100, 101, 102] + AFTER
SPIKE = [*FLAT[:10], 160, *FLAT[11:]]
# 6 months above the mean, one short of a shift
ALMOST_SHIFT = [103, 97] * 3 + [102] * 6 + [97, 103] * 6
SERIES = {
    "flat": FLAT,
    "shift": SHIFT,
    "trend": TREND,
    "almost_trend": ALMOST_TREND,
    "spike": SPIKE,
    "almost_shift": ALMOST_SHIFT,
}


@pytest.fixture(scope="module")
def chart(database: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict]]:
    values = ", ".join(
        f"('{name}', {month}, {value})"
        for name, series in SERIES.items()
        for month, value in enumerate(series)
    )
    relation = f"(select * from (values {values}) as s (series, month, events))"
    rows = run(
        database,
        tmp_path_factory.mktemp("xmr"),
        f"select * from ({{{{ xmr_chart(\"{relation}\", ['series'], 'month', 'events') }}}})"
        " as chart order by series, month",
    )
    by_series: dict[str, list[dict]] = {}
    for row in rows:
        by_series.setdefault(row["series"], []).append(row)
    return by_series


def flagged(rows: list[dict], flag: str) -> list[int]:
    return [row["month"] for row in rows if row[flag]]


def test_process_limits_are_mean_plus_or_minus_2_66_mean_moving_ranges(
    chart: dict[str, list[dict]],
) -> None:
    rows = chart["spike"]
    mean = sum(SPIKE) / len(SPIKE)
    mean_range = sum(abs(b - a) for a, b in itertools.pairwise(SPIKE)) / (len(SPIKE) - 1)
    assert float(rows[0]["process_mean"]) == pytest.approx(mean)
    assert float(rows[0]["upper_process_limit"]) == pytest.approx(mean + 2.66 * mean_range)
    assert float(rows[0]["lower_process_limit"]) == pytest.approx(mean - 2.66 * mean_range)
    assert rows[0]["moving_range"] is None and rows[0]["points_in_series"] == 24


def test_a_flat_noisy_series_shows_common_cause_only(chart: dict[str, list[dict]]) -> None:
    for name in ("flat", "almost_trend", "almost_shift"):
        assert {row["special_cause"] for row in chart[name]} == {"common cause"}, name


def test_a_planted_shift_flags_every_point_of_both_runs(chart: dict[str, list[dict]]) -> None:
    rows = chart["shift"]
    assert flagged(rows, "is_shift") == list(range(24))
    assert {row["special_cause"] for row in rows[12:]} == {"special cause: higher"}
    assert {row["special_cause"] for row in rows[:12]} == {"special cause: lower"}


def test_a_planted_trend_of_seven_rising_points_flags_those_seven(
    chart: dict[str, list[dict]],
) -> None:
    rows = chart["trend"]
    assert flagged(rows, "is_trend") == list(range(8, 15))
    assert {rows[month]["special_cause"] for month in range(8, 15)} == {"special cause: higher"}


def test_a_planted_spike_is_outside_the_limits(chart: dict[str, list[dict]]) -> None:
    rows = chart["spike"]
    assert flagged(rows, "is_outside_limits") == [10]
    assert rows[10]["special_cause"] == "special cause: higher"
    assert flagged(rows, "is_shift") == [] and flagged(rows, "is_trend") == []
