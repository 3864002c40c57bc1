"""What grows with data volume (docs/deploy.md): rows per year of every raw table and of the
marts' fact tables, with the time the loader and the build take, at one synthetic scale.

    .venv/bin/python benchmarks/bench_scale.py --scale county [--months 12] [--no-build]
    .venv/bin/python benchmarks/bench_scale.py --scale national --count-only

Generates the synthetic partnership (svdw.synthetic, `svdw generate --scale`), loads every file
into a throwaway database with the loader, builds the warehouse (svdw.transform.build_warehouse:
the gate, then dbt), counts rows, drops the database, and prints one JSON document: residents,
raw rows per table, fact rows per table, load and build seconds. Figures are per `--months`;
docs/deploy.md turns them into rows per year and per million residents.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg

from svdw.config import Settings
from svdw.loader import load_file, loading_order
from svdw.synthetic.world import Scale


def scratch_database(admin_url: str) -> str:
    name = f"svdw_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    return name


def table_rows(url: str, schema: str, prefix: str = "") -> dict[str, int]:
    with psycopg.connect(url) as conn:
        tables = conn.execute(
            "select table_name from information_schema.tables where table_schema = %s"
            " and table_type = 'BASE TABLE' and table_name like %s order by 1",
            (schema, prefix + "%"),
        ).fetchall()
        counts = {}
        for (table,) in tables:
            row = conn.execute(f'select count(*) from "{schema}"."{table}"').fetchone()
            counts[f"{schema}.{table}"] = row[0] if row else 0
        return counts


def csv_rows(path: Path) -> int:
    with path.open(newline="", encoding="utf-8", errors="replace") as handle:
        return max(0, sum(1 for _ in csv.reader(handle)) - 1)


def measure(scale: Scale, months: int, build: bool, load: bool = True) -> dict[str, Any]:
    from svdw.synthetic import generate
    from svdw.synthetic.world import World
    from svdw.transform import build_warehouse

    settings = Settings.from_env()
    admin = settings.warehouse_url.rsplit("/", 1)[0] + "/postgres"
    result: dict[str, Any] = {"scale": scale, "months": months}
    with tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        generate(Path(scratch), months=months, scale=scale)
        result["generate_s"] = round(time.perf_counter() - started, 1)
        world = World(2023, scale, months)
        result["residents"] = sum(a.population for a in world.geography.lsoas)
        files = loading_order(sorted(Path(scratch).rglob("*.csv")))
        result["files"] = len(files)
        result["megabytes"] = round(sum(p.stat().st_size for p in files) / 1e6, 1)
        if not load:
            # Rows per contract straight from the files (what the loader would read).
            result["file_rows"] = {
                folder.name: sum(csv_rows(f) for f in files if f.parent == folder)
                for folder in sorted({f.parent for f in files})
            }
            return result
        database = scratch_database(admin)
        url = settings.warehouse_url.rsplit("/", 1)[0] + f"/{database}"
        try:
            started = time.perf_counter()
            with psycopg.connect(url) as conn:
                for path in files:
                    load_file(conn, path)
            result["load_s"] = round(time.perf_counter() - started, 1)
            result["raw_rows"] = table_rows(url, "raw")
            if build:
                started = time.perf_counter()
                build_warehouse(url, report=lambda _line: None, trigger="bench_scale")
                result["build_s"] = round(time.perf_counter() - started, 1)
                result["fact_rows"] = table_rows(url, "marts", "fct_")
        finally:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'drop database if exists "{database}" with (force)')
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["county", "national"], default="county")
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--no-build", action="store_true", help="load only (no dbt build)")
    parser.add_argument(
        "--count-only", action="store_true", help="count the generated rows; load nothing"
    )
    args = parser.parse_args()
    scale: Scale = args.scale
    result = measure(scale, args.months, not args.no_build, load=not args.count_only)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
