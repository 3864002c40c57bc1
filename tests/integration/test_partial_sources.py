"""A partnership that has delivered only some extracts still builds: a source nobody has
delivered yet gives empty outputs, never a failing model or test."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from svdw.contracts import load_contracts
from svdw.loader import load_file, loading_order
from svdw.transform import build_warehouse

pytestmark = pytest.mark.integration


def test_reference_data_and_one_health_extract_build(
    make_database: Callable[[str], str], synthetic_dir: Path
) -> None:
    reference = [n for n, c in load_contracts().items() if c.partner == "reference"]
    delivered = [*reference, "health_ed_assault_attendances"]
    files = loading_order([p for name in delivered for p in (synthetic_dir / name).glob("*.csv")])
    url = make_database("partial")
    with psycopg.connect(url) as conn:
        for path in files:
            assert load_file(conn, path).status == "loaded", path

    # raises DbtError naming every failing model or test
    build_warehouse(url, report=lambda _line: None, trigger="tests")

    with psycopg.connect(url) as conn:
        counts = {
            table: conn.execute(f"select count(*) from {table}").fetchone()[0]  # type: ignore[index]
            for table in (
                "marts.fct_ed_assault_attendance",
                "marts.fct_police_crime",
                "sna.sna_violence_lsoa_latest_12_months",
            )
        }
    assert counts["marts.fct_ed_assault_attendance"] > 0
    # no police.uk data: no latest 12 months to publish, so no rows (not rows of NULL periods)
    assert counts["marts.fct_police_crime"] == 0
    assert counts["sna.sna_violence_lsoa_latest_12_months"] == 0
