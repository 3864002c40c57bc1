"""Run the evaluation for every programme and outcome (svdw.evaluation explains the parts).

Participants: young people (10-24) who started the programme, at the month of their first
referral to any programme, with some recorded contact in the six months before (people with no
linked record could not be followed). The referral month itself is in neither window (it holds
both the contact that led to the referral and the first weeks of the programme). Candidates for
comparison at that month: people not referred to any programme by the end of it. Only index
months with a complete before- and after-window in every source count.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from svdw.evaluation import effects, matching
from svdw.evaluation.panel import OUTCOMES, Panel

DESIGN = "Matched comparison group"


@dataclass(frozen=True)
class Results:
    effects: pd.DataFrame  # one row per programme and outcome
    balance: pd.DataFrame  # one row per programme and covariate


def _first_referrals(panel: Panel) -> pd.DataFrame:
    ordered = panel.referrals.sort_values(["person_id", "month", "programme"])
    return ordered.drop_duplicates("person_id")


def evaluate(panel: Panel) -> Results:
    counts = matching.Counts(panel)
    first = _first_referrals(panel)
    first_month = first.set_index("person_id")["month"]
    start = panel.first_month + matching.WINDOW_MONTHS
    stop = panel.last_month - matching.WINDOW_MONTHS
    index_months = range(start, stop + 1)
    participants = first[first["started"].astype(bool) & first["month"].isin(index_months)]
    everyone = counts.ids
    referred_by = first_month.reindex(everyone)
    by_month: dict[int, tuple[pd.DataFrame, pd.DataFrame]] = {}
    for month, group in participants.groupby("month"):
        month = int(month)
        cohort = matching.people_at(
            panel, counts, month, everyone[~(referred_by <= month).to_numpy()]
        )
        treated = matching.people_at(panel, counts, month, pd.Index(group["person_id"]))
        programmes = group.set_index("person_id")["programme"]
        treated["programme"] = programmes.loc[treated["person_id"]].to_numpy()
        by_month[month] = (treated, cohort)
    effect_rows: list[dict[str, object]] = []
    balance_rows: list[pd.DataFrame] = []
    for programme in sorted(panel.referrals["programme"].unique()):
        treated_parts, candidate_parts, matched_parts = [], [], []
        for treated, cohort in by_month.values():
            mine = treated[treated["programme"] == programme]
            if mine.empty:
                continue
            matched = matching.match(mine, cohort)
            # a participant's id names their matched set: each person joins once (first referral)
            treated_parts.append(mine[mine["person_id"].isin(matched["participant_id"])])
            candidate_parts.append(cohort)
            matched_parts.append(matched)
        if not treated_parts:
            effect_rows += _rows(programme, pd.DataFrame(), pd.DataFrame(), 0)
            continue
        all_treated = pd.concat(treated_parts, ignore_index=True)
        comparisons = pd.concat(matched_parts, ignore_index=True)
        unmatched = sum(
            int((t["programme"] == programme).sum()) for t, _ in by_month.values()
        ) - len(all_treated)
        effect_rows += _rows(programme, all_treated, comparisons, unmatched)
        table = matching.balance(all_treated, pd.concat(candidate_parts), comparisons)
        balance_rows.append(table.assign(programme=programme, design=DESIGN))
    return Results(
        pd.DataFrame(effect_rows),
        pd.concat(balance_rows, ignore_index=True) if balance_rows else pd.DataFrame(),
    )


def _rows(
    programme: str, treated: pd.DataFrame, comparisons: pd.DataFrame, unmatched: int
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
                "design": DESIGN,
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
