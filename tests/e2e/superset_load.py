"""A bounded load of dashboard viewers on a Superset running on this machine: each viewer logs in
once, then opens a dashboard again and again (every chart's data, as the browser asks for it),
until it has made its views or the deadline passes. Loopback only; every loop is bounded in
count and in time. tests/e2e/test_superset_cache.py runs it; docs/deploy.md quotes its figures."""

from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import requests

from svdw.bench.chart_figures import login

MAX_VIEWS_PER_VIEWER = 20


@dataclass(frozen=True)
class LoadResult:
    viewers: int
    views: int
    requests: int
    failures: int
    cached: int
    seconds: float
    latencies_ms: tuple[float, ...]

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0

    @property
    def views_per_s(self) -> float:
        return self.views / self.seconds if self.seconds else 0.0

    def describe(self) -> str:
        median = statistics.median(self.latencies_ms) if self.latencies_ms else 0.0
        return (
            f"{self.viewers:>3} viewers: {self.views:>4} dashboard views,"
            f" {self.views_per_s:6.2f}/s;"
            f" chart request median {median:7.1f} ms, p95 {self.percentile(0.95):7.1f} ms;"
            f" {self.cached}/{self.requests} from cache, {self.failures} failed"
        )


def dashboard_charts(session: requests.Session, url: str, slug: str) -> list[int]:
    response = session.get(f"{url}/api/v1/dashboard/{slug}/charts", timeout=60)
    response.raise_for_status()
    return [chart["id"] for chart in response.json()["result"]]


def run_load(
    url: str,
    user: str,
    password: str,
    slug: str,
    viewers: int,
    views_per_viewer: int,
    deadline_s: float,
) -> LoadResult:
    """`viewers` threads, each making at most `views_per_viewer` dashboard views (bounded by
    MAX_VIEWS_PER_VIEWER) before `deadline_s` seconds have passed."""
    views_per_viewer = min(views_per_viewer, MAX_VIEWS_PER_VIEWER)
    charts = dashboard_charts(login(url, user, password), url, slug)
    stop_at = time.monotonic() + deadline_s

    def viewer(_number: int) -> tuple[int, list[float], int, int]:
        session = login(url, user, password)
        latencies: list[float] = []
        views = failures = cached = 0
        for _ in range(views_per_viewer):
            if time.monotonic() > stop_at:
                break
            for chart_id in charts:
                started = time.perf_counter()
                response = session.get(f"{url}/api/v1/chart/{chart_id}/data/", timeout=60)
                latencies.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    failures += 1
                    continue
                cached += all(r.get("is_cached") for r in response.json()["result"])
            views += 1
        return views, latencies, failures, cached

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=viewers) as pool:
        outcomes = list(pool.map(viewer, range(viewers)))
    seconds = time.monotonic() - started
    latencies = [ms for _, lat, _, _ in outcomes for ms in lat]
    return LoadResult(
        viewers=viewers,
        views=sum(o[0] for o in outcomes),
        requests=len(latencies),
        failures=sum(o[2] for o in outcomes),
        cached=sum(o[3] for o in outcomes),
        seconds=seconds,
        latencies_ms=tuple(latencies),
    )
