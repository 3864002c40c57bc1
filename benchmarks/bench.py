"""`make bench`: the figures of issue 15, written to bench/results.json and docs/benchmarks.md.

    .venv/bin/python benchmarks/bench.py                       # every part
    .venv/bin/python benchmarks/bench.py --only loader,memory  # `make bench ONLY=loader,memory`
    .venv/bin/python benchmarks/bench.py --only month --scale county --months 6
    .venv/bin/python benchmarks/bench.py --only loader --loader-sets real  # the real month only

Parts (each writes its figures; figures of parts not run are kept from the last results.json):
  generate  generate_national_month   time and peak memory of `svdw generate --scale national`
  loader    loader_vs_copy, loader_vs_pandas   the real all-forces police.uk month (skipped when
            ../shared/realdata is absent) and a synthetic national month of every extract
  memory    loader_peak_rss_mb        the largest file and one 10x larger
  month     month_end_to_end_s, month_cost_ratio_36_vs_1, full_build_36_months_s
            (--scale, --months: history before the timed month; defaults national, 36)
  charts    dashboard_p95_ms, sql_p95_ms  a private Superset (own metadata DB, own Redis, own
            port) over the month part's warehouse when both run, else over a warehouse of
            --months --scale months loaded and built for it (not timed); --superset-url
            measures a running Superset and the warehouse it reads (ANALYST_DATABASE_URL)
  demo      demo_fresh_clone_s        from .local/demo_timings.json, or `--run-demo`

Every measurement runs in a throwaway database on the shared cluster (dropped afterwards).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

from svdw.bench import (
    chart_figures,
    demo_figure,
    loader_figures,
    machine,
    month_figures,
    superset_server,
)
from svdw.bench.databases import scratch_database
from svdw.bench.report import read_notes, render
from svdw.bench.stats import FIGURES, figure, schema_problems, summarise
from svdw.config import REPO_DIR, Settings
from svdw.loader import EXTRACT_SUFFIXES

PARTS = {
    "generate": ("generate_national_month",),
    "loader": ("loader_vs_copy", "loader_vs_pandas"),
    "memory": ("loader_peak_rss_mb",),
    "month": ("month_end_to_end_s", "month_cost_ratio_36_vs_1", "full_build_36_months_s"),
    "charts": ("dashboard_p95_ms", "sql_p95_ms"),
    "demo": ("demo_fresh_clone_s",),
}
RESULTS = REPO_DIR / "bench" / "results.json"
DOC = REPO_DIR / "docs" / "benchmarks.md"
NOTES = REPO_DIR / "benchmarks" / "notes.md"


def say(line: str) -> None:
    print(line, flush=True)


def admin_url(warehouse_url: str) -> str:
    """The cluster's superuser on the postgres database (creates and drops the scratch ones)."""
    from urllib.parse import quote, urlsplit, urlunsplit

    parts = urlsplit(warehouse_url)
    password = quote(os.environ.get("SVDW_PG_SUPERUSER_PASSWORD", ""), safe="")
    netloc = f"postgres:{password}@{parts.hostname}:{parts.port or 5432}"
    return urlunsplit(parts._replace(netloc=netloc, path="/postgres"))


def national_month(args: argparse.Namespace, scratch: Path) -> tuple[Path, dict[str, Any]]:
    """A synthetic national month of every extract (reused from --files-dir when given)."""
    if args.files_dir and (args.files_dir / "police_uk_street").is_dir():
        return args.files_dir, {}
    out = args.files_dir or scratch / "national"
    probe = subprocess.run(
        [sys.executable, "-m", "svdw.bench.probe", "generate", str(out), "--months", "1"],
        check=True,
        capture_output=True,
        text=True,
    )
    return out, json.loads(probe.stdout.strip().splitlines()[-1])


