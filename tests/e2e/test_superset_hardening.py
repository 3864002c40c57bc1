"""Superset hardened (issue 16): security headers with a content security policy, row-level
security that fails closed, and a process that holds only Superset's own secrets, with no
password on any command line. (Login rate limiting is configured in superset_config.py; its
test is still to come.) The server is the session's (tests/superset_fixtures.py), started by
infra/local/superset.sh with the whole of .env around it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import requests
import yaml
from superset_fixtures import ENV, SUPERSET_SH, Superset

pytestmark = pytest.mark.e2e

SECURITY = Path(__file__).resolve().parents[2] / "superset" / "security"
# .env's secrets that are not Superset's: the process must not hold them.
FOREIGN_SECRETS = (
    "SVDW_PSEUDONYM_KEY",
    "SVD_PSEUDONYM_KEY",
    "WAREHOUSE_PASSWORD",
    "LOADER_PASSWORD",
    "TRANSFORMER_PASSWORD",
    "ANALYST_LINKED_PASSWORD",
    "AIRFLOW_DB_PASSWORD",
    "AIRFLOW_ADMIN_PASSWORD",
    "SVDW_PG_SUPERUSER_PASSWORD",
)


def _as(superset: Superset, who: str) -> requests.Session:
    return superset.api(ENV[f"SUPERSET_{who}_USER"], ENV[f"SUPERSET_{who}_PASSWORD"])


def test_pages_carry_a_content_security_policy(superset: Superset) -> None:
    response = requests.get(f"{superset.url}/login/", timeout=30)
    policy = response.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in policy, response.headers
    assert "object-src 'none'" in policy
    assert "'nonce-" in policy  # scripts run only with the page's nonce
    assert response.headers.get("X-Content-Type-Options") == "nosniff"


N = "n"  # the label of the row count


def _chart_rows(session: requests.Session, base: str, dataset_id: int) -> int:
    response = session.post(
        f"{base}/api/v1/chart/data",
        json={
            "datasource": {"id": dataset_id, "type": "table"},
            "queries": [
                {
                    "columns": [],
                    "metrics": [{"expressionType": "SQL", "sqlExpression": "COUNT(*)", "label": N}],
                    "row_limit": 10,
                }
            ],
            "result_format": "json",
            "result_type": "full",
        },
        timeout=60,
    )
    assert response.status_code == 200, response.text
    return int(response.json()["result"][0]["data"][0][N])


def test_row_level_security_fails_closed_without_a_district_column(superset: Superset) -> None:
    listed = {
        item["table"]
        for item in yaml.safe_load((SECURITY / "partnership_wide.yaml").read_text())["datasets"]
    }
    admin = superset.api()
    found = admin.get(
        f"{superset.url}/api/v1/dataset/", params={"q": "(page_size:100)"}, timeout=30
    ).json()["result"]
    without_column = []
    for item in found:
        detail = admin.get(f"{superset.url}/api/v1/dataset/{item['id']}", timeout=30).json()
        columns = {c["column_name"] for c in detail["result"]["columns"]}
        if "district_code" not in columns:
            without_column.append((f"{item['schema']}.{item['table_name']}", item["id"]))
    hidden = [(name, i) for name, i in without_column if name not in listed]
    wide = [(name, i) for name, i in without_column if name in listed]
    assert hidden and wide, without_column
    board, district = _as(superset, "BOARD"), _as(superset, "DISTRICT")
    for name, dataset_id in hidden:
        assert _chart_rows(board, superset.url, dataset_id) > 0, name
        assert _chart_rows(district, superset.url, dataset_id) == 0, name
    for name, dataset_id in wide:
        assert _chart_rows(district, superset.url, dataset_id) == _chart_rows(
            board, superset.url, dataset_id
        ), name


def _superset_pids(superset: Superset) -> list[int]:
    leader = int((Path(superset.env["SUPERSET_HOME"]) / "superset.pid").read_text())
    listed = subprocess.run(
        ["ps", "-o", "pid=", "-g", str(leader)], capture_output=True, text=True, check=True
    ).stdout.split()
    return [int(pid) for pid in listed]


def test_the_superset_process_holds_none_of_the_other_services_secrets(
    superset: Superset,
) -> None:
    assert any(ENV.get(name) for name in FOREIGN_SECRETS), "no secret in .env to look for"
    pids = _superset_pids(superset)
    assert len(pids) >= 2, pids  # gunicorn's arbiter and its workers
    for pid in pids:
        environ = Path(f"/proc/{pid}/environ").read_bytes().decode(errors="replace")
        names = {item.split("=", 1)[0] for item in environ.split("\0") if item}
        assert "SUPERSET_SECRET_KEY" in names  # the file read is the server's own environment
        for name in FOREIGN_SECRETS:
            assert name not in names, (pid, name)
            if ENV.get(name):
                assert ENV[name] not in environ, (pid, name)


def test_no_password_shows_on_a_command_line_while_superset_starts(superset: Superset) -> None:
    """`ps`, sampled while superset.sh runs init (migrations, create-admin, superset init: every
    step that used to pass a password as an argument), shows no secret of .env on the command
    line of any process it started (its own session: other programs on the machine aside)."""
    passwords = {v for k, v in ENV.items() if k.endswith(("PASSWORD", "_KEY")) and len(v) >= 8}
    passwords |= {superset.password}
    seen: set[str] = set()
    init = subprocess.Popen(
        ["bash", str(SUPERSET_SH), "init"],
        env=superset.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    while init.poll() is None:
        ps = subprocess.run(
            ["ps", "-o", "args=", "-s", str(init.pid)], capture_output=True, text=True
        )
        seen.update(ps.stdout.splitlines())
    assert init.returncode == 0, init.stderr.read() if init.stderr else ""
    # The sampler saw Superset's own commands run (create-admin itself may finish between two
    # samples on a busy machine; its password goes on stdin either way).
    assert any("bin/superset" in line for line in seen), sorted(seen)[:20]
    leaked = sorted(line[:60] for line in seen for p in passwords if p in line)
    assert not leaked, f"a password on a command line: {leaked}"
