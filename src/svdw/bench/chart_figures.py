"""dashboard_p95_ms and sql_p95_ms: every chart of every dashboard through a running Superset's
chart data API, cold (force=true: no cache) and warm (the same request again, from the cache);
then each chart's own SQL (the chart data API's `type=query`) run against the warehouse as an
analyst would run it, without Superset in between."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import psycopg
import requests

from svdw.bench.stats import percentile, summarise

Report = Callable[[str], object]


def login(url: str, user: str, password: str) -> requests.Session:
    session = requests.Session()
    response = session.post(
        f"{url}/api/v1/security/login",
        json={"username": user, "password": password, "provider": "db", "refresh": False},
        timeout=30,
    )
    response.raise_for_status()
    session.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
    return session


def chart_ids(session: requests.Session, url: str) -> list[int]:
    """Every chart on a dashboard (each once)."""
    dashboards = session.get(
        f"{url}/api/v1/dashboard/", params={"q": "(page_size:100)"}, timeout=60
    )
    dashboards.raise_for_status()
    ids: set[int] = set()
    for dashboard in dashboards.json()["result"]:
        charts = session.get(f"{url}/api/v1/dashboard/{dashboard['id']}/charts", timeout=60)
        charts.raise_for_status()
        ids.update(chart["id"] for chart in charts.json()["result"])
    return sorted(ids)


def _timed_get(session: requests.Session, url: str, params: dict[str, str]) -> tuple[float, bool]:
    """(milliseconds, whether every query of the answer came from the cache)."""
    started = time.perf_counter()
    response = session.get(url, params=params, timeout=300)
    elapsed = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    return elapsed, all(r.get("is_cached") for r in response.json().get("result", []))


def chart_sql(session: requests.Session, url: str, chart: int) -> list[str]:
    response = session.get(
        f"{url}/api/v1/chart/{chart}/data/", params={"type": "query"}, timeout=60
    )
    response.raise_for_status()
    return [r["query"] for r in response.json()["result"] if r.get("query")]


def measure(
    superset_url: str,
    user: str,
    password: str,
    analyst_url: str,
    repeats: int,
    report: Report,
) -> dict[str, Any]:
    session = login(superset_url, user, password)
    charts = chart_ids(session, superset_url)
    cold_p95: list[float] = []
    warm_p95: list[float] = []
    sql_p95: list[float] = []
    queries = {c: chart_sql(session, superset_url, c) for c in charts}
    warm_cached = 0  # warm answers that came from the cache (all of them, when it works)
    for run in range(repeats):
        cold: list[float] = []
        warm: list[float] = []
        direct: list[float] = []
        for chart in charts:
            data = f"{superset_url}/api/v1/chart/{chart}/data/"
            cold.append(_timed_get(session, data, {"force": "true"})[0])
            elapsed, cached = _timed_get(session, data, {})
            warm.append(elapsed)
            warm_cached += cached
        with psycopg.connect(analyst_url) as conn:
            for chart in charts:
                for query in queries[chart]:
                    started = time.perf_counter()
                    conn.execute(query.encode()).fetchall()  # type: ignore[call-overload]
                    direct.append((time.perf_counter() - started) * 1000)
                conn.rollback()
        cold_p95.append(percentile(cold, 0.95))
        warm_p95.append(percentile(warm, 0.95))
        sql_p95.append(percentile(direct, 0.95))
        report(
            f"  charts run {run + 1}: p95 cold {cold_p95[-1]:.0f} ms, warm {warm_p95[-1]:.0f} ms,"
            f" SQL {sql_p95[-1]:.0f} ms ({len(charts)} charts)"
        )
    return {
        "dashboard": {
            "charts": len(charts),
            "cold": summarise(cold_p95, 1),
            "warm": summarise(warm_p95, 1),
            "warm answers from the cache": f"{warm_cached} of {len(charts) * repeats}",
        },
        "sql": {"queries": sum(len(q) for q in queries.values()), "p95": summarise(sql_p95, 1)},
    }
