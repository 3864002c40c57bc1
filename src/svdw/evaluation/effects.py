"""The effect on one outcome: a difference-in-differences between participants and their matched
comparisons, as a rate ratio, with a cluster-robust 95% interval; and the verdict.

Model (statsmodels GLM, Poisson, log link): count ~ treated + after + treated:after, each row a
person's contacts in the before- or after-window, comparisons weighted 1/NEIGHBOURS. exp of the
interaction is the ratio of the participants' change to the comparisons' change; 100 * (ratio - 1)
is the percent change the dashboard shows. Standard errors are clustered on the matched set (a
participant and their comparisons), so a person's two windows and the set's shared matching are
not counted as independent evidence; the interval is the analytic Wald interval on the log scale.
The naive before/after (participants alone, count ~ after) is estimated the same way, for the
dashboard's context and for the test that shows why the comparison group matters.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm

MIN_PARTICIPANTS = 20
MIN_EVENTS = 10
# The smallest change worth detecting: an interval that covers zero but also a cut this large is
# "too few to tell", not "no detectable change".
MEANINGFUL_CHANGE_PERCENT = 30.0


@dataclass(frozen=True)
class Estimate:
    percent_change: float
    lower_95: float
    upper_95: float


def _fit(rows: pd.DataFrame, design: np.ndarray) -> Estimate | None:
    """The last design column's effect as a percent change with its 95% interval (statsmodels'
    Wald interval on the log scale); None when the fit gives no finite estimate."""
    groups = pd.factorize(rows["cluster"])[0]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # statsmodels' domain warnings on degenerate groups
            fitted = sm.GLM(
                rows["count"].to_numpy(float),
                design,
                family=sm.families.Poisson(),
                var_weights=rows["weight"].to_numpy(float),
            ).fit(cov_type="cluster", cov_kwds={"groups": groups})
    except (ValueError, np.linalg.LinAlgError):
        return None
    coef = float(fitted.params[-1])
    lower, upper = (float(v) for v in np.asarray(fitted.conf_int(alpha=0.05))[-1])
    if not all(math.isfinite(v) for v in (coef, lower, upper)):
        return None

    def percent(value: float) -> float:
        return 100 * (math.exp(value) - 1)

    return Estimate(percent(coef), percent(lower), percent(upper))


def _long(frame: pd.DataFrame, outcome: str, treated: int, cluster: pd.Series) -> pd.DataFrame:
    weight = frame["weight"] if "weight" in frame else pd.Series(1.0, index=frame.index)
    before = pd.DataFrame(
        {"count": frame[f"before_{outcome}"], "treated": treated, "after": 0, "weight": weight,
         "cluster": cluster}
    )  # fmt: skip
    after = before.assign(count=frame[f"after_{outcome}"].to_numpy(), after=1)
    return pd.concat([before, after], ignore_index=True)


def difference_in_differences(
    participants: pd.DataFrame, comparisons: pd.DataFrame, outcome: str
) -> Estimate | None:
    """None when either group has too few contacts to estimate from."""
    if _events(participants, outcome) < MIN_EVENTS or _events(comparisons, outcome) < MIN_EVENTS:
        return None
    rows = pd.concat(
        [
            _long(participants, outcome, 1, participants["person_id"]),
            _long(comparisons, outcome, 0, comparisons["participant_id"]),
        ],
        ignore_index=True,
    )
    design = np.column_stack(
        [np.ones(len(rows)), rows["treated"], rows["after"], rows["treated"] * rows["after"]]
    )
    return _fit(rows, design)


def before_after(participants: pd.DataFrame, outcome: str) -> Estimate | None:
    """The naive comparison: participants' after-window against their own before-window."""
    if _events(participants, outcome) < MIN_EVENTS:
        return None
    rows = _long(participants, outcome, 1, participants["person_id"])
    design = np.column_stack([np.ones(len(rows)), rows["after"]])
    return _fit(rows, design)


def _events(frame: pd.DataFrame, outcome: str) -> float:
    if frame.empty:
        return 0.0
    return float(frame[f"before_{outcome}"].sum() + frame[f"after_{outcome}"].sum())


def verdict(participant_count: int, estimate: Estimate | None) -> str:
    """Plain English: reduced, increased, no detectable change or too few to tell."""
    if participant_count < MIN_PARTICIPANTS or estimate is None:
        return "too few to tell"
    if estimate.upper_95 < 0:
        return "reduced"
    if estimate.lower_95 > 0:
        return "increased"
    if estimate.lower_95 <= -MEANINGFUL_CHANGE_PERCENT:
        return "too few to tell"
    return "no detectable change"
