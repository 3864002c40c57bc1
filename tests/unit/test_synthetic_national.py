"""`svdw generate --scale national` has England and Wales's shape (svdw.synthetic.national)."""

from __future__ import annotations

import csv
import re

import pytest

from svdw.config import REPO_DIR
from svdw.synthetic.incidents import forces, hospital_sites
from svdw.synthetic.national import FORCE_AREAS, LSOAS_2011
from svdw.synthetic.world import World

SEED_FORCES = REPO_DIR / "dbt" / "seeds" / "comparators" / "police_force_areas.csv"


@pytest.fixture(scope="module")
def world() -> World:
    return World(2023, "national", 1)  # fully synthetic geography: no reference files read


def test_the_43_territorial_forces_by_their_published_names(world: World) -> None:
    with SEED_FORCES.open(encoding="utf-8") as handle:
        territorial = {
            r["force_name"] for r in csv.DictReader(handle) if r["country"] in ("England", "Wales")
        }
    assert len(territorial) == 43
    assert set(forces(world)) == territorial
    assert len({f.code for f in FORCE_AREAS}) == 43


def test_lsoas_codes_and_postcodes_at_national_scale(world: World) -> None:
    lsoas = world.geography.lsoas
    assert abs(len(lsoas) - LSOAS_2011) < 0.01 * LSOAS_2011
    assert len({a.code for a in lsoas}) == len(lsoas)
    assert all(re.fullmatch(r"E01\d{6}", a.code) for a in lsoas)
    postcodes = [p for a in lsoas for p in a.postcodes]
    assert len(set(postcodes)) == len(postcodes)
    districts = world.geography.districts
    assert len({d.code for d in districts}) == len(districts)
    # the most populous force area has the most LSOAs; the City of London the fewest
    sizes = {f: len(areas) for f, areas in world.geography.by_force().items()}
    assert max(sizes, key=lambda f: sizes[f]) == "Metropolitan Police Service"
    assert min(sizes, key=lambda f: sizes[f]) == "City of London Police"


def test_every_force_has_valid_hospital_site_codes() -> None:
    codes = [code for n in range(41, 41 + 43) for code in hospital_sites(n)]
    assert all(re.fullmatch(r"[A-Z0-9]{5}", code) for code in codes)
    assert len(set(codes)) == len(codes)
