"""loader_vs_copy, loader_vs_pandas and loader_peak_rss_mb on one set of files: each repeat in a
fresh database, the same files through psql \\copy, pandas and `svdw load` in turn."""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from svdw.bench.baselines import pandas_seconds, psql_copy_seconds
from svdw.bench.databases import scratch_database
from svdw.bench.stats import summarise, throughput_ratio
from svdw.contracts import Contract
from svdw.loader import detect_contract, load_file, loading_order
from svdw.parallel_load import load_in_parallel, loaded_results
from svdw.schema import ensure_audit_schema, ensure_raw_table

Report = Callable[[str], object]


@dataclass(frozen=True)
class FileSet:
    """The files a case times (each with its contract), and reference files loaded untimed
    before them (the postcode lookup that turns postcodes into LSOAs)."""

    label: str
    files: list[tuple[Path, Contract]]
    setup: list[Path]

    @property
    def rows(self) -> int:
        return sum(_data_rows(p, c) for p, c in self.files)

    @property
    def megabytes(self) -> float:
        return round(sum(p.stat().st_size for p, _ in self.files) / 1e6, 1)


def _data_rows(path: Path, contract: Contract) -> int:
    with path.open(encoding=contract.encoding, newline="") as handle:
        return max(0, sum(1 for _ in csv.reader(handle, delimiter=contract.delimiter)) - 1)


def file_set(label: str, paths: Sequence[Path]) -> FileSet:
    """Reference files become setup; the other delimited extracts are timed."""
    timed, setup = [], []
    for path in loading_order(list(paths)):
        contract = detect_contract(path)
        if contract.partner == "reference":
            setup.append(path)
        elif contract.format != "geojson":
            timed.append((path, contract))
    return FileSet(label, timed, setup)


def svdw_seconds(
    url: str, files: FileSet, by_contract: dict[str, list[float]] | None = None, jobs: int = 1
) -> tuple[float, int]:
    """Seconds for the loader to load every timed file (validation, pseudonymisation, audit
    included) after the setup files, with `jobs` processes as `svdw load --jobs` does (one
    contract's files in one process); rows read. `by_contract` gets each contract's (seconds,
    rows): what the figure's time is made of."""
    with psycopg.connect(url) as conn:
        for path in files.setup:
            load_file(conn, path)
        # The raw tables exist before the clock starts, as the baselines' tables do.
        ensure_audit_schema(conn)
        for contract in {c.name: c for _, c in files.files}.values():
            ensure_raw_table(conn, contract)
        conn.commit()
    started = time.perf_counter()
    outcomes = load_in_parallel(url, [path for path, _ in files.files], jobs, loaded_by="bench")
    seconds = time.perf_counter() - started
    rows = sum(result.rows_read for result in loaded_results(outcomes))
    if by_contract is not None:
        for outcome in outcomes:
            if not outcome.results:
                continue
            name = outcome.results[0].contract or "?"
            by_contract[name] = [outcome.seconds, sum(r.rows_read for r in outcome.results)]
    return seconds, rows


def compare(
    files: FileSet,
    warehouse_url: str,
    admin_url: str,
    repeats: int,
    with_pandas: bool,
    report: Report,
    jobs: int = 1,
) -> dict[str, Any]:
    """Timings of the three loads of the same files, `repeats` times, and their ratios (svdw
    with `jobs` processes)."""
    copy_s: list[float] = []
    pandas_s: list[float] = []
    svdw_s: list[float] = []
    rows = 0
    by_contract: dict[str, list[float]] = {}
    for run in range(repeats):
        with scratch_database(warehouse_url, admin_url, "loader") as url:
            copy_s.append(psql_copy_seconds(url, files.files))
            if with_pandas:
                pandas_s.append(pandas_seconds(url, files.files))
            by_contract.clear()  # the last repeat's
            seconds, rows = svdw_seconds(url, files, by_contract, jobs)
            svdw_s.append(seconds)
        report(
            f"  {files.label} run {run + 1}/{repeats}: copy {copy_s[-1]:.1f} s,"
            + (f" pandas {pandas_s[-1]:.1f} s," if with_pandas else "")
            + f" svdw {svdw_s[-1]:.1f} s ({rows:,} rows)"
        )
    out: dict[str, Any] = {
        "files": len(files.files),
        "megabytes": files.megabytes,
        "rows": rows,
        "copy_s": summarise(copy_s, 2),
        "svdw_s": summarise(svdw_s, 2),
        "svdw_rows_per_s": summarise([rows / s for s in svdw_s], 0),
        "vs_copy": throughput_ratio(copy_s, svdw_s),
        "svdw_jobs": jobs,
        # where svdw's time went in the last repeat, slowest contract first
        "svdw_by_contract": {
            name: f"{spent:.1f} s, {count:,.0f} rows ({count / spent:,.0f} rows/s)"
            for name, (spent, count) in sorted(by_contract.items(), key=lambda kv: -kv[1][0])
        },
    }
    if with_pandas:
        out["pandas_s"] = summarise(pandas_s, 2)
        out["vs_pandas"] = throughput_ratio(pandas_s, svdw_s)
    return out


def multiplied_file(path: Path, out_dir: Path, factor: int) -> Path:
    """A police.uk street file `factor` times as long, written streaming: its data rows again
    and again, each copy's crime IDs re-hashed so no row repeats another (same file name, so
    the contract reads the same month from it)."""
    target = out_dir / path.name
    out_dir.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        for copy in range(factor):
            with path.open(encoding="utf-8-sig", newline="") as source:
                reader = csv.reader(source)
                header = next(reader)
                if copy == 0:
                    writer.writerow(header)
                for record in reader:
                    if copy and record and record[0]:
                        record[0] = hashlib.sha256(f"{copy}:{record[0]}".encode()).hexdigest()
                    writer.writerow(record)
    return target


def probe_load(url: str, path: Path) -> dict[str, Any]:
    """Load one file in a process of its own; its rows, seconds and peak memory."""
    done = subprocess.run(
        [sys.executable, "-m", "svdw.bench.probe", "load", url, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def peak_memory(
    largest: Path,
    scratch: Path,
    warehouse_url: str,
    admin_url: str,
    repeats: int,
    report: Report,
    factor: int = 10,
) -> dict[str, Any]:
    """Peak RSS of the loader on the largest police.uk street file and on one `factor` times
    larger; each load in a fresh database and a fresh process."""
    bigger = multiplied_file(largest, scratch / f"x{factor}", factor)
    cases: dict[str, Any] = {}
    for label, path in (("largest_file", largest), (f"file_{factor}x", bigger)):
        runs = []
        for _ in range(repeats):
            with scratch_database(warehouse_url, admin_url, "rss") as url:
                runs.append(probe_load(url, path))
        cases[label] = {
            "file": path.name,
            "megabytes": round(path.stat().st_size / 1e6, 1),
            "rows": runs[-1]["rows"],
            "peak_rss_mb": summarise([r["peak_rss_mb"] for r in runs], 1),
            "rows_per_s": summarise([r["rows"] / r["seconds"] for r in runs], 0),
        }
        report(f"  peak RSS {label}: {cases[label]['peak_rss_mb']['median']} MB")
    return cases
