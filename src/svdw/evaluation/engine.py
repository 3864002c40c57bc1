"""Run the evaluation for every programme and outcome (svdw.evaluation explains the parts).

Participants: young people (10-24) who started the programme, at the month of their first
referral to any programme, with some recorded contact in the six months before (people with no
linked record could not be followed). The referral month itself is in neither window (it holds
both the contact that led to the referral and the first weeks of the programme). Candidates for
comparison at that month: people not referred to any programme by the end of it (design
"Matched comparison group"); and, as a second design where referral dates allow it, only people
referred to the same programme later, so late that the contact which led to their referral is
outside the participant's after-window ("Waiting-list comparison"). Both designs match the same
way (svdw.evaluation.matching). Only index months with a complete before- and after-window in
every source count.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from svdw.evaluation import effects, matching
from svdw.evaluation.panel import OUTCOMES, Panel

DESIGN = "Matched comparison group"
WAITING_LIST = "Waiting-list comparison"
# A waiting-list comparison is referred at least this many months after the participant: after
# the after-window (WINDOW_MONTHS) and the months of contact that can trigger a referral
# (RECENT_MONTHS), so being referred later says nothing about their after-window.
WAITING_GAP_MONTHS = matching.WINDOW_MONTHS + matching.RECENT_MONTHS + 1


@dataclass(frozen=True)
class Results:
    effects: pd.DataFrame  # one row per programme and outcome
    balance: pd.DataFrame  # one row per programme and covariate


def _first_referrals(panel: Panel) -> pd.DataFrame:
    ordered = panel.referrals.sort_values(["person_id", "month", "programme"])
    return ordered.drop_duplicates("person_id")


def evaluate(panel: Panel) -> Results:
    counts = matching.Counts(panel)
    first = _first_referrals(panel).set_index("person_id")
    start = panel.first_month + matching.WINDOW_MONTHS
    stop = panel.last_month - matching.WINDOW_MONTHS
    started = first[first["started"].astype(bool) & first["month"].between(start, stop)]
    everyone = counts.ids
    referred_in = first["month"].reindex(everyone)
    by_month: dict[int, tuple[pd.DataFrame, pd.DataFrame]] = {}
    for month, group in started.groupby("month"):
        month = int(month)
        cohort = matching.people_at(
            panel, counts, month, everyone[~(referred_in <= month).to_numpy()]
        )
        cohort["later_programme"] = first["programme"].reindex(cohort["person_id"]).to_numpy()
        cohort["later_month"] = first["month"].reindex(cohort["person_id"]).to_numpy()
        treated = matching.people_at(panel, counts, month, pd.Index(group.index))
        treated["programme"] = group["programme"].loc[treated["person_id"]].to_numpy()
        by_month[month] = (treated, cohort)
    effect_rows: list[dict[str, object]] = []
    balance_rows: list[pd.DataFrame] = []
    for programme in sorted(panel.referrals["programme"].unique()):
        for design, choose in DESIGNS.items():
            evaluated = _evaluate(programme, by_month, choose)
            if evaluated is None:
                # every programme has a matched-comparison row; a second design only where it
                # found comparisons
                if design == DESIGN:
                    effect_rows += _rows(programme, DESIGN, pd.DataFrame(), pd.DataFrame(), 0)
                continue
            treated, candidates, comparisons, unmatched = evaluated
            effect_rows += _rows(programme, design, treated, comparisons, unmatched)
            table = matching.balance(treated, candidates, comparisons)
            balance_rows.append(table.assign(programme=programme, design=design))
    return Results(
        pd.DataFrame(effect_rows),
        pd.concat(balance_rows, ignore_index=True) if balance_rows else pd.DataFrame(),
    )


Chooser = Callable[[pd.DataFrame, int, str], pd.DataFrame]


def _not_yet_referred(cohort: pd.DataFrame, month: int, programme: str) -> pd.DataFrame:
    return cohort


def _referred_later(cohort: pd.DataFrame, month: int, programme: str) -> pd.DataFrame:
    """The programme's own later referrals, referred so long after the after-window that the
    contact which led to their referral lies outside it (see WAITING_GAP_MONTHS)."""
    later = (cohort["later_programme"] == programme) & (
        cohort["later_month"] >= month + WAITING_GAP_MONTHS
    )
    return cohort[later.to_numpy()]


DESIGNS: dict[str, Chooser] = {DESIGN: _not_yet_referred, WAITING_LIST: _referred_later}


def _evaluate(
    programme: str, by_month: dict[int, tuple[pd.DataFrame, pd.DataFrame]], choose: Chooser
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, int] | None:
    """(participants matched, candidates, matched comparisons, participants left unmatched)."""
    treated_parts, candidate_parts, matched_parts = [], [], []
    offered = 0
    for month, (treated, cohort) in by_month.items():
        mine = treated[treated["programme"] == programme]
        offered += len(mine)
        candidates = choose(cohort, month, programme)
        if mine.empty or candidates.empty:
            continue
        matched = matching.match(mine, candidates)
        # a participant's id names their matched set: each person joins once (first referral)
        treated_parts.append(mine[mine["person_id"].isin(matched["participant_id"])])
        candidate_parts.append(candidates)
        matched_parts.append(matched)
    if not matched_parts or not sum(len(m) for m in matched_parts):
        return None
    treated_all = pd.concat(treated_parts, ignore_index=True)
    return (
        treated_all,
        pd.concat(candidate_parts, ignore_index=True),
        pd.concat(matched_parts, ignore_index=True),
        offered - len(treated_all),
    )


def _rows(
    programme: str,
    design: str,
    treated: pd.DataFrame,
    comparisons: pd.DataFrame,
    unmatched: int,
) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    comparison_people = comparisons["person_id"].nunique() if len(comparisons) else 0
    for code, name in OUTCOMES.items():
        estimate = (
            effects.difference_in_differences(treated, comparisons, code) if len(treated) else None
        )
        naive = effects.before_after(treated, code) if len(treated) else None
        out.append(
            {
                "programme": programme,
                "design": design,
                "outcome_code": code,
                "outcome_name": name,
                "participant_count": len(treated),
                "unmatched_participant_count": unmatched,
                "comparison_count": comparison_people,
                "participant_before_count": int(treated[f"before_{code}"].sum())
                if len(treated)
                else 0,
                "participant_after_count": int(treated[f"after_{code}"].sum())
                if len(treated)
                else 0,
                "percent_change": estimate.percent_change if estimate else None,
                "percent_change_lower_95": estimate.lower_95 if estimate else None,
                "percent_change_upper_95": estimate.upper_95 if estimate else None,
                "naive_percent_change": naive.percent_change if naive else None,
                "naive_percent_change_lower_95": naive.lower_95 if naive else None,
                "naive_percent_change_upper_95": naive.upper_95 if naive else None,
                "verdict": effects.verdict(len(treated), estimate),
                "window_months": matching.WINDOW_MONTHS,
            }
        )
    return out


def _total(frame: pd.DataFrame, column: str) -> int:
    return int(frame[column].sum()) if len(frame) else 0
