"""One force's crime extract replaces only that force's rows (police_force_crimes'
replace_scope: the recorded date and the force code captured from the crime reference). A
national or multi-force warehouse receives one file per force and month, with the same recorded
dates in every file."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from csvfiles import write_extract

from svdw.contracts import get_contract
from svdw.loader import load_file

pytestmark = pytest.mark.integration
CRIMES = get_contract("police_force_crimes")


@pytest.fixture(autouse=True)
def _pseudonym_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SVDW_PSEUDONYM_KEY", "c" * 40)


def crime(force: int, number: int, day: int, offence: str = "105A") -> list[str]:
    return [
        f"{force}/09{number:05d}/25", f"{day:02d}/09/2025", f"{day:02d}/09/2025 21:00", offence,
        "Assault", "Violence and sexual offences", "E01900001", "N", "N", "N", "N", "N",
        f"V{force}{number}", "01/01/1990", "M", "", "", "", "", "", "", "", "",
    ]  # fmt: skip


def extract(path: Path, force: int, days: list[int], offence: str = "105A") -> Path:
    rows = [crime(force, n, day, offence) for n, day in enumerate(days)]
    return write_extract(path, CRIMES, rows)


def rows_in_raw(conn: psycopg.Connection) -> list[tuple[str, str, str, int]]:
    """(force code, recorded date, offence code, rows) in raw."""
    return [
        (force, recorded, offence, n)
        for force, recorded, offence, n in conn.execute(
            "select left(crime_reference, 2), recorded_date::text, ho_offence_code, count(*)"
            " from raw.police__force_crimes group by 1, 2, 3 order by 1, 2, 3"
        )
    ]


def test_two_forces_extracts_of_the_same_month_both_stay(
    warehouse_url: str, tmp_path: Path
) -> None:
    with psycopg.connect(warehouse_url) as conn:
        load_file(conn, extract(tmp_path / "kent-crime-extract-2025-09.csv", 46, [15, 16, 16]))
        second = load_file(
            conn, extract(tmp_path / "essex-crime-extract-2025-09.csv", 42, [16, 17])
        )
        assert second.rows_superseded == 0
        assert rows_in_raw(conn) == [
            ("42", "2025-09-16", "105A", 1),
            ("42", "2025-09-17", "105A", 1),
            ("46", "2025-09-15", "105A", 1),
            ("46", "2025-09-16", "105A", 2),
        ]


def test_a_forces_redelivery_under_another_name_replaces_only_its_own_rows(
    warehouse_url: str, tmp_path: Path
) -> None:
    with psycopg.connect(warehouse_url) as conn:
        first = load_file(conn, extract(tmp_path / "kent-crime-extract-2025-09.csv", 46, [15, 16]))
        load_file(conn, extract(tmp_path / "essex-crime-extract-2025-09.csv", 42, [15, 16]))
        again = load_file(conn, extract(tmp_path / "crime-extract-again.csv", 46, [16], "8N"))
        assert again.rows_superseded == 1
        assert rows_in_raw(conn) == [
            ("42", "2025-09-15", "105A", 1),
            ("42", "2025-09-16", "105A", 1),
            ("46", "2025-09-15", "105A", 1),
            ("46", "2025-09-16", "8N", 1),
        ]
        assert conn.execute(
            "select _batch_id, left(crime_reference, 2), recorded_date::text"
            " from history.police__force_crimes"
        ).fetchall() == [(first.batch_id, "46", "2025-09-16")]


def test_a_redelivery_replaces_batches_whose_scopes_were_recorded_before_the_force_code(
    warehouse_url: str, tmp_path: Path
) -> None:
    """Batches loaded while the scope was the recorded date alone recorded `(2025-09-16)`, not
    `(2025-09-16,46)`: a force's re-delivery after the upgrade still finds and replaces its own
    rows in them, and leaves another force's."""
    with psycopg.connect(warehouse_url) as conn:
        kent = load_file(conn, extract(tmp_path / "kent-crime-extract-2025-09.csv", 46, [15, 16]))
        essex = load_file(conn, extract(tmp_path / "essex-crime-extract-2025-09.csv", 42, [16]))
        conn.execute(
            "update audit.load_batch set scopes = (select array_agg(distinct"
            " row(recorded_date)::text) from raw.police__force_crimes where _batch_id = batch_id)"
            " where batch_id in (%s, %s)",
            (kent.batch_id, essex.batch_id),
        )
        assert conn.execute(
            "select scopes from audit.load_batch where batch_id = %s", (essex.batch_id,)
        ).fetchone() == (["(2025-09-16)"],)
        again = load_file(conn, extract(tmp_path / "crime-extract-again.csv", 46, [16], "8N"))
        assert again.rows_superseded == 1
        assert rows_in_raw(conn) == [
            ("42", "2025-09-16", "105A", 1),
            ("46", "2025-09-15", "105A", 1),
            ("46", "2025-09-16", "8N", 1),
        ]
