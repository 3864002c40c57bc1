"""The education, youth justice, provider and partnership extracts of the synthetic partnership:
deterministic, valid against their contracts' code lists, and with the patterns an SNA expects."""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from svdw.contracts import get_contract
from svdw.synthetic import education, partnership, providers, youth_justice
from svdw.synthetic.world import World

MODULES = (education, youth_justice, providers, partnership)


def _write(out: Path, months: int = 6, seed: int = 11) -> list[Path]:
    world = World(seed=seed, months=months, last_month=date(2025, 7, 1))
    return [path for module in MODULES for path in module.write(world, out)]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return _write(tmp_path_factory.mktemp("partners"))


def _rows(files: list[Path], contract: str) -> list[dict[str, str]]:
    encoding = get_contract(contract).encoding
    rows: list[dict[str, str]] = []
    for path in files:
        if path.parent.name == contract:
            with path.open(encoding=encoding, newline="") as handle:
                rows.extend(csv.DictReader(handle))
    return rows


def test_same_seed_gives_identical_bytes(files: list[Path], tmp_path: Path) -> None:
    again = _write(tmp_path)
    assert [p.relative_to(tmp_path) for p in again] == [
        p.relative_to(files[0].parents[1]) for p in files
    ]
    for first, second in zip(files, again, strict=True):
        assert (
            hashlib.sha256(first.read_bytes()).digest()
            == hashlib.sha256(second.read_bytes()).digest()
        ), first.name


def test_every_file_has_its_contract_header(files: list[Path]) -> None:
    for path in files:
        contract = get_contract(path.parent.name)
        with path.open(encoding=contract.encoding, newline="") as handle:
            assert tuple(next(csv.reader(handle))) == contract.headers


def test_exclusion_reasons_are_dfe_codes_and_concentrated(files: list[Path]) -> None:
    rows = _rows(files, "education_suspensions_exclusions")
    allowed = set(get_contract("education_suspensions_exclusions").columns[8].allowed or ())
    assert rows and {r["Reason"] for r in rows} <= allowed
    assert {"PERM", "FIXD"} <= {r["Category"] for r in rows}
    by_school = Counter(r["URN"] for r in rows)
    top_fifth = sum(n for _, n in by_school.most_common(max(1, len(by_school) // 5)))
    assert top_fifth / len(rows) > 0.4, "suspensions should concentrate in a few schools"


def test_persistent_absence_share_is_plausible(files: list[Path]) -> None:
    secondary = [
        r
        for r in _rows(files, "education_attendance")
        if r["NC Year"] in {"7", "8", "9", "10", "11"}
    ]
    missed = [
        (int(r["Authorised Absence"]) + int(r["Unauthorised Absence"]))
        / int(r["Possible Sessions"])
        for r in secondary
    ]
    share = sum(m >= 0.1 for m in missed) / len(missed)
    assert 0.15 <= share <= 0.32, share


def test_referrals_come_mainly_from_early_help_police_and_yjs(files: list[Path]) -> None:
    first = {r["Referral ID"]: r["Referral Source"] for r in _rows(files, "provider_referrals")}
    sources = Counter(first.values())
    top3 = {s for s, _ in sources.most_common(3)}
    assert top3 == {"Early Help", "Police", "Youth Justice Service"}, sources
    assert len(sources) >= 6


def test_youth_justice_has_reoffenders_and_tiers(files: list[Path]) -> None:
    rows = _rows(files, "youth_justice_offences_outcomes")
    per_child = Counter(r["Child ID"] for r in rows)
    assert any(n > 1 for n in per_child.values()), "some children should reoffend"
    assert {r["Outcome Tier"] for r in rows} >= {"Pre-court", "First-tier"}
    assert any(r["Knife/Weapon Flag"] == "Y" for r in rows)


def test_the_same_people_link_across_education_youth_justice_and_referrals(
    files: list[Path],
) -> None:
    excluded = {r["UPN"] for r in _rows(files, "education_suspensions_exclusions")}
    yj = {r["UPN"] for r in _rows(files, "youth_justice_offences_outcomes") if r["UPN"]}
    referred = {r["UPN"] for r in _rows(files, "provider_referrals") if r["UPN"]}
    assert excluded & yj & referred
    # Referred young people who start a programme appear on its registers (by NHS number).
    normal = {r["NHS Number"].replace(" ", "") for r in _rows(files, "provider_referrals")}
    attended = {
        r["Participant ID"].replace(" ", "") for r in _rows(files, "provider_sessions_attendance")
    }
    assert normal & attended


def test_sport_provision_is_thinner_where_deprivation_is_higher(files: list[Path]) -> None:
    world = World(seed=11, months=6, last_month=date(2025, 7, 1))
    sport = [
        a.site.deprivation for a in providers.activities(world) if a.sport and a.tier == "Primary"
    ]
    targeted = [a.site.deprivation for a in providers.activities(world) if a.tier != "Primary"]
    assert sum(sport) / len(sport) < sum(targeted) / len(targeted)


def test_action_plan_rag_changes_and_updates_are_messy(files: list[Path]) -> None:
    rows = _rows(files, "partnership_action_plan")
    snapshots = {r["Snapshot Date"] for r in rows}
    assert len(snapshots) == 6
    per_snapshot = Counter(r["Snapshot Date"] for r in rows)
    assert all(20 <= n <= 40 for n in per_snapshot.values())
    rags: dict[str, set[str]] = {}
    for r in rows:
        rags.setdefault(r["Action Ref"], set()).add(r["RAG"])
    assert any(len(v) > 1 for v in rags.values()), "RAG should change between snapshots"
    updates = [r["Update"] for r in rows]
    assert any("\n" in u for u in updates) and any('"' in u for u in updates)
    assert any(u[:1] in "=+-@" for u in updates)