def run_generate(args: argparse.Namespace, scratch: Path) -> dict[str, Any]:
    runs = []
    for run in range(args.repeats):
        with tempfile.TemporaryDirectory(dir=scratch) as out:
            _, generated = national_month(
                argparse.Namespace(files_dir=Path(out) / "national"), scratch
            )
        runs.append(generated)
        say(f"  generate run {run + 1}: {generated}")
    return {
        "generate_national_month": figure(
            "measured",
            {
                "seconds": summarise([r["seconds"] for r in runs], 1),
                "cpu_s": summarise([r.get("cpu_s", r["seconds"]) for r in runs], 1),
                "peak_rss_mb": summarise([r["peak_rss_mb"] for r in runs], 1),
                "files": runs[-1]["files"],
                "megabytes": runs[-1]["megabytes"],
            },
        )
    }


def run_loader(args: argparse.Namespace, urls: tuple[str, str], scratch: Path) -> dict[str, Any]:
    cases: dict[str, Any] = {}
    skipped: list[str] = []
    real = sorted((args.realdata / "police_uk" / "all_forces_2018-10").glob("*-street.csv"))
    sets = []
    chosen = set(args.loader_sets.split(","))
    if "real" not in chosen:
        skipped.append("the real month was not chosen (--loader-sets)")
    elif real:
        sets.append(loader_figures.file_set("real_police_uk_month", real))
    else:
        skipped.append(f"no real all-forces police.uk month under {args.realdata}")
    if "synthetic" in chosen:
        directory, _ = national_month(args, scratch)
        extracts = sorted(p for p in directory.rglob("*") if p.suffix in EXTRACT_SUFFIXES)
        sets.append(loader_figures.file_set("synthetic_national_month", extracts))
    else:
        skipped.append("the synthetic national month was not chosen (--loader-sets)")
    for files in sets:
        say(f"  {files.label}: {len(files.files)} files, {files.megabytes} MB")
        cases[files.label] = loader_figures.compare(
            files, *urls, args.repeats, not args.no_pandas, say
        )
    note = "; ".join(skipped)
    vs_copy: dict[str, Any] = {}
    for k, v in cases.items():
        vs_copy[k] = {**v["vs_copy"], "detail": _detail(v, "copy_s")}
        vs_copy[f"{k}, svdw by contract (last run)"] = v["svdw_by_contract"]
    out = {"loader_vs_copy": figure("measured", vs_copy, note)}
    if args.no_pandas:
        out["loader_vs_pandas"] = figure("skipped", reason="--no-pandas")
    else:
        vs_pandas = {
            k: {**v["vs_pandas"], "detail": _detail(v, "pandas_s")} for k, v in cases.items()
        }
        out["loader_vs_pandas"] = figure("measured", vs_pandas, note)
    return out


def _detail(case: dict[str, Any], baseline: str) -> str:
    return (
        f"{case['files']} files, {case['megabytes']} MB, {case['rows']:,} rows;"
        f" {baseline.removesuffix('_s')} {case[baseline]['median']} s,"
        f" svdw {case['svdw_s']['median']} s ({case['svdw_rows_per_s']['median']:,.0f} rows/s)"
    )


def run_memory(args: argparse.Namespace, urls: tuple[str, str], scratch: Path) -> dict[str, Any]:
    directory, _ = national_month(args, scratch)
    street = sorted((directory / "police_uk_street").glob("*.csv"), key=lambda p: p.stat().st_size)
    cases = loader_figures.peak_memory(street[-1], scratch, *urls, args.repeats, say)
    return {"loader_peak_rss_mb": figure("measured", cases)}


def run_month(
    args: argparse.Namespace, urls: tuple[str, str], scratch: Path, charts: dict[str, Any]
) -> dict[str, Any]:
    """The month figures; when the charts part runs too (and no --superset-url), the dashboards
    are measured over this warehouse once every month is in, and `charts` gets their figures."""
    paths = months_of_files(args, scratch, args.months + args.repeats)
    keep = None
    if "charts" in args.parts and not args.superset_url:

        def keep(url: str) -> None:
            try:
                charts.update(charts_over(args, url, urls[1], scratch))
            except Exception as exc:  # the month figures stand without the charts
                reason = f"the private Superset failed: {type(exc).__name__}: {exc}"[:2000]
                charts.update({k: figure("skipped", reason=reason) for k in PARTS["charts"]})

    measured = month_figures.measure(paths, args.months, args.repeats, *urls, say, keep)
    scope = f"{args.scale} scale, {args.months} months of history"
    return {
        "month_end_to_end_s": figure("measured", measured["month_end_to_end_s"], scope=scope),
        "month_cost_ratio_36_vs_1": figure("measured", measured["month_cost_ratio"], scope=scope),
        "full_build_36_months_s": figure("measured", measured["full_build_s"], scope=scope),
    }


