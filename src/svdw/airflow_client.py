"""Drive a running Airflow over its REST API: trigger every ingestion DAG, then follow the
warehouse build their Assets schedule. `make demo` and `svdw pipeline` use this."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import requests

from svdw.contracts import load_contracts

TERMINAL = {"success", "failed"}
WAREHOUSE_DAG = "warehouse_build"


def _utc_now() -> str:
    return datetime.now(UTC).isoformat()


class PipelineError(RuntimeError):
    """A DAG run failed or did not finish in time; the message says which and where to look."""


@dataclass
class AirflowClient:
    base_url: str
    username: str
    password: str
    timeout_s: float = 600

    def __post_init__(self) -> None:
        self.session = requests.Session()
        response = requests.post(
            f"{self.base_url}/auth/token",
            json={"username": self.username, "password": self.password},
            timeout=30,
        )
        if response.status_code >= 400:
            raise PipelineError(
                f"Airflow at {self.base_url} refused the login for {self.username!r} "
                f"({response.status_code}); check AIRFLOW_ADMIN_USER/PASSWORD in .env"
            )
        self.session.headers["Authorization"] = f"Bearer {response.json()['access_token']}"

    def api(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.session.request(
            method, f"{self.base_url}/api/v2{path}", timeout=60, **kwargs
        )
        if response.status_code >= 400:
            raise PipelineError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response.json() if response.content else None

    def wait_for_dags(self, dag_ids: list[str]) -> None:
        deadline = time.monotonic() + self.timeout_s
        while True:
            known = {d["dag_id"] for d in self.api("GET", "/dags", params={"limit": 1000})["dags"]}
            missing = [d for d in dag_ids if d not in known]
            if not missing:
                return
            if time.monotonic() > deadline:
                errors = self.api("GET", "/importErrors").get("import_errors", [])
                detail = (
                    "; ".join(e.get("stack_trace", "")[-300:] for e in errors) or "none reported"
                )
                raise PipelineError(f"DAGs never appeared: {missing}; import errors: {detail}")
            time.sleep(2)

    def trigger(self, dag_id: str) -> str:
        self.api("PATCH", f"/dags/{dag_id}", json={"is_paused": False})
        run = self.api("POST", f"/dags/{dag_id}/dagRuns", json={"logical_date": None})
        return str(run["dag_run_id"])

    def run_state(self, dag_id: str, run_id: str) -> str:
        return str(self.api("GET", f"/dags/{dag_id}/dagRuns/{run_id}")["state"])

    def wait_for_run(self, dag_id: str, run_id: str) -> str:
        deadline = time.monotonic() + self.timeout_s
        while (state := self.run_state(dag_id, run_id)) not in TERMINAL:
            if time.monotonic() > deadline:
                raise PipelineError(
                    f"{dag_id} run {run_id} still {state} after {self.timeout_s:.0f} s"
                )
            time.sleep(2)
        return state

    def settle(self, dag_id: str, since: str, quiet_s: float = 10) -> list[dict[str, Any]]:
        """Wait until the Asset-scheduled DAG has no queued events and no unfinished runs
        started after `since`; return those runs (oldest first)."""
        deadline = time.monotonic() + self.timeout_s
        quiet_since: float | None = None
        while True:
            runs = self.api(
                "GET",
                f"/dags/{dag_id}/dagRuns",
                params={"run_after_gte": since, "order_by": "run_after"},
            )["dag_runs"]
            queued = self.api("GET", f"/dags/{dag_id}/assets/queuedEvents")["queued_events"]
            busy = queued or any(r["state"] not in TERMINAL for r in runs)
            if busy:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= quiet_s:
                return list(runs)
            if time.monotonic() > deadline:
                raise PipelineError(f"{dag_id} still busy after {self.timeout_s:.0f} s")
            time.sleep(2)

    def task_states(self, dag_id: str, run_id: str) -> dict[str, str]:
        instances = self.api("GET", f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances")[
            "task_instances"
        ]
        return {t["task_id"]: str(t["state"]) for t in instances}


def run_pipeline(client: AirflowClient, report: Callable[[str], None] = print) -> dict[str, str]:
    """Trigger every ingestion DAG, wait, then wait for the warehouse builds they scheduled
    (or trigger one when nothing new arrived). Raises PipelineError on any failed run."""
    contracts = load_contracts().values()
    # Reference data first: loading other extracts needs it (postcodes become LSOAs).
    waves = [
        [f"ingest_{c.name}" for c in contracts if c.partner == "reference"],
        [f"ingest_{c.name}" for c in contracts if c.partner != "reference"],
    ]
    client.wait_for_dags([*waves[0], *waves[1], WAREHOUSE_DAG])
    client.api("PATCH", f"/dags/{WAREHOUSE_DAG}", json={"is_paused": False})
    started = _utc_now()  # Airflow runs on this machine: one clock
    outcome: dict[str, str] = {}
    for wave in waves:
        runs = {dag_id: client.trigger(dag_id) for dag_id in wave}
        for dag_id, run_id in runs.items():
            outcome[dag_id] = client.wait_for_run(dag_id, run_id)
            loaded = client.task_states(dag_id, run_id).get("load_files")
            report(f"{dag_id}: {outcome[dag_id]} (load_files {loaded})")
    failed = [d for d, s in outcome.items() if s != "success"]
    if failed:
        raise PipelineError(f"ingestion failed: {failed}; see the task logs in the Airflow UI")
    build_runs = client.settle(WAREHOUSE_DAG, since=started)
    if not build_runs:
        report("no new data arrived: triggering the warehouse build by hand")
        run_id = client.trigger(WAREHOUSE_DAG)
        client.wait_for_run(WAREHOUSE_DAG, run_id)
        build_runs = client.settle(WAREHOUSE_DAG, since=started)
    for run in build_runs:
        outcome[f"{WAREHOUSE_DAG} {run['dag_run_id']}"] = run["state"]
        report(f"{WAREHOUSE_DAG} ({run['run_type']} {run['dag_run_id']}): {run['state']}")
    failed = [r["dag_run_id"] for r in build_runs if r["state"] != "success"]
    if failed:
        raise PipelineError(f"{WAREHOUSE_DAG} run(s) failed: {failed}; see their task logs")
    return outcome


def trigger_warehouse_build(base_url: str, username: str, password: str) -> str:
    """Start a warehouse_build run now (after a person accepted or rejected a batch); returns
    its run id. Raises PipelineError or OSError when Airflow is not there or refuses."""
    client = AirflowClient(base_url, username, password, timeout_s=30)
    return client.trigger(WAREHOUSE_DAG)
