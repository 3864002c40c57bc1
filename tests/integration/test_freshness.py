"""Freshness per contract: a delivery within the cadence is on time; none at all is overdue."""

from __future__ import annotations

import psycopg
import pytest

from svdw.contracts import load_contracts
from svdw.freshness import freshness_report, register_contracts

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


OPTIONAL = "health_ed_attendances_identifiable"  # needs a legal basis of its own
REQUIRED = "health_ed_assault_attendances"


def _deliver_long_ago(conn: psycopg.Connection, contract: str) -> None:
    """One loaded (empty) file of the contract, 400 days ago: longer than any cadence allows."""
    target = load_contracts()[contract].table
    conn.execute(
        "insert into audit.load_batch (contract, target_table, file_name, sha256, status,"
        " started_at, finished_at) values (%s, %s, 'old.csv', 'x', 'loaded',"
        " now() - interval '400 days', now() - interval '400 days')",
        (contract, target),
    )
    conn.commit()


def test_an_optional_feed_never_delivered_is_not_overdue(warehouse_url: str) -> None:
    with psycopg.connect(warehouse_url) as conn:
        never = {f.contract: f for f in freshness_report(conn)}
        _deliver_long_ago(conn, OPTIONAL)
        stale = {f.contract: f for f in freshness_report(conn)}
    assert not never[OPTIONAL].overdue and never[OPTIONAL].state == "not delivered (optional)"
    assert never[REQUIRED].overdue and never[REQUIRED].state == "overdue"
    # once a partnership has the feed, it is expected like any other
    assert stale[OPTIONAL].overdue and stale[OPTIONAL].state == "overdue"


def test_sna_data_freshness_shows_an_optional_feed_as_not_delivered(warehouse_url: str) -> None:
    from svdw.transform import run_dbt

    with psycopg.connect(warehouse_url) as conn:
        register_contracts(conn)

    def freshness() -> dict[str, tuple[bool, bool, str]]:
        with psycopg.connect(warehouse_url) as conn:
            rows = conn.execute(
                "select contract, is_optional, is_overdue, delivery_status"
                " from sna.sna_data_freshness where contract in (%s, %s)",
                (OPTIONAL, REQUIRED),
            ).fetchall()
        return {
            contract: (optional, overdue, status) for contract, optional, overdue, status in rows
        }

    # cautious: leave out the tests of the other sna models that refer to this one
    run_dbt(
        ["build", "--select", "+sna_data_freshness", "--indirect-selection", "cautious"],
        warehouse_url,
    )
    never = freshness()
    with psycopg.connect(warehouse_url) as conn:
        _deliver_long_ago(conn, OPTIONAL)
    stale = freshness()  # a view: judged when read
    assert never == {
        OPTIONAL: (True, False, "not delivered (optional)"),
        REQUIRED: (False, True, "never delivered"),
    }
    assert stale[OPTIONAL] == (True, True, "overdue")
