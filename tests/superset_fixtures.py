"""Superset for the end-to-end tests, shared by test_superset.py (REST) and
test_dashboards_browser.py (chromium): one instance per test session, started with
infra/local/superset.sh against throwaway databases, over a warehouse long enough for every
dashboard to have data (the cohort outcomes need referrals with a complete 12-month follow-up).

tests/conftest.py imports the fixtures, so pytest registers them for the whole suite.
Superset lives in its own virtualenv (.venv-superset), so it is driven only through
superset.sh (subprocesses) and HTTP; nothing here imports superset.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from conftest import BuiltWarehouse, build_synthetic_warehouse
from db import with_user

REPO = Path(__file__).resolve().parents[1]
SUPERSET_SH = REPO / "infra" / "local" / "superset.sh"
# The bundle under test: what superset.sh imports (it honours SUPERSET_ASSETS too).
ASSETS = Path(os.environ.get("SUPERSET_ASSETS") or REPO / "superset" / "assets")
PG_HOST = "127.0.0.1"
# Months of synthetic partnership behind the dashboards (ending September, as the generator's
# default last month does): 18 hold one whole financial year (the core measures' baseline) and
# referrals with a complete 12-month follow-up (sna_cohort_outcomes).
DASHBOARD_MONTHS = 18


@pytest.fixture(scope="session")
def dashboard_warehouse(
    make_database: Callable[..., str], tmp_path_factory: pytest.TempPathFactory
) -> BuiltWarehouse:
    """A warehouse built from DASHBOARD_MONTHS of the synthetic partnership, on the real
    Hertfordshire geography of reference/ (as `make demo`): the maps draw real boundaries; its
    programmes evaluated as the warehouse_build DAG does after a build (What works)."""
    from svdw.evaluation.publish import run_evaluation
    from svdw.synthetic import generate

    out = tmp_path_factory.mktemp("dashboard_partnership")
    generate(out, months=DASHBOARD_MONTHS, seed=7)
    built = build_synthetic_warehouse(make_database("dash"), out)
    run_evaluation(built.url)
    return built


# conftest.py has read .env into the environment (without overriding what was set).
ENV = dict(os.environ)


def need(name: str) -> str:
    if not ENV.get(name):
        pytest.fail(f"{name} is not set: run `make env` (writes .env) before the e2e tests")
    return ENV[name]


def dashboard_url(warehouse_url: str) -> str:
    """The same warehouse database, as the read-only dashboard role Superset must use."""
    return with_user(warehouse_url, "svdw_dashboard", need("DASHBOARD_PASSWORD"))


def analyst_url(warehouse_url: str) -> str:
    """The same warehouse database, as the read-only analyst role SQL Lab uses."""
    return with_user(warehouse_url, "svdw_analyst", need("ANALYST_PASSWORD"))


# --- Superset ------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((PG_HOST, 0))
        return s.getsockname()[1]


@dataclass
class Superset:
    url: str
    env: dict[str, str]
    username: str
    password: str
    timings: dict[str, float] = field(default_factory=dict)

    def sh(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        started = time.monotonic()
        proc = subprocess.run(
            ["bash", str(SUPERSET_SH), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        self.timings[" ".join(args)] = round(time.monotonic() - started, 1)
        if check and proc.returncode != 0:
            raise AssertionError(
                f"superset.sh {' '.join(args)} exited {proc.returncode}\n"
                f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
            )
        return proc

    def api(self, user: str | None = None, password: str | None = None) -> requests.Session:
        """A session logged in as the admin, or as the given user."""
        session = requests.Session()
        response = session.post(
            f"{self.url}/api/v1/security/login",
            json={
                "username": user or self.username,
                "password": password or self.password,
                "provider": "db",
                "refresh": False,
            },
            timeout=30,
        )
        assert response.status_code == 200, response.text
        session.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
        return session


@pytest.fixture(scope="session")
def superset(
    dashboard_warehouse: BuiltWarehouse,
    make_database: Callable[..., str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Superset]:
    """One Superset for every e2e test that needs it (init, import, start take minutes)."""
    meta_url = make_database("ssmeta", owner="superset")
    port = _free_port()
    username, password = "e2e_admin", secrets.token_urlsafe(16)
    env = dict(ENV)
    env.update(
        SUPERSET_METADATA_URL=with_user(
            meta_url, "superset", need("SUPERSET_DB_PASSWORD"), "postgresql+psycopg2"
        ),
        SUPERSET_WAREHOUSE_URL=dashboard_url(dashboard_warehouse.url),
        SUPERSET_ANALYST_URL=analyst_url(dashboard_warehouse.url),
        SUPERSET_PORT=str(port),
        SUPERSET_HOME=str(tmp_path_factory.mktemp("superset_home")),
        SUPERSET_ADMIN_USER=username,
        SUPERSET_ADMIN_PASSWORD=password,
        # The shipped default (superset_config.py): only failed logins count, so the browser
        # test's many good logins pass; test_superset_hardening.py reads it to provoke a 429.
        SUPERSET_AUTH_RATE_LIMIT="10 per minute",
    )
    need("SUPERSET_SECRET_KEY")
    for name in DEMO_LOGINS:
        need(name)
    server = Superset(f"http://127.0.0.1:{port}", env, username, password)
    try:
        server.sh("init")
        server.sh("import")
        server.sh("start")
        print(f"\nsuperset.sh timings (s): {json.dumps(server.timings)}")
        yield server
    finally:
        server.sh("stop", check=False)


# The demo users superset/security/roles.yaml creates, from .env.
DEMO_LOGINS = (
    "SUPERSET_BOARD_USER",
    "SUPERSET_BOARD_PASSWORD",
    "SUPERSET_DISTRICT_USER",
    "SUPERSET_DISTRICT_PASSWORD",
    "SUPERSET_ANALYST_USER",
    "SUPERSET_ANALYST_PASSWORD",
    "SUPERSET_DISTRICT_CODE",
)
