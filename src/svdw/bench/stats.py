"""Figures of repeated runs: median with min and max, ratios paired run by run, and the
results document's shape (bench/results.json), which docs/benchmarks.md is written from."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from typing import Any

# Every key of the table, with its target (None: reported only) and unit.
FIGURES: dict[str, tuple[str, str | None]] = {
    "generate_national_month": ("s / MB", None),
    "loader_vs_copy": ("ratio", ">= 0.5"),
    "loader_vs_pandas": ("ratio", ">= 3"),
    "loader_peak_rss_mb": ("MB", "< 512, flat in file size"),
    "month_end_to_end_s": ("s", "<= 60"),
    "month_cost_ratio_36_vs_1": ("ratio", "<= 1.3"),
    "full_build_36_months_s": ("s", None),
    "dashboard_p95_ms": ("ms", "cold <= 300, warm <= 100"),
    "sql_p95_ms": ("ms", None),
    "demo_fresh_clone_s": ("s", "<= 480"),
}
STATUSES = ("measured", "skipped", "not_run")


def summarise(samples: Sequence[float], digits: int = 3) -> dict[str, Any]:
    """Median, min and max of repeated runs (and the runs themselves)."""
    if not samples:
        raise ValueError("no samples to summarise")
    return {
        "median": round(statistics.median(samples), digits),
        "min": round(min(samples), digits),
        "max": round(max(samples), digits),
        "runs": [round(s, digits) for s in samples],
    }


def paired_ratios(numerators: Sequence[float], denominators: Sequence[float]) -> list[float]:
    """Each run's ratio: run i of the one over run i of the other (the same files, the same run)."""
    if len(numerators) != len(denominators) or not numerators:
        raise ValueError("ratios pair the runs one to one")
    if any(d <= 0 for d in denominators):
        raise ValueError("a run took no time")
    return [n / d for n, d in zip(numerators, denominators, strict=True)]


def throughput_ratio(baseline_s: Sequence[float], svdw_s: Sequence[float]) -> dict[str, Any]:
    """svdw's throughput over the baseline's on the same rows: baseline seconds / svdw seconds,
    per run, summarised (above 1: svdw is faster)."""
    return summarise(paired_ratios(baseline_s, svdw_s))


def percentile(samples: Sequence[float], q: float) -> float:
    """The q-quantile by the nearest-rank method (p95 of 20 samples is the 19th smallest)."""
    if not samples or not 0 < q <= 1:
        raise ValueError("a percentile needs samples and 0 < q <= 1")
    ordered = sorted(samples)
    rank = max(1, -(-len(ordered) * q // 1))  # ceil(n q)
    return ordered[int(rank) - 1]


def figure(
    status: str, cases: Mapping[str, Any] | None = None, reason: str = "", **extra: Any
) -> dict[str, Any]:
    if status not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}")
    out: dict[str, Any] = {"status": status, "cases": dict(cases or {})}
    if reason:
        out["reason"] = reason
    out.update(extra)
    return out


def schema_problems(results: Mapping[str, Any]) -> list[str]:
    """What makes a results document unfit for docs/benchmarks.md (empty when fit)."""
    problems = [f"missing section {k!r}" for k in ("machine", "run", "figures") if k not in results]
    figures = results.get("figures", {})
    for key in FIGURES:
        if key not in figures:
            problems.append(f"missing figure {key!r}")
            continue
        entry = figures[key]
        if entry.get("status") not in STATUSES:
            problems.append(f"{key}: status {entry.get('status')!r}")
        if entry.get("status") != "measured" and not entry.get("reason"):
            problems.append(f"{key}: not measured and no reason given")
        for case, value in entry.get("cases", {}).items():
            median = isinstance(value, dict) and "median" in value
            if median and not value["min"] <= value["median"] <= value["max"]:
                problems.append(f"{key}.{case}: median outside [min, max]")
    problems += [f"unknown figure {k!r}" for k in figures if k not in FIGURES]
    return problems
