"""Shared fixtures: throwaway databases in the project-local cluster, synthetic partner files,
and a warehouse built from them. Tests never touch the demo's databases."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from db import superuser_url, with_database

from svdw.config import REPO_DIR, load_dotenv

load_dotenv()
# dbt's log file (dbt/logs/dbt.log) at info, as its console, not debug: the debug lines (every
# statement, connection and timing event of the ~1100 nodes of a build) cost about a tenth of a
# build's CPU, each of the suite's dozen-odd builds. A failing node is still named, with its error.
os.environ.setdefault("DBT_LOG_LEVEL_FILE", "info")
REALDATA = Path(os.environ.get("SVDW_REALDATA", REPO_DIR.parent / "shared" / "realdata"))


# Each test folder's marker, so `-m "not e2e"` and the like select what they say.
FOLDER_MARKERS = {"integration": "integration", "e2e": "e2e"}
# Fixtures that reach the PostgreSQL cluster or ../shared/realdata: unit tests use none of them.
DATABASE_FIXTURES = {"cluster_url", "make_database", "warehouse_url", "built_warehouse"}


def marker_problems(items: list[pytest.Item]) -> list[str]:
    """What is wrong with the collected tests' markers: a test under tests/integration or
    tests/e2e without its folder's marker, a test reading real data without `realdata`, a unit
    test that needs a database."""
    problems: set[str] = set()
    for item in items:
        folder = item.path.parent.name
        marks = {mark.name for mark in item.iter_markers()}
        module = item.path.name
        if folder in FOLDER_MARKERS and FOLDER_MARKERS[folder] not in marks:
            problems.add(f"{folder}/{module}: mark it `pytestmark = pytest.mark.{folder}`")
        fixtures = set(getattr(item, "fixturenames", ()))
        if "realdata" in fixtures and "realdata" not in marks:
            problems.add(f"{folder}/{module}::{item.name}: uses real data, mark it `realdata`")
        if folder == "unit" and fixtures & DATABASE_FIXTURES:
            problems.add(f"unit/{module}::{item.name}: needs a database, so it is no unit test")
    return sorted(problems)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    problems = marker_problems(items)
    if problems:
        raise pytest.UsageError("tests with the wrong markers:\n  " + "\n  ".join(problems))


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


@pytest.fixture(scope="session")
def make_database(cluster_url: str) -> Iterator[Callable[..., str]]:
    """Create an empty database for this test run, owned by the warehouse role unless another
    owner is given; returns its URL as the warehouse role. All are dropped at the end."""
    created: list[str] = []
    admin = superuser_url(cluster_url)

    def create(label: str, owner: str | None = None, template: str | None = None) -> str:
        """`template`: the URL of a database made here to copy (a warehouse built once that
        several tests change): PostgreSQL copies it in about a second, a build takes a minute."""
        owner = owner or urlsplit(cluster_url).username or "svdw_engineer"
        name = f"svdw_test_{uuid.uuid4().hex[:8]}_{label}"[:63]
        with psycopg.connect(admin, autocommit=True) as conn:
            if template is None:
                conn.execute(f'create database "{name}" owner "{owner}"')
            else:
                source = urlsplit(template).path.lstrip("/")
                assert source in created, f"{source} is no database of this test run"
                # A template must have no other session: a GX context keeps its engine's pool.
                conn.execute(
                    "select pg_terminate_backend(pid) from pg_stat_activity"
                    " where datname = %s and pid <> pg_backend_pid()",
                    (source,),
                )
                conn.execute(f'create database "{name}" template "{source}" owner "{owner}"')
                # The copy has the template's contents, not its database-level grants (the
                # setup grants svdw_transformer create on the database): grant them again.
                for grantee, privilege in conn.execute(
                    "select grantee::regrole::text, privilege_type from pg_database,"
                    " aclexplode(datacl) where datname = %s and grantee <> 0",
                    (source,),
                ).fetchall():
                    conn.execute(f'grant {privilege} on database "{name}" to {grantee}')
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
    generate(out, months=3, seed=7, reference_dir=None)  # Synthshire: its LSOAs split in 2021
    return out


@dataclass(frozen=True)
class BuiltWarehouse:
    url: str
    files: list[Path]


def load_synthetic_files(url: str, partnership_dir: Path) -> list[Path]:
    """Load every synthetic extract under partnership_dir into the database at url (reference
    files first); returns the files in loading order. A file loaded before is a no-op."""
    from svdw.loader import EXTRACT_SUFFIXES, load_file, loading_order

    extracts = [p for p in partnership_dir.rglob("*") if p.suffix in EXTRACT_SUFFIXES]
    files = loading_order(extracts)
    with psycopg.connect(url) as conn:
        for path in files:
            result = load_file(conn, path)
            assert result.status in ("loaded", "duplicate"), result.error
    return files


def build_synthetic_warehouse(
    url: str, partnership_dir: Path, select: list[str] | None = None
) -> BuiltWarehouse:
    """Load every synthetic extract under partnership_dir into the empty database at url (reference
    files first), then build as the pipeline does (pin the gated snapshot, dbt build from it);
    `select` (dbt selectors, `+model` for a model and its parents) builds only part."""
    from svdw.transform import build_warehouse

    files = load_synthetic_files(url, partnership_dir)
    build_warehouse(url, select=select, report=lambda _line: None, trigger="tests")
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
