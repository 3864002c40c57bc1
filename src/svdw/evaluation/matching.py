"""The comparison group: for each participant, people not referred by then who looked the same
in the months before: exact matching on coarse strata, then nearest neighbours within them.

Exact strata hold what drives referral and outcomes: single year of age (contact climbs steeply
through the teens), sex, and police contact in the last three and the last six months, both
capped (partnerships refer when contact rises, so a participant is only ever compared with people
whose recent contact was the same). Within a stratum the `NEIGHBOURS` nearest candidates
(scikit-learn, on standardised covariates: contact of each kind in the before-window and age)
are taken, with replacement; each counts 1/NEIGHBOURS. Nearest neighbours on the covariates
rather than on a propensity score: with a handful of covariates, most matched exactly, a score
adds a model to get wrong and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.neighbors import NearestNeighbors

from svdw.evaluation.panel import OUTCOMES, Panel

WINDOW_MONTHS = 6  # before-window and after-window, each
RECENT_MONTHS = 3
NEIGHBOURS = 5
SEED = 20231
AGES = (10, 24)
COVARIATES: dict[str, str] = {
    **{
        f"before_{code}": f"{name}, {WINDOW_MONTHS} months before"
        for code, name in OUTCOMES.items()
    },
    "recent_police_contact": f"Police contact, {RECENT_MONTHS} months before",
    "age": "Age",
    "is_male": "Male",
}
MATCH_ON = [*(f"before_{code}" for code in OUTCOMES), "age"]


def age_band(age: pd.Series) -> pd.Series:
    return np.where(age <= 17, "10-17", "18-24")


class Counts:
    """Each person's contacts of each kind per month, as cumulative sums for window counts."""

    def __init__(self, panel: Panel) -> None:
        self.ids = pd.Index(panel.people["person_id"].unique())
        self.first = panel.first_month - WINDOW_MONTHS
        months = panel.last_month - self.first + 2
        self.cumulative: dict[str, np.ndarray] = {}
        events = panel.events[panel.events["person_id"].isin(self.ids)]
        for code in OUTCOMES:
            grid = np.zeros((len(self.ids), months + 1), dtype=np.int32)
            rows = events[events["outcome"] == code]
            col = (rows["month"] - self.first).clip(-1, months - 1).to_numpy() + 1
            np.add.at(grid, (self.ids.get_indexer(rows["person_id"]), col), 1)
            grid[:, 0] = 0  # months before the span
            self.cumulative[code] = grid.cumsum(axis=1)

    def window(self, code: str, rows: np.ndarray, start: int, stop: int) -> np.ndarray:
        """Contacts in months [start, stop) for the people at `rows`."""
        grid = self.cumulative[code]
        return grid[rows, stop - self.first] - grid[rows, start - self.first]


@dataclass(frozen=True)
class Cohort:
    """People at one index month with their covariates and before/after counts."""

    frame: pd.DataFrame  # person_id, month, covariates, before_<code>, after_<code>


def people_at(panel: Panel, counts: Counts, month: int, person_ids: pd.Index) -> pd.DataFrame:
    people = panel.people.set_index("person_id").reindex(person_ids)
    rows = counts.ids.get_indexer(person_ids)
    frame = pd.DataFrame({"person_id": person_ids, "month": month})
    frame["age"] = (month // 12 - people["birth_year"]).to_numpy()
    frame["is_male"] = (people["sex"] == "M").astype(int).to_numpy()
    frame["sex"] = people["sex"].fillna("U").to_numpy()
    for code in OUTCOMES:
        frame[f"before_{code}"] = counts.window(code, rows, month - WINDOW_MONTHS, month)
        frame[f"after_{code}"] = counts.window(code, rows, month + 1, month + 1 + WINDOW_MONTHS)
    frame["recent_police_contact"] = counts.window(
        "police_contact", rows, month - RECENT_MONTHS, month
    )
    frame["age_band"] = age_band(frame["age"])
    frame["stratum"] = (
        frame["age"].astype("Int64").astype(str)
        + "|" + frame["sex"]
        + "|" + frame["recent_police_contact"].clip(upper=3).astype(str)
        + "|" + frame["before_police_contact"].clip(upper=4).astype(str)
    )  # fmt: skip
    # evaluable: of age, and some recorded contact before (otherwise nothing links them)
    before = frame[[f"before_{code}" for code in OUTCOMES]].sum(axis=1)
    return frame[frame["age"].between(*AGES) & (before > 0)].reset_index(drop=True)


def match(participants: pd.DataFrame, candidates: pd.DataFrame) -> pd.DataFrame:
    """Matched comparisons: participant_id, person_id and weight, plus the candidate's columns
    (one row per match; a candidate may serve several participants)."""
    scale = candidates[MATCH_ON].std().replace(0, 1).fillna(1)
    # Many candidates tie (the covariates are small counts): shuffled, so a tie goes to a random
    # one rather than to whoever sorts first (seeded: the same data give the same groups).
    candidates = candidates.sample(frac=1, random_state=SEED)
    matched = []
    for stratum, group in participants.groupby("stratum"):
        pool = candidates[candidates["stratum"] == stratum]
        if pool.empty:
            continue
        k = min(NEIGHBOURS, len(pool))
        finder = NearestNeighbors(n_neighbors=k).fit(pool[MATCH_ON] / scale)
        _, nearest = finder.kneighbors(group[MATCH_ON] / scale)
        for participant_id, picks in zip(group["person_id"], nearest, strict=True):
            chosen = pool.iloc[picks].assign(participant_id=participant_id, weight=1 / k)
            matched.append(chosen)
    if not matched:
        return candidates.iloc[0:0].assign(participant_id=[], weight=[])
    return pd.concat(matched, ignore_index=True)


def balance(
    participants: pd.DataFrame, candidates: pd.DataFrame, comparisons: pd.DataFrame
) -> pd.DataFrame:
    """Standardised mean differences of each covariate before matching (participants against
    every candidate) and after (against the weighted comparisons), over the same pooled SD."""
    rows = []
    for column, name in COVARIATES.items():
        treated = participants[column].astype(float)
        pool = candidates[column].astype(float)
        sd = np.sqrt((treated.var(ddof=1) + pool.var(ddof=1)) / 2) if len(treated) > 1 else 0.0
        matched_mean = (
            float(np.average(comparisons[column], weights=comparisons["weight"]))
            if len(comparisons)
            else float("nan")
        )
        rows.append(
            {
                "covariate": column,
                "covariate_name": name,
                "participant_mean": treated.mean(),
                "unmatched_mean": pool.mean(),
                "matched_mean": matched_mean,
                "smd_before": _smd(treated.mean(), pool.mean(), sd),
                "smd_after": _smd(treated.mean(), matched_mean, sd),
            }
        )
    return pd.DataFrame(rows)


def _smd(treated_mean: float, other_mean: float, sd: float) -> float:
    """Standardised mean difference; 0 when the covariate does not vary at all."""
    return float((treated_mean - other_mean) / sd) if sd and np.isfinite(sd) else 0.0
