"""The loader against the real local PostgreSQL: nothing lost, nothing duplicated, loud rejects."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from age_keys import IDENTITY
from csvfiles import write_extract

from svdw.contracts import get_contract
from svdw.loader import load_file

pytestmark = pytest.mark.integration
POLICE = get_contract("police_uk_street")
HEADER = ",".join(POLICE.headers)


def police_row(
    month: str = "2024-05", crime_type: str = "Robbery", location: str = "On or near X"
) -> list[str]:
    return [
        "a" * 64, month, "Test Constabulary", "Test Constabulary", "-0.2", "51.8", location,
        "E01023316", "Broxbourne 001A", crime_type, "Under investigation", "",
    ]  # fmt: skip


def write_police(path: Path, rows: list[list[str]]) -> Path:
    return write_extract(path, POLICE, rows)


def count(conn: psycopg.Connection, sql: str) -> int:
    row = conn.execute(sql).fetchone()
    return int(row[0]) if row else 0


def test_loads_every_row_and_accounts_for_the_file(warehouse_url: str, synthetic_dir: Path) -> None:
    path = next((synthetic_dir / "police_uk_street").glob("*.csv"))
    data_rows = sum(1 for _ in csv.reader(path.open())) - 1
    with psycopg.connect(warehouse_url) as conn:
        result = load_file(conn, path)
        assert result.status == "loaded"
        assert result.rows_read == result.rows_loaded == data_rows
        assert count(conn, "select count(*) from raw.police_uk__street_crimes") == data_rows
        batch = conn.execute(
            "select file_name, sha256, rows_read, rows_loaded, rows_quarantined, status"
            " from audit.load_batch"
        ).fetchall()
        assert batch == [(path.name, result.sha256, data_rows, data_rows, 0, "loaded")]


def test_the_same_file_twice_adds_nothing(warehouse_url: str, synthetic_dir: Path) -> None:
    path = next((synthetic_dir / "police_uk_street").glob("*.csv"))
    with psycopg.connect(warehouse_url) as conn:
        first = load_file(conn, path)
        again = load_file(conn, path)
        assert again.status == "duplicate" and again.batch_id == first.batch_id
        assert count(conn, "select count(*) from raw.police_uk__street_crimes") == first.rows_loaded
        assert count(conn, "select count(*) from audit.load_batch") == 1


def test_bad_rows_are_quarantined_with_line_and_field(warehouse_url: str, tmp_path: Path) -> None:
    rows = [
        police_row(),
        police_row(month="2024-13"),
        police_row(crime_type="Murder"),
        police_row(),
    ]
    rows.append(police_row()[:5])  # too few fields
    path = write_police(tmp_path / "2024-05-test-street.csv", rows)
    with psycopg.connect(warehouse_url) as conn:
        result = load_file(conn, path)
        assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (5, 2, 3)
        quarantined = conn.execute(
            "select line_number, reason, raw_text from audit.quarantine order by line_number"
        ).fetchall()
    assert [q[0] for q in quarantined] == [3, 4, 6]
    assert "field 'Month'" in quarantined[0][1] and "2024-13" in quarantined[0][2]
    assert "field 'Crime type'" in quarantined[1][1] and "Murder" in quarantined[1][2]
    assert quarantined[2][1] == "expected 12 fields, found 5"


def test_an_offence_code_outside_the_official_list_is_quarantined_naming_it(
    warehouse_url: str,
) -> None:
    extract = (
        Path(__file__).resolve().parents[1] / "fixtures" / "force_crimes_home_office_measures.csv"
    )
    with psycopg.connect(warehouse_url) as conn:
        result = load_file(conn, extract)
        quarantined = conn.execute("select line_number, reason from audit.quarantine").fetchall()
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (43, 42, 1)
    assert quarantined == [
        (
            44,
            "field 'HO Offence Code': code not in the official code list"
            " home_office_offence_classifications (got '99Z')",
        )
    ]


def test_dates_out_of_bounds_or_order_are_quarantined_naming_field_and_values(
    warehouse_url: str, tmp_path: Path
) -> None:
    crimes = get_contract("police_force_crimes")

    def crime(number: int, recorded: str, victim_born: str, suspect_born: str = "") -> list[str]:
        return [
            f"41/{number:07d}/24", recorded, "15/04/2024 12:00", "105A", "Assault without injury",
            "Violence and sexual offences", "E01900001", "N", "N", "N", "N", "N", f"V{number}",
            victim_born, "M", "S1" if suspect_born else "", "", suspect_born,
            "M" if suspect_born else "", "", "", "", "",  # exploitation flags: not recorded
        ]  # fmt: skip

    path = write_extract(
        tmp_path / "force-crimes-2024-04.csv",
        crimes,
        [
            crime(1, "15/04/2024", "01/01/1990", "02/02/1995"),
            crime(2, "14/04/2024", "01/01/1990"),  # recorded the day before the offence
            crime(3, "16/04/2024", "31/12/1899"),  # victim born before 1900
            crime(4, "16/04/2024", "01/01/1990", "01/01/2999"),  # suspect born in the future
            crime(5, "16/04/2024", "16/04/2024"),  # victim born after the offence
        ],
    )
    with psycopg.connect(warehouse_url) as conn:
        result = load_file(conn, path)
        quarantined = conn.execute(
            "select line_number, reason, raw_text from audit.quarantine order by line_number"
        ).fetchall()
        stored = conn.execute(
            "select victim_birth_year, suspect_birth_year, age_at_event"
            " from raw.police__force_crimes"
        ).fetchall()
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (5, 1, 4)
    assert stored == [(1990, 1995, 34)]  # bounded as a date, stored as a year
    reasons = {line: reason for line, reason, _ in quarantined}
    assert reasons[3] == (
        "field 'Recorded Date': 2024-04-14 is before 'Offence Date' 2024-04-15 12:00:00"
    )
    assert reasons[4] == (
        "field 'Victim Date of Birth': before 1900-01-01, the earliest date the contract allows"
        " (value withheld: a direct identifier)"
    )
    assert reasons[5].startswith("field 'Suspect Date of Birth': after ") and reasons[5].endswith(
        "the latest date the contract allows (value withheld: a direct identifier)"
    )
    assert reasons[6] == (
        "field 'Victim Date of Birth': (withheld) is after 'Offence Date' 2024-04-15 12:00:00"
    )
    # the quarantined text keeps no date of birth either (direct identifiers are redacted)
    assert not any("1899" in raw or "2999" in raw for _, _, raw in quarantined)


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("empty.csv", b"", "the file is empty"),
        ("binary.csv", b"PK\x03\x04\x00\x00binary", "binary"),
        ("semicolons.csv", HEADER.replace(",", ";").encode() + b"\n1;2\n", "wrong delimiter"),
        ("short-header.csv", b"Crime ID,Month,Crime type\n,2024-05,Robbery\n", "missing column(s)"),
        (
            "latin1.csv",
            (HEADER + "\n" + ",".join(police_row()) + "\n").encode()
            + ",".join(police_row(location="On or near Caf\xe9")).encode("latin-1")
            + b"\n",
            "undecodable bytes",
        ),
    ],
)
def test_unreadable_files_are_rejected_whole(
    warehouse_url: str, tmp_path: Path, name: str, content: bytes, problem: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with psycopg.connect(warehouse_url) as conn:
        result = load_file(conn, path, POLICE)
        assert result.status == "rejected"
        assert (
            result.error is not None
            and result.error.startswith(f"{name}: ")
            and problem in result.error
        )
        assert count(conn, "select count(*) from audit.load_batch where status = 'rejected'") == 1
        raw_rows = conn.execute(
            "select to_regclass('raw.police_uk__street_crimes') is not null"
        ).fetchone()
        if raw_rows and raw_rows[0]:
            assert count(conn, "select count(*) from raw.police_uk__street_crimes") == 0


def test_a_redelivered_month_replaces_the_old_rows_and_keeps_them_in_history(
    warehouse_url: str, tmp_path: Path
) -> None:
    first = write_police(
        tmp_path / "first.csv", [police_row(), police_row(), police_row("2024-04")]
    )
    corrected = write_police(tmp_path / "corrected.csv", [police_row(crime_type="Burglary")])
    with psycopg.connect(warehouse_url) as conn:
        load_file(conn, first)
        result = load_file(conn, corrected)
        assert result.rows_superseded == 2
        assert conn.execute(
            "select month::text, crime_type from raw.police_uk__street_crimes order by 1"
        ).fetchall() == [("2024-04-01", "Robbery"), ("2024-05-01", "Burglary")]
        assert count(conn, "select count(*) from history.police_uk__street_crimes") == 2
        assert (
            count(
                conn,
                "select count(*) from history.police_uk__street_crimes"
                f" where _superseded_by_batch = {result.batch_id}",
            )
            == 2
        )
        # A second correction of the month: every row it replaces, however long ago, lists it,
        # so a build that admits it (and not the first correction) still leaves the oldest out.
        again = load_file(conn, write_police(tmp_path / "again.csv", [police_row()]))
        superseders = conn.execute(
            "select _batch_id, _superseded_by_batches from history.police_uk__street_crimes"
            " where month = '2024-05-01' order by _batch_id, _line_number"
        ).fetchall()
        first_batch = result.batch_id - 1
        assert superseders == [
            (first_batch, [result.batch_id, again.batch_id]),
            (first_batch, [result.batch_id, again.batch_id]),
            (result.batch_id, [again.batch_id]),
        ]
        # The other month was replaced by nothing: its rows stay in raw, out of history.
        assert (
            count(
                conn,
                "select count(*) from history.police_uk__street_crimes where month = '2024-04-01'",
            )
            == 0
        )


def test_spreadsheet_and_sql_text_is_stored_verbatim(warehouse_url: str, tmp_path: Path) -> None:
    nasty = [
        "=cmd|' /C calc'!A0",
        "+1 555",
        "-2",
        "@SUM(A1)",
        'say "hi"; drop table x;--',
        "two\nlines",
    ]
    path = write_police(tmp_path / "nasty.csv", [police_row(location=text) for text in nasty])
    with psycopg.connect(warehouse_url) as conn:
        result = load_file(conn, path)
        assert result.rows_loaded == len(nasty)
        stored = [
            r[0]
            for r in conn.execute(
                "select location from raw.police_uk__street_crimes order by _line_number"
            )
        ]
    assert stored == nasty


def test_cli_exits_non_zero_naming_the_file(warehouse_url: str, tmp_path: Path) -> None:
    path = tmp_path / "not-a-contract.csv"
    path.write_text("a,b,c\n1,2,3\n")
    svdw = Path(sys.executable).parent / "svdw"
    env = {
        **os.environ,
        "WAREHOUSE_URL": warehouse_url,
        "SVDW_ARCHIVE_DIR": str(tmp_path / "archive"),
    }
    done = subprocess.run([str(svdw), "load", str(path)], env=env, capture_output=True, text=True)
    assert done.returncode == 1
    assert "not-a-contract.csv: its header matches no contract" in " ".join(done.stderr.split())


@pytest.mark.realdata
def test_every_real_police_file_loads_without_quarantine(realdata: Path, make_database) -> None:
    files = sorted((realdata / "police_uk").rglob("*-street.csv"))
    assert files
    with psycopg.connect(make_database("real")) as conn:
        for path in files:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                data_rows = sum(1 for _ in csv.reader(handle)) - 1
            result = load_file(conn, path)
            assert result.status == "loaded", result.error
            assert result.rows_read == data_rows, path.name
            assert result.rows_loaded + result.rows_quarantined == result.rows_read
            assert result.rows_quarantined == 0, path.name


def test_concurrent_loads_of_different_contracts(warehouse_url: str, synthetic_dir: Path) -> None:
    """Ingestion DAGs run side by side: their schema changes and grants must not collide."""
    from concurrent.futures import ThreadPoolExecutor

    names = [
        "police_uk_street",
        "police_uk_outcomes",
        "ons_lsoa_ward_lad_lookup",
        "imd_population_denominators",
        "education_schools",
        "provider_provision_audit",
    ]
    paths = [next((synthetic_dir / name).glob("*.csv")) for name in names]

    def load(path: Path) -> str:
        with psycopg.connect(warehouse_url) as conn:
            return load_file(conn, path).status

    with ThreadPoolExecutor(max_workers=len(paths)) as pool:
        assert list(pool.map(load, paths)) == ["loaded"] * len(paths)


def test_a_retried_ingest_skips_files_its_first_try_filed_away(
    warehouse_url: str, synthetic_dir: Path, tmp_path: Path
) -> None:
    from svdw.config import Settings
    from svdw.ingest import ingest_landing

    settings = Settings(
        warehouse_url, tmp_path / "landing", tmp_path / "archive", archive_age_identity=IDENTITY
    )
    landing = settings.landing_dir / "police_uk_street"
    landing.mkdir(parents=True)
    sources = sorted((synthetic_dir / "police_uk_street").glob("*.csv"))[:2]
    listed = [landing / p.name for p in sources]
    for source, target in zip(sources, listed, strict=True):
        target.write_bytes(source.read_bytes())
    first = ingest_landing("police_uk_street", settings, files=listed[:1])
    retried = ingest_landing("police_uk_street", settings, files=listed)  # the task's XCom list
    assert [r.status for r in first.results] == ["loaded"]
    assert [r.path.name for r in retried.results] == [listed[1].name]


def _population_file(path: Path, lsoa_total: int) -> Path:
    contract = get_contract("ons_lsoa_population_estimates")
    ages = [0] * 182
    ages[30] = lsoa_total  # F30
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(contract.headers)
        writer.writerow(
            ["E07000095", "Broxbourne", "E01023289", "Broxbourne 004A", lsoa_total, *ages]
        )
    return path


def test_a_redelivery_finds_what_it_replaces_by_scope_and_in_batches_loaded_before_scopes(
    warehouse_url: str, tmp_path: Path
) -> None:
    """audit.load_batch.scopes says which batches a re-delivery can replace; a batch loaded
    before scopes were recorded is still searched."""

    def rows(force: str, crime_type: str, n: int) -> list[list[str]]:
        row = police_row("2023-01", crime_type)
        row[2] = row[3] = force
        return [row] * n

    with psycopg.connect(warehouse_url) as conn:
        legacy = load_file(
            conn, write_police(tmp_path / "legacy.csv", rows("Legacy Force", "Drugs", 2))
        )
        other = load_file(
            conn, write_police(tmp_path / "other.csv", rows("Other Force", "Drugs", 3))
        )
        conn.execute(
            "update audit.load_batch set scopes = null where batch_id = %s", (legacy.batch_id,)
        )
        again = load_file(
            conn, write_police(tmp_path / "again.csv", rows("Legacy Force", "Robbery", 1))
        )
        assert again.rows_superseded == 2
        assert conn.execute(
            "select scopes from audit.load_batch where batch_id = %s", (other.batch_id,)
        ).fetchone() == (['(2023-01-01,"Other Force")'],)
        assert conn.execute(
            "select falls_within, crime_type, count(*) from raw.police_uk__street_crimes"
            " where month = '2023-01-01' group by 1, 2 order by 1"
        ).fetchall() == [("Legacy Force", "Robbery", 1), ("Other Force", "Drugs", 3)]


def test_the_mid_year_comes_from_the_file_name_and_replaces_only_that_year(
    warehouse_url: str, tmp_path: Path
) -> None:
    """ONS publishes one sheet per mid-year with no year column: the loader takes the year from
    the file name, rejects a name without one, and a re-delivery replaces only its own year."""
    with psycopg.connect(warehouse_url) as conn:
        nameless = load_file(conn, _population_file(tmp_path / "sapelsoasyoa.csv", 10))
        assert nameless.status == "rejected"
        assert "sapelsoasyoa.csv" in (nameless.error or "")
        assert "mid_year" in (nameless.error or "")
        load_file(conn, _population_file(tmp_path / "sape_mid-2021.csv", 10))
        load_file(conn, _population_file(tmp_path / "sape_mid-2022.csv", 20))
        again = load_file(conn, _population_file(tmp_path / "sape_Mid-2022_v2.csv", 25))
        assert again.rows_superseded == 1
        assert conn.execute(
            "select mid_year, total from raw.ons__lsoa_population_estimates order by 1"
        ).fetchall() == [(2021, 10), (2022, 25)]
