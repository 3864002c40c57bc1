"""`svdw build` builds the warehouse as the warehouse_build DAG does: the raw gate, dbt, then the
Great Expectations suites of the key marts (svdw.transform.build_warehouse)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

pytestmark = pytest.mark.integration
SVDW = Path(sys.executable).parent / "svdw"


def svdw_build(warehouse_url: str, select: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SVDW), "build", "--select", select],
        env={**os.environ, "WAREHOUSE_URL": warehouse_url, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_build_checks_the_marts_after_dbt(built_warehouse) -> None:  # type: ignore[no-untyped-def]
    with psycopg.connect(built_warehouse.url) as conn:
        started = conn.execute("select now()").fetchone()
    done = svdw_build(built_warehouse.url, "sna_violence_district_month")
    output = " ".join((done.stdout + done.stderr).split())
    assert done.returncode == 0, output
    assert "marts data quality passed" in output and "warehouse built and checked" in output
    with psycopg.connect(built_warehouse.url) as conn:
        checked = conn.execute(
            "select distinct target_table from audit.expectation_result"
            " where run_at > %s and success order by 1",
            started,
        ).fetchall()
    assert ("marts.fct_police_crime",) in checked
    assert ("sna.sna_violence_district_month",) in checked
