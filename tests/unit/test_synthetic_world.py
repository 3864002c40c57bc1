"""The synthetic world: deterministic, valid identifiers, and the SNA patterns built in."""

from __future__ import annotations

import csv
import hashlib
import json
from datetime import date, datetime
from pathlib import Path

import pytest

from svdw.synthetic import generate
from svdw.synthetic.incidents import forces, incidents, season
from svdw.synthetic.world import World, is_valid_nhs_number

CORE = {"reference", "police", "health"}


def _digest(directory: Path) -> dict[str, str]:
    return {
        str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*.csv"))
    }


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    generate(tmp_path / "a", months=2, seed=11, families=CORE, reference_dir=None)
    generate(tmp_path / "b", months=2, seed=11, families=CORE, reference_dir=None)
    generate(tmp_path / "c", months=2, seed=12, families=CORE, reference_dir=None)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")


def test_county_geography() -> None:
    world = World(seed=1, months=3)
    assert len(world.geography.districts) == 10
    assert 650 <= len(world.geography.lsoas) <= 750
    assert 1_000_000 < sum(a.population for a in world.geography.lsoas) < 1_400_000
    assert world.months == [date(2025, 7, 1), date(2025, 8, 1), date(2025, 9, 1)]


def test_people_have_valid_unique_identifiers() -> None:
    world = World(seed=1, months=3)
    people = [world.people[i] for i in range(0, len(world.people), 13)]
    assert all(is_valid_nhs_number(p.nhs_number) for p in people)
    assert len({p.nhs_number for p in people}) == len(people)
    children = [p for p in people if p.cohort == "child"]
    assert children and all(p.upn and len(p.upn) == 13 and p.upn[1:].isdigit() for p in children)
    assert all(10 <= p.age_on(world.last_month) <= 17 for p in children)
    assert all(p.home_postcode in world.geography.postcode_lsoa for p in people)


def test_nhs_check_digit() -> None:
    assert is_valid_nhs_number("9434765919")  # the NHS Data Dictionary's worked example
    assert not is_valid_nhs_number("9434765918")


def test_patterns_hold() -> None:
    world = World(seed=3, months=12)
    force = forces(world)[0]
    victims = young_men = knife = knife_domestic = 0
    by_month: dict[date, int] = {}
    weekend_night = weekday_day = 0
    by_lsoa: dict[str, int] = {}
    ed = ed_unknown = 0
    for month in world.months:
        for incident in incidents(world, force, month):
            if incident.ed:
                ed += 1
                ed_unknown += incident.crime_ref is None
            if incident.offence is None:
                continue
            by_month[month] = by_month.get(month, 0) + 1
            by_lsoa[incident.lsoa.code] = by_lsoa.get(incident.lsoa.code, 0) + 1
            for v in incident.victims:
                victims += 1
                young_men += v.sex == "M" and 18 <= v.age_on(incident.occurred.date()) <= 29
            if incident.knife:
                knife += 1
                knife_domestic += incident.domestic
            at: datetime = incident.occurred
            if at.weekday() >= 5 and (at.hour >= 21 or at.hour <= 3):
                weekend_night += 1
            elif at.weekday() < 5 and 9 <= at.hour <= 16:
                weekday_day += 1
    assert young_men / victims > 0.5
    assert 0.15 <= knife_domestic / knife <= 0.25
    summer = sum(n for m, n in by_month.items() if m.month in (6, 7, 8))
    winter = sum(n for m, n in by_month.items() if m.month in (12, 1, 2))
    assert summer > winter * 1.1
    assert season(date(2025, 7, 1)) > season(date(2025, 1, 1))
    # Per hour, weekend nights (2 days x 7 hours) far busier than weekday daytime (5 x 8).
    assert weekend_night / 14 > 1.5 * weekday_day / 40
    # Concentration: the top 10% of LSOAs hold over a quarter of violence.
    counts = sorted(by_lsoa.values(), reverse=True)
    top = counts[: len(world.geography.lsoas) // 10]
    assert sum(top) / sum(counts) > 0.25
    # Roughly half of ED assault attendances are unknown to police.
    assert 0.35 < ed_unknown / ed < 0.65


def test_violence_rises_with_deprivation() -> None:
    world = World(seed=5, months=2)
    force = forces(world)[0]
    per_decile: dict[int, int] = {}
    for month in world.months:
        for i in incidents(world, force, month):
            per_decile[i.lsoa.imd_decile] = per_decile.get(i.lsoa.imd_decile, 0) + 1
    population: dict[int, int] = {}
    for a in world.geography.lsoas:
        population[a.imd_decile] = population.get(a.imd_decile, 0) + a.population
    rate = {d: per_decile.get(d, 0) / population[d] for d in population}
    most, least = min(rate), max(rate)
    assert rate[most] > 2 * rate[least]


def test_ed_victims_are_police_victims(tmp_path: Path) -> None:
    """A police-recorded incident seen at ED is the same person (NHS number) as the victim."""
    world = World(seed=3, months=2)
    force = forces(world)[0]
    shared = [i for i in incidents(world, force, world.months[-1]) if i.ed and i.crime_ref]
    assert shared and all(i.victims[0].nhs_number for i in shared)


@pytest.mark.parametrize("family", sorted(CORE))
def test_files_have_contract_headers(tmp_path: Path, family: str) -> None:
    from svdw.contracts import get_contract

    for path in generate(tmp_path, months=2, seed=2, families={family}, reference_dir=None):
        contract = get_contract(path.parent.name)
        if contract.format == "geojson":  # every feature carries the properties it reads
            features = json.loads(path.read_text())["features"]
            wanted = set(contract.headers) - {"geometry"}
            assert all(wanted <= set(f["properties"]) for f in features), path
            continue
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle))
        assert header == list(contract.headers), path


