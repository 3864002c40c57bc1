"""Shared fixtures: throwaway databases in the project-local cluster, synthetic partner files,
and a warehouse built from them. Tests never touch the demo's databases."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
import pytest

from svdw.config import REPO_DIR, load_dotenv

load_dotenv()
REALDATA = Path(os.environ.get("SVDW_REALDATA", REPO_DIR.parent / "shared" / "realdata"))


def with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def with_user(url: str, user: str, password: str, scheme: str = "postgresql") -> str:
    """The same database as another role (password URL-quoted)."""
    parts = urlsplit(url)
    netloc = f"{user}:{quote(password, safe='')}@{parts.hostname}:{parts.port or 5432}"
    return urlunsplit(parts._replace(scheme=scheme, netloc=netloc))


@pytest.fixture(scope="session")
def cluster_url() -> str:
    url = os.environ.get("WAREHOUSE_URL")
    if not url:
        pytest.fail("WAREHOUSE_URL is not set: run the tests with `make test` (it writes .env)")
    try:
        psycopg.connect(url, connect_timeout=5).close()
    except psycopg.OperationalError as exc:
        pytest.fail(f"the local PostgreSQL is not reachable ({exc}); `make pg` starts it")
    return url


def superuser_url(cluster_url: str, database: str = "postgres") -> str:
    """The cluster's superuser: needed to drop a database that other roles (Superset's
    read-only role, say) are still connected to."""
    password = os.environ.get("SVDW_PG_SUPERUSER_PASSWORD", "")
    return with_database(with_user(cluster_url, "postgres", password), database)


@pytest.fixture(scope="session")
def make_database(cluster_url: str) -> Iterator[Callable[..., str]]:
    """Create an empty database for this test run, owned by the warehouse role unless another
    owner is given; returns its URL as the warehouse role. All are dropped at the end."""
    created: list[str] = []
    admin = superuser_url(cluster_url)

    def create(label: str, owner: str | None = None) -> str:
        owner = owner or urlsplit(cluster_url).username or "svdw_engineer"
        name = f"svdw_test_{uuid.uuid4().hex[:8]}_{label}"[:63]
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'create database "{name}" owner "{owner}"')
        created.append(name)
        return with_database(cluster_url, name)

    yield create
    with psycopg.connect(admin, autocommit=True) as conn:
        for name in created:
            conn.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture
def warehouse_url(make_database: Callable[[str], str]) -> str:
    return make_database("wh")


@pytest.fixture(scope="session")
def synthetic_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from svdw.synthetic import generate

    out = tmp_path_factory.mktemp("synthetic")
    generate(out, months=3, seed=7)
    return out


@dataclass(frozen=True)
class BuiltWarehouse:
    url: str
    files: list[Path]


def build_synthetic_warehouse(url: str, partnership_dir: Path) -> BuiltWarehouse:
    """Load every synthetic extract under partnership_dir into the empty database at url (reference
    files first), then build as the pipeline does (pin the gated snapshot, dbt build from it)."""
    from svdw.loader import load_file, loading_order
    from svdw.transform import build_warehouse

    files = loading_order(list(partnership_dir.rglob("*.csv")))
    with psycopg.connect(url) as conn:
        for path in files:
            result = load_file(conn, path)
            assert result.status == "loaded", result.error
    build_warehouse(url, report=lambda _line: None, trigger="tests")
    return BuiltWarehouse(url=url, files=files)


@pytest.fixture(scope="session")
def built_warehouse(make_database: Callable[[str], str], synthetic_dir: Path) -> BuiltWarehouse:
    """A warehouse loaded with the synthetic partnership and built by dbt (GX-checked)."""
    return build_synthetic_warehouse(make_database("built"), synthetic_dir)


@pytest.fixture(scope="session")
def realdata() -> Path:
    if not (REALDATA / "police_uk").is_dir():
        pytest.skip(f"real data not present at {REALDATA}")
    return REALDATA


# Superset for the e2e tests (one server per session): imported here so pytest registers the
# fixtures for every test module.
from superset_fixtures import dashboard_warehouse, superset  # noqa: E402, F401
