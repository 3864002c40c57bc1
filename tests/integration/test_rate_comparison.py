"""rate_ratio_columns, compiled by dbt and run in the real Postgres: the rate ratio and its 95%
interval equal statsmodels' confint_poisson_2indep(method="wald-log") (log rate ratio, standard
error sqrt(1/a + 1/b)), and the significance flag agrees with scipy's exact conditional test
(the count of one period given the total is binomial under no change: binomtest) on examples
away from the 5% border."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from dbt_inline import run_inline
from scipy.stats import binomtest
from statsmodels.stats.rates import confint_poisson_2indep

pytestmark = pytest.mark.integration

# (count, person-years, comparison count, comparison person-years, expected direction)
EXAMPLES = [
    (30, 100_000, 15, 100_000, "significant increase"),
    (100, 100_000, 140, 100_000, "significant decrease"),
    (50, 100_000, 45, 100_000, "no significant change"),
    # a part year (half the person-years) against a whole one
    (20, 50_000, 25, 100_000, "no significant change"),
    (1100, 100_000, 1000, 100_000, "significant increase"),
    (12, 100_000, 30, 100_000, "significant decrease"),
]


def compiled(url: str, target: Path, rows: str, withheld: str = "") -> list[tuple]:
    inline = (
        "select a, b, {{ rate_ratio_columns('change', 'a', 'pa', 'b', 'pb', family='police'"
        f"{withheld}) }}}} from (values {rows}) as cases (a, pa, b, pb, withheld) order by a, b"
    )
    return run_inline(url, target, inline)


@pytest.fixture(scope="module")
def database(make_database: Callable[[str], str]) -> str:
    return make_database("rate_ratio")


def test_rate_ratio_interval_and_significance_against_statsmodels_and_scipy(
    database: str, tmp_path: Path
) -> None:
    rows = ", ".join(f"({a}, {pa}, {b}, {pb}, false)" for a, pa, b, pb, _ in EXAMPLES)
    found = {(row[0], row[1]): row[2:] for row in compiled(database, tmp_path, rows)}
    for a, pa, b, pb, direction in EXAMPLES:
        ratio, lower, upper, significant, words = found[(a, b)]
        expected_lower, expected_upper = confint_poisson_2indep(a, pa, b, pb, method="wald-log")
        assert float(ratio) == pytest.approx((a / pa) / (b / pb), abs=5e-4)
        # statsmodels takes z = 1.959964, the macro 1.96; 3 decimals published
        assert float(lower) == pytest.approx(expected_lower, abs=2e-3), (a, b)
        assert float(upper) == pytest.approx(expected_upper, abs=2e-3), (a, b)
        exact_p = binomtest(a, a + b, pa / (pa + pb)).pvalue
        assert significant is bool(exact_p < 0.05), (a, b, exact_p)
        assert words == direction


def test_too_few_withheld_or_no_comparison(database: str, tmp_path: Path) -> None:
    rows = (
        "(9, 100000, 30, 100000, false), (40, 100000, 30, 100000, true),"
        " (50, 100000, 30, null, false)"
    )
    found = {
        row[0]: row[2:]
        for row in compiled(database, tmp_path, rows, withheld=", withheld=['withheld']")
    }
    assert found[9] == (None, None, None, False, "too few to tell")
    assert found[40] == (None, None, None, False, "too few to tell")
    assert found[50] == (None, None, None, None, None)
