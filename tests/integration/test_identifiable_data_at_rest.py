"""Identifiable data at rest against the real PostgreSQL: quarantine keeps no misaligned
identifiable text and `svdw quarantine` shows data verbatim; archives are encrypted, backfills
decrypt them privately, and the purge deletes only what is past retention, recorded in audit;
every batch carries its key's fingerprint, and another key is refused."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from age_keys import IDENTITY
from csvfiles import write_extract
from db import rows, scalar
from pyrage import x25519
from test_loader import police_row, write_police

from svdw.archive_reload import reload_archive
from svdw.archive_retention import purge_expired
from svdw.backfill import BackfillError, backfill
from svdw.config import Settings
from svdw.contracts import get_contract
from svdw.ingest import ingest_landing
from svdw.key_fingerprint import KeyMismatchError, fingerprint
from svdw.loader import load_file
from svdw.pseudonymise import WITHHELD_ROW, keyed_hash

pytestmark = pytest.mark.integration
CRIMES = get_contract("police_force_crimes")
KEY, OTHER_KEY = "a" * 40, "b" * 40


def crime(number: int, victim: str = "V4857773456") -> list[str]:
    # Recorded on the 1st: `svdw backfill --to 2024-04` selects periods up to 2024-04-01 only
    # (a date period column's later days are missed; reported, fixed with the backfill work).
    return [
        f"41/{number:07d}/24", "01/04/2024", "01/04/2024 09:00", "105A", "Assault without injury",
        "Violence and sexual offences", "E01900001", "N", "N", "N", "N", "N", victim,
        "01/01/1990", "M", "", "", "", "", "", "", "", "",
    ]  # fmt: skip


def settings_for(url: str, tmp_path: Path) -> Settings:
    return Settings(url, tmp_path / "landing", tmp_path / "archive", archive_age_identity=IDENTITY)


def test_a_row_with_the_wrong_field_count_keeps_line_and_reason_not_text(
    warehouse_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SVDW_PSEUDONYM_KEY", KEY)
    shifted = ["V9434765919", *crime(2)]  # an extra field in front: every position moves
    path = write_extract(tmp_path / "force-crimes-2024-04.csv", CRIMES, [crime(1), shifted])
    with psycopg.connect(warehouse_url) as conn:
        result = load_file(conn, path)
        kept = rows(conn, "select line_number, reason, raw_text from audit.quarantine")
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    assert kept == [(3, f"expected {len(CRIMES.columns)} fields, found 24", WITHHELD_ROW)]


def test_svdw_quarantine_prints_stored_text_verbatim_not_as_markup(
    warehouse_url: str, tmp_path: Path
) -> None:
    markup = "[bold red]x[/]"
    path = write_police(tmp_path / "2024-05-x-street.csv", [police_row(crime_type=markup)])
    with psycopg.connect(warehouse_url) as conn:
        assert load_file(conn, path).rows_quarantined == 1
    shown = subprocess.run(
        [str(Path(sys.executable).parent / "svdw"), "quarantine"],
        env={**os.environ, "WAREHOUSE_URL": warehouse_url, "COLUMNS": "1000"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert shown.count(markup) == 2  # in the raw text and in the reason, as stored


def test_ingest_archives_encrypted_and_backfill_reloads_from_it(
    warehouse_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SVDW_PSEUDONYM_KEY", KEY)
    settings = settings_for(warehouse_url, tmp_path)
    landing = tmp_path / "landing" / "police_force_crimes"
    landing.mkdir(parents=True)
    write_extract(landing / "force-crimes-2024-04.csv", CRIMES, [crime(1), crime(2)])

    summary = ingest_landing("police_force_crimes", settings)

    assert len(summary.loaded) == 1
    assert list(landing.iterdir()) == []
    (archived,) = (tmp_path / "archive" / "police_force_crimes").iterdir()
    assert archived.suffix == ".age" and b"4857773456" not in archived.read_bytes()
    with psycopg.connect(warehouse_url) as conn:

        def stored() -> list[tuple]:
            return rows(conn, "select crime_reference, victim_key from raw.police__force_crimes")

        before = stored()
        private_dirs = set(Path(tempfile.gettempdir()).glob("svdw-backfill-*"))
        (reloaded,) = backfill(conn, "police_force_crimes", "2024-04", "2024-04", settings)
        assert (reloaded.status, reloaded.rows_loaded, reloaded.rows_superseded) == ("loaded", 2, 2)
        assert sorted(stored()) == sorted(before) and len(before) == 2
        # the clear copy lived in a private temporary folder, gone now
        assert set(Path(tempfile.gettempdir()).glob("svdw-backfill-*")) == private_dirs
        assert not reloaded.path.exists()

        without_identity = Settings(
            warehouse_url,
            settings.landing_dir,
            settings.archive_dir,
            archive_age_recipients=(str(x25519.Identity.from_str(IDENTITY).to_public()),),
        )
        batches = scalar(conn, "select count(*) from audit.load_batch")
        with pytest.raises(BackfillError, match="SVDW_ARCHIVE_AGE_IDENTITY is not set"):
            backfill(conn, "police_force_crimes", "2024-04", "2024-04", without_identity)
        assert scalar(conn, "select count(*) from audit.load_batch") == batches


def test_purge_deletes_only_expired_files_and_records_each(
    warehouse_url: str, tmp_path: Path
) -> None:
    settings = settings_for(warehouse_url, tmp_path)
    landing = tmp_path / "landing" / "police_uk_street"
    landing.mkdir(parents=True)
    write_police(landing / "2023-01-x-street.csv", [police_row("2023-01")])
    write_police(landing / "2024-05-x-street.csv", [police_row("2024-05")])
    (landing / "2024-06-x-street.csv").write_text("not;a;police;file\n1;2;3;4\n")
    (landing / "2024-07-x-street.csv").write_text("not;a;police;file\n1;2;3;4\n")
    summary = ingest_landing("police_uk_street", settings)
    assert (len(summary.loaded), len(summary.rejected)) == (2, 2)
    rejected = landing / "rejected"
    old_reason = rejected / "2024-06-x-street.csv.reason.txt"
    long_ago = (datetime.now(UTC) - timedelta(days=31)).timestamp()
    os.utime(old_reason, (long_ago, long_ago))
    with psycopg.connect(warehouse_url) as conn:
        conn.execute(
            "update audit.load_batch set started_at = now() - interval '366 days'"
            " where file_name = '2023-01-x-street.csv'"
        )
        conn.commit()
        archive = tmp_path / "archive" / "police_uk_street"
        (old_archive,) = archive.glob("*__2023-01-x-street.csv.age")
        listed = subprocess.run(
            [str(Path(sys.executable).parent / "svdw"), "archive", "purge", "--dry-run"],
            env={
                **os.environ,
                "WAREHOUSE_URL": warehouse_url,
                "SVDW_ARCHIVE_DIR": str(settings.archive_dir),
                "SVDW_LANDING_DIR": str(settings.landing_dir),
                "COLUMNS": "1000",
            },
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "2 file(s) would be deleted" in listed and old_archive.name in listed
        assert old_archive.exists()

        purged = purge_expired(conn, settings, purged_by="test")

        assert sorted(p.path.name for p in purged) == [
            "2024-06-x-street.csv.age",
            old_archive.name,
        ]
        (kept,) = archive.iterdir()
        assert kept.name.endswith("__2024-05-x-street.csv.age")
        assert sorted(p.name for p in rejected.iterdir()) == [
            "2024-07-x-street.csv.age",
            "2024-07-x-street.csv.reason.txt",
        ]
        assert rows(
            conn,
            "select contract, kind, file_name, retention_days, purged_by from audit.archive_purge"
            " order by kind",
        ) == [
            ("police_uk_street", "archived", old_archive.name, 365, "test"),
            ("police_uk_street", "rejected", "2024-06-x-street.csv.age", 30, "test"),
        ]
        assert purge_expired(conn, settings, purged_by="test") == []


def test_each_batch_records_its_key_fingerprint_and_another_key_is_refused(
    warehouse_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    april = write_extract(tmp_path / "force-crimes-2024-04.csv", CRIMES, [crime(1)])
    may = write_extract(tmp_path / "force-crimes-2024-05.csv", CRIMES, [crime(2)])
    street = write_police(tmp_path / "2024-05-x-street.csv", [police_row()])
    with psycopg.connect(warehouse_url) as conn:
        monkeypatch.setenv("SVDW_PSEUDONYM_KEY", KEY)
        load_file(conn, april)
        monkeypatch.setenv("SVDW_PSEUDONYM_KEY", OTHER_KEY)
        with pytest.raises(KeyMismatchError) as refused:
            load_file(conn, may)
        conn.rollback()
        load_file(conn, street)  # no identifiers: no key involved, nothing to refuse
        recorded = rows(
            conn,
            "select file_name, pseudonym_key_fingerprint from audit.load_batch order by batch_id",
        )
    message = str(refused.value)
    assert fingerprint(OTHER_KEY.encode()) in message and fingerprint(KEY.encode()) in message
    assert "restore the key" in message and "Rotating the pseudonymisation key" in message
    assert KEY not in message and OTHER_KEY not in message
    assert recorded == [
        ("force-crimes-2024-04.csv", fingerprint(KEY.encode())),
        ("2024-05-x-street.csv", None),
    ]


def test_a_new_key_reloads_the_archive_into_a_fresh_warehouse(
    warehouse_url: str, make_database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_for(warehouse_url, tmp_path)
    for contract in ("police_force_crimes", "police_uk_street"):
        (tmp_path / "landing" / contract).mkdir(parents=True)
    write_extract(
        tmp_path / "landing/police_force_crimes/force-crimes-2024-04.csv", CRIMES, [crime(1)]
    )
    write_police(tmp_path / "landing/police_uk_street/2024-05-x-street.csv", [police_row()])
    monkeypatch.setenv("SVDW_PSEUDONYM_KEY", KEY)
    for contract in ("police_uk_street", "police_force_crimes"):
        ingest_landing(contract, settings)

    monkeypatch.setenv("SVDW_PSEUDONYM_KEY", OTHER_KEY)
    with psycopg.connect(warehouse_url) as old, pytest.raises(KeyMismatchError):
        reload_archive(old, settings)  # the old warehouse refuses the new key
    fresh = make_database("rekeyed")
    with psycopg.connect(fresh) as conn:
        results = reload_archive(conn, replace(settings, warehouse_url=fresh))
        again = reload_archive(conn, replace(settings, warehouse_url=fresh))
        victims = rows(conn, "select victim_key from raw.police__force_crimes")
        keys = rows(
            conn,
            "select distinct pseudonym_key_fingerprint from audit.load_batch"
            " where contract = 'police_force_crimes'",
        )
    assert [(r.contract, r.status) for r in results] == [
        ("police_force_crimes", "loaded"),
        ("police_uk_street", "loaded"),
    ]
    assert {r.status for r in again} == {"duplicate"}
    assert victims == [(keyed_hash(OTHER_KEY.encode(), "V4857773456"),)]
    assert keys == [(fingerprint(OTHER_KEY.encode()),)]


def test_the_warehouse_key_is_checked_again_inside_the_load(
    warehouse_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches loaded before fingerprints existed carry none, and a concurrent first load has
    not committed its batch yet: the warehouse's key row still refuses a second key."""
    april = write_extract(tmp_path / "force-crimes-2024-04.csv", CRIMES, [crime(1)])
    may = write_extract(tmp_path / "force-crimes-2024-05.csv", CRIMES, [crime(2)])
    with psycopg.connect(warehouse_url) as conn:
        monkeypatch.setenv("SVDW_PSEUDONYM_KEY", KEY)
        first = load_file(conn, april)
        conn.execute("update audit.load_batch set pseudonym_key_fingerprint = null")
        conn.commit()
        monkeypatch.setenv("SVDW_PSEUDONYM_KEY", OTHER_KEY)
        with pytest.raises(KeyMismatchError, match=f"since batch {first.batch_id}"):
            load_file(conn, may)
        conn.rollback()
        assert rows(conn, "select file_name from audit.load_batch") == [(april.name,)]
        assert rows(conn, "select fingerprint from audit.pseudonym_key") == [
            (fingerprint(KEY.encode()),)
        ]
