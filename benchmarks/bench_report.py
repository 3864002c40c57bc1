"""The SNA documents for a whole partnership: `python benchmarks/bench_report.py [WAREHOUSE_URL]`.

Renders every district's document and the partnership's (HTML + PDF) from a built warehouse,
the set `svdw report sna --all` and the sna_reports DAG write, and reports the time per area and
in all against the issue's target (ten districts under two minutes). With no URL it builds the
synthetic partnership (ten districts, three months) into a throwaway database first (not timed).
A benchmark, not a test: exits non-zero when the target is missed.
"""

from __future__ import annotations

import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

from svdw.config import Settings
from svdw.report.publish import all_areas, render_area, resolve_year, write_index

TARGET_SECONDS = 120


def build_synthetic(url: str, scratch: Path) -> None:
    from svdw.loader import EXTRACT_SUFFIXES, load_file, loading_order
    from svdw.synthetic import generate
    from svdw.transform import build_warehouse

    generate(scratch, months=3, seed=7, reference_dir=None)
    files = loading_order([p for p in scratch.rglob("*") if p.suffix in EXTRACT_SUFFIXES])
    with psycopg.connect(url) as conn:
        for path in files:
            load_file(conn, path)
    build_warehouse(url, report=lambda _line: None, trigger="bench_report")


def bench(url: str, out: Path, templates: Path) -> float:
    with psycopg.connect(url) as conn:
        year = resolve_year(conn, None)
        areas = all_areas(conn)
        rendered = []
        started = time.perf_counter()
        for area in areas:
            began = time.perf_counter()
            rendered.append(render_area(conn, area, year, out, templates))
            print(f"  {area.name:<24} {time.perf_counter() - began:6.1f} s")
        write_index(out, year, rendered)
        seconds = time.perf_counter() - started
    districts = len(areas) - 1
    print(f"SNA documents {year}: {districts} districts + the partnership in {seconds:.1f} s")
    print(f"  target: under {TARGET_SECONDS} s")
    return seconds


def main() -> int:
    settings = Settings.from_env()
    templates = settings.report_templates_dir
    with tempfile.TemporaryDirectory() as scratch:
        if len(sys.argv) > 1:
            seconds = bench(sys.argv[1], Path(scratch), templates)
        else:
            admin = settings.warehouse_url.rsplit("/", 1)[0] + "/postgres"
            database = f"svdw_bench_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'create database "{database}"')
            try:
                url = settings.warehouse_url.rsplit("/", 1)[0] + f"/{database}"
                build_synthetic(url, Path(scratch) / "synthetic")
                seconds = bench(url, Path(scratch) / "reports", templates)
            finally:
                with psycopg.connect(admin, autocommit=True) as conn:
                    conn.execute(f'drop database if exists "{database}" with (force)')
    missed = seconds > TARGET_SECONDS
    print("FAILED: target missed" if missed else "target met")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
