"""Every rate a sna model publishes (through published_rate) has its 95% interval beside it: the
columns `<rate>_lower_95` and `<rate>_upper_95` from published_rate_interval with the same
arguments. Read from the SQL dbt compiles for every sna model, where each macro leaves a comment
naming its arguments, so a model added later is held to the rule as well."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from dbt_inline import compiled_models

pytestmark = pytest.mark.integration

# the macro's comment, then the alias of the select-list item it ends (a rate inside
# `case when ... then <rate> end` included)
MARKED = re.compile(
    r"/\* (published_rate|published_rate_interval) (.*?) \*/(?:\s*end)?\s+as\s+(\w+)", re.S
)
MARKER = re.compile(r"/\* published_rate(?:_interval)? ")


def marked_columns(sql: str) -> tuple[dict[str, str], dict[str, str]]:
    """The published rates and the interval limits in one model's SQL, alias -> arguments."""
    found = MARKED.findall(sql)
    assert len(found) == len(MARKER.findall(sql)), (
        "a published_rate or published_rate_interval whose column name cannot be read: "
        "write it as `{{ published_rate_columns('name', ...) }}` or `{{ ... }} as name`"
    )
    rates = {alias: key for macro, key, alias in found if macro == "published_rate"}
    limits = {alias: key for macro, key, alias in found if macro == "published_rate_interval"}
    return rates, limits


def missing_intervals(models: dict[str, str]) -> list[str]:
    problems = []
    for model, sql in sorted(models.items()):
        rates, limits = marked_columns(sql)
        for rate, key in rates.items():
            for bound in ("lower", "upper"):
                limit = f"{rate}_{bound}_95"
                if limit not in limits:
                    problems.append(f"{model}.{rate}: no {limit}")
                elif limits[limit] != key:
                    problems.append(f"{model}.{limit}: other arguments than {rate}")
    return problems


@pytest.fixture(scope="module")
def sna_models(
    make_database: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    return compiled_models(
        make_database("companions"), tmp_path_factory.mktemp("dbt_target"), "path:models/marts/sna"
    )


def test_every_published_rate_has_its_interval_columns(sna_models: dict[str, str]) -> None:
    assert missing_intervals(sna_models) == []
    rates = {
        f"{model}.{rate}" for model, sql in sna_models.items() for rate in marked_columns(sql)[0]
    }
    # the check reads the models' rates (it would pass vacuously on none)
    assert {
        "sna_violence_district_month.violence_rate_per_1000",
        "sna_core_measures.event_rate_per_million",
        "sna_referral_funnel.completed_of_referred_percent",
    } <= rates


def test_the_check_finds_a_rate_without_interval_or_with_other_arguments(
    sna_models: dict[str, str],
) -> None:
    sql = sna_models["sna_violence_district_month"]
    without_upper = re.sub(r"as violence_rate_per_1000_upper_95", "as something_else", sql)
    assert missing_intervals({"m": without_upper}) == [
        "m.violence_rate_per_1000: no violence_rate_per_1000_upper_95"
    ]
    other_per = sql.replace(
        "/* published_rate_interval events | population | 1000",
        "/* published_rate_interval events | population | 100",
        1,
    )
    assert missing_intervals({"m": other_per}) == [
        "m.violence_rate_per_1000_lower_95: other arguments than violence_rate_per_1000"
    ]
