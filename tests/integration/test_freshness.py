"""Freshness per contract: a delivery within the cadence is on time; none at all is overdue."""

from __future__ import annotations

import psycopg
import pytest

from svdw.contracts import load_contracts
from svdw.freshness import freshness_report

pytestmark = pytest.mark.integration


def test_freshness_follows_deliveries(warehouse_url: str, tmp_path) -> None:
    from test_loader import police_row, write_police

    from svdw.loader import load_file

    path = write_police(tmp_path / "2024-05-x-street.csv", [police_row(), police_row("2024-13")])
    with psycopg.connect(warehouse_url) as conn:
        load_file(conn, path)
        (tmp_path / "bad.csv").write_text("nope\n")
        load_file(conn, tmp_path / "bad.csv", load_contracts()["police_uk_street"])
        report = {f.contract: f for f in freshness_report(conn)}
        conn.execute(
            "update audit.load_batch set finished_at = now() - interval '40 days'"
            " where status = 'loaded'"
        )
        stale = {f.contract: f for f in freshness_report(conn)}
    assert set(report) == set(load_contracts())
    police = report["police_uk_street"]
    assert not police.overdue and police.last_delivery is not None
    assert (police.files_loaded, police.rows_loaded, police.rows_quarantined) == (1, 1, 1)
    assert police.files_rejected == 1
    assert report["ons_lsoa_ward_lad_lookup"].overdue  # never delivered
    assert stale["police_uk_street"].overdue  # monthly, last delivery 40 days ago
