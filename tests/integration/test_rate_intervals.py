"""published_rate_interval, compiled by dbt and run in the real Postgres, against known results:
Byar's limits within 0.2% of the exact Poisson limits (chi-squared quantiles from scipy) for
counts of 10 or more, as PHE's "Technical Guide: Confidence Intervals" (2018, appendix 1) states,
and Wilson's limits equal to statsmodels' proportion_confint(method="wilson"); NULL exactly when
published_rate is NULL."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from dbt_inline import run_inline
from scipy.stats import chi2
from statsmodels.stats.proportion import proportion_confint

pytestmark = pytest.mark.integration

POPULATION = 250_000
# 0 and 9 fall under the minimum of 10 events; 10 is the smallest published count
COUNTS = [0, 1, 9, 10, 11, 25, 100, 389, 1000, 25_000, 123_456]
PROPORTIONS = [(10, 10), (10, 40), (12, 1000), (500, 1000), (990, 1000), (25_000, 40_000)]

RATE_ARGS = "'o', 'n', per=100000, decimals=6, precision=20, family='police'"
PROPORTION_ARGS = "'o', 'n', method='wilson', per=1, decimals=8, precision=20, family='police'"


def columns(args: str, rate_args: str) -> str:
    """The rate and its two limits as a sna model writes them."""
    return (
        f"{{{{ published_rate({rate_args}) }}}} as rate, "
        f"{{{{ published_rate_interval({args}, bound='lower') }}}} as lower_95, "
        f"{{{{ published_rate_interval({args}, bound='upper') }}}} as upper_95"
    )


def values(rows: list[tuple[int, int]]) -> str:
    return ", ".join(f"({o}, {n})" for o, n in rows)


def run(url: str, target: Path, select_list: str, rows: list[tuple[int, int]]) -> list[tuple]:
    inline = (
        f"select o, n, {select_list} from (values {values(rows)}) as cases (o, n) order by o, n"
    )
    return run_inline(url, target, inline)


@pytest.fixture(scope="module")
def database(make_database: Callable[[str], str]) -> str:
    return make_database("intervals")


def exact_poisson(count: int, z_share: float) -> tuple[float, float]:
    """Exact (Garwood) limits of a Poisson count from chi-squared quantiles."""
    lower = chi2.ppf(z_share / 2, 2 * count) / 2 if count else 0.0
    return lower, chi2.ppf(1 - z_share / 2, 2 * count + 2) / 2


def test_byar_limits_are_within_0_2_percent_of_the_exact_poisson_limits(
    database: str, tmp_path: Path
) -> None:
    rate_args = RATE_ARGS
    found = run(
        database, tmp_path, columns(rate_args, rate_args), [(o, POPULATION) for o in COUNTS]
    )
    assert [row[0] for row in found] == COUNTS
    for count, _n, rate, lower, upper in found:
        if count < 10:
            assert (rate, lower, upper) == (None, None, None), count
            continue
        exact_lower, exact_upper = (x * 100_000 / POPULATION for x in exact_poisson(count, 0.05))
        assert float(lower) == pytest.approx(exact_lower, rel=0.002), count
        assert float(upper) == pytest.approx(exact_upper, rel=0.002), count
        assert lower < rate < upper
    # the approximation closes on the exact limits as counts grow (1e-5 at 1,000)
    large = {row[0]: row for row in found}[25_000]
    assert float(large[3]) == pytest.approx(exact_poisson(25_000, 0.05)[0] * 0.4, rel=1e-5)


def test_byar_at_99_8_percent_and_a_count_of_0_never_go_below_0(
    database: str, tmp_path: Path
) -> None:
    args = "'o', 'n', per=1, decimals=6, precision=20, min_events=0, family='police', z=3.09"
    found = run(
        database,
        tmp_path,
        columns(args, "'o', 'n', per=1, min_events=0, family='police'"),
        [(0, 1), (1, 1), (10, 1), (100, 1)],
    )
    by_count = {row[0]: row for row in found}
    assert by_count[0][3] == 0 and by_count[1][3] == 0  # Byar's cube is negative there
    # z = 3.09 is the 99.8% quantile: exact limits of 100 events within 0.2%
    exact_lower, exact_upper = exact_poisson(100, 0.002)
    assert float(by_count[100][3]) == pytest.approx(exact_lower, rel=0.002)
    assert float(by_count[100][4]) == pytest.approx(exact_upper, rel=0.002)


def test_wilson_limits_equal_statsmodels(database: str, tmp_path: Path) -> None:
    found = run(
        database,
        tmp_path,
        columns(PROPORTION_ARGS, "'o', 'n', per=1, decimals=8, precision=20, family='police'"),
        PROPORTIONS,
    )
    assert len(found) == len(PROPORTIONS)
    for count, n, rate, lower, upper in found:
        expected_lower, expected_upper = proportion_confint(count, n, alpha=0.05, method="wilson")
        # statsmodels takes z = 1.959964; the macro the conventional 1.96
        assert float(lower) == pytest.approx(expected_lower, abs=2e-5), (count, n)
        assert float(upper) == pytest.approx(expected_upper, abs=2e-5), (count, n)
        assert lower <= rate <= upper


def test_wilson_limits_match_newcombes_published_examples(database: str, tmp_path: Path) -> None:
    """Newcombe RG (1998), "Two-sided confidence intervals for the single proportion: comparison
    of seven methods", Statistics in Medicine 17:857-872, table II, method 3 (Wilson score):
    81 of 263 gives 0.2553 to 0.3662 and 15 of 148 gives 0.0624 to 0.1605."""
    found = run(
        database,
        tmp_path,
        columns(PROPORTION_ARGS, "'o', 'n', per=1, family='police'"),
        [(15, 148), (81, 263)],
    )
    published = {15: ("0.0624", "0.1605"), 81: ("0.2553", "0.3662")}
    for count, _n, _rate, lower, upper in found:
        assert (round(lower, 4), round(upper, 4)) == tuple(map(Decimal, published[count]))


def test_rounded_health_counts_give_the_limits_of_the_rounded_count(
    database: str, tmp_path: Path
) -> None:
    """13 rounds to 15 (NHS rounding to 5): a Byar interval of 15 events, and a Wilson interval
    of 13 of 13 taken as the whole (15 of 13 would be a square root of a negative number)."""
    byar = "'o', 'n', per=1, decimals=6, precision=20, family='health'"
    wilson = "'o', 'n', method='wilson', per=100, decimals=4, precision=20, family='health'"
    (row,) = run(database, tmp_path / "byar", columns(byar, byar), [(13, 1)])
    assert float(row[3]) == pytest.approx(exact_poisson(15, 0.05)[0], rel=0.002)
    assert float(row[4]) == pytest.approx(exact_poisson(15, 0.05)[1], rel=0.002)
    (row,) = run(
        database,
        tmp_path / "wilson",
        columns(wilson, wilson.replace(", method='wilson'", "")),
        [(13, 13)],
    )
    expected_lower, _ = proportion_confint(13, 13, method="wilson")
    assert float(row[3]) == pytest.approx(expected_lower * 100, abs=1e-3)
    assert row[4] == Decimal("100.0000")


def test_withheld_counts_have_no_interval(database: str, tmp_path: Path) -> None:
    args = "'o', 'n', withheld=['o = 50'], family='police'"
    found = run(database, tmp_path, columns(args, args), [(50, 1000), (60, 1000)])
    assert found[0][2:] == (None, None, None)
    assert all(value is not None for value in found[1][2:])
