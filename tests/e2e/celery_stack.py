"""Airflow's Celery mode for the e2e tests, started by the project's own scripts
(infra/local/redis.sh, infra/local/airflow.sh with SVDW_EXECUTOR=celery) on ports of its own,
against throwaway databases: Redis, the api-server, scheduler, dag-processor, triggerer and two
Celery workers. Which worker ran a task is read from Celery's results in the metadata DB."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import psutil
import psycopg
from airflow_dags import airflow_env

from svdw.airflow_client import AirflowClient
from svdw.config import REPO_DIR

SCRIPTS = REPO_DIR / "infra" / "local"
WORKERS = 2
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class CeleryStack:
    env: dict[str, str]
    home: Path
    metadata_url: str

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

    def kill_worker(self, number: int) -> None:
        """SIGKILL worker `number` and every process under it, its running tasks with them (each
        task runs in a session of its own, outside the worker's process group): a machine lost,
        not a graceful shutdown (which would wait for the tasks to finish)."""
        pgid = int((self.home / f"worker-{number}.pgid").read_text())
        tasks = psutil.Process(pgid).children(recursive=True)
        os.killpg(pgid, signal.SIGKILL)
        for process in tasks:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()

    def tries(self, dag_id: str, run_id: str) -> list[tuple[str, int, str, str]]:
        """(task_id, try_number, state, worker) of every try of the run's task instances: the
        latest in task_instance, earlier ones in task_instance_history; the worker is Celery's
        record of the try (external_executor_id is its Celery task id)."""
        with psycopg.connect(self.metadata_url) as conn:
            return conn.execute(
                "select t.task_id, t.try_number, t.state, m.worker from ("
                "  select task_id, try_number, state, external_executor_id from task_instance"
                "  where dag_id = %(dag)s and run_id = %(run)s"
                "  union all"
                "  select task_id, try_number, state, external_executor_id"
                "  from task_instance_history where dag_id = %(dag)s and run_id = %(run)s"
                ") t join celery_taskmeta m on m.task_id = t.external_executor_id"
                " order by t.task_id, t.try_number",
                {"dag": dag_id, "run": run_id},
            ).fetchall()

    def worker_log(self, number: int) -> str:
        return (self.home / f"worker-{number}.log").read_text(errors="replace")[-4000:]


def worker_name(number: int) -> str:
    return f"svdw-worker-{number}@"


@contextmanager
def celery_stack(
    home: Path, metadata_url: str, warehouse_url: str, landing: Path
) -> Iterator[CeleryStack]:
    """Redis and Airflow in Celery mode with two workers; stopped (and Redis with it) on exit."""
    extra = {
        "SVDW_EXECUTOR": "celery",
        "SVDW_CELERY_WORKERS": str(WORKERS),
        "SVDW_REDIS_PORT": str(free_port()),
        "SVDW_REDIS_PASSWORD": secrets.token_hex(16),
        "SVDW_REDIS_DIR": str(home / "redis"),
        "AIRFLOW_PORT": str(free_port()),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
        # A lost worker's task is failed (then retried) after 20 s without a heartbeat, and a
        # task it had taken from the queue but not started is queued again after 60 s.
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "20",
        "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT": "60",
        "SVDW_RETRY_DELAY_SECONDS": "5",
    }
    env = airflow_env(home, metadata_url, warehouse_url, landing, extra)
    stack = CeleryStack(env=env, home=home, metadata_url=metadata_url)
    stack.script("redis.sh", "up")
    try:
        stack.script("airflow.sh", "init")
        stack.script("airflow.sh", "start")
        yield stack
    finally:
        subprocess.run(["bash", str(SCRIPTS / "airflow.sh"), "stop"], env=env, timeout=120)
        subprocess.run(["bash", str(SCRIPTS / "redis.sh"), "down"], env=env, timeout=60)


def wait_for(
    condition_name: str, check: Callable[[], T], timeout_s: float, every_s: float = 2
) -> T:
    """Poll check() until it returns something truthy; fail naming the condition."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(every_s)
    raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {condition_name}")