def test_reference_dir_gives_real_hertfordshire() -> None:
    realdata = Path(__file__).resolve().parents[3] / "shared" / "realdata"
    if not (realdata / "lookups").is_dir():
        pytest.skip("real data not present")
    world = World(seed=1, months=1, reference_dir=realdata)
    assert len(world.geography.lsoas) == 690
    assert world.geography.counties[0].code == "E10000015"
    assert {a.imd_decile for a in world.geography.lsoas} <= set(range(1, 11))


def test_synthetic_county_has_split_and_merged_2021_lsoas() -> None:
    from svdw.synthetic.lsoa2021 import lsoa_changes
    from svdw.synthetic.population import estimate_rows

    world = World(seed=1, months=3)
    changes = lsoa_changes(world)
    kinds = {new.change for new in changes.lsoas_2021}
    assert kinds == {"U", "S", "M"}
    rows = changes.lookup_rows()
    assert {code for code, *_ in rows} == {a.code for a in world.geography.lsoas}
    splits = [a for a in world.geography.lsoas if len(changes.parts_of(a.code)) == 2]
    assert splits
    # a record in a split LSOA goes to one of its parts, always the same one for the same key
    parts = {p.code for p in changes.parts_of(splits[0].code)}
    chosen = {changes.code_2021(splits[0].code, f"crime {i}").code for i in range(50)}
    assert chosen == parts
    assert changes.code_2021(splits[0].code, "x") == changes.code_2021(splits[0].code, "x")
    # the estimates' Total is the sum of the single years, and add up across a split
    by_code = {row[2]: row for row in estimate_rows(world, 2022)}
    assert all(row[4] == sum(row[5:]) for row in by_code.values())
    assert len(by_code) == len(changes.lsoas_2021)


def test_recent_police_uk_months_use_2021_lsoa_codes(tmp_path: Path) -> None:
    from svdw.synthetic.lsoa2021 import lsoa_changes

    paths = generate(
        tmp_path,
        months=3,
        last_month=date(2023, 2, 1),
        seed=3,
        families={"police"},
        reference_dir=None,
    )
    world = World(seed=3, months=3, last_month=date(2023, 2, 1))
    codes_2011 = {a.code for a in world.geography.lsoas}
    codes_2021 = {new.code for new in lsoa_changes(world).lsoas_2021}
    for path in paths:
        if path.parent.name != "police_uk_street":
            continue
        with path.open(encoding="utf-8-sig", newline="") as handle:
            codes = {row["LSOA code"] for row in csv.DictReader(handle)} - {""}
        in_area = codes & (codes_2011 | codes_2021)
        assert in_area <= (codes_2011 if path.name.startswith("2022-12") else codes_2021)
        assert codes - in_area  # a few records snapped outside the county, as in real files
