"""A small synthetic partnership ("Synthshire") written in the partners' real file formats.

It lets `make demo` and the tests run without any real data: an ONS-format LSOA to ward to
district lookup, an IoD2019 File 6-format population file, and police.uk street-level crime
files, one per month. Deterministic for a given seed. The generator writes files only; it never
calls the loader.
"""

from __future__ import annotations

import csv
import hashlib
import math
import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from svdw.contracts import get_contract

FORCE = "Synthshire Constabulary"
DISTRICTS = (
    "Ashbourne Vale", "Brookfield", "Castleton", "Dunmore", "Elmstead",
    "Fairhaven", "Greywater", "Hollins Cross", "Ivybridge Heath", "Juniper Downs",
)  # fmt: skip
# Monthly counts by police.uk crime type for a county of ~1.2M residents, scaled by LSOA count.
CRIME_MIX = {
    "Violence and sexual offences": 2300,
    "Anti-social behaviour": 1800,
    "Vehicle crime": 850,
    "Criminal damage and arson": 720,
    "Other theft": 700,
    "Shoplifting": 650,
    "Burglary": 620,
    "Public order": 470,
    "Drugs": 290,
    "Other crime": 150,
    "Theft from the person": 140,
    "Bicycle theft": 120,
    "Robbery": 90,
    "Possession of weapons": 60,
}
OUTCOMES = (
    "Investigation complete; no suspect identified",
    "Unable to prosecute suspect",
    "Under investigation",
    "Status update unavailable",
    "Awaiting court outcome",
    "Offender given a caution",
)
WARD_SUFFIXES = ("Central", "North", "South", "East", "West")
STREETS = ("High Street", "Station Road", "Church Lane", "Park Road", "Mill Way", "Victoria Close")
COUNTY_LSOAS = 690


@dataclass(frozen=True)
class Lsoa:
    code: str
    name: str
    ward_code: str
    ward_name: str
    district_code: str
    district_name: str
    population: int
    deprivation: float  # 0 (least) .. 1 (most deprived)
    longitude: float
    latitude: float


def build_geography(rng: random.Random, lsoas_per_district: int = 40) -> list[Lsoa]:
    areas: list[Lsoa] = []
    wards_per_district = max(1, lsoas_per_district // 8)
    for d, district in enumerate(DISTRICTS):
        district_code = f"E0790{d + 1:04d}"
        centre_lon, centre_lat = -0.55 + 0.1 * (d % 5), 51.70 + 0.12 * (d // 5)
        for i in range(lsoas_per_district):
            ward = i % wards_per_district
            # Deprivation clusters in each district's first wards (its town centre).
            deprivation = min(1.0, max(0.0, rng.betavariate(2, 5) + (0.35 if ward == 0 else 0)))
            children = rng.randint(200, 450)
            areas.append(
                Lsoa(
                    code=f"E0190{len(areas) + 1:04d}",
                    name=f"{district} {i // 4 + 1:03d}{'ABCD'[i % 4]}",
                    ward_code=f"E0590{d * wards_per_district + ward + 1:04d}",
                    ward_name=f"{district} {WARD_SUFFIXES[ward % 5]}"
                    + (f" {ward // 5 + 1}" if ward >= 5 else ""),
                    district_code=district_code,
                    district_name=district,
                    population=children + rng.randint(1100, 1500),
                    deprivation=deprivation,
                    longitude=round(centre_lon + rng.uniform(-0.04, 0.04), 6),
                    latitude=round(centre_lat + rng.uniform(-0.04, 0.04), 6),
                )
            )
    return areas


def _month_list(last_month: date, months: int) -> list[date]:
    out = []
    year, month = last_month.year, last_month.month
    for _ in range(months):
        out.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def _write_csv(path: Path, headers: tuple[str, ...], rows: list[list[str]], bom: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n" if bom else "\n")
        writer.writerow(headers)
        writer.writerows(rows)


def generate_sample(
    out_dir: Path, months: int = 12, seed: int = 2023, last_month: date = date(2025, 9, 1)
) -> list[Path]:
    """Write the demo partnership's files under out_dir/<contract>/; returns the paths."""
    rng = random.Random(seed)
    areas = build_geography(rng)
    written: list[Path] = []

    lookup = get_contract("ons_lsoa_ward_lad_lookup")
    path = out_dir / lookup.name / "LSOA11_to_WD19_LAD19_lookup_synthshire.csv"
    _write_csv(
        path,
        lookup.headers,
        [
            [str(i + 1), a.code, a.name, a.ward_code, a.ward_name, a.district_code, a.district_name]
            for i, a in enumerate(areas)
        ],
        bom=False,
    )
    written.append(path)

    population = get_contract("imd_population_denominators")
    path = out_dir / population.name / "File_6_-_IoD2019_Population_Denominators_synthshire.csv"
    rows = []
    for a in areas:
        children = int(a.population * 0.19)
        older = int(a.population * 0.23)
        adults = a.population - children - older
        rows.append(
            [a.code, a.name, a.district_code, a.district_name, f"{a.population:,}", str(children),
             str(adults), str(older), str(int(adults * 1.05))]
        )  # fmt: skip
    _write_csv(path, population.headers, rows, bom=True)
    written.append(path)

    street = get_contract("police_uk_street")
    weights = [0.3 + 2.5 * a.deprivation**2 for a in areas]
    scale = len(areas) / COUNTY_LSOAS
    for month in _month_list(last_month, months):
        # Violence peaks in summer; other crime is flatter.
        season = 1 + 0.15 * math.cos((month.month - 7) / 12 * 2 * math.pi)
        rows = []
        for crime_type, monthly in CRIME_MIX.items():
            expected = monthly * scale * (season if "Violence" in crime_type else 1)
            for _ in range(max(0, int(rng.gauss(expected, math.sqrt(expected))))):
                area = rng.choices(areas, weights)[0] if rng.random() > 0.01 else None
                asb = crime_type == "Anti-social behaviour"
                crime_id = "" if asb else hashlib.sha256(rng.randbytes(16)).hexdigest()
                if area is None:  # no location: published with empty coordinates and LSOA
                    place = ["", "", "No location", "", ""]
                else:
                    place = [
                        f"{area.longitude + rng.uniform(-0.005, 0.005):.6f}",
                        f"{area.latitude + rng.uniform(-0.005, 0.005):.6f}",
                        f"On or near {rng.choice(STREETS)}",
                        area.code,
                        area.name,
                    ]
                outcome = "" if asb else rng.choice(OUTCOMES)
                rows.append(
                    [crime_id, f"{month:%Y-%m}", FORCE, FORCE, *place, crime_type, outcome, ""]
                )
        rng.shuffle(rows)
        path = out_dir / street.name / f"{month:%Y-%m}-synthshire-street.csv"
        _write_csv(path, street.headers, rows, bom=False)
        written.append(path)
    return written
