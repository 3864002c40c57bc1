"""`svdw build` builds the warehouse as the warehouse_build DAG does (svdw.transform
.build_warehouse): it pins the gated snapshot, then runs dbt from it; with nothing new to admit
it builds nothing unless asked to (--rebuild). The dashboards' schema sna changes only when a
build succeeds, all at once (svdw.sna_publish)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from db import rows, with_user
from deliveries import marts_fingerprint

from svdw.transform import DbtError, build_warehouse

pytestmark = pytest.mark.integration
SVDW = Path(sys.executable).parent / "svdw"
REBUILT = "sna_violence_district_month"  # the sna model the partial builds here select


def svdw_build(warehouse_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SVDW), "build", *args],
        env={**os.environ, "WAREHOUSE_URL": warehouse_url, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_build_skips_when_nothing_new_and_rebuilds_on_request(built_warehouse) -> None:  # type: ignore[no-untyped-def]
    url = built_warehouse.url
    skipped = svdw_build(url)
    output = " ".join((skipped.stdout + skipped.stderr).split())
    assert skipped.returncode == 0, output
    assert "skipped: no new batch to gate" in output and "nothing new to build" in output

    rebuilt = svdw_build(url, "--rebuild", "--select", REBUILT)
    output = " ".join((rebuilt.stdout + rebuilt.stderr).split())
    assert rebuilt.returncode == 0, output
    with psycopg.connect(url) as conn:
        builds = conn.execute(
            "select build_id, status, trigger from audit.build order by build_id"
        ).fetchall()
    assert [status for _, status, _ in builds][-2:] == ["skipped", "succeeded"]
    assert builds[-1][2].startswith("svdw build by ")
    assert f"warehouse built (build {builds[-1][0]})" in output
    assert rows(url, "select to_regnamespace('sna_next') is null") == [(True,)]  # swapped in


def sna_relations(url: str) -> dict[str, int]:
    """Every table and view of sna by name, with its oid (dbt rebuilding one makes a new
    relation)."""
    return dict(
        rows(
            url,
            "select c.relname::text, c.oid::int from pg_class c join pg_namespace n"
            " on n.oid = c.relnamespace where n.nspname = 'sna' and c.relkind in ('r', 'v', 'p')",
        )
    )


def sna_contents(url: str) -> dict[str, tuple[int, str]]:
    """Rows and an md5 of the sorted rows of every sna table."""
    return {k: v for k, v in marts_fingerprint(url).items() if k.startswith("sna.")}


def test_a_failed_build_leaves_sna_as_the_last_good_build_and_the_next_one_publishes(
    built_warehouse,  # type: ignore[no-untyped-def]
    make_database: Callable[..., str],
) -> None:
    url = make_database("publish", template=built_warehouse.url)
    relations, contents = sna_relations(url), sna_contents(url)
    assert REBUILT in relations and "sna_data_freshness" in relations  # a table and a view

    # One sna model fails (the fact it reads is gone) while another is built; the build also
    # selects the staging models the sna view reads (were they views, dbt replacing them would
    # drop the live view with them: dbt_project.yml).
    with psycopg.connect(url) as conn:
        conn.execute("alter table marts.fct_workforce_training rename to fct_workforce_gone")
    with pytest.raises(DbtError, match="sna_workforce_training"):
        build_warehouse(
            url,
            select=[REBUILT, "sna_workforce_training", "+sna_data_freshness"],
            report=lambda _line: None,
            trigger="tests: a build that fails",
            rebuild=True,
        )
    # The dashboards read exactly the last good build: the same relations, none rebuilt.
    assert sna_relations(url) == relations
    assert sna_contents(url) == contents
    # What the failed build made is kept aside in the shadow schema, to look at.
    shadow = rows(url, "select to_regclass('sna_next.' || %s) is not null", (REBUILT,))
    assert shadow == [(True,)]

    # The next build (part of sna: one model) publishes it, and keeps every other sna table.
    with psycopg.connect(url) as conn:
        conn.execute("alter table marts.fct_workforce_gone rename to fct_workforce_training")
    build_warehouse(url, select=[REBUILT], report=lambda _line: None, trigger="tests", rebuild=True)
    published = sna_relations(url)
    assert published.keys() == relations.keys()
    assert published[REBUILT] != relations[REBUILT]
    assert {k: v for k, v in published.items() if k != REBUILT} == {
        k: v for k, v in relations.items() if k != REBUILT
    }
    assert sna_contents(url) == contents  # same snapshot, same figures
    assert rows(url, "select to_regnamespace('sna_next') is null") == [(True,)]

    # Superset's role reads every sna table and view of the swapped-in schema.
    dashboard = with_user(url, "svdw_dashboard", os.environ["DASHBOARD_PASSWORD"])
    with psycopg.connect(dashboard) as conn:
        for name in published:
            conn.execute(f'select count(*) from sna."{name}"').fetchone()
