"""A running Airflow for the e2e tests that need its services (not `airflow dags test`): the
demo's settings (airflow_dags.airflow_env) on ports of its own, against throwaway databases,
the metadata database migrated by the project's own script (infra/local/airflow.sh init).

Two stacks use it: celery_stack (the CeleryExecutor, started by infra/local/airflow.sh) and
local_stack here (the LocalExecutor, each service its own process, as compose and the Helm chart
run them, so that one service can be killed and restarted alone)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import psutil
import psycopg
from airflow_dags import AIRFLOW, airflow_env
from throwaway_cluster import free_port

from svdw.airflow_client import AirflowClient
from svdw.config import REPO_DIR

SCRIPTS = REPO_DIR / "infra" / "local"
T = TypeVar("T")


def own_ports() -> dict[str, str]:
    """Ports for the api-server and the log servers that no other Airflow on the machine uses."""
    return {
        "AIRFLOW_PORT": str(free_port()),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
    }


def kill_session(pgid: int) -> None:
    """SIGKILL a process group and every process under it: what a lost machine (or container)
    does to it. Airflow runs each task in a session of its own, outside its parent's process
    group, so the descendants are noted before the group goes."""
    try:
        descendants = psutil.Process(pgid).children(recursive=True)
    except psutil.NoSuchProcess:
        descendants = []
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)
    for process in descendants:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()


def stop_session(pgid: int, grace_s: float = 30) -> None:
    """SIGTERM a process group, then SIGKILL what is left of it and under it."""
    try:
        descendants = psutil.Process(pgid).children(recursive=True)
    except psutil.NoSuchProcess:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGTERM)
    _gone, alive = psutil.wait_procs([psutil.Process(pgid), *descendants], timeout=grace_s)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)
    for process in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()


@dataclass
class AirflowStack:
    env: dict[str, str]
    home: Path
    metadata_url: str
    # Services this object started (local_stack): name -> its process, a session leader.
    services: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.env['AIRFLOW_PORT']}"

    def client(self) -> AirflowClient:
        return AirflowClient(
            self.url, self.env["AIRFLOW_ADMIN_USER"], self.env["AIRFLOW_ADMIN_PASSWORD"], 3000
        )

    def script(self, name: str, *args: str) -> str:
        done = subprocess.run(
            ["bash", str(SCRIPTS / name), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, f"{name} {args}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
        return done.stdout

    def start(self, service: str) -> None:
        """`airflow <service>` in a session of its own, its output in <home>/<service>.log."""
        with (self.home / f"{service}.log").open("ab") as log:
            self.services[service] = subprocess.Popen(
                [str(AIRFLOW), service],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def kill(self, service: str) -> None:
        """SIGKILL a service and everything it started (kill_session)."""
        process = self.services.pop(service)
        kill_session(process.pid)
        process.wait(timeout=30)

    def stop(self) -> None:
        for service, process in list(self.services.items()):
            stop_session(process.pid)
            process.wait(timeout=30)
            del self.services[service]

    def log(self, service: str) -> str:
        return (self.home / f"{service}.log").read_text(errors="replace")[-4000:]

    def task_tries(self, dag_id: str, run_id: str) -> list[tuple[str, int, str | None]]:
        """(task_id, try_number, state) of every try of the run's task instances: the latest in
        task_instance, earlier ones in task_instance_history."""
        with psycopg.connect(self.metadata_url) as conn:
            return conn.execute(
                "select task_id, try_number, state from task_instance"
                " where dag_id = %(dag)s and run_id = %(run)s"
                " union all"
                " select task_id, try_number, state from task_instance_history"
                " where dag_id = %(dag)s and run_id = %(run)s"
                " order by 1, 2",
                {"dag": dag_id, "run": run_id},
            ).fetchall()


# The services a LocalExecutor deployment needs for DAG runs (no deferrable task: no triggerer).
LOCAL_SERVICES = ("api-server", "dag-processor", "scheduler")


@contextmanager
def local_stack(
    home: Path,
    metadata_url: str,
    warehouse_url: str,
    landing: Path,
    extra: Mapping[str, str] | None = None,
) -> Iterator[AirflowStack]:
    """Airflow with the LocalExecutor, each of LOCAL_SERVICES its own process; stopped on exit."""
    env = airflow_env(
        home,
        metadata_url,
        warehouse_url,
        landing,
        {"SVDW_EXECUTOR": "local", **own_ports(), **(extra or {})},
    )
    # Every DAG paused at creation: AirflowClient.trigger unpauses the one a test runs, and
    # nothing else runs beside it (the documents DAG the build's Asset schedules, the archive
    # purge's clock), which would only cost time on a busy machine.
    env["AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION"] = "True"
    stack = AirflowStack(env=env, home=home, metadata_url=metadata_url)
    stack.script("airflow.sh", "init")
    try:
        for service in LOCAL_SERVICES:
            stack.start(service)
        yield stack
    finally:
        stack.stop()


def wait_for(
    condition_name: str, check: Callable[[], T | None], timeout_s: float, every_s: float = 2
) -> T:
    """Poll check() until it returns something truthy; fail naming the condition."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(every_s)
    raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {condition_name}")
