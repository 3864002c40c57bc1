"""Every education, youth justice, provider and partnership file the generator writes loads
cleanly (no quarantined row), and no raw table keeps a UPN, NHS number, name, full date of birth
or home postcode."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import psycopg
import pytest

from svdw.contracts import load_contracts
from svdw.synthetic import education, partnership, providers, reference, youth_justice
from svdw.synthetic.world import World

pytestmark = pytest.mark.integration
KEY = "integration-test-key-0123456789abcdef"


def test_partner_files_load_without_quarantine_and_without_identifiers(
    make_database: Callable[[str], str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if "ons_postcode_lsoa_lookup" not in load_contracts():
        pytest.skip("the ons_postcode_lsoa_lookup contract is not there yet")
    from svdw.loader import load_file

    monkeypatch.setenv("SVDW_PSEUDONYM_KEY", KEY)
    world = World(seed=5, months=3, last_month=date(2025, 6, 1))
    files = [
        *reference.write(world, tmp_path),
        *(
            p
            for m in (education, youth_justice, providers, partnership)
            for p in m.write(world, tmp_path)
        ),
    ]
    ours = [
        p
        for p in files
        if p.parent.name.split("_")[0] in {"education", "youth", "provider", "partnership"}
    ]
    with psycopg.connect(make_database("partners")) as conn:
        for path in files:
            result = load_file(conn, path)
            assert result.status == "loaded", (path.name, result.error)
            if path in ours:
                assert result.rows_quarantined == 0, path.name
                assert result.rows_loaded > 0, path.name
        people = [world.people[i] for i in world.people.cohort_range("child")[:3000]]
        secrets = {p.upn for p in people if p.upn} | {p.nhs_number for p in people}
        secrets |= {p.home_postcode for p in people} | {
            f"{p.date_of_birth:%d/%m/%Y}" for p in people
        }
        secrets |= {p.date_of_birth.isoformat() for p in people}
        for contract in {get.name: get for get in load_contracts().values()}.values():
            if contract.partner not in {"education", "youth_justice", "providers", "partnership"}:
                continue
            text = conn.execute(
                f"select coalesce(string_agg(t::text, '|'), '') from {contract.table} t"
            ).fetchone()
            assert text is not None
            cells = set(text[0].replace("(", ",").replace(")", ",").replace('"', "").split(","))
            leaked = cells & secrets
            if contract.name in {"education_schools", "provider_provision_audit"}:
                # Schools' and venues' postcodes are kept on purpose (not personal data).
                leaked -= {p.home_postcode for p in people}
            assert not leaked, (contract.table, sorted(leaked)[:3])
