"""Builds on a snapshot, and quality verdicts that stick (svdw.snapshot), on real loads, the real
Great Expectations gate and real dbt runs into throwaway databases.

Each test loads the synthetic reference data and the three monthly force crime extracts, builds
the force crime fact and what it needs (`+fct_police_force_crime`: staging, person resolution,
dimensions), then changes something and builds again.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from deliveries import load_batch, marts_fingerprint

from svdw.contracts import load_contracts
from svdw.loader import load_file, loading_order
from svdw.quality import DataQualityError
from svdw.snapshot import (
    BuildInProgress,
    PinnedBuild,
    decide_batch,
    fail_build,
    finish_build,
    pin_build,
)
from svdw.synthetic.world import csv_writer
from svdw.transform import build_warehouse, run_dbt

pytestmark = pytest.mark.integration

SELECTION = ["+fct_police_force_crime"]
# The first part of a build, as Cosmos runs it: one dbt invocation per part.
FIRST_PART = "+int_person_resolved"
FORCE_CRIMES = "police_force_crimes"
SVDW = Path(sys.executable).parent / "svdw"


def _build(url: str) -> PinnedBuild:
    return build_warehouse(url, select=SELECTION, report=lambda _line: None, trigger="tests")


@pytest.fixture(scope="module")
def built_police_warehouse(make_database: Callable[..., str], synthetic_dir: Path) -> str:
    """Reference data and three months of force crimes, loaded and built once."""
    url = make_database("snapshot")
    reference = [c.name for c in load_contracts().values() if c.partner == "reference"]
    files = loading_order(
        [p for name in [*reference, FORCE_CRIMES] for p in (synthetic_dir / name).glob("*.csv")]
    )
    for path in files:
        load_batch(url, path)
    _build(url)
    return url


@pytest.fixture
def police_warehouse(make_database: Callable[..., str], built_police_warehouse: str) -> str:
    """A copy of the built police warehouse for one test to change (a copy is the same
    database, built once: its batches, builds and relations, their oids included)."""
    return make_database("snapshot", template=built_police_warehouse)


def _month_delivery(synthetic_dir: Path, out: Path, month: int, keep: float) -> Path:
    """A re-delivery of one month's force crime extract (0 = first) with the first `keep` share
    of its rows: it replaces that month (replace_scope recorded_date) when loaded."""
    source = sorted((synthetic_dir / FORCE_CRIMES).glob("*.csv"))[month]
    with source.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        headers = list(reader.fieldnames or [])
        rows = list(reader)
    with csv_writer(out, headers) as writer:
        for row in rows[: int(len(rows) * keep)]:
            writer.writerow([row[h] for h in headers])
    return out


def _fact_rows(url: str, batch_id: int | None = None) -> int:
    """Rows of the force crime fact (from one load batch: its keys are md5(batch-line))."""
    query = "select count(*) from marts.fct_police_force_crime"
    if batch_id is not None:
        query += (
            " where force_crime_key in (select md5(_batch_id::text || '-' || _line_number::text)"
            " from raw.police__force_crimes where _batch_id = %(b)s)"
        )
    with psycopg.connect(url) as conn:
        row = conn.execute(query, {"b": batch_id}).fetchone()
    assert row is not None
    return int(row[0])


def test_a_load_committed_during_a_build_waits_for_the_next_build(
    police_warehouse: str, synthetic_dir: Path, tmp_path: Path
) -> None:
    url = police_warehouse
    before = marts_fingerprint(url)
    pinned = pin_build(url, "tests: a build paused between two models", rebuild=True)
    assert not pinned.skipped
    run_dbt(["build", "--select", FIRST_PART], url, pinned.build_id)

    # Between two models of the running build, the partner re-delivers the last month with a
    # tenth of its rows gone: the load moves that month's rows to history and commits.
    redelivery = _month_delivery(synthetic_dir, tmp_path / "crime-extract-again.csv", -1, 0.9)
    with psycopg.connect(url) as conn:
        result = load_file(conn, redelivery)
    assert result.status == "loaded" and result.rows_superseded > result.rows_loaded > 0
    new_batch = result.batch_id
    assert new_batch is not None

    run_dbt(["build", *("--select", *SELECTION), *("--exclude", FIRST_PART)], url, pinned.build_id)
    finish_build(url, pinned.build_id)
    # What the build published is what a build without that load publishes.
    assert marts_fingerprint(url) == before
    assert _fact_rows(url, new_batch) == 0

    # The next build admits the re-delivery: its rows replace the month's old ones.
    following = build_warehouse(url, select=SELECTION, report=lambda _line: None)
    assert not following.skipped and new_batch in following.admitted
    assert _fact_rows(url, new_batch) == result.rows_loaded
    replaced = before["marts.fct_police_force_crime"][0] - _fact_rows(url)
    assert replaced == result.rows_superseded - result.rows_loaded


def test_a_failed_batch_stays_out_until_a_person_accepts_it(
    police_warehouse: str, synthetic_dir: Path, tmp_path: Path
) -> None:
    url = police_warehouse
    before = marts_fingerprint(url)
    facts_before = _fact_rows(url)
    # A short re-delivery of the last month: under half the partner's usual rows.
    short = _month_delivery(synthetic_dir, tmp_path / "crime-extract-short.csv", -1, 0.4)
    bad = load_batch(url, short)
    with pytest.raises(DataQualityError) as caught:
        _build(url)
    assert f"failed in raw.police__force_crimes (load batch {bad})" in str(caught.value)
    assert marts_fingerprint(url) == before

    # A good delivery after it: built, without the bad one. The first month comes again with
    # one row fewer; the last month keeps its old rows (the bad batch is not admitted).
    good = load_batch(
        url, _month_delivery(synthetic_dir, tmp_path / "crime-extract-m1.csv", 0, 0.99)
    )
    with psycopg.connect(url) as conn:
        dropped = conn.execute(
            "select rows_superseded - rows_loaded from audit.load_batch where batch_id = %s",
            (good,),
        ).fetchone()
    assert dropped and dropped[0] > 0
    built = _build(url)
    assert good in built.admitted and bad not in built.admitted
    assert _fact_rows(url, bad) == 0
    assert _fact_rows(url) == facts_before - dropped[0]

    # A person accepts it (Airflow is not running here: the command says to build by hand).
    accepted = subprocess.run(
        [str(SVDW), "batches", "accept", str(bad), "--reason", "quiet month", "--by", "a.analyst"],
        env={**os.environ, "WAREHOUSE_URL": url, "AIRFLOW_URL": "http://127.0.0.1:9"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert accepted.returncode == 0, accepted.stderr
    said = " ".join(accepted.stdout.split())
    assert f"batch {bad}: failed -> accepted by a.analyst" in said
    assert "Airflow is not reachable at http://127.0.0.1:9" in said and "run `svdw build`" in said
    _build(url)
    assert _fact_rows(url, bad) > 0

    # ... then rejects it after all: the next build leaves it out again.
    decide_batch(url, bad, "rejected", "partner sent a partial extract", "a.analyst")
    _build(url)
    assert _fact_rows(url, bad) == 0
    assert _fact_rows(url) == facts_before - dropped[0]

    with psycopg.connect(url) as conn:
        history = conn.execute(
            "select status, decided_by from audit.batch_status_event where batch_id = %s"
            " order by event_id",
            (bad,),
        ).fetchall()
    assert [status for status, _ in history] == [
        "pending",
        "failed",
        "accepted",
        "rejected",
    ]
    assert [who for _, who in history[1:]] == ["quality gate", "a.analyst", "a.analyst"]

    listed = subprocess.run(
        [str(SVDW), "batches", "--status", "rejected"],
        env={**os.environ, "WAREHOUSE_URL": url, "COLUMNS": "250"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert listed.returncode == 0, listed.stderr
    assert "partner sent a partial extract (a.analyst)" in listed.stdout
    assert "crime-extract-short.csv" in listed.stdout


def test_nothing_new_is_skipped_builds_run_one_at_a_time_and_a_cut_build_is_repaired(
    police_warehouse: str, synthetic_dir: Path, tmp_path: Path
) -> None:
    url = police_warehouse
    with psycopg.connect(url) as conn:
        table = conn.execute("select 'marts.fct_police_force_crime'::regclass::oid").fetchone()
    skipped = _build(url)
    assert skipped.skipped
    with psycopg.connect(url) as conn:
        # dbt would have replaced the table (a new relation): it did not run.
        assert (
            conn.execute("select 'marts.fct_police_force_crime'::regclass::oid").fetchone() == table
        )
        statuses = conn.execute("select status from audit.build order by build_id").fetchall()
    assert statuses == [("succeeded",), ("skipped",)]

    running = pin_build(url, "tests: a long build", rebuild=True)
    with pytest.raises(BuildInProgress, match=rf"build {running.build_id} \(tests: a long build\)"):
        pin_build(url, "tests: a second build")
    fail_build(url, running.build_id, "stopped by the test")

    # dbt publishes model by model: a build cut after its fact merged a new batch leaves that
    # batch published. A person then rejects the batch, so the next build admits exactly what
    # the last successful build did; it must still build, and take the batch out again.
    facts_before = _fact_rows(url)
    delivery = _month_delivery(synthetic_dir, tmp_path / "crime-extract-m1.csv", 0, 0.99)
    redelivered = load_batch(url, delivery)
    cut = pin_build(url, "tests: a build cut part way")  # the failed build released the lock
    assert redelivered in cut.admitted
    # dbt got as far as the fact; then the build's process died (no finish_build).
    run_dbt(["build", "--select", *SELECTION], url, cut.build_id)
    assert _fact_rows(url, redelivered) > 0
    fail_build(url, cut.build_id, "the test cut it after the fact")

    decide_batch(url, redelivered, "rejected", "sent in error", "a.analyst")
    repaired = _build(url)
    assert not repaired.skipped
    assert _fact_rows(url, redelivered) == 0
    assert _fact_rows(url) == facts_before
