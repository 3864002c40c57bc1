"""One trust's admissions file replaces only that trust's rows (health_hospital_admissions'
replace_scope: the admission date and the provider code), and files without provider codes (an
older delivery, a one-trust partnership) still replace each other's admission dates."""

from __future__ import annotations

import csv
from pathlib import Path

import psycopg
import pytest

from svdw.contracts import get_contract
from svdw.loader import load_file

pytestmark = pytest.mark.integration
ADMISSIONS = get_contract("health_hospital_admissions")


@pytest.fixture(autouse=True)
def _pseudonym_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SVDW_PSEUDONYM_KEY", "c" * 40)


def admissions(path: Path, provider: str | None, days: list[int]) -> Path:
    """A file of one episode per day; without the Provider Code column when provider is None."""
    headers = [h for h in ADMISSIONS.headers if provider is not None or h != "Provider Code"]
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        for n, day in enumerate(days):
            episode = [
                f"{provider or 'X'}{n:08d}", "1", f"2025-09-{day:02d}", f"2025-09-{day:02d}",
                "21", "S09.9", "Y09.7", *[""] * 18, "30", "1", "E01900001", f"48577734{n:02d}",
            ]  # fmt: skip
            writer.writerow([*episode, provider] if provider is not None else episode)
    return path


def rows_in_raw(conn: psycopg.Connection) -> list[tuple[str | None, str, int]]:
    """(provider code, admission date, rows) in raw."""
    return list(
        conn.execute(
            "select provider_code, admission_date::text, count(*)"
            " from raw.health__hospital_admissions group by 1, 2 order by 1 nulls first, 2"
        )
    )


def test_two_trusts_files_of_the_same_month_both_stay(warehouse_url: str, tmp_path: Path) -> None:
    with psycopg.connect(warehouse_url) as conn:
        load_file(conn, admissions(tmp_path / "apc-kent-2025-09.csv", "RWH", [15, 16]))
        second = load_file(conn, admissions(tmp_path / "apc-essex-2025-09.csv", "RQ8", [16]))
        again = load_file(conn, admissions(tmp_path / "apc-resend.csv", "RWH", [16, 16]))
        assert second.rows_superseded == 0
        assert again.rows_superseded == 1  # Kent's 16th, not Essex's
        assert rows_in_raw(conn) == [
            ("RQ8", "2025-09-16", 1),
            ("RWH", "2025-09-15", 1),
            ("RWH", "2025-09-16", 2),
        ]


def test_files_without_provider_codes_replace_each_other(
    warehouse_url: str, tmp_path: Path
) -> None:
    with psycopg.connect(warehouse_url) as conn:
        load_file(conn, admissions(tmp_path / "apc-2025-09.csv", None, [15, 16]))
        again = load_file(conn, admissions(tmp_path / "apc-2025-09-resend.csv", None, [16, 16]))
        assert again.status == "loaded"
        assert again.rows_superseded == 1
        assert rows_in_raw(conn) == [(None, "2025-09-15", 1), (None, "2025-09-16", 2)]
