"""Run the dbt project (dbt/) in-process: what the CLI and the Airflow tasks call.

Credentials never live in dbt/profiles.yml: it reads SVDW_DB_* environment variables, which
`dbt_env()` derives from a warehouse URL (postgresql://user:password@host:port/dbname).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import psycopg

from svdw.config import Settings, temporary_environment

if TYPE_CHECKING:
    from svdw.snapshot import PinnedBuild

PACKAGE_DIR = Path(__file__).resolve().parent
# The dbt var naming the build whose pinned load batches the staging models read.
BUILD_ID_VAR = "svdw_build_id"
BUILD_ID_ENV = "SVDW_DBT_BUILD_ID"  # the same, read by the macro when no var is given
# "true" in a build (a var would do, but one that changes every build defeats partial parsing):
# the sna models go to the shadow schema that finish_build publishes (svdw.sna_publish).
SHADOW_SCHEMAS_ENV = "SVDW_DBT_SHADOW_SCHEMAS"
# dbt's unit tests check a model's SQL on fixed inputs, not the data: the code's tests, run by
# `make test` (dbt_unit_tests) when the SQL changes, not by every data build (about a quarter
# of a build's time). Data builds (svdw build, the Airflow build) exclude them.
UNIT_TESTS = "resource_type:unit_test"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class DbtError(RuntimeError):
    """A dbt invocation failed; `failed_nodes` names each failing model, test or hook."""

    def __init__(self, command: list[str], failed_nodes: list[str], detail: str = "") -> None:
        self.command = command
        self.failed_nodes = failed_nodes
        what = ", ".join(failed_nodes) if failed_nodes else "no node result"
        message = f"dbt {' '.join(command)} failed: {what}"
        if detail:
            message += f"\n{detail}"
        super().__init__(message)


def dbt_project_dir() -> Path:
    """The dbt project: Settings.dbt_project_dir ($SVDW_DBT_PROJECT_DIR, else <repo>/dbt)."""
    return Settings.from_env().dbt_project_dir


def dbt_env(warehouse_url: str) -> dict[str, str]:
    """SVDW_DB_* variables that dbt/profiles.yml reads, from a postgresql:// URL."""
    parts = urlsplit(warehouse_url)
    if parts.scheme not in {"postgresql", "postgres", "postgresql+psycopg", "postgresql+psycopg2"}:
        raise ValueError(f"not a PostgreSQL URL (scheme {parts.scheme!r})")
    dbname = unquote(parts.path.lstrip("/"))
    if not dbname:
        raise ValueError("the warehouse URL names no database")
    return {
        "SVDW_DB_HOST": parts.hostname or "127.0.0.1",
        "SVDW_DB_PORT": str(parts.port or 5432),
        "SVDW_DB_USER": unquote(parts.username or ""),
        "SVDW_DB_PASSWORD": unquote(parts.password or ""),
        "SVDW_DB_NAME": dbname,
    }


def _failed_nodes(result: Any) -> list[str]:
    """Names of the nodes (models, tests, hooks) that errored or failed in a dbtRunnerResult."""
    failed: list[str] = []
    for node_result in getattr(result.result, "results", None) or []:
        status = str(getattr(node_result, "status", "")).lower()
        if status.rsplit(".", 1)[-1] in {"error", "fail", "runtime error"}:
            node = getattr(node_result, "node", None)
            name = str(getattr(node, "unique_id", None) or getattr(node, "name", "?"))
            message = getattr(node_result, "message", None)
            failed.append(f"{name} ({_ANSI.sub('', str(message)).strip()})" if message else name)
    return failed


def run_dbt(args: list[str], warehouse_url: str, build_id: int | None = None) -> list[str]:
    """Run one dbt command in-process against the warehouse; raise DbtError on any failure.
    `build_id` is the pinned snapshot the staging models read (the svdw_build_id macro); with
    it, the sna models are built into the shadow schema that finish_build publishes.
    Returns the unique ids of the nodes it ran (empty for commands without node results)."""
    from dbt.cli.main import dbtRunner  # lazy: importing dbt costs about a second

    project_dir = dbt_project_dir()
    command = [
        *args,
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(project_dir),
    ]
    with temporary_environment(
        {
            **dbt_env(warehouse_url),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            BUILD_ID_ENV: "" if build_id is None else str(int(build_id)),
            SHADOW_SCHEMAS_ENV: "" if build_id is None else "true",
        }
    ):
        result = dbtRunner().invoke(command)
    if not result.success:
        detail = (
            f"{type(result.exception).__name__}: {result.exception}" if result.exception else ""
        )
        raise DbtError(args, _failed_nodes(result), detail)
    return [
        str(getattr(getattr(node_result, "node", None), "unique_id", ""))
        for node_result in getattr(result.result, "results", None) or []
    ]


