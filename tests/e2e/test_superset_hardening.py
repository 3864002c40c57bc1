"""Superset hardened (issue 16): security headers with a content security policy, login rate
limiting, row-level security that fails closed, and a process that holds only Superset's own
secrets, with no password on any command line. The server is the session's (tests/
superset_fixtures.py), started by infra/local/superset.sh with the whole of .env around it."""

from __future__ import annotations

import re
import secrets
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


def _failures_to_a_429(superset: Superset) -> int:
    """Failed logins that must meet a 429: the limit counts per gunicorn worker (in-memory
    counters without Redis) and the requests may land on any worker."""
    allowed = int(superset.env["SUPERSET_AUTH_RATE_LIMIT"].split()[0])
    workers = int(superset.env.get("SUPERSET_WORKERS", "2"))
    return allowed * workers + 5


CSRF_INPUT = re.compile(r'<input[^>]*id="csrf_token"[^>]*value="([^"]+)"')


def _login_form(superset: Superset) -> tuple[requests.Session, str]:
    """A browser-like session on the login page, with the CSRF token the page carries."""
    browser = requests.Session()
    page = browser.get(f"{superset.url}/login/", timeout=30)
    found = CSRF_INPUT.search(page.text)
    assert page.ok and found, page.text[:500]
    return browser, found.group(1)


def _post_login_form(
    browser: requests.Session, superset: Superset, csrf: str, user: str, password: str
) -> requests.Response:
    return browser.post(
        f"{superset.url}/login/",
        data={"username": user, "password": password, "csrf_token": csrf},
        allow_redirects=False,
        timeout=30,
    )


def test_repeated_failed_form_logins_are_refused_with_429(superset: Superset) -> None:
    """Guessing one user's password through the login form stalls (HTTP 429); another user
    still logs in through the same form from the same address."""
    browser, csrf = _login_form(superset)
    probe = f"probe-{secrets.token_hex(4)}"
    answers = [
        _post_login_form(browser, superset, csrf, probe, "wrong")
        for _ in range(_failures_to_a_429(superset))
    ]
    first = answers[0]
    # The form was accepted (CSRF passed) and the login failed: back to the login page.
    assert first.status_code == 302 and "/login" in first.headers["Location"], first.text[:300]
    statuses = [answer.status_code for answer in answers]
    assert 429 in statuses, statuses
    assert set(statuses) <= {302, 429}, statuses

    board, board_csrf = _login_form(superset)
    user, password = ENV["SUPERSET_BOARD_USER"], ENV["SUPERSET_BOARD_PASSWORD"]
    answer = _post_login_form(board, superset, board_csrf, user, password)
    assert answer.status_code == 302 and "/login" not in answer.headers["Location"], answer.text
    assert board.get(f"{superset.url}/api/v1/me/", timeout=30).json()["result"]["username"] == user


def _api_login(superset: Superset, user: str, password: str) -> int:
    return requests.post(
        f"{superset.url}/api/v1/security/login",
        json={"username": user, "password": password, "provider": "db", "refresh": False},
        timeout=30,
    ).status_code


def test_repeated_failed_api_logins_are_refused_with_429_but_good_ones_never(
    superset: Superset,
) -> None:
    """The REST login is limited the same way; only failures count, so a service that logs in
    often with its right password is never refused."""
    attempts = _failures_to_a_429(superset)
    probe = f"probe-{secrets.token_hex(4)}"
    statuses = [_api_login(superset, probe, "wrong") for _ in range(attempts)]
    assert statuses[0] == 401 and 429 in statuses, statuses
    assert set(statuses) <= {401, 429}, statuses

    user, password = ENV["SUPERSET_BOARD_USER"], ENV["SUPERSET_BOARD_PASSWORD"]
    good = [_api_login(superset, user, password) for _ in range(attempts)]
    assert set(good) == {200}, good


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
        # -ww: whole lines (piped, ps cuts them at 80 columns: before the command's arguments,
        # and any password in them, when the checkout's path is long)
        ps = subprocess.run(
            ["ps", "-ww", "-o", "args=", "-s", str(init.pid)], capture_output=True, text=True
        )
        seen.update(ps.stdout.splitlines())
    assert init.returncode == 0, init.stderr.read() if init.stderr else ""
    # The sampler saw Superset's own commands run (create-admin itself may finish between two
    # samples on a busy machine; its password goes on stdin either way).
    assert any("bin/superset" in line for line in seen), sorted(seen)[:20]
    leaked = sorted(line[:60] for line in seen for p in passwords if p in line)
    assert not leaked, f"a password on a command line: {leaked}"
