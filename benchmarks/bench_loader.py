"""Loader throughput and memory: `make bench`.

Loads every real police.uk file in ../shared/realdata (39 forces for 2018-10 plus Hertfordshire:
~377k rows) when it is there, else a synthetic year of police.uk files, into a throwaway
database, and checks the targets: at least MIN_ROWS_PER_S rows a second end to end (validate,
COPY, account) and a peak resident memory under MAX_RSS_MB however large the files are
(the loader streams). Exits non-zero when a target is missed.
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

from svdw.config import REPO_DIR, Settings
from svdw.loader import load_file

MIN_ROWS_PER_S = 25_000
MAX_RSS_MB = 400
REALDATA = Path(os.environ.get("SVDW_REALDATA", REPO_DIR.parent / "shared" / "realdata"))


def input_files(scratch: Path) -> tuple[str, list[Path]]:
    real = sorted((REALDATA / "police_uk").rglob("*-street.csv"))
    if real:
        return "real police.uk files", real
    from svdw.synthetic import generate

    generate(scratch, months=12, families={"police"})
    return "synthetic police.uk files", sorted((scratch / "police_uk_street").glob("*.csv"))


def main() -> int:
    settings = Settings.from_env()
    admin = settings.warehouse_url.rsplit("/", 1)[0] + "/postgres"
    database = f"svdw_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'create database "{database}"')
    try:
        with tempfile.TemporaryDirectory() as scratch:
            label, files = input_files(Path(scratch))
            megabytes = sum(p.stat().st_size for p in files) / 1e6
            url = settings.warehouse_url.rsplit("/", 1)[0] + f"/{database}"
            started = time.perf_counter()
            rows = 0
            with psycopg.connect(url) as conn:
                for path in files:
                    rows += load_file(conn, path).rows_read
            seconds = time.perf_counter() - started
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{database}" with (force)')
    rate = rows / seconds
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"loader: {len(files)} {label}, {megabytes:.0f} MB, {rows:,} rows in {seconds:.1f} s")
    print(f"  throughput {rate:,.0f} rows/s (target >= {MIN_ROWS_PER_S:,})")
    print(f"  peak RSS   {rss_mb:,.0f} MB (target <= {MAX_RSS_MB})")
    missed = rate < MIN_ROWS_PER_S or rss_mb > MAX_RSS_MB
    print("FAILED: a target was missed" if missed else "targets met")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