def months_of_files(args: argparse.Namespace, scratch: Path, months: int) -> list[Path]:
    from svdw.synthetic import generate

    say(f"  generating {months} {args.scale} months")
    started = time.perf_counter()
    paths = generate(scratch / f"months_{args.scale}_{months}", months=months, scale=args.scale)
    say(f"  generated in {time.perf_counter() - started:.0f} s")
    return paths


def charts_over(
    args: argparse.Namespace, warehouse_url: str, admin: str, scratch: Path
) -> dict[str, Any]:
    """dashboard_p95_ms and sql_p95_ms from a private Superset over the warehouse at
    warehouse_url (evaluated first, as the warehouse_build DAG does, for What works)."""
    from svdw.evaluation.publish import run_evaluation

    run_evaluation(warehouse_url)
    with superset_server.private_superset(
        warehouse_url, admin, scratch / "superset", say
    ) as server:
        measured = chart_figures.measure(
            server.url, server.username, server.password, server.analyst_url, args.repeats, say
        )
    with psycopg.connect(warehouse_url) as conn:
        police = conn.execute("select count(*) from marts.fct_police_crime").fetchone()
    loaded = args.months + args.repeats if "month" in args.parts else args.months
    scope = (
        f"{args.scale} scale, {loaded} months loaded"
        f" ({police[0] if police else 0:,} rows in marts.fct_police_crime);"
        " private Superset with Redis as its chart data cache"
    )
    return {
        "dashboard_p95_ms": figure("measured", measured["dashboard"], scope=scope),
        "sql_p95_ms": figure("measured", measured["sql"], scope=scope),
    }


def run_charts(
    args: argparse.Namespace, urls: tuple[str, str], scratch: Path, charts: dict[str, Any]
) -> dict[str, Any]:
    if charts:  # measured over the month part's warehouse
        return charts
    if not args.superset_url:
        paths = months_of_files(args, scratch, args.months)
        base, months = month_figures.by_month(paths)
        with scratch_database(*urls, "charts") as url:
            say(f"  loading and building {args.months} months (not timed)")
            month_figures.load_files(url, [*base, *(p for m in months for p in m)])
            month_figures.build(url)
            return charts_over(args, url, urls[1], scratch)
    return charts_of_running(args)


def charts_of_running(args: argparse.Namespace) -> dict[str, Any]:
    import requests

    url = args.superset_url
    try:
        requests.get(f"{url}/health", timeout=5).raise_for_status()
    except requests.RequestException as exc:
        reason = f"no Superset answering at {url} ({type(exc).__name__})"
        return {k: figure("skipped", reason=reason) for k in PARTS["charts"]}
    measured = chart_figures.measure(
        url,
        os.environ.get("SUPERSET_ADMIN_USER", "admin"),
        os.environ.get("SUPERSET_ADMIN_PASSWORD", ""),
        os.environ.get("ANALYST_DATABASE_URL", Settings.from_env().warehouse_url),
        args.repeats,
        say,
    )
    scope = f"the warehouse the Superset at {url} reads"
    return {
        "dashboard_p95_ms": figure("measured", measured["dashboard"], scope=scope),
        "sql_p95_ms": figure("measured", measured["sql"], scope=scope),
    }


def run_demo(args: argparse.Namespace) -> dict[str, Any]:
    if args.run_demo:
        return {"demo_fresh_clone_s": demo_figure.run_fresh_clone(REPO_DIR)}
    found = demo_figure.from_timing_file(REPO_DIR)
    reason = f"no {demo_figure.DEMO_TIMINGS} from `make demo`; `--run-demo` runs one"
    return {"demo_fresh_clone_s": found or figure("skipped", reason=reason)}


