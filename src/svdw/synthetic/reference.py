"""Reference files: ONS LSOA-ward-district lookup, ONS LSOA 2011->2021 lookup, ONS postcode
lookup, IMD 2019 File 1, IoD2019 File 6 population denominators, ONS mid-year population
estimates by LSOA (one file per mid-year) and LSOA and ward boundaries (GeoJSON), written as the
publishers lay them out.

On the real geography (a reference_dir, by default the repository's reference/) the published
files there are copied as they are: the lookup, IMD, population and boundaries the demo loads are
the publishers' own. Files the reference folder does not hold (postcodes, the 2011->2021 lookup,
single-year population estimates) are written from the world, as they are for Synthshire.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from svdw.contracts import get_contract
from svdw.synthetic.lsoa2021 import lsoa_changes
from svdw.synthetic.population import estimate_rows, estimate_years
from svdw.synthetic.world import Lsoa, World, contract_path, csv_writer, imd_file_1

# Real files of a reference folder (relative path -> contract) that the warehouse loads as they are.
REAL_FILES = {
    "lookups/LSOA11_to_WD19_LAD19_lookup_hertfordshire.csv": "ons_lsoa_ward_lad_lookup",
    "imd2019/File_6_-_IoD2019_Population_Denominators_hertfordshire.csv": (
        "imd_population_denominators"
    ),
    "boundaries_herts/lsoa11_E10000015_hertfordshire.geojson": "ons_lsoa11_boundaries",
    "boundaries_herts/lsoa_E10000015_hertfordshire.geojson": "ons_lsoa21_boundaries",
    "boundaries_herts/ward19_E10000015_hertfordshire_from_lsoa11.geojson": "ons_ward_boundaries",
}
# Half the size of a synthetic LSOA's grid cell (svdw.synthetic.world._synthetic_county).
HALF_CELL = (0.01, 0.0075)


def _area_slug(world: World) -> str:
    counties = world.geography.counties
    return counties[0].name.lower() if len(counties) == 1 else "england"


def write_lsoa_lookup(world: World, out_dir: Path) -> Path:
    contract = get_contract("ons_lsoa_ward_lad_lookup")
    path = contract_path(
        out_dir, contract.name, f"LSOA11_to_WD19_LAD19_lookup_{_area_slug(world)}.csv"
    )
    with csv_writer(path, contract.headers) as writer:
        for i, a in enumerate(world.geography.lsoas):
            writer.writerow(
                [i + 1, a.code, a.name, a.ward_code, a.ward_name, a.district_code, a.district_name]
            )
    return path


def write_lsoa11_lsoa21_lookup(world: World, out_dir: Path) -> Path:
    """ONS "LSOA (2011) to LSOA (2021) to LAD (December 2022)" lookup, as the Geoportal's CSV."""
    contract = get_contract("ons_lsoa11_lsoa21_lookup")
    name = (
        "LSOA_(2011)_to_LSOA_(2021)_to_Local_Authority_District_(2022)_Lookup_for_England_and"
        f"_Wales_{_area_slug(world)}.csv"
    )
    path = contract_path(out_dir, contract.name, name)
    changes = lsoa_changes(world)
    district_of = {new.code: (new.district_code, new.district_name) for new in changes.lsoas_2021}
    with csv_writer(path, contract.headers, bom=True, crlf=True) as writer:
        for i, (code11, name11, code21, name21, change) in enumerate(changes.lookup_rows()):
            writer.writerow(
                [code11, name11, code21, name21, change, *district_of[code21], "", i + 1]
            )
    return path


def write_population_estimates(world: World, out_dir: Path) -> list[Path]:
    """ONS mid-year estimates by 2021 LSOA, single year of age and sex: one file per mid-year,
    as the workbook's "Mid-YYYY LSOA 2021" sheets saved as CSV."""
    contract = get_contract("ons_lsoa_population_estimates")
    paths = []
    for year in estimate_years(world):
        name = f"sapelsoasyoa_mid-{year}_lsoa2021_{_area_slug(world)}.csv"
        path = contract_path(out_dir, contract.name, name)
        with csv_writer(path, contract.headers, bom=True, crlf=True) as writer:
            writer.writerows(estimate_rows(world, year))
        paths.append(path)
    return paths


def write_population(world: World, out_dir: Path) -> Path:
    contract = get_contract("imd_population_denominators")
    name = f"File_6_-_IoD2019_Population_Denominators_{_area_slug(world)}.csv"
    path = contract_path(out_dir, contract.name, name)
    with csv_writer(path, contract.headers, bom=True, crlf=True) as writer:
        for a in world.geography.lsoas:
            writer.writerow(
                [a.code, a.name, a.district_code, a.district_name, f"{a.population:,}",
                 f"{a.pop_0_15:,}", f"{a.pop_16_59:,}", f"{a.pop_60_plus:,}",
                 f"{a.pop_working_age:,}"]
            )  # fmt: skip
    return path


