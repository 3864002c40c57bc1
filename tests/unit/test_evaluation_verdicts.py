"""The plain-English verdict follows the interval (svdw.evaluation.effects.verdict), and the
difference-in-differences is the participants' change over the comparisons' change."""

from __future__ import annotations

import pandas as pd
import pytest

from svdw.evaluation.effects import Estimate, difference_in_differences, verdict


@pytest.mark.parametrize(
    ("participants", "estimate", "expected"),
    [
        (100, Estimate(-30.0, -45.0, -12.0), "reduced"),
        (100, Estimate(25.0, 5.0, 48.0), "increased"),
        (100, Estimate(-3.0, -20.0, 18.0), "no detectable change"),
        (100, Estimate(-10.0, -40.0, 30.0), "too few to tell"),  # a 30% cut not ruled out
        (12, Estimate(-60.0, -80.0, -30.0), "too few to tell"),  # too few participants
        (100, None, "too few to tell"),  # too few events to estimate
    ],
)
def test_verdict_follows_the_interval(
    participants: int, estimate: Estimate | None, expected: str
) -> None:
    assert verdict(participants, estimate) == expected


def _group(before: list[int], after: list[int], prefix: str) -> pd.DataFrame:
    ids = [f"{prefix}{i}" for i in range(len(before))]
    return pd.DataFrame(
        {"person_id": ids, "before_police_contact": before, "after_police_contact": after}
    )


def test_the_effect_is_the_change_beyond_the_comparisons_change() -> None:
    # participants halve (40 -> 20 events), comparisons fall by a quarter (40 -> 30): the
    # programme's share is 20 / 30 = 0.667, a change of -33.3%
    participants = _group([2] * 20, [1] * 20, "p")
    comparisons = _group([2] * 20, [2] * 10 + [1] * 10, "c").assign(
        participant_id=[f"p{i}" for i in range(20)], weight=1.0
    )
    estimate = difference_in_differences(participants, comparisons, "police_contact")
    assert estimate is not None
    assert estimate.percent_change == pytest.approx(100 * (20 / 30 - 1))
    assert estimate.lower_95 < estimate.percent_change < estimate.upper_95
