"""Rebuild the files under reference/ from the real public files in ../shared/realdata.

Run once, by hand, when a source file changes (shapely is not a runtime dependency):

    uv run --no-project --with shapely==2.1.2 python reference/prepare.py ../shared/realdata

CSV files are copied unchanged, or as byte-identical subsets (rows dropped, never edited).
Boundaries are simplified with shapely's coverage_simplify (GEOS, Visvalingam-Whyatt on the
shared edges, so neighbouring areas still meet without gaps or overlaps) and rounded to
5 decimal places (about 1 m); the 2019 ward areas are the union of the 2011 LSOAs that the
ONS best-fit lookup puts in each ward.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import mapping, shape

HERE = Path(__file__).resolve().parent
TOLERANCE = 0.0004  # degrees (about 30-45 m): keeps an LSOA's shape at county zoom
DECIMALS = 5
HERTS = "E10000015"

COPIES = {
    "lookups/LSOA11_to_WD19_LAD19_lookup_hertfordshire.csv": "lookups",
    "lookups/OA11_LSOA11_MSOA11_LAD17_lookup_hertfordshire.csv": "lookups",
    "imd2019/File_6_-_IoD2019_Population_Denominators_hertfordshire.csv": "imd2019",
}


def copy_files(source: Path) -> None:
    for relative, folder in COPIES.items():
        (HERE / folder).mkdir(exist_ok=True)
        shutil.copyfile(source / relative, HERE / relative)


def imd_subset(source: Path) -> None:
    """IMD 2019 File 1 (all England) cut to the LSOAs of the Hertfordshire lookup."""
    lookup = source / "lookups/LSOA11_to_WD19_LAD19_lookup_hertfordshire.csv"
    with lookup.open(encoding="utf-8-sig", newline="") as handle:
        codes = {row["LSOA11CD"] for row in csv.DictReader(handle)}
    name = "File_1_-_IMD2019_Index_of_Multiple_Deprivation"
    raw = (source / f"imd2019/{name}.csv").read_bytes()
    lines = raw.splitlines(keepends=True)
    kept = [lines[0]] + [line for line in lines[1:] if line.split(b",", 1)[0].decode() in codes]
    assert len(kept) - 1 == len(codes), "every Hertfordshire LSOA has an IMD 2019 rank"
    (HERE / f"imd2019/{name}_hertfordshire.csv").write_bytes(b"".join(kept))


def _rounded(geometry: Any) -> dict[str, Any]:
    def walk(value: Any) -> Any:
        if isinstance(value, (list, tuple)) and value and isinstance(value[0], float):
            return [round(v, DECIMALS) for v in value]
        return [walk(v) for v in value]

    out = dict(mapping(geometry))
    out["coordinates"] = walk(out["coordinates"])
    return out


def write_collection(
    path: Path, name: str, rows: list[tuple[dict[str, Any], Any]]
) -> None:
    geometries = shapely.coverage_simplify([g for _, g in rows], TOLERANCE)
    features = [
        {"type": "Feature", "properties": props, "geometry": _rounded(geometry)}
        for (props, _), geometry in zip(rows, geometries, strict=True)
    ]
    collection = {
        "type": "FeatureCollection",
        "name": name,
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
        "features": features,
    }
    buffer = io.StringIO()
    buffer.write('{"type":"FeatureCollection","name":' + json.dumps(name) + ',"crs":')
    buffer.write(json.dumps(collection["crs"], separators=(",", ":")) + ',"features":[\n')
    buffer.write(",\n".join(json.dumps(f, separators=(",", ":")) for f in features))
    buffer.write("\n]}\n")
    path.write_text(buffer.getvalue(), encoding="utf-8")


def boundaries(source: Path) -> None:
    out = HERE / "boundaries_herts"
    out.mkdir(exist_ok=True)
    src = source / "boundaries_herts"

    lsoa11 = json.loads((src / f"lsoa11_{HERTS}_hertfordshire.geojson").read_text())["features"]
    keep11 = ("LSOA11CD", "LSOA11NM", "LADCD_ACTIVE", "LONG", "LAT")
    rows11 = [({k: f["properties"][k] for k in keep11}, shape(f["geometry"])) for f in lsoa11]
    write_collection(out / f"lsoa11_{HERTS}_hertfordshire.geojson", "lsoa11", rows11)

    lsoa21 = json.loads((src / f"lsoa_{HERTS}_hertfordshire.geojson").read_text())["features"]
    keep21 = ("LSOA21CD", "LSOA21NM", "LADCD_ACTIVE")
    rows21 = [({k: f["properties"][k] for k in keep21}, shape(f["geometry"])) for f in lsoa21]
    write_collection(out / f"lsoa_{HERTS}_hertfordshire.geojson", "lsoa21", rows21)

    lookup = source / "lookups/LSOA11_to_WD19_LAD19_lookup_hertfordshire.csv"
    with lookup.open(encoding="utf-8-sig", newline="") as handle:
        ward_of = {r["LSOA11CD"]: r for r in csv.DictReader(handle)}
    parts: dict[str, list[Any]] = {}
    names: dict[str, dict[str, str]] = {}
    for props, geometry in rows11:
        row = ward_of[props["LSOA11CD"]]
        parts.setdefault(row["WD19CD"], []).append(geometry)
        names[row["WD19CD"]] = {
            "WD19CD": row["WD19CD"], "WD19NM": row["WD19NM"],
            "LAD19CD": row["LAD19CD"], "LAD19NM": row["LAD19NM"],
        }  # fmt: skip
    wards = [
        (names[code], shapely.union_all(parts[code]).buffer(0)) for code in sorted(parts)
    ]
    write_collection(out / f"ward19_{HERTS}_hertfordshire_from_lsoa11.geojson", "ward19", wards)


def main() -> None:
    source = Path(sys.argv[1] if len(sys.argv) > 1 else HERE.parent.parent / "shared/realdata")
    copy_files(source)
    imd_subset(source)
    boundaries(source)


if __name__ == "__main__":
    main()
