"""Coming back from faults and from a lost cluster, on a PostgreSQL cluster of the tests' own
(tests/throwaway_cluster.py): the server stopped (fast shutdown) in the middle of a load and of a
dbt build, then started again; and `svdw backup`, the cluster destroyed, a new empty one,
`svdw restore`. The commands run as processes, as a person or a task would run them.

The tests run in order on one cluster: the first loads, the second builds, the third backs that
up; each also works alone (loading and building what it needs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from conftest import load_synthetic_files
from db import one, rows, scalar, superuser_url, with_database, with_user
from throwaway_cluster import ThrowawayCluster

from svdw.loader import detect_contract
from svdw.sna_publish import LIVE_SCHEMA, SHADOW_SCHEMA
from svdw.snapshot import decide_batch
from svdw.transform import build_warehouse

pytestmark = pytest.mark.integration

SVDW = str(Path(sys.executable).parent / "svdw")
SNA_MODELS_DIR = Path(__file__).resolve().parents[2] / "dbt" / "models" / "marts" / "sna"
COPIES_OF_THE_FILE = 4  # long enough a COPY to stop the server in the middle of it


@pytest.fixture(scope="module")
def cluster() -> Iterator[ThrowawayCluster]:
    made = ThrowawayCluster.create()
    yield made
    made.destroy()


def svdw_env(cluster: ThrowawayCluster, cluster_url: str, **extra: str) -> dict[str, str]:
    """The environment of an svdw command working on the throwaway cluster (wide output: rich
    wraps at 80 columns without a terminal)."""
    return {**os.environ, "WAREHOUSE_URL": cluster.url(cluster_url), "COLUMNS": "1000", **extra}


def run_svdw(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SVDW, *args], env=env, capture_output=True, text=True, timeout=900)


def start_svdw(env: dict[str, str], logs: Path, *args: str) -> subprocess.Popen[bytes]:
    """An svdw command in the background, its output in files under `logs`, not in pipes: a
    command that writes more than a pipe holds (dbt's log of a whole build) would stop in the
    middle until someone read it."""
    logs.mkdir(parents=True, exist_ok=True)
    with (logs / "stdout").open("wb") as out, (logs / "stderr").open("wb") as err:
        return subprocess.Popen([SVDW, *args], env=env, stdout=out, stderr=err)


def stderr_of(logs: Path) -> str:
    return (logs / "stderr").read_text(errors="replace")


def wait_until(
    condition: str, url: str, process: subprocess.Popen[bytes], logs: Path, timeout: float
) -> None:
    """Poll a query returning one boolean until it is true; fail if the process ends first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, (
            f"the command ended before `{condition}` held:\n{stderr_of(logs)[-4000:]}"
        )
        with psycopg.connect(url, autocommit=True) as conn:
            if conn.execute(condition).fetchone() == (True,):
                return
        time.sleep(0.1)
    process.kill()
    pytest.fail(f"`{condition}` did not hold within {timeout} s:\n{stderr_of(logs)[-4000:]}")


def test_a_load_cut_by_a_restart_keeps_nothing_and_loads_once_when_run_again(
    cluster: ThrowawayCluster, cluster_url: str, synthetic_dir: Path, tmp_path: Path
) -> None:
    month = next((synthetic_dir / "police_uk_street").glob("*.csv"))
    header, *lines = month.read_text().splitlines(keepends=True)
    big = tmp_path / f"resent-{month.name}"
    big.write_text(header + "".join(lines * COPIES_OF_THE_FILE))
    table = detect_contract(big).table
    env = svdw_env(cluster, cluster_url)
    admin = superuser_url(env["WAREHOUSE_URL"], "warehouse")

    logs = tmp_path / "load"
    load = start_svdw(env, logs, "load", str(big), "--no-archive")
    wait_until(
        "select exists (select from pg_stat_activity where state = 'active'"
        " and query ilike 'copy \"raw\".%')",
        admin,
        load,
        logs,
        timeout=120,
    )
    cluster.stop()
    load.wait(timeout=60)
    error = stderr_of(logs)
    cluster.start()

    assert load.returncode == 1
    assert f"lost the connection to the warehouse while loading {big.name}" in error
    assert "nothing of this file was kept" in error and "run the same load again" in error
    with psycopg.connect(admin) as conn:
        assert (
            scalar(conn, "select count(*) from audit.load_batch where file_name = %s", (big.name,))
            == 0
        )
        assert scalar(conn, f"select count(*) from {table}") == 0
        assert scalar(conn, "select count(*) from audit.quarantine") == 0

    again = run_svdw(env, "load", str(big), "--no-archive")
    assert again.returncode == 0, again.stderr
    with psycopg.connect(admin) as conn:
        batches = rows(
            conn,
            "select batch_id, rows_read, rows_loaded from audit.load_batch where file_name = %s",
            (big.name,),
        )
        assert len(batches) == 1
        batch_id, rows_read, rows_loaded = batches[0]
        assert rows_read == len(lines) * COPIES_OF_THE_FILE
        assert scalar(conn, f"select count(*) from {table} where _batch_id = %s", (batch_id,)) == (
            rows_loaded
        )
    # the copy repeats crime ids: keep it out of the builds the next tests run
    decide_batch(env["WAREHOUSE_URL"], batch_id, "rejected", "a test's re-sent copy", "tests")


def test_a_build_cut_by_a_restart_fails_clearly_and_the_next_build_takes_over(
    cluster: ThrowawayCluster, cluster_url: str, synthetic_dir: Path, tmp_path: Path
) -> None:
    env = svdw_env(cluster, cluster_url)
    admin = superuser_url(env["WAREHOUSE_URL"], "warehouse")
    load_synthetic_files(env["WAREHOUSE_URL"], synthetic_dir)

    logs = tmp_path / "build"
    build = start_svdw(env, logs, "build")
    # dbt is under way: the snapshot is pinned, and dbt has made the marts and started on the
    # dashboards' sna models (in the shadow schema svdw.sna_publish swaps in when a build ends)
    wait_until(
        "select exists (select from audit.build where status = 'running' and pinned_at is not null)"
        " and exists (select from pg_class"
        f" where relnamespace = to_regnamespace('{SHADOW_SCHEMA}'))",
        admin,
        build,
        logs,
        timeout=600,
    )
    cluster.stop()
    build.wait(timeout=300)
    error = stderr_of(logs)
    cluster.start()

    assert build.returncode == 1
    assert "run `svdw build` again" in error, error
    with psycopg.connect(admin) as conn:
        (cut_build, cut_status), *_ = rows(
            conn, "select build_id, status from audit.build order by build_id desc limit 1"
        )
        # it could not record its failure: the server was gone
        assert cut_status == "running"
        assert scalar(conn, "select count(*) from audit.build where status = 'succeeded'") == 0
        # nothing of the cut build reached the dashboards: no build has published sna yet
        assert one(conn, "select to_regnamespace(%s) is null", (LIVE_SCHEMA,)) is True

    # Another person builds (a rerun by the same person would take over its own build anyway).
    again = run_svdw({**env, "LOGNAME": "on-call", "USER": "on-call"}, "build")
    assert again.returncode == 0, again.stderr
    with psycopg.connect(admin) as conn:
        statuses = dict(rows(conn, "select build_id, status from audit.build"))
        assert statuses[cut_build] == "abandoned"
        reason = one(conn, "select error from audit.build where build_id = %s", (cut_build,))
        assert "PostgreSQL restarted during the build" in reason
        (built,) = [b for b, status in statuses.items() if status == "succeeded"]
        read = rows(conn, "select batch_id from audit.build_batch where build_id = %s", (built,))
        cut_read = rows(
            conn, "select batch_id from audit.build_batch where build_id = %s", (cut_build,)
        )
        # the batches the cut build had admitted are built, none lost on the way
        assert read == cut_read and read
        # ... and published whole: sna holds a relation for every sna model, no shadow is left
        sna_models = {path.stem for path in SNA_MODELS_DIR.rglob("*.sql")}
        published_relations = rows(
            conn,
            "select relname from pg_class where relkind in ('r', 'v')"
            " and relnamespace = to_regnamespace(%s)",
            (LIVE_SCHEMA,),
        )
        assert {name for (name,) in published_relations} == sna_models
        assert one(conn, "select to_regnamespace(%s) is null", (SHADOW_SCHEMA,)) is True


def table_counts(url: str) -> dict[str, int]:
    """Rows in every table outside the system schemas."""
    with psycopg.connect(url) as conn:
        tables = rows(
            conn,
            "select format('%I.%I', schemaname, tablename) from pg_tables"
            " where schemaname not in ('pg_catalog', 'information_schema') order by 1",
        )
        return {name: scalar(conn, f"select count(*) from {name}") for (name,) in tables}


def published(url: str) -> list[tuple]:
    """What a chart of the core measures reads: every row of sna.sna_core_measures."""
    return rows(url, "select t::text from sna.sna_core_measures t order by 1")


def add_metadata_rows(cluster: ThrowawayCluster, cluster_url: str) -> None:
    """A few rows in the superset and airflow databases, each written by its own role (the test
    cluster runs neither service)."""
    for role, secret in (("superset", "SUPERSET_DB_PASSWORD"), ("airflow", "AIRFLOW_DB_PASSWORD")):
        url = with_database(with_user(cluster.url(cluster_url), role, os.environ[secret]), role)
        with psycopg.connect(url) as conn:
            conn.execute("create table if not exists svdw_probe (id int primary key, name text)")
            conn.execute(
                "insert into svdw_probe values (1, %s), (2, 'dashboards') on conflict do nothing",
                (role,),
            )


def test_backup_then_restore_into_a_new_cluster_gives_the_same_warehouse(
    cluster: ThrowawayCluster, cluster_url: str, synthetic_dir: Path, tmp_path: Path
) -> None:
    env = svdw_env(cluster, cluster_url)
    url = env["WAREHOUSE_URL"]
    load_synthetic_files(url, synthetic_dir)
    build_warehouse(url, report=lambda _line: None, trigger="tests")  # skipped when built
    add_metadata_rows(cluster, cluster_url)
    admin = superuser_url(url, "warehouse")
    counts, chart, status = table_counts(admin), published(admin), run_svdw(env, "status")
    probes = {
        db: rows(superuser_url(url, db), "select * from svdw_probe order by id")
        for db in ("superset", "airflow")
    }
    assert status.returncode == 0 and chart and counts["raw.police_uk__street_crimes"]

    out = tmp_path / "backup"
    done = run_svdw(env, "backup", "--out", str(out))
    assert done.returncode == 0, done.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert [d["name"] for d in manifest["databases"]] == ["warehouse", "superset", "airflow"]
    assert manifest["warehouse_builds"]["running_builds"] == []
    # a copy with one byte of the superset archive changed
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    for entry in out.iterdir():
        data = bytearray(entry.read_bytes())
        if entry.name == "superset.dump":
            data[len(data) // 2] ^= 0xFF
        (damaged / entry.name).write_bytes(data)

    cluster.destroy()
    fresh = ThrowawayCluster.create()
    try:
        env = svdw_env(fresh, cluster_url)
        refused = run_svdw(env, "restore", str(damaged))
        assert refused.returncode == 1
        assert "superset.dump does not match its sha256" in refused.stderr

        restored = run_svdw(env, "restore", str(out))
        assert restored.returncode == 0, restored.stderr
        url = env["WAREHOUSE_URL"]
        admin = superuser_url(url, "warehouse")
        assert table_counts(admin) == counts
        assert published(admin) == chart
        assert run_svdw(env, "status").stdout == status.stdout
        for db, before in probes.items():
            assert rows(superuser_url(url, db), "select * from svdw_probe order by id") == before
        # the dashboards' read-only role reads the restored sna schema (grants came back)
        dashboard = with_user(url, "svdw_dashboard", os.environ["DASHBOARD_PASSWORD"])
        assert published(dashboard) == chart
    finally:
        fresh.destroy()