def previous_figures(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    figures: dict[str, Any] = json.loads(path.read_text()).get("figures", {})
    return {k: v for k, v in figures.items() if k in FIGURES}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help=f"comma-separated parts of {', '.join(PARTS)}")
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure (median, min, max)")
    parser.add_argument("--months", type=int, default=36, help="months of history (month part)")
    parser.add_argument("--scale", choices=["county", "national"], default="national")
    parser.add_argument("--files-dir", type=Path, help="a national month to reuse (or to keep)")
    parser.add_argument("--no-pandas", action="store_true", help="skip the pandas baseline")
    parser.add_argument(
        "--loader-sets",
        default="real,synthetic",
        help="file sets of the loader part: real (the all-forces police.uk month), synthetic"
        " (a generated national month: ~20 minutes to generate unless --files-dir has one)",
    )
    parser.add_argument("--run-demo", action="store_true", help="time `make demo` in a clone")
    parser.add_argument(
        "--realdata",
        type=Path,
        default=Path(os.environ.get("SVDW_REALDATA", REPO_DIR.parent / "shared" / "realdata")),
    )
    parser.add_argument(
        "--superset-url", default="", help="measure this running Superset (charts part)"
    )
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--doc", type=Path, default=DOC)
    args = parser.parse_args(argv)
    # Stopped (kill, Ctrl-C): leave through the `finally`s, which drop the scratch databases.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    settings = Settings.from_env()  # reads .env (passwords, the pseudonym key) into the process
    parts = [p for p in args.only.split(",") if p] or list(PARTS)
    args.parts = parts
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown part(s) {', '.join(sorted(unknown))}; parts: {', '.join(PARTS)}")
    urls = (settings.warehouse_url, admin_url(settings.warehouse_url))
    started_at, started = datetime.now(UTC).isoformat(timespec="seconds"), time.perf_counter()
    described = machine.describe(settings.warehouse_url, REPO_DIR)
    figures = previous_figures(args.results)
    options = " ".join(sys.argv[1:]) or "(defaults)"

    def write_outputs() -> None:
        """Results so far (a long run that is stopped keeps the parts it finished)."""
        complete = figures | {
            k: figure("not_run", reason="its part has not been run yet")
            for k in FIGURES
            if k not in figures
        }
        results = {
            "machine": described,
            "run": {
                "started": started_at,
                "seconds": round(time.perf_counter() - started),
                "parts": parts,
                "options": options,
                "load_average_at_end": machine.load_average(),
            },
            "figures": complete,
        }
        problems = schema_problems(results)
        if problems:
            raise SystemExit("results are incomplete: " + "; ".join(problems))
        args.results.parent.mkdir(parents=True, exist_ok=True)
        args.results.write_text(json.dumps(results, indent=2) + "\n")
        notes = read_notes(NOTES.read_text()) if NOTES.is_file() else {}
        args.doc.write_text(render(results, notes))

    with tempfile.TemporaryDirectory(prefix="svdw-bench-") as scratch_dir:
        scratch = Path(scratch_dir)
        charts: dict[str, Any] = {}  # the charts part's figures, when measured by the month part
        for part in parts:
            say(f"{part}:")
            if part == "generate":
                measured = run_generate(args, scratch)
            elif part == "loader":
                measured = run_loader(args, urls, scratch)
            elif part == "memory":
                measured = run_memory(args, urls, scratch)
            elif part == "month":
                measured = run_month(args, urls, scratch, charts)
            elif part == "charts":
                measured = run_charts(args, urls, scratch, charts)
            else:
                measured = run_demo(args)
            # Each figure keeps when and under what load it was measured: parts run separately.
            stamp = {"run": started_at, "options": options, "load_average": machine.load_average()}
            figures.update({k: {**v, "measured": stamp} for k, v in measured.items()})
            write_outputs()
    say(f"wrote {args.results} and {args.doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
