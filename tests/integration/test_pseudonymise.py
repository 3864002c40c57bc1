"""Direct identifiers never reach a table: not the raw tables, not quarantine."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
import yaml
from csvfiles import write_extract

from svdw.contracts import Contract
from svdw.loader import load_file
from svdw.pseudonymise import PseudonymisationError, keyed_hash

pytestmark = pytest.mark.integration
KEY = "k" * 40
PEOPLE = Contract.model_validate(
    {
        "name": "test_people",
        "title": "People",
        "partner": "health",
        "description": "A test extract with every kind of direct identifier.",
        "table": "raw.test__people",
        "cadence": "monthly",
        "period_column": "event_date",
        "replace_scope": [],
        "columns": [
            {"header": "NHS Number", "name": "person_key", "required": True,
             "pattern": r"^\d{3} ?\d{3} ?\d{4}$", "privacy": "direct_identifier",
             "pseudonymise": "hmac"},
            {"header": "Date of Birth", "name": "birth_year", "type": "date",
             "format": "%d/%m/%Y", "privacy": "direct_identifier", "pseudonymise": "birth_year",
             "age_at": "event_date"},
            {"header": "Event Date", "name": "event_date", "type": "date"},
            {"header": "Postcode", "name": "home_lsoa_code", "privacy": "direct_identifier",
             "pseudonymise": "postcode_to_lsoa"},
        ],
    }
)  # fmt: skip
ROWS = [
    ["485 777 3456", "15/06/2005", "2024-06-14", "AL1 3AB"],
    ["4857773456", "15/06/2005", "2024-06-15", "al13ab"],
    ["943 476 5919", "01/01/1990", "2024-01-01", "ZZ9 9ZZ"],
    ["not-a-number 123", "02/02/2002", "2024-02-02", "AL1 3AB"],
]


def write(path: Path, rows: list[list[str]]) -> Path:
    return write_extract(path, PEOPLE, rows)


@pytest.fixture
def conn(warehouse_url: str):
    with psycopg.connect(warehouse_url) as connection:
        connection.execute("create schema raw")
        connection.execute(
            "create table raw.ons__postcode_lsoa_lookup (postcode text, lsoa_code text)"
        )
        connection.execute(
            "insert into raw.ons__postcode_lsoa_lookup values ('AL1 3AB', 'E01023500')"
        )
        connection.commit()
        yield connection


def test_identifiers_are_replaced_at_load(conn, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SVDW_PSEUDONYM_KEY", KEY)
    result = load_file(conn, write(tmp_path / "people.csv", ROWS), PEOPLE)
    assert (result.rows_loaded, result.rows_quarantined) == (3, 1)
    # ZZ9 9ZZ is not in the lookup: the row loads with no LSOA, and the load says how many.
    assert result.postcodes_unmatched == 1
    assert conn.execute("select postcodes_unmatched from audit.load_batch").fetchone() == (1,)
    stored = conn.execute(
        "select person_key, birth_year, age_at_event, home_lsoa_code from raw.test__people"
        " order by _line_number"
    ).fetchall()
    same_person = keyed_hash(KEY.encode(), "4857773456")
    assert stored == [
        (same_person, 2005, 18, "E01023500"),  # the day before the 19th birthday
        (same_person, 2005, 19, "E01023500"),  # one person, one key, however it was spelt
        (keyed_hash(KEY.encode(), "9434765919"), 1990, 34, None),  # unknown postcode: no LSOA
    ]
    everything = str(conn.execute("select * from raw.test__people").fetchall())
    everything += str(conn.execute("select raw_text, reason from audit.quarantine").fetchall())
    for identifier in ("485 777", "4857773456", "15/06/2005", "AL1 3AB", "not-a-number"):
        assert identifier not in everything


def test_quarantine_keeps_the_line_but_not_the_identifier(
    conn, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("SVDW_PSEUDONYM_KEY", KEY)
    load_file(conn, write(tmp_path / "people.csv", ROWS), PEOPLE)
    line, raw_text, reason = conn.execute(
        "select line_number, raw_text, reason from audit.quarantine"
    ).fetchone()
    assert line == 5
    assert raw_text.startswith("[hmac ") and "2024-02-02" in raw_text and "[redacted]" in raw_text
    assert "field 'NHS Number'" in reason and "value withheld" in reason


def test_no_key_no_load(conn, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("SVDW_PSEUDONYM_KEY", raising=False)
    monkeypatch.delenv("SVD_PSEUDONYM_KEY", raising=False)  # the old name, still read
    with pytest.raises(PseudonymisationError, match="SVDW_PSEUDONYM_KEY is not set"):
        load_file(conn, write(tmp_path / "people.csv", ROWS), PEOPLE)
    assert conn.execute("select count(*) from audit.load_batch").fetchone() == (0,)


def test_postcodes_need_the_lookup(warehouse_url: str, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SVDW_PSEUDONYM_KEY", KEY)
    with (
        psycopg.connect(warehouse_url) as fresh,
        pytest.raises(PseudonymisationError, match="ons_postcode_lsoa_lookup"),
    ):
        load_file(fresh, write(tmp_path / "people.csv", ROWS), PEOPLE)


def test_the_load_command_reports_postcodes_without_an_lsoa(
    conn, warehouse_url: str, tmp_path: Path
) -> None:
    contracts = tmp_path / "contracts"
    contracts.mkdir()
    (contracts / "test_people.yml").write_text(yaml.safe_dump(PEOPLE.model_dump(mode="json")))
    done = subprocess.run(
        [str(Path(sys.executable).parent / "svdw"), "load", "--contract", "test_people",
         "--no-archive", str(write(tmp_path / "people.csv", ROWS))],
        env={**os.environ, "WAREHOUSE_URL": warehouse_url, "SVDW_PSEUDONYM_KEY": KEY,
             "SVDW_CONTRACTS_DIR": str(contracts), "COLUMNS": "200"},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "1 postcode(s) not in the ONS lookup (no LSOA)" in done.stdout


def test_a_changed_postcode_lookup_is_read_afresh(conn, tmp_path: Path, monkeypatch) -> None:
    """The loader keeps the lookup between files (svdw.postcode_lookup): a change to it shows."""
    monkeypatch.setenv("SVDW_PSEUDONYM_KEY", KEY)
    row = [["485 777 3456", "15/06/2005", "2024-06-14", "AL1 3AB"]]
    load_file(conn, write(tmp_path / "first.csv", row), PEOPLE)
    conn.execute("update raw.ons__postcode_lsoa_lookup set lsoa_code = 'E01023501'")
    conn.commit()
    load_file(
        conn, write(tmp_path / "second.csv", [[*row[0][:2], "2024-07-01", "AL1 3AB"]]), PEOPLE
    )
    # the second delivery replaces the first (no replace scope): its row has the new LSOA
    stored = conn.execute("select home_lsoa_code from raw.test__people").fetchall()
    assert stored == [("E01023501",)]
