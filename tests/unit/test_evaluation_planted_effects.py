"""The evaluation engine against the effects the synthetic partnership planted
(svdw.synthetic.programme_effects): on the generator's own records (perfect linkage), the
matched difference-in-differences recovers each planted effect on police contact inside its 95%
interval, the no-effect programme's interval covers zero, and the naive before/after on the same
participants does not recover them (referral follows rising contact, which falls back anyway)."""

from __future__ import annotations

from datetime import date
from functools import cache

import pandas as pd
import pytest
from evaluation_truth import truth_panel

from svdw.evaluation.engine import evaluate
from svdw.synthetic.programme_effects import PLANTED_EFFECTS
from svdw.synthetic.world import World


@cache
def police_effects() -> pd.DataFrame:
    world = World(seed=2023, scale="county", months=24, last_month=date(2025, 9, 1))
    effects = evaluate(truth_panel(world)).effects
    matched = effects[effects["design"] == "Matched comparison group"]
    return matched[matched["outcome_code"] == "police_contact"].set_index("programme")


@pytest.mark.parametrize("programme", sorted(PLANTED_EFFECTS))
def test_the_planted_effect_lies_inside_the_interval(programme: str) -> None:
    row = police_effects().loc[programme]
    planted = 100 * PLANTED_EFFECTS[programme]
    assert row["percent_change_lower_95"] <= planted <= row["percent_change_upper_95"], row


def test_the_programme_that_works_is_found_to_reduce_contact() -> None:
    assert police_effects().loc["Turning Point Mentoring", "verdict"] == "reduced"


def test_the_no_effect_programme_interval_covers_zero() -> None:
    row = police_effects().loc["Box Clever"]
    assert row["percent_change_lower_95"] < 0 < row["percent_change_upper_95"]
    assert row["verdict"] != "reduced"


def test_the_small_programme_is_too_few_to_tell() -> None:
    assert police_effects().loc["A&E Navigators", "verdict"] == "too few to tell"


@pytest.mark.parametrize("programme", ["Turning Point Mentoring", "Box Clever"])
def test_the_naive_before_after_does_not_recover_the_planted_effect(programme: str) -> None:
    row = police_effects().loc[programme]
    planted = 100 * PLANTED_EFFECTS[programme]
    naive = (row["naive_percent_change_lower_95"], row["naive_percent_change_upper_95"])
    assert not naive[0] <= planted <= naive[1], naive
    # ... it claims a fall that is mostly regression to the mean
    assert naive[1] < planted
