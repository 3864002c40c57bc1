"""Superset configuration for the Serious Violence Duty warehouse.

Loaded by Superset through ``SUPERSET_CONFIG_PATH`` (``infra/local/superset.sh`` sets it).
Every secret and connection string comes from the environment; nothing secret lives in this
file. ``superset.sh`` composes ``SUPERSET_METADATA_URL`` from ``SUPERSET_DB_PASSWORD`` when it
is not given.

Environment:
    SUPERSET_SECRET_KEY    required; signs sessions and encrypts stored database passwords.
    SUPERSET_METADATA_URL  required; SQLAlchemy URL of Superset's own metadata database.
    SUPERSET_HOME          optional; Superset's data directory (superset.sh: .local/superset).
    SUPERSET_ROW_LIMIT     optional; default row limit of a chart query (default 10000).
    SUPERSET_LOG_LEVEL     optional; default INFO (superset.sh uses WARNING for CLI commands).
    SUPERSET_REDIS_URL     optional; redis://:PASSWORD@HOST:PORT (no database number): caches,
                           SQL Lab results and the Celery broker (superset_redis.py).
    SUPERSET_CACHE_TIMEOUT optional; seconds a cached chart result lives (default 3600): a
                           dashboard shows a build's data at most this long after the build.
    SUPERSET_AUTH_RATE_LIMIT optional; failed login attempts per address and user name
                           (default "10 per minute"; Flask-Limiter's notation).
"""

from __future__ import annotations

import os
import sys


