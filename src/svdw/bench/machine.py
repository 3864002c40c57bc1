"""The machine a benchmark ran on: cores, memory, load, versions (docs/benchmarks.md's header)."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

import psycopg

PACKAGES = ("psycopg", "pandas", "sqlalchemy", "dbt-core", "dbt-postgres", "apache-superset")


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        return None
    return None


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _commit(repo: Path) -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.strip()


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def describe(warehouse_url: str, repo: Path) -> dict[str, Any]:
    with psycopg.connect(warehouse_url) as conn:
        row = conn.execute("show server_version").fetchone()
    return {
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "memory_gb": _memory_gb(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "postgresql": row[0] if row else None,
        "packages": {p: _version(p) for p in PACKAGES if _version(p)},
        "commit": _commit(repo),
        "load_average_at_start": load_average(),
    }
