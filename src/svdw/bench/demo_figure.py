"""demo_fresh_clone_s: read from the timing file `make demo` leaves (DEMO_TIMINGS: JSON with
"total_s" and optionally "steps"), or, when asked, measured here: a fresh `git clone` of the
repository and `make demo` in it, timed end to end."""

from __future__ import annotations

import json
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from svdw.bench.stats import figure, summarise

DEMO_TIMINGS = Path(".local") / "demo_timings.json"


def from_timing_file(repo: Path) -> dict[str, Any] | None:
    path = repo / DEMO_TIMINGS
    if not path.is_file():
        return None
    timings = json.loads(path.read_text())
    cases: dict[str, Any] = {"total": summarise([float(timings["total_s"])], 1)}
    if timings.get("steps"):
        cases["steps_s"] = timings["steps"]
    return figure("measured", cases, source=str(DEMO_TIMINGS))


def run_fresh_clone(repo: Path) -> dict[str, Any]:
    """`make demo` in a fresh clone of the repository's HEAD (installs included)."""
    with tempfile.TemporaryDirectory(prefix="svdw-demo-") as scratch:
        clone = Path(scratch) / "svdw"
        subprocess.run(["git", "clone", "--quiet", str(repo), str(clone)], check=True)
        started = time.perf_counter()
        try:
            subprocess.run(["make", "demo"], cwd=clone, check=True)
            seconds = time.perf_counter() - started
        finally:  # the clone's services and cluster must not outlive its folder
            subprocess.run(["make", "down"], cwd=clone, check=False)
    return figure("measured", {"total": summarise([seconds], 1)}, source="make demo, fresh clone")
