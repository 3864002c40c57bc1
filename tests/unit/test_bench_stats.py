"""The benchmark driver's arithmetic and its results document (svdw.bench.stats, .report)."""

from __future__ import annotations

from typing import Any

import pytest

from svdw.bench.dbt_timing import breakdown
from svdw.bench.month_figures import by_month, load_and_build
from svdw.bench.report import read_notes, render
from svdw.bench.stats import (
    FIGURES,
    figure,
    paired_ratios,
    percentile,
    schema_problems,
    summarise,
    throughput_ratio,
)


def test_summary_is_median_min_max_of_the_runs() -> None:
    assert summarise([3.0, 1.0, 2.0, 10.0]) == {
        "median": 2.5,
        "min": 1.0,
        "max": 10.0,
        "runs": [3.0, 1.0, 2.0, 10.0],
    }
    with pytest.raises(ValueError):
        summarise([])


def test_ratios_pair_run_with_run_and_throughput_is_baseline_over_svdw() -> None:
    # copy took 2 s and 4 s, svdw 8 s and 8 s: svdw has a quarter, then half, copy's throughput
    assert paired_ratios([2.0, 4.0], [8.0, 8.0]) == [0.25, 0.5]
    assert throughput_ratio([2.0, 4.0, 3.0], [8.0, 8.0, 3.0])["median"] == 0.5
    with pytest.raises(ValueError):
        paired_ratios([1.0], [1.0, 2.0])


def test_p95_is_the_nearest_rank() -> None:
    samples = [float(n) for n in range(1, 21)]  # 1 .. 20
    assert percentile(samples, 0.95) == 19.0
    assert percentile([5.0], 0.95) == 5.0
    assert percentile(samples, 1.0) == 20.0


def _complete() -> dict[str, Any]:
    figures = {k: figure("skipped", reason="not here") for k in FIGURES}
    figures["loader_vs_copy"] = figure("measured", {"real": summarise([0.4, 0.5, 0.6])})
    return {"machine": {"cores": 2}, "run": {"options": "--only loader"}, "figures": figures}


def test_a_complete_document_has_no_problems_and_renders_every_key() -> None:
    results = _complete()
    assert schema_problems(results) == []
    notes = "## Running it\nTakes a day.\n## loader_vs_copy\nBound by validation.\n"
    text = render(results, read_notes(notes))
    assert all(f"`{key}`" in text for key in FIGURES)
    assert "0.5 (min 0.4, max 0.6; 3 runs)" in text
    assert "Bound by validation." in text
    assert text.index("## Running it\n\nTakes a day.") < text.index("## Figures")


def test_missing_figures_unexplained_gaps_and_bad_summaries_are_problems() -> None:
    results = _complete()
    del results["figures"]["sql_p95_ms"]
    results["figures"]["dashboard_p95_ms"] = {"status": "skipped", "cases": {}}
    results["figures"]["loader_vs_copy"]["cases"]["real"]["median"] = 9.0
    problems = schema_problems(results)
    assert "missing figure 'sql_p95_ms'" in problems
    assert "dashboard_p95_ms: not measured and no reason given" in problems
    assert "loader_vs_copy.real: median outside [min, max]" in problems


def test_months_are_told_apart_by_file_name(tmp_path: Any) -> None:
    names = [
        "police_uk_street/2025-08-kent-street.csv",
        "police_uk_street/2025-09-kent-street.csv",
        "partnership_action_plan/SVD_Action_Plan_Tracker_2025-09-30.csv",
        "education_schools/edubase_all_schools.csv",
        "ons_lsoa_population_estimates/sapelsoasyoa_mid-2022_lsoa2021_kent.csv",
    ]
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x\n")
    base, months = by_month(sorted(tmp_path.rglob("*.csv")))
    assert {p.name for p in base} == {
        "sapelsoasyoa_mid-2022_lsoa2021_kent.csv",  # a mid-year, not a month
        "edubase_all_schools.csv",
    }
    assert [{p.name for p in m} for m in months] == [
        {"2025-08-kent-street.csv"},
        {"2025-09-kent-street.csv", "SVD_Action_Plan_Tracker_2025-09-30.csv"},
    ]


def test_a_month_is_its_load_plus_its_build_run_by_run() -> None:
    cases = load_and_build("after_1_month", [(10.0, 50.0), (30.0, 20.0), (12.0, 60.0)])
    assert cases["after_1_month"]["runs"] == [60.0, 50.0, 72.0]
    assert cases["after_1_month"]["median"] == 60.0
    assert cases["after_1_month_load"]["median"] == 12.0
    assert cases["after_1_month_build"]["median"] == 50.0


def test_a_build_is_broken_down_by_kind_of_node_slowest_first() -> None:
    run_results = {
        "elapsed_time": 12.34,
        "results": [
            {"unique_id": "model.svdw.fct_police_crime", "execution_time": 3.0},
            {"unique_id": "model.svdw.sna_map", "execution_time": 5.0},
            {"unique_id": "test.svdw.not_null_x", "execution_time": 0.5},
            {"unique_id": "unit_test.svdw.sna_map.t", "execution_time": 1.25},
        ],
    }
    manifest = {
        "nodes": {"model.svdw.fct_police_crime": {"config": {"materialized": "incremental"}}}
    }
    out = breakdown(run_results, manifest)
    assert out["dbt elapsed s"] == 12.3
    assert out["1 model (incremental): thread-s"] == 3.0
    assert out["1 model (view): thread-s"] == 5.0  # no manifest entry: dbt's default
    assert out["1 unit test: thread-s"] == 1.2
    assert list(out)[-4:] == [
        f"slowest: {n} s" for n in ("sna_map", "fct_police_crime", "t", "not_null_x")
    ]
