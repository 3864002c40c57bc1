"""Where a dbt build's time goes, from the run_results.json it leaves: thread-seconds by kind of
node (incremental models, table models, views, data tests, unit tests) and the slowest nodes,
so a month figure says what stands in the way of its target."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

SLOWEST = 8


def node_kind(unique_id: str, materialized: str | None) -> str:
    kind = unique_id.split(".", 1)[0]
    if kind == "model":
        return f"model ({materialized or 'view'})"
    return kind.replace("_", " ")


def breakdown(
    run_results: dict[str, Any], manifest: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Thread-seconds by kind of node and the slowest nodes of one `dbt build`, as one flat
    mapping (a row each in docs/benchmarks.md)."""
    nodes = (manifest or {}).get("nodes", {})
    by_kind: dict[str, float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    timed: list[tuple[float, str]] = []
    for result in run_results.get("results", []):
        unique_id = result["unique_id"]
        config = nodes.get(unique_id, {}).get("config", {})
        kind = node_kind(unique_id, config.get("materialized"))
        seconds = float(result.get("execution_time") or 0.0)
        by_kind[kind] += seconds
        count[kind] += 1
        timed.append((seconds, unique_id.split(".")[-1]))
    timed.sort(reverse=True)
    out: dict[str, Any] = {"dbt elapsed s": round(float(run_results.get("elapsed_time") or 0), 1)}
    for kind, seconds in sorted(by_kind.items(), key=lambda kv: -kv[1]):
        out[f"{count[kind]} {kind}: thread-s"] = round(seconds, 1)
    for seconds, name in timed[:SLOWEST]:
        out[f"slowest: {name} s"] = round(seconds, 1)
    return out


def last_build(target_dir: Path) -> dict[str, Any]:
    """The breakdown of the build that last wrote target_dir (empty when there is none)."""
    results = target_dir / "run_results.json"
    if not results.is_file():
        return {}
    manifest_path = target_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.is_file() else None
    return breakdown(json.loads(results.read_text()), manifest)
