"""Run one loader or generator job in a process of its own and print its time and peak resident
memory as JSON, so a figure's memory is that job's alone (`python -m svdw.bench.probe ...`)."""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

import psycopg


def peak_rss_mb() -> float:
    """This process's peak resident memory: VmHWM, the high-water mark of its own address
    space. Not getrusage's ru_maxrss, which Linux carries over exec from the process that
    forked it: started by a benchmark holding 700 MB (pandas' baseline), a 60 MB load read 700."""
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="job", required=True)
    load = sub.add_parser("load", help="load one file into a database")
    load.add_argument("url")
    load.add_argument("path", type=Path)
    generate = sub.add_parser("generate", help="write the synthetic partnership")
    generate.add_argument("out", type=Path)
    generate.add_argument("--months", type=int, default=1)
    generate.add_argument("--scale", choices=["county", "national"], default="national")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.job == "load":
        from svdw.loader import load_file

        with psycopg.connect(args.url) as conn:
            result = load_file(conn, args.path)
        out: dict[str, Any] = {"rows": result.rows_read, "status": result.status}
    else:
        from svdw.synthetic import generate as write

        files = write(args.out, months=args.months, scale=args.scale)
        out = {"files": len(files), "megabytes": round(sum(p.stat().st_size for p in files) / 1e6)}
    usage = resource.getrusage(resource.RUSAGE_SELF)
    out |= {
        "seconds": round(time.perf_counter() - started, 2),
        # CPU seconds of the process: on a shared machine, wall time includes waiting for a core
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": peak_rss_mb(),
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