def write_imd(world: World, out_dir: Path) -> Path:
    contract = get_contract("imd_index_of_multiple_deprivation")
    name = f"File_1_-_IMD2019_Index_of_Multiple_Deprivation_{_area_slug(world)}.csv"
    path = contract_path(out_dir, contract.name, name)
    with csv_writer(path, contract.headers, bom=True, crlf=True) as writer:
        for a in world.geography.lsoas:
            writer.writerow(
                [a.code, a.name, a.district_code, a.district_name, f"{a.imd_rank:,}", a.imd_decile]
            )
    return path


def write_postcode_lookup(world: World, out_dir: Path) -> Path:
    """ONS "Postcode to OA to LSOA to MSOA to LAD (best fit)" lookup: every synthetic postcode."""
    contract = get_contract("ons_postcode_lsoa_lookup")
    name = f"PCD_OA_LSOA_MSOA_LAD_AUG19_{_area_slug(world)}.csv"
    path = contract_path(out_dir, contract.name, name)
    with csv_writer(path, contract.headers) as writer:
        for i, a in enumerate(world.geography.lsoas):
            oa = f"E00{900000 + i:06d}"
            for k, postcode in enumerate(a.postcodes):
                outward, inward = postcode.split(" ")
                writer.writerow(
                    [
                        f"{outward:<4}{inward}",
                        f"{outward:<4} {inward}",
                        postcode,
                        f"{198001 + (i * 7 + k) % 40 * 100}",
                        "",
                        k % 2,
                        oa,
                        a.code,
                        a.msoa_code,
                        a.district_code,
                        a.name,
                        a.msoa_name,
                        a.district_name,
                        "",
                    ]
                )
    return path


def copy_real_files(reference_dir: Path, out_dir: Path) -> list[Path]:
    """The reference folder's published files, each into its contract's folder, unchanged."""
    sources = {reference_dir / relative: contract for relative, contract in REAL_FILES.items()}
    sources[imd_file_1(reference_dir)] = "imd_index_of_multiple_deprivation"
    copied = []
    for source, contract in sources.items():
        if source.is_file():  # boundaries are optional: without them the maps are empty
            target = contract_path(out_dir, contract, source.name)
            shutil.copyfile(source, target)
            copied.append(target)
    return copied


def _cell(a: Lsoa) -> list[list[float]]:
    """A synthetic LSOA's grid cell as a closed ring (west-south, counter-clockwise)."""
    dx, dy = HALF_CELL
    corners = ((-dx, -dy), (dx, -dy), (dx, dy), (-dx, dy), (-dx, -dy))
    return [[round(a.longitude + x, 6), round(a.latitude + y, 6)] for x, y in corners]


def _write_geojson(path: Path, features: list[dict[str, object]]) -> Path:
    collection = {"type": "FeatureCollection", "features": features}
    path.write_text(json.dumps(collection, separators=(",", ":")), encoding="utf-8")
    return path


def write_boundaries(world: World, out_dir: Path) -> list[Path]:
    """Synthshire's LSOA (2011) and ward boundaries: each LSOA its grid cell, each ward the
    cells of its LSOAs (a MultiPolygon), as ONS GeoJSON with the lookup's codes."""
    slug = _area_slug(world)
    lsoas: list[dict[str, object]] = [
        {
            "type": "Feature",
            "properties": {"LSOA11CD": a.code, "LSOA11NM": a.name},
            "geometry": {"type": "Polygon", "coordinates": [_cell(a)]},
        }
        for a in world.geography.lsoas
    ]
    wards: dict[str, list[Lsoa]] = {}
    for a in world.geography.lsoas:
        wards.setdefault(a.ward_code, []).append(a)
    ward_features: list[dict[str, object]] = [
        {
            "type": "Feature",
            "properties": {
                "WD19CD": code,
                "WD19NM": areas[0].ward_name,
                "LAD19CD": areas[0].district_code,
            },
            "geometry": {"type": "MultiPolygon", "coordinates": [[_cell(a)] for a in areas]},
        }
        for code, areas in wards.items()
    ]
    return [
        _write_geojson(
            contract_path(out_dir, "ons_lsoa11_boundaries", f"lsoa11_{slug}.geojson"), lsoas
        ),
        _write_geojson(
            contract_path(out_dir, "ons_ward_boundaries", f"ward19_{slug}.geojson"), ward_features
        ),
    ]


def write(world: World, out_dir: Path) -> list[Path]:
    from_world = [
        write_lsoa11_lsoa21_lookup(world, out_dir),
        write_postcode_lookup(world, out_dir),
        *write_population_estimates(world, out_dir),
    ]
    if world.reference_dir is not None and world.scale == "county":
        return [*copy_real_files(world.reference_dir, out_dir), *from_world]
    return [
        write_lsoa_lookup(world, out_dir),
        write_imd(world, out_dir),
        write_population(world, out_dir),
        *write_boundaries(world, out_dir),
        *from_world,
    ]
