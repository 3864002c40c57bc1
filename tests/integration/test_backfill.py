"""Backfilling a period reloads it from the archive: replaced, never duplicated, repeatable."""

from __future__ import annotations

import psycopg
import pytest
from age_keys import IDENTITY
from test_loader import police_row, write_police

from svdw.backfill import BackfillError, backfill
from svdw.config import Settings
from svdw.ingest import file_away
from svdw.loader import load_file

pytestmark = pytest.mark.integration


def test_backfill_replaces_the_period_and_is_idempotent(warehouse_url: str, tmp_path) -> None:
    settings = Settings(
        warehouse_url, tmp_path / "landing", tmp_path / "archive", archive_age_identity=IDENTITY
    )
    may = write_police(tmp_path / "2024-05-x-street.csv", [police_row("2024-05")] * 3)
    june = write_police(tmp_path / "2024-06-x-street.csv", [police_row("2024-06")] * 2)
    with psycopg.connect(warehouse_url) as conn:
        for path in (may, june):
            file_away(load_file(conn, path), settings, move=False)

        def months() -> list[tuple[str, int]]:
            return conn.execute(
                "select month::text, count(*) from raw.police_uk__street_crimes"
                " group by 1 order by 1"
            ).fetchall()

        before = months()
        first = backfill(conn, "police_uk_street", "2024-05", "2024-05", settings)
        again = backfill(conn, "police_uk_street", "2024-05", "2024-05", settings)
        assert [r.path.name for r in first] == [f"{r.sha256[:16]}__{may.name}" for r in first]
        assert first[0].status == again[0].status == "loaded"
        assert first[0].rows_superseded == again[0].rows_superseded == 3
        assert months() == before == [("2024-05-01", 3), ("2024-06-01", 2)]
        assert conn.execute("select count(*) from history.police_uk__street_crimes").fetchone() == (
            6,
        )


def test_backfill_without_the_archive_says_what_to_do(warehouse_url: str, tmp_path) -> None:
    settings = Settings(warehouse_url, tmp_path / "landing", tmp_path / "empty-archive")
    path = write_police(tmp_path / "2024-05-x-street.csv", [police_row("2024-05")])
    with psycopg.connect(warehouse_url) as conn:
        load_file(conn, path)
        with pytest.raises(BackfillError, match="not in the archive"):
            backfill(conn, "police_uk_street", "2024-01", "2024-12", settings)
