"""`svdw build` builds the warehouse as the warehouse_build DAG does (svdw.transform
.build_warehouse): it pins the gated snapshot, then runs dbt from it; with nothing new to admit
it builds nothing unless asked to (--rebuild)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

pytestmark = pytest.mark.integration
SVDW = Path(sys.executable).parent / "svdw"


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

    rebuilt = svdw_build(url, "--rebuild", "--select", "sna_violence_district_month")
    output = " ".join((rebuilt.stdout + rebuilt.stderr).split())
    assert rebuilt.returncode == 0, output
    with psycopg.connect(url) as conn:
        builds = conn.execute(
            "select build_id, status, trigger from audit.build order by build_id"
        ).fetchall()
    assert [status for _, status, _ in builds][-2:] == ["skipped", "succeeded"]
    assert builds[-1][2].startswith("svdw build by ")
    assert f"warehouse built (build {builds[-1][0]})" in output