def dbt_unit_tests(warehouse_url: str) -> None:
    """Run dbt's unit tests (UNIT_TESTS) on a built warehouse: each reads its model's parents'
    columns from the database, so they run after a build."""
    run_dbt(["test", "--select", UNIT_TESTS], warehouse_url)


def dbt_parse(warehouse_url: str | None = None) -> Path:
    """Write dbt/target/manifest.json (what Cosmos loads); needs no database connection.

    Without a URL, placeholder connection settings are used: parsing never connects.
    """
    run_dbt(["parse"], warehouse_url or "postgresql://parse@127.0.0.1:5432/parse")
    return Settings.from_env().dbt_target_dir / "manifest.json"


def register_known_contracts(warehouse_url: str) -> None:
    """What dbt needs before a build: audit.contract up to date (sna_data_freshness), and every
    contract's raw table, empty until the partner's first delivery (the dbt project stages every
    raw table, so a partnership that has not loaded an extract yet still builds)."""
    from svdw.freshness import register_contracts

    with psycopg.connect(warehouse_url, application_name="svdw") as conn:
        register_contracts(conn)


def dbt_build(
    warehouse_url: str,
    select: list[str] | None = None,
    full_refresh: bool = False,
    build_id: int | None = None,
    exclude: list[str] | None = None,
) -> float:
    """Build (models and data tests; not the unit tests, see UNIT_TESTS) the project; returns
    the seconds it took.

    `dbt run --empty` is deliberately not used: on a live warehouse it would
    empty the tables the dashboards read until the build refills them. (A *partial* selection on
    a fresh database needs the parents first: select them with `+model`.)

    `build_id` names the pinned snapshot (svdw.snapshot) the staging models read; without it
    they read the latest pinned build's.
    """
    started = time.monotonic()
    if build_id is None:  # pin_build registered them when it pinned the snapshot
        register_known_contracts(warehouse_url)
    build = ["build", *(["--select", *select] if select else [])]
    build += ["--exclude", *(exclude or []), UNIT_TESTS]
    if full_refresh:
        build.append("--full-refresh")
    # The build id goes by environment, not --vars: a var that changes every build defeats
    # dbt's partial parsing (dbt/macros/pinned_source.sql).
    ran = run_dbt(build, warehouse_url, build_id)
    # dbt only warns when a selection matches nothing (a misspelt model name) and succeeds having
    # built nothing: that must not pass for a build.
    if select and not any(node.startswith("model.") for node in ran):
        raise DbtError(build, [], f"the selection {' '.join(select)} matched no model")
    return time.monotonic() - started


def dbt_docs(warehouse_url: str) -> Path:
    """Generate dbt's documentation site (the data dictionary: every marts and sna model and
    column) as one self-contained HTML file; returns its path."""
    run_dbt(["docs", "generate", "--static"], warehouse_url)
    return Settings.from_env().dbt_target_dir / "static_index.html"


# The warehouse build, step by step. `svdw build` runs them in order (build_warehouse); the
# warehouse_build DAG runs the same steps as tasks (pin_snapshot, dbt through Cosmos with one task
# per model, finish_build), so the CLI and Airflow build the same way.


def build_warehouse(
    warehouse_url: str,
    select: list[str] | None = None,
    report: Callable[[str], None] = print,
    *,
    trigger: str = "svdw build",
    rebuild: bool = False,
    full_refresh: bool = False,
    exclude: list[str] | None = None,
) -> PinnedBuild:
    """The whole build outside Airflow: pin the snapshot (the gate on pending batches), dbt build
    from it, record the outcome; `report` gets one line per step. A build with nothing new is
    skipped unless `rebuild` or `full_refresh` (dbt --full-refresh: the incremental facts are
    rebuilt from every admitted batch instead of the changed ones); `select`/`exclude` are dbt
    node selections. Raises BuildInProgress, DataQualityError (a batch failed: marts
    unchanged) or DbtError."""
    from svdw.snapshot import finish_build, pin_build, record_failure

    pinned = pin_build(
        warehouse_url, trigger, rebuild=rebuild or full_refresh, partial=bool(select or exclude)
    )
    report(pinned.describe())
    if pinned.skipped:
        return pinned
    try:
        seconds = dbt_build(
            warehouse_url,
            select=select,
            full_refresh=full_refresh,
            build_id=pinned.build_id,
            exclude=exclude,
        )
    except BaseException as exc:
        record_failure(warehouse_url, pinned.build_id, str(exc))
        raise
    finish_build(warehouse_url, pinned.build_id)
    report(f"dbt build passed in {seconds:.0f} s")
    return pinned
