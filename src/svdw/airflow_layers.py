"""The warehouse build's dbt tasks, one per layer of the project (dags/warehouse_build.py): seeds,
staging, marts (intermediate and the star schema together: each reads the other), sna, then the
tests once after every model. Each layer is one dbt invocation in one Airflow task, so a build
pays a task start, a DAG parse and a dbt start per layer, not per model; each layer task lists
its models with their status and time in its log and in its XCom `models` (the UI's XCom tab),
and a failed layer names the models that failed (dbt's own summary).

Why not a task per model: in Airflow 3 every task instance is a process that parses its DAG file,
and a Cosmos DAG of ~130 tasks costs 2.2 CPU-seconds to parse, every time (docs/runbook.md "Why
one task per layer", Cosmos WATCHER included)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# dbt selectors, in build order. Every model and seed is in exactly one (a unit test checks).
LAYERS: dict[str, list[str]] = {
    "seeds": ["resource_type:seed"],
    "staging": ["path:models/staging"],
    "marts": ["path:models/intermediate", "path:models/marts/core", "path:models/marts/evaluation"],
    "sna": ["path:models/marts/sna"],
}


def layer_of(resource_type: str, path: str) -> str | None:
    """The layer a manifest node (its resource type, original_file_path) is built in."""
    if resource_type == "seed":
        return "seeds"
    for layer, selectors in LAYERS.items():
        for selector in selectors:
            if selector.startswith("path:") and (
                path == selector[5:] or path.startswith(selector[5:] + "/")
            ):
                return layer
    return None


def model_results(project_dir: str | Path) -> dict[str, str]:
    """model (or seed, or test) -> "status (seconds)" from the run_results.json a dbt invocation
    left in its target; the project's hooks (operation.*), which every invocation runs, left out."""
    results = json.loads((Path(project_dir) / "target" / "run_results.json").read_text())
    return {
        result["unique_id"].rsplit(".", 1)[-1]: (
            f"{result['status']} ({float(result.get('execution_time') or 0):.1f} s)"
        )
        for result in results["results"]
        if not result["unique_id"].startswith("operation.")
    }


def report_models(project_dir: str, context: Any = None, **_: Any) -> None:
    """Cosmos callback after a layer's dbt run: log each model's result, and push them to XCom."""
    models = model_results(project_dir)
    for model, status in sorted(models.items()):
        print(f"{model}: {status}")
    if context is not None:
        context["ti"].xcom_push(key="models", value=models)
