"""Superset in the Celery mode: a second server on the session's Superset metadata (already
initialised and imported by tests/superset_fixtures.py), started by superset.sh with
SUPERSET_REDIS_URL pointing at a Redis of its own (infra/local/redis.sh), and its Celery worker.
Chart data is served from Redis the second time, the worker answers through the broker, and a
bounded load of dashboard viewers is measured with the cache on and off (docs/deploy.md)."""

from __future__ import annotations

import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery_stack import free_port
from superset_fixtures import Superset
from superset_load import LoadResult, run_load

from svdw.config import REPO_DIR

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1800)]

REDIS_SH = REPO_DIR / "infra" / "local" / "redis.sh"
DASHBOARD = "overview"
VIEWERS = (1, 4, 8)
VIEWS_PER_VIEWER = 3
DEADLINE_S = 120


def redis(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(REDIS_SH), *args], env=env, capture_output=True, text=True, timeout=60
    )


@pytest.fixture(scope="module")
def cached_superset(
    superset: Superset, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Superset]:
    home = tmp_path_factory.mktemp("superset_cached")
    redis_port = free_port()
    password = secrets.token_hex(16)
    env = dict(superset.env)
    env.update(
        SVDW_REDIS_PORT=str(redis_port),
        SVDW_REDIS_PASSWORD=password,
        SVDW_REDIS_DIR=str(home / "redis"),
        SUPERSET_REDIS_URL=f"redis://:{password}@127.0.0.1:{redis_port}",
        SUPERSET_PORT=str(free_port()),
        SUPERSET_HOME=str(home / "superset"),
    )
    up = redis(env, "up")
    assert up.returncode == 0, up.stdout + up.stderr
    server = Superset(
        f"http://127.0.0.1:{env['SUPERSET_PORT']}", env, superset.username, superset.password
    )
    try:
        server.sh("start")
        server.sh("worker", "start")
        yield server
    finally:
        server.sh("worker", "stop", check=False)
        server.sh("stop", check=False)
        redis(env, "down")


def chart_ids(server: Superset) -> list[int]:
    session = server.api()
    response = session.get(f"{server.url}/api/v1/dashboard/{DASHBOARD}/charts", timeout=60)
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json()["result"]]


def served_from_cache(server: Superset, chart_id: int) -> list[bool]:
    """is_cached of each query of the chart, asked twice: [first, second]."""
    session = server.api()
    answers = []
    for _ in range(2):
        response = session.get(f"{server.url}/api/v1/chart/{chart_id}/data/", timeout=60)
        assert response.status_code == 200, response.text
        answers.append(all(r["is_cached"] for r in response.json()["result"]))
    return answers


def test_chart_data_comes_from_redis_the_second_time(cached_superset: Superset) -> None:
    for chart_id in chart_ids(cached_superset):
        assert served_from_cache(cached_superset, chart_id)[1] is True, chart_id
    keys = redis(cached_superset.env, "cli", "-n", "1", "--scan", "--pattern", "superset_data_*")
    assert keys.returncode == 0 and keys.stdout.split(), keys.stdout + keys.stderr


def test_without_redis_nothing_is_cached(superset: Superset) -> None:
    first_chart = chart_ids(superset)[0]
    assert served_from_cache(superset, first_chart) == [False, False]


def test_the_superset_celery_worker_answers_through_redis(cached_superset: Superset) -> None:
    done = cached_superset.sh("worker", "status", check=False)
    assert done.returncode == 0 and "pong" in done.stdout, done.stdout + done.stderr


def bounded_load(server: Superset, viewers: int) -> LoadResult:
    return run_load(
        server.url,
        server.username,
        server.password,
        DASHBOARD,
        viewers,
        VIEWS_PER_VIEWER,
        DEADLINE_S,
    )


def test_a_bounded_load_of_viewers_with_the_cache_on_and_off(
    superset: Superset, cached_superset: Superset, tmp_path: Path
) -> None:
    lines = []
    for label, server in [("cache off", superset), ("cache on (Redis)", cached_superset)]:
        for viewers in VIEWERS:
            result = bounded_load(server, viewers)
            lines.append(f"{label:>17}: {result.describe()}")
            assert result.failures == 0, lines[-1]
            if server is cached_superset:
                # Warmed by the tests above: every chart of every view comes from Redis.
                assert result.cached == result.requests, lines[-1]
            else:
                assert result.cached == 0, lines[-1]
    print("\n" + "\n".join(lines))
