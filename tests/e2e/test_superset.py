"""Superset end to end: infra/local/superset.sh init, import and start against throwaway
databases, then the REST API checks what a board member would see.

Superset lives in its own virtualenv (.venv-superset), so it is driven only through
superset.sh (subprocesses) and HTTP; nothing here imports superset.

Needs the project-local PostgreSQL (infra/local/pg.sh up) and .env (make env).
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
import yaml
from conftest import with_user

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
SUPERSET_SH = REPO / "infra" / "local" / "superset.sh"
ASSETS = REPO / "superset" / "assets"
PG_HOST = "127.0.0.1"


# conftest.py has read .env into the environment (without overriding what was set).
ENV = dict(os.environ)


def _need(name: str) -> str:
    if not ENV.get(name):
        pytest.fail(f"{name} is not set: run `make env` (writes .env) before the e2e tests")
    return ENV[name]


def dashboard_url(warehouse_url: str) -> str:
    """The same warehouse database, as the read-only dashboard role Superset must use."""
    return with_user(warehouse_url, "svdw_dashboard", _need("DASHBOARD_PASSWORD"))


@pytest.fixture(scope="module")
def warehouse(built_warehouse):
    return built_warehouse


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

    def api(self) -> requests.Session:
        session = requests.Session()
        response = session.post(
            f"{self.url}/api/v1/security/login",
            json={
                "username": self.username,
                "password": self.password,
                "provider": "db",
                "refresh": False,
            },
            timeout=30,
        )
        assert response.status_code == 200, response.text
        session.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
        return session


@pytest.fixture(scope="module")
def superset(
    warehouse, make_database, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Superset]:
    meta_url = make_database("ssmeta", owner="superset")
    port = _free_port()
    username, password = "e2e_admin", secrets.token_urlsafe(16)
    env = dict(ENV)
    env.update(
        SUPERSET_METADATA_URL=with_user(
            meta_url, "superset", _need("SUPERSET_DB_PASSWORD"), "postgresql+psycopg2"
        ),
        SUPERSET_WAREHOUSE_URL=dashboard_url(warehouse.url),
        SUPERSET_PORT=str(port),
        SUPERSET_HOME=str(tmp_path_factory.mktemp("superset_home")),
        SUPERSET_ADMIN_USER=username,
        SUPERSET_ADMIN_PASSWORD=password,
    )
    _need("SUPERSET_SECRET_KEY")
    server = Superset(f"http://127.0.0.1:{port}", env, username, password)
    try:
        server.sh("init")
        server.sh("import")
        server.sh("start")
        print(f"\nsuperset.sh timings (s): {json.dumps(server.timings)}")
        yield server
    finally:
        server.sh("stop", check=False)


def _count(session: requests.Session, base: str, kind: str) -> tuple[int, list[int]]:
    response = session.get(f"{base}/api/v1/{kind}/", params={"q": "(page_size:100)"}, timeout=30)
    assert response.status_code == 200, response.text
    body = response.json()
    return body["count"], sorted(item["id"] for item in body["result"])


def _bundle(kind: str) -> list[dict]:
    return [yaml.safe_load(p.read_text()) for p in sorted((ASSETS / kind).rglob("*.yaml"))]


# --- tests ---------------------------------------------------------------------------------------


def test_bundle_holds_no_credentials() -> None:
    for database in _bundle("databases"):
        parts = urlsplit(database["sqlalchemy_uri"])
        assert parts.password is None, "the bundle must not hold a database password"
        assert "password" not in database


def test_status_reports_running(superset: Superset) -> None:
    proc = superset.sh("status", check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert superset.url in proc.stdout


def test_bundle_is_imported_whole(superset: Superset) -> None:
    session = superset.api()
    expected = {
        "database": len(_bundle("databases")),
        "dataset": len(_bundle("datasets")),
        "chart": len(_bundle("charts")),
        "dashboard": len(_bundle("dashboards")),
    }
    assert {kind: _count(session, superset.url, kind)[0] for kind in expected} == expected

    response = session.get(f"{superset.url}/api/v1/dashboard/overview", timeout=30)
    assert response.status_code == 200, response.text
    assert response.json()["result"]["dashboard_title"] == "Overview: serious violence"
    charts = session.get(f"{superset.url}/api/v1/dashboard/overview/charts", timeout=30)
    assert charts.status_code == 200, charts.text
    assert {c["slice_name"] for c in charts.json()["result"]} == {
        c["slice_name"] for c in _bundle("charts")
    }


def test_second_import_changes_nothing(superset: Superset) -> None:
    session = superset.api()
    kinds = ("database", "dataset", "chart", "dashboard")
    before = {kind: _count(session, superset.url, kind) for kind in kinds}
    superset.sh("import")
    after = {kind: _count(session, superset.url, kind) for kind in kinds}
    assert after == before


def test_every_chart_returns_rows(superset: Superset) -> None:
    session = superset.api()
    _, chart_ids = _count(session, superset.url, "chart")
    assert chart_ids
    for chart_id in chart_ids:
        response = session.get(f"{superset.url}/api/v1/chart/{chart_id}/data/", timeout=60)
        assert response.status_code == 200, f"chart {chart_id}: {response.text[:500]}"
        results = response.json()["result"]
        assert results, f"chart {chart_id} answered no result"
        for result in results:
            assert result.get("error") is None, f"chart {chart_id}: {result['error']}"
            assert result["rowcount"] > 0, f"chart {chart_id} returned no rows"


def test_latest_month_table_shows_each_district_once(superset: Superset) -> None:
    session = superset.api()
    charts = session.get(f"{superset.url}/api/v1/dashboard/overview/charts", timeout=30).json()
    (table,) = [c for c in charts["result"] if c["form_data"]["viz_type"] == "table"]
    response = session.get(f"{superset.url}/api/v1/chart/{table['id']}/data/", timeout=60)
    assert response.status_code == 200, response.text
    rows = response.json()["result"][0]["data"]
    assert len({row["district_code"] for row in rows}) == len(rows)
    assert len({row["month_start"] for row in rows}) == 1
    assert {
        "district_code",
        "district_name",
        "violence_count",
        "violence_rate_per_1000",
        "is_suppressed",
    } <= set(rows[0])
