"""month_end_to_end_s, month_cost_ratio_36_vs_1 and full_build_36_months_s in one database: the
months load one after the other as a partnership receives them, and each timed month is a new
month's files loaded, gated and built (svdw.transform.build_warehouse: incremental where the
dbt models are). Repeats are consecutive new months (month 2, 3, 4 after one month; month N+1,
N+2 ... after N), so no file is ever loaded twice."""

from __future__ import annotations

import inspect
import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from svdw.bench.databases import scratch_database
from svdw.bench.dbt_timing import last_build
from svdw.bench.stats import summarise
from svdw.config import Settings
from svdw.loader import EXTRACT_SUFFIXES, loading_order
from svdw.parallel_load import load_in_parallel, loaded_results

Report = Callable[[str], object]
MONTH_IN_NAME = re.compile(r"(20\d\d)-(0[1-9]|1[0-2])")


def by_month(paths: Sequence[Path]) -> tuple[list[Path], list[list[Path]]]:
    """(files with no month in their name: reference, yearly and termly extracts; then each
    month's files, oldest first), in loading order within each."""
    base: list[Path] = []
    months: dict[str, list[Path]] = {}
    for path in paths:
        if path.suffix not in EXTRACT_SUFFIXES:
            continue
        found = MONTH_IN_NAME.search(path.name)
        if found and path.parent.name != "ons_lsoa_population_estimates":
            months.setdefault(found.group(0), []).append(path)
        else:
            base.append(path)
    return loading_order(base), [loading_order(months[m]) for m in sorted(months)]


def load_files(url: str, files: Sequence[Path], jobs: int = 1) -> None:
    """Load with `jobs` processes, as `svdw load --jobs` does (the Airflow ingestion loads
    each contract in a task of its own, side by side)."""
    loaded_results(load_in_parallel(url, list(files), jobs, loaded_by="bench"))


def build(url: str, full_refresh: bool = False) -> None:
    from svdw.transform import build_warehouse

    kwargs: dict[str, Any] = {"trigger": "bench", "report": lambda _line: None}
    if full_refresh:
        # --full-refresh where the incremental models exist; else a rebuild of everything
        supported = inspect.signature(build_warehouse).parameters
        kwargs["full_refresh" if "full_refresh" in supported else "rebuild"] = True
    build_warehouse(url, **kwargs)


def _timed_month(url: str, files: Sequence[Path], jobs: int) -> tuple[float, float]:
    """(load seconds, gate + build seconds) of one new month: the figure is their sum, the
    split says which of the two stands in the way of the target."""
    started = time.perf_counter()
    load_files(url, files, jobs)
    loaded = time.perf_counter()
    build(url)
    return loaded - started, time.perf_counter() - loaded


def measure(
    paths: Sequence[Path],
    history: int,
    repeats: int,
    warehouse_url: str,
    admin_url: str,
    report: Report,
    keep: Callable[[str], object] | None = None,
    jobs: int = 1,
) -> dict[str, Any]:
    """The three month figures; needs history + repeats months of files. `keep` is called with
    the database's URL once every month is loaded and built, before it is dropped (the charts
    part measures the dashboards over it)."""
    base, months = by_month(paths)
    if len(months) < history + repeats:
        raise ValueError(f"{len(months)} months of files; need {history + repeats}")
    after_1: list[tuple[float, float]] = []
    after_n: list[tuple[float, float]] = []
    full: list[float] = []
    target = Settings.from_env().dbt_target_dir
    dbt: dict[str, Any] = {}  # where the last timed month's build went, after 1 and after N
    with scratch_database(warehouse_url, admin_url, "months") as url:
        load_files(url, [*base, *months[0]], jobs)
        build(url)
        for k in range(1, 1 + repeats):  # months 2 .. repeats+1, each after k months
            after_1.append(_timed_month(url, months[k], jobs))
            report(f"  month {k + 1} after {k}: load, build {after_1[-1]} s")
        dbt["dbt_build_after_1_month"] = last_build(target)
        load_files(url, [p for m in months[1 + repeats : history] for p in m], jobs)
        build(url)
        for _ in range(repeats):
            started = time.perf_counter()
            build(url, full_refresh=True)
            full.append(time.perf_counter() - started)
            report(f"  full build of {history} months: {full[-1]:.1f} s")
        for k in range(history, history + repeats):
            after_n.append(_timed_month(url, months[k], jobs))
            report(f"  month {k + 1} after {k}: load, build {after_n[-1]} s")
        dbt[f"dbt_build_after_{history}_months"] = last_build(target)
        if keep is not None:
            keep(url)
    ratios = [sum(n) / sum(one) for n, one in zip(after_n, after_1, strict=True)]
    return {
        "month_end_to_end_s": {
            **load_and_build("after_1_month", after_1),
            **load_and_build(f"after_{history}_months", after_n),
            **dbt,
        },
        "month_cost_ratio": {f"{history}_vs_1": summarise(ratios, 2)},
        "full_build_s": {f"{history}_months": summarise(full, 1)},
    }


def load_and_build(case: str, runs: Sequence[tuple[float, float]]) -> dict[str, Any]:
    """The case (load + build of each run) and its two parts, each summarised over the runs."""
    return {
        case: summarise([load + built for load, built in runs], 1),
        f"{case}_load": summarise([load for load, _ in runs], 1),
        f"{case}_build": summarise([built for _, built in runs], 1),
    }
