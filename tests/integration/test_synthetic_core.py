"""Every reference, police and health file the generator writes loads whole, and no direct
identifier it generated reaches a raw table."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from svdw.loader import load_file
from svdw.synthetic import generate
from svdw.synthetic.world import World

pytestmark = pytest.mark.integration
TEST_KEY = "test-pseudonym-key-0123456789abcdef0123456789"
ORDER = ("ons_", "imd_", "police_", "health_")  # postcode lookup before extracts with postcodes


def test_core_files_load_and_hold_no_identifiers(
    make_database: Callable[[str], str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SVDW_PSEUDONYM_KEY", TEST_KEY)
    paths = generate(
        tmp_path,
        months=2,
        seed=9,
        families={"reference", "police", "health"},
        reference_dir=None,
    )
    paths.sort(key=lambda p: next(i for i, s in enumerate(ORDER) if p.parent.name.startswith(s)))
    url = make_database("synth")
    with psycopg.connect(url) as conn:
        for path in paths:
            result = load_file(conn, path)
            assert result.status == "loaded", (path, result.error)
            assert result.rows_quarantined == 0, path
        conn.commit()
        world = World(seed=9, months=2)
        people = [world.people[i] for i in range(0, len(world.people), 50)]
        secrets = {p.nhs_number for p in people} | {p.pnc_id for p in people}
        secrets |= {p.nominal_id for p in people} | {p.home_postcode for p in people}
        secrets |= {f"{p.date_of_birth:%d/%m/%Y}" for p in people}
        tables = conn.execute(
            "select table_name, column_name from information_schema.columns"
            " where table_schema = 'raw' and data_type = 'text'"
            " and table_name <> 'ons__postcode_lsoa_lookup'"  # places, not people
        ).fetchall()
        assert tables
        found = []
        for table, column in tables:
            values = conn.execute(
                f'select distinct "{column}" from raw."{table}" where "{column}" is not null'
            ).fetchall()
            found += [(table, column, v) for (v,) in values if v in secrets]
        assert not found, found[:5]
        mapped = conn.execute(
            "select count(*) from raw.health__ed_attendances_identifiable"
            " where home_lsoa_code like 'E01%'"
        ).fetchone()
        assert mapped and mapped[0] > 0
