"""The generator draws the partnership on the real Hertfordshire of the repository's reference/
folder unless told otherwise, and copies the published reference files the demo loads."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from svdw.cli import app
from svdw.synthetic import REFERENCE_DIR, generate

HERTS_DISTRICTS = {
    "E07000095", "E07000096", "E07000098", "E07000099", "E07000102",
    "E07000103", "E07000240", "E07000241", "E07000242", "E07000243",
}  # fmt: skip
LOOKUP = "lookups/LSOA11_to_WD19_LAD19_lookup_hertfordshire.csv"


def _districts(lookup: Path) -> set[str]:
    with lookup.open(encoding="utf-8-sig", newline="") as handle:
        return {row["LAD19CD"] for row in csv.DictReader(handle)}


def test_reference_files_are_the_publishers_own_and_copied_unchanged(tmp_path: Path) -> None:
    paths = generate(tmp_path, months=1, families={"reference"})
    by_contract = {p.parent.name: p for p in paths}
    lookup = by_contract["ons_lsoa_ward_lad_lookup"]
    assert lookup.read_bytes() == (REFERENCE_DIR / LOOKUP).read_bytes()
    assert _districts(lookup) == HERTS_DISTRICTS
    copied = (
        "imd_index_of_multiple_deprivation", "imd_population_denominators",
        "ons_lsoa11_boundaries", "ons_lsoa21_boundaries", "ons_ward_boundaries",
    )  # fmt: skip
    for contract in copied:
        assert list(REFERENCE_DIR.rglob(by_contract[contract].name)), contract


def test_partner_events_fall_on_real_hertfordshire_lsoas(tmp_path: Path) -> None:
    paths = generate(tmp_path, months=1, families={"reference", "police"})
    (street,) = [p for p in paths if p.parent.name == "police_uk_street"]
    with (REFERENCE_DIR / LOOKUP).open(encoding="utf-8-sig", newline="") as handle:
        real = {row["LSOA11CD"] for row in csv.DictReader(handle)}
    with street.open(encoding="utf-8-sig", newline="") as handle:
        used = {row["LSOA code"] for row in csv.DictReader(handle) if row["LSOA code"]}
    assert used and len(used & real) >= 0.9 * len(used)  # the rest: snapped outside the county


def test_the_synthetic_county_stays_available(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["generate", "--out", str(tmp_path), "--months", "1", "--family", "reference",
         "--synthetic-geography"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (lookup,) = (tmp_path / "ons_lsoa_ward_lad_lookup").glob("*.csv")
    assert "synthshire" in lookup.name
    assert not _districts(lookup) & HERTS_DISTRICTS
    assert list((tmp_path / "ons_ward_boundaries").glob("*.geojson"))


def test_a_folder_without_reference_files_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["generate", "--out", str(tmp_path / "out"), "--reference-dir", str(tmp_path)]
    )
    assert result.exit_code != 0
    assert "holds no reference files" in " ".join(result.output.split())
