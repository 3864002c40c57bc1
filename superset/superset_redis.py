"""Superset on Redis (read by superset_config.py when SUPERSET_REDIS_URL is set): the chart data
and metadata caches, SQL Lab's results backend, and the broker of Superset's Celery worker.

One Redis serves Airflow and Superset; each use has its own logical database so that a flush or
an eviction of one never touches another: 0 is Airflow's Celery broker (infra/local/airflow_env.sh),
1 Superset's caches, 2 SQL Lab results, 3 Superset's Celery broker and task results.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from cachelib.redis import RedisCache

CACHE_DB, RESULTS_DB, CELERY_DB = 1, 2, 3


def with_db(redis_url: str, db: int) -> str:
    """The URL of logical database `db` (redis://:PASSWORD@HOST:PORT/db)."""
    return f"{redis_url.rstrip('/')}/{db}"


def redis_cache(redis_url: str, key_prefix: str, timeout_s: int) -> dict[str, object]:
    """A Flask-Caching config on Redis: one key prefix per cache, all in CACHE_DB."""
    return {
        "CACHE_TYPE": "RedisCache",
        "CACHE_DEFAULT_TIMEOUT": timeout_s,
        "CACHE_KEY_PREFIX": key_prefix,
        "CACHE_REDIS_URL": with_db(redis_url, CACHE_DB),
    }


def results_backend(redis_url: str) -> RedisCache:
    """Where SQL Lab's async queries leave their results for the browser to fetch."""
    url = urlsplit(redis_url)
    return RedisCache(
        host=url.hostname or "127.0.0.1",
        port=url.port or 6379,
        password=url.password,
        db=RESULTS_DB,
        key_prefix="superset_results_",
    )


class CeleryConfig:
    """Superset's Celery app: SQL Lab async queries, cache warm-up, reports."""

    broker_url = ""
    result_backend = ""
    imports = (
        "superset.sql_lab",
        "superset.tasks.scheduler",
        "superset.tasks.thumbnails",
        "superset.tasks.cache",
    )
    worker_prefetch_multiplier = 1
    # A query a lost worker had taken goes back to the queue rather than vanishing.
    task_acks_late = True

    @classmethod
    def for_url(cls, redis_url: str) -> type[CeleryConfig]:
        url = with_db(redis_url, CELERY_DB)
        return type("CeleryConfig", (cls,), {"broker_url": url, "result_backend": url})