def _required(name: str, hint: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        sys.stderr.write(
            f"superset_config.py: {name} is not set. {hint}\n"
            "Run Superset through infra/local/superset.sh, which loads .env and sets it.\n"
        )
        raise SystemExit(2)
    return value


# --- secrets and the metadata database ---------------------------------------------------------
SECRET_KEY = _required(
    "SUPERSET_SECRET_KEY",
    "Generate one with `make env` (writes .env) or `openssl rand -hex 32`.",
)
SQLALCHEMY_DATABASE_URI = _required(
    "SUPERSET_METADATA_URL",
    "Example: postgresql+psycopg2://superset:PASSWORD@127.0.0.1:55432/superset",
)
SQLALCHEMY_TRACK_MODIFICATIONS = False
# The example database is never loaded here, but keep its SQLite file inside SUPERSET_HOME.
if os.environ.get("SUPERSET_HOME"):
    DATA_DIR = os.environ["SUPERSET_HOME"]

# --- security headers and API use --------------------------------------------------------------
# Talisman sends the security headers, above all a content security policy: scripts only from
# Superset itself (with a nonce), nothing fetched from any other host. The maps draw without a
# base map (mapbox_style ''), so no tile or font host is allowed; deck.gl and ECharts draw on
# canvas/WebGL, with web workers from blob: URLs. Plain HTTP on loopback: no forced HTTPS.
TALISMAN_ENABLED = True
TALISMAN_CONFIG = {
    "content_security_policy": {
        "base-uri": ["'self'"],
        "default-src": ["'self'"],
        "img-src": ["'self'", "blob:", "data:"],
        "worker-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": "'none'",
        "frame-ancestors": ["'self'"],
        "form-action": ["'self'"],
        # antd and emotion set inline styles
        "style-src": ["'self'", "'unsafe-inline'"],
        "font-src": ["'self'", "data:"],
        "script-src": ["'self'", "'strict-dynamic'"],
    },
    "content_security_policy_nonce_in": ["script-src"],
    "force_https": False,
    "session_cookie_secure": False,
}
TALISMAN_DEV_CONFIG = TALISMAN_CONFIG

# Login rate limiting (Flask-Limiter through Flask-AppBuilder): failed logins, through the login
# form or the REST API's /api/v1/security/login, per client address and user name, so guessing
# one account's password stalls after a few tries (HTTP 429) while other users still log in.
# Only failures count: people and services that know their password are never held up. Counters
# live in Redis when Superset has it, else in each gunicorn worker's memory (a worker's limit
# then applies per worker). A moving window: no double burst where two fixed minutes meet.
RATELIMIT_ENABLED = True
AUTH_RATE_LIMITED = True
AUTH_RATE_LIMIT = os.environ.get("SUPERSET_AUTH_RATE_LIMIT", "10 per minute")
RATELIMIT_STRATEGY = "moving-window"
# Every request, per address: high enough for a dashboard's burst of chart queries.
RATELIMIT_APPLICATION = "100 per second"
RATELIMIT_STORAGE_URI = (
    os.environ["SUPERSET_REDIS_URL"].rstrip("/") + "/4"  # databases 1-3: superset_redis.py
    if os.environ.get("SUPERSET_REDIS_URL")
    else "memory://"
)


def _login_attempt_key() -> str:
    from flask import request

    body = request.get_json(silent=True) if request.is_json else None
    named = body.get("username") if isinstance(body, dict) else None
    username = request.form.get("username") or named or ""
    return f"{request.remote_addr}:{username}"


RATELIMIT_KEY_FUNC = _login_attempt_key


# Where logins are posted: Flask-AppBuilder's login form and its REST login.
LOGIN_VIEWS = ("AuthDBView", "SecurityApi")


def _login_failed(response: object) -> bool:
    """Whether this request was a login attempt that logged nobody in: the form redirects either
    way (only a failure leaves the user anonymous); the REST login answers 200 only on success."""
    from flask import request
    from flask_login import current_user

    if not (request.endpoint or "").endswith(".login"):
        return False  # the API's token refresh, the form's logout
    if request.is_json:
        return getattr(response, "status_code", 0) != 200
    return not current_user.is_authenticated


def _limit_login_posts(app: object) -> None:
    """Superset 6.1 limits only its own login page view (GET); the form posts to Flask-AppBuilder's
    AuthDBView, which it registers with the limit switched off, and the REST login
    (SecurityApi) has none. Limit both, counting failed attempts."""
    from flask import current_app

    manager = current_app.appbuilder.sm  # type: ignore[attr-defined]
    for view in current_app.appbuilder.baseviews:  # type: ignore[attr-defined]
        if type(view).__name__ in LOGIN_VIEWS and getattr(view, "blueprint", None) is not None:
            manager.limiter.limit(AUTH_RATE_LIMIT, methods=["POST"], deduct_when=_login_failed)(
                view.blueprint
            )


# No phone-home analytics.
SCARF_ANALYTICS = False
# Roles, users and permissions as code over the REST API (/api/v1/security/...).
FAB_ADD_SECURITY_API = True

# CSRF stays on for the browser forms. REST clients authenticate with a bearer JWT from
# POST /api/v1/security/login and fetch a token from /api/v1/security/csrf_token/ for mutating
# calls; the chart data endpoint is read-only and exempt (Superset's own default list).
WTF_CSRF_ENABLED = True
WTF_CSRF_EXEMPT_LIST = [
    "superset.charts.data.api.data",
    "superset.dashboards.api.cache_dashboard_screenshot",
    "superset.views.core.explore_json",
    "superset.views.core.log",
    "superset.views.datasource.views.samples",
]
WTF_CSRF_TIME_LIMIT = 60 * 60 * 24 * 7
# Plain HTTP on loopback: a Secure cookie would never be sent back.
SESSION_COOKIE_SECURE = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"


# --- behaviour ---------------------------------------------------------------------------------
LOG_LEVEL = os.environ.get("SUPERSET_LOG_LEVEL", "INFO").upper()
ROW_LIMIT = int(os.environ.get("SUPERSET_ROW_LIMIT", "10000"))
# Without SUPERSET_REDIS_URL (the embedded default) nothing is cached between requests. With it
# (`make demo EXECUTOR=celery`, compose, Helm) Redis holds the chart data and metadata caches,
# the SQL Lab results, and is the broker of Superset's Celery worker (superset_redis.py).
CACHE_CONFIG: dict[str, object] = {"CACHE_TYPE": "NullCache"}
DATA_CACHE_CONFIG: dict[str, object] = {"CACHE_TYPE": "NullCache"}
if os.environ.get("SUPERSET_REDIS_URL"):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from superset_redis import (
        CeleryConfig,
        redis_cache,
        results_backend,
    )

    _redis_url = os.environ["SUPERSET_REDIS_URL"]
    _timeout = int(os.environ.get("SUPERSET_CACHE_TIMEOUT", "3600"))
    CACHE_CONFIG = redis_cache(_redis_url, "superset_meta_", _timeout)
    DATA_CACHE_CONFIG = redis_cache(_redis_url, "superset_data_", _timeout)
    FILTER_STATE_CACHE_CONFIG = redis_cache(_redis_url, "superset_filter_", _timeout)
    EXPLORE_FORM_DATA_CACHE_CONFIG = redis_cache(_redis_url, "superset_explore_", _timeout)
    RESULTS_BACKEND = results_backend(_redis_url)
    CELERY_CONFIG = CeleryConfig.for_url(_redis_url)
# Boards read the dashboards; nobody uploads files into the warehouse through Superset.
FEATURE_FLAGS = {
    "DASHBOARD_RBAC": True,
    "ENABLE_TEMPLATE_PROCESSING": False,
}

# --- the SNA documents (svdw report sna) at /sna-reports/, for logged-in users ----------------
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sna_reports_route import add_reports_route  # noqa: E402


def _mutate_app(app: object) -> None:
    """Superset takes one app mutator: the login-post limit and the reports route."""
    _limit_login_posts(app)
    add_reports_route(app)


FLASK_APP_MUTATOR = _mutate_app
