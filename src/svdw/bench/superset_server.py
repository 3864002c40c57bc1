"""A private Superset for the chart figures: its own metadata database, its own Redis (the
chart data cache the warm figure reads from, as in `make demo EXECUTOR=celery`, compose and
Helm) and its own ports, over a benchmark warehouse; started with infra/local/superset.sh and
infra/local/redis.sh as the e2e tests start theirs, stopped whatever happens."""

from __future__ import annotations

import os
import random
import secrets
import socket
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from svdw.bench.databases import scratch_database
from svdw.config import REPO_DIR
from svdw.db_urls import with_user

Report = Callable[[str], object]
SUPERSET_SH = REPO_DIR / "infra" / "local" / "superset.sh"
REDIS_SH = REPO_DIR / "infra" / "local" / "redis.sh"


@dataclass(frozen=True)
class PrivateSuperset:
    url: str
    username: str
    password: str
    analyst_url: str  # the same warehouse as the read-only analyst role (sql_p95_ms)


def free_port(low: int = 18000, high: int = 18999) -> int:
    """A free loopback port in the benchmark's range (clear of the demo's 8088 and 56379)."""
    for port in random.sample(range(low, high + 1), high - low + 1):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {low}-{high}")


def _sh(script: Path, env: dict[str, str], *args: str, check: bool = True) -> None:
    proc = subprocess.run(
        ["bash", str(script), *args], env=env, capture_output=True, text=True, timeout=900
    )
    if check and proc.returncode != 0:
        raise RuntimeError(
            f"{script.name} {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
        )


def _need(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set: `make env` writes .env")
    return value


@contextmanager
def private_superset(
    warehouse_url: str, admin_url: str, home: Path, report: Report
) -> Iterator[PrivateSuperset]:
    """Superset (init, import of superset/assets, start) and Redis over the warehouse at
    warehouse_url, read as the dashboard role; both stopped and the metadata database dropped
    on exit."""
    username, password = "bench_admin", secrets.token_urlsafe(16)
    redis_password = secrets.token_hex(16)
    redis_port, port = free_port(), free_port()
    env = dict(os.environ)
    with scratch_database(warehouse_url, admin_url, "ssmeta", owner="superset") as meta_url:
        env.update(
            SUPERSET_METADATA_URL=with_user(
                meta_url, "superset", _need("SUPERSET_DB_PASSWORD"), "postgresql+psycopg2"
            ),
            SUPERSET_WAREHOUSE_URL=with_user(
                warehouse_url, "svdw_dashboard", _need("DASHBOARD_PASSWORD")
            ),
            SUPERSET_ANALYST_URL=with_user(
                warehouse_url, "svdw_analyst", _need("ANALYST_PASSWORD")
            ),
            SUPERSET_PORT=str(port),
            SUPERSET_HOME=str(home / "superset"),
            SUPERSET_ADMIN_USER=username,
            SUPERSET_ADMIN_PASSWORD=password,
            SVDW_REDIS_PORT=str(redis_port),
            SVDW_REDIS_PASSWORD=redis_password,
            SVDW_REDIS_DIR=str(home / "redis"),
            SUPERSET_REDIS_URL=f"redis://:{redis_password}@127.0.0.1:{redis_port}",
        )
        _sh(REDIS_SH, env, "up")
        try:
            for step in ("init", "import", "start"):
                report(f"  superset.sh {step} (port {port})")
                _sh(SUPERSET_SH, env, step)
            yield PrivateSuperset(
                f"http://127.0.0.1:{port}", username, password, env["SUPERSET_ANALYST_URL"]
            )
        finally:
            _sh(SUPERSET_SH, env, "stop", check=False)
            _sh(REDIS_SH, env, "down", check=False)
