"""Airflow's Celery mode for the e2e tests, started by the project's own scripts
(infra/local/redis.sh, infra/local/airflow.sh with SVDW_EXECUTOR=celery) on ports of its own,
against throwaway databases: Redis, the api-server, scheduler, dag-processor, triggerer and two
Celery workers. Which worker ran a task is read from Celery's results in the metadata DB."""

from __future__ import annotations

import secrets
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from airflow_dags import airflow_env
from airflow_stack import SCRIPTS, AirflowStack, free_port, kill_session, own_ports, wait_for

WORKERS = 2
__all__ = ["WORKERS", "CeleryStack", "celery_stack", "wait_for", "worker_name"]


class CeleryStack(AirflowStack):
    def kill_worker(self, number: int) -> None:
        """SIGKILL worker `number` and every process under it, its running tasks with them: a
        machine lost, not a graceful shutdown (which would wait for the tasks to finish)."""
        kill_session(int((self.home / f"worker-{number}.pgid").read_text()))

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
        **own_ports(),
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
