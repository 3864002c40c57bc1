"""Drive a running Airflow over its REST API: trigger every ingestion DAG, then one warehouse
build over everything they loaded. `make demo` and `svdw pipeline` use this."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

from svdw.contracts import load_contracts
from svdw.postcode_lookup import TABLE as POSTCODE_LOOKUP_TABLE

TERMINAL = {"success", "failed"}
API_TIMEOUT_S = 180
WAREHOUSE_DAG = "warehouse_build"
REPORTS_DAG = "sna_reports"


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
        # A busy machine (the demo's whole stack on two cores) can keep the api-server from
        # answering for a minute or more: wait longer, and ask again when only reading.
        attempts = 3 if method == "GET" else 1
        for attempt in range(1, attempts + 1):
            try:
                response = self.session.request(
                    method, f"{self.base_url}/api/v2{path}", timeout=API_TIMEOUT_S, **kwargs
                )
                break
            except requests.Timeout:
                if attempt == attempts:
                    raise
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

    def set_paused(self, dag_id: str, paused: bool) -> None:
        self.api("PATCH", f"/dags/{dag_id}", json={"is_paused": paused})

    def trigger(self, dag_id: str) -> str:
        self.set_paused(dag_id, False)
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

    def task_states(self, dag_id: str, run_id: str) -> dict[str, str]:
        instances = self.api("GET", f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances")[
            "task_instances"
        ]
        return {t["task_id"]: str(t["state"]) for t in instances}


def run_pipeline(client: AirflowClient, report: Callable[[str], None] = print) -> dict[str, str]:
    """Trigger every ingestion DAG, wait, then run ONE warehouse build over every batch they
    loaded. Raises PipelineError on any failed run.

    The warehouse build is paused while the extracts load: it is scheduled on every raw table's
    Asset, so the first reference load would start a build while the other loads commit, and
    their events would queue a second one (two builds, the first of a partial delivery). A paused
    DAG queues no Asset events (Airflow drops them for it), so once every load has finished the
    build is unpaused (Asset scheduling resumes for later deliveries) and triggered once.

    The SNA documents DAG is paused for the same reason until the build has finished: the
    pipeline renders the documents once, explicitly (run_reports), also when the build had
    nothing new to admit and so emitted no `sna.built` event."""
    contracts = load_contracts().values()
    # The postcode lookup first: loading an extract with postcodes needs it (they become LSOAs,
    # svdw.loader.make_pseudonymiser). No other load reads another table, so everything else,
    # the rest of the reference data included, loads side by side after it.
    waves = [
        [f"ingest_{c.name}" for c in contracts if c.table == POSTCODE_LOOKUP_TABLE],
        [f"ingest_{c.name}" for c in contracts if c.table != POSTCODE_LOOKUP_TABLE],
    ]
    client.wait_for_dags([*waves[0], *waves[1], WAREHOUSE_DAG, REPORTS_DAG])
    outcome: dict[str, str] = {}
    client.set_paused(REPORTS_DAG, True)
    try:
        client.set_paused(WAREHOUSE_DAG, True)
        try:
            for wave in waves:
                runs = {dag_id: client.trigger(dag_id) for dag_id in wave}
                for dag_id, run_id in runs.items():
                    outcome[dag_id] = client.wait_for_run(dag_id, run_id)
                    loaded = client.task_states(dag_id, run_id).get("load_files")
                    report(f"{dag_id}: {outcome[dag_id]} (load_files {loaded})")
        finally:
            client.set_paused(WAREHOUSE_DAG, False)
        failed = [d for d, s in outcome.items() if s != "success"]
        if failed:
            raise PipelineError(f"ingestion failed: {failed}; see the task logs in the Airflow UI")
        run_id = client.trigger(WAREHOUSE_DAG)
        outcome[f"{WAREHOUSE_DAG} {run_id}"] = state = client.wait_for_run(WAREHOUSE_DAG, run_id)
        report(f"{WAREHOUSE_DAG} ({run_id}, one build over every load): {state}")
        if state != "success":
            raise PipelineError(f"{WAREHOUSE_DAG} run {run_id} failed; see its task logs")
    finally:
        client.set_paused(REPORTS_DAG, False)
    return outcome


def run_reports(client: AirflowClient, report: Callable[[str], None] = print) -> str:
    """Render the SNA documents once through their DAG (the same task Asset scheduling runs
    after each build) and wait for it; returns the run id. Raises PipelineError when the run
    fails, naming the run whose task log says why."""
    client.wait_for_dags([REPORTS_DAG])
    run_id = client.trigger(REPORTS_DAG)
    state = client.wait_for_run(REPORTS_DAG, run_id)
    report(f"{REPORTS_DAG} ({run_id}): {state}")
    if state != "success":
        raise PipelineError(
            f"{REPORTS_DAG} run {run_id} {state}; see its task log (render_sna_documents)"
        )
    return run_id


def trigger_warehouse_build(base_url: str, username: str, password: str) -> str:
    """Start a warehouse_build run now (after a person accepted or rejected a batch); returns
    its run id. Raises PipelineError or OSError when Airflow is not there or refuses."""
    client = AirflowClient(base_url, username, password, timeout_s=30)
    return client.trigger(WAREHOUSE_DAG)
