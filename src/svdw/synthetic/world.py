"""The synthetic partnership ("Synthshire") that every synthetic extract draws from.

Everything is a pure function of (seed, scale, months, last_month, reference_dir), so each
extract family is deterministic on its own and the same people turn up in every source.

    from svdw.synthetic.world import World
    world = World(seed=2023, scale="county", months=12, last_month=date(2025, 9, 1))

    world.months                   # list[date]: first day of each month, oldest first
    world.geography.lsoas          # list[Lsoa]: code, name, ward_code/_name, msoa_code/_name,
                                   #   district_code/_name, county_code/_name, force,
                                   #   population (+ pop_0_15, pop_16_59, pop_60_plus,
                                   #   pop_working_age), imd_rank, imd_decile (1 = most deprived),
                                   #   deprivation (0..1, 1 = most), longitude, latitude,
                                   #   postcodes (tuple of "AL3 9AB"-style), night_time_economy,
                                   #   violence_weight (relative expected violence)
    world.geography.districts      # list[District]: code, name, county_code, county_name, force
    world.geography.counties       # list[County]: code, name, force, la_number (DfE LA code)
    world.geography.lsoa(code)     # Lsoa by code
    world.geography.pick_lsoa(rng, weight="violence"|"population"|"deprivation")
    world.geography.postcode_lsoa  # dict postcode -> LSOA code (every synthetic postcode)

    world.people                   # People: the registry of people at risk (lazy, by index)
    len(world.people); world.people[i] -> Person
    world.people.pick(rng, cohort="child"|"young_adult"|"adult"|None, sex="M"|"F"|None)
        # risk-skewed: a few people recur often (repeat victims/offenders), most once
    world.people.cohort_range("child") -> range of indices (aged 10-17 at world.last_month)

    Person: index, nhs_number (10 digits, valid mod-11), upn (13 chars, or None if 19+),
        pnc_id ("18/123456A"), nominal_id (force nominal record), forename, surname,
        date_of_birth, sex ("M"/"F"), home_lsoa, home_postcode, cohort, risk
        ("high"/"medium"/"low"), person.age_on(day)

    world.rng("police", "2025-09")  # random.Random for one family (and optional parts),
                                    # seeded from the world seed: independent per family

    with csv_writer(path, headers, bom=True, crlf=True) as writer:  # streams rows to disk
        writer.writerow([...])
    contract_path(out_dir, "police_uk_street", "2025-09-synthshire-street.csv")
        # -> out_dir/<contract name>/<file name>, parent directory created

County scale: one county (~690 LSOAs, ~1.2M residents, 10 districts). With reference_dir
(the repository's reference/ folder, REFERENCE_DIR, or ../shared/realdata) the county is real
Hertfordshire: ONS lookup, IMD 2019 ranks, population and LSOA centroids; without it
(reference_dir=None) it is the fully synthetic Synthshire, laid out on a grid. National scale:
England and Wales's 43 police force areas (svdw.synthetic.national: real names and codes, ~34,750
LSOAs in proportion to residents; Hertfordshire real with reference_dir); people are generated
on demand from their index, so nothing scales with row counts.
"""

from __future__ import annotations

import bisect
import csv
import json
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from svdw.synthetic.national import ForceArea

Scale = Literal["county", "national"]
Cohort = Literal["child", "young_adult", "adult"]

# The real Hertfordshire reference files shipped with the repository (reference/README.md).
REFERENCE_DIR = Path(__file__).resolve().parents[3] / "reference"
IMD_LSOAS = 32844  # LSOAs ranked by IMD 2019 in England
COUNTIES = (
    ("Synthshire", "Synthshire Constabulary"),
    ("Northmoor", "Northmoor Police"),
    ("Westvale", "Westvale Constabulary"),
    ("Eastmarsh", "Eastmarsh Police"),
    ("Southdown", "Southdown Constabulary"),
    ("Ridgeford", "Ridgeford Police"),
    ("Lowfield", "Lowfield Constabulary"),
    ("Highcombe", "Highcombe Police"),
    ("Marchland", "Marchland Constabulary"),
    ("Oakridge", "Oakridge Police"),
)
DISTRICTS = (
    "Ashbourne Vale", "Brookfield", "Castleton", "Dunmore", "Elmstead",
    "Fairhaven", "Greywater", "Hollins Cross", "Ivybridge Heath", "Juniper Downs",
)  # fmt: skip
WARD_SUFFIXES = ("Central", "North", "South", "East", "West")
# Postcode areas per county (Hertfordshire's own for the first, so the demo looks local).
POSTCODE_AREAS = (
    ("AL", "SG", "WD", "EN", "HP"), ("NE", "DH", "SR", "TS", "DL"), ("BS", "BA", "GL", "TA", "SN"),
    ("CB", "PE", "IP", "NR", "CO"), ("BN", "RH", "TN", "GU", "PO"), ("ST", "WS", "DE", "TF", "WV"),
    ("LN", "NG", "DN", "HU", "YO"), ("EX", "PL", "TQ", "TR", "DT"), ("CH", "CW", "SY", "WA", "LL"),
    ("OX", "RG", "MK", "NN", "LU"),
)  # fmt: skip
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters Royal Mail uses in the inward code
FORENAMES = {
    "M": ("Oliver", "Jack", "Harry", "George", "Noah", "Charlie", "Jacob", "Alfie", "Freddie",
          "Oscar", "Leo", "Logan", "Archie", "Theo", "Thomas", "James", "Joshua", "Mohammed",
          "Daniel", "Callum", "Kyle", "Tyler", "Liam", "Connor", "Reece", "Jordan", "Aaron",
          "Kai", "Mason", "Ethan", "Ryan", "Adam", "Lewis", "Jayden", "Kacper", "Tomasz"),
    "F": ("Olivia", "Amelia", "Isla", "Ava", "Emily", "Sophia", "Grace", "Mia", "Poppy", "Ella",
          "Lily", "Evie", "Chloe", "Jessica", "Ruby", "Holly", "Megan", "Leah", "Aisha",
          "Zara", "Courtney", "Jade", "Shannon", "Maya", "Hannah", "Paige", "Amira", "Zuzanna"),
}  # fmt: skip
SURNAMES = (
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
    "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards",
    "Hughes", "Green", "Hall", "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood", "Turner",
    "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore", "Clark", "Lee", "King", "Baker",
    "Harrison", "Morgan", "Allen", "James", "Scott", "Phillips", "Watson", "Davis", "Parker",
    "Price", "Bennett", "Young", "Griffiths", "Mitchell", "Kelly", "Cook", "Carter", "Richardson",
    "Bailey", "Collins", "Bell", "Shaw", "Murphy", "Miller", "Cox", "Richards", "Khan", "Begum",
    "Ali", "Hussain", "Ahmed", "Nowak", "Kowalski", "Mensah", "Okafor", "Campbell", "Kaur",
)  # fmt: skip
# People at risk, per resident (county ~1.2M -> ~36k): cohort shares and male share.
AT_RISK_PER_RESIDENT = 0.03
COHORTS: tuple[tuple[Cohort, float, tuple[int, int], float], ...] = (
    ("child", 0.30, (10, 17), 0.72),
    ("young_adult", 0.45, (18, 29), 0.80),
    ("adult", 0.25, (30, 64), 0.62),
)
UPN_CHECK = "ABCDEFGHJKLMNPQRTUVWXYZ"
PNC_CHECK = "ZABCDEFGHJKLMNPQRTUVWXY"


@dataclass(frozen=True, slots=True)
class County:
    code: str
    name: str
    force: str
    la_number: int  # DfE local authority number (919 for Hertfordshire)


@dataclass(frozen=True, slots=True)
class District:
    code: str
    name: str
    county_code: str
    county_name: str
    force: str


@dataclass(frozen=True, slots=True)
class Lsoa:
    code: str
    name: str
    ward_code: str
    ward_name: str
    msoa_code: str
    msoa_name: str
    district_code: str
    district_name: str
    county_code: str
    county_name: str
    force: str
    population: int
    pop_0_15: int
    pop_16_59: int
    pop_60_plus: int
    pop_working_age: int
    imd_rank: int
    imd_decile: int  # 1 = most deprived 10% of England
    deprivation: float  # 0 (least) .. 1 (most deprived)
    longitude: float
    latitude: float
    postcodes: tuple[str, ...]
    night_time_economy: bool  # a town-centre LSOA with bars and clubs: a violence hotspot
    violence_weight: float


def imd_decile(rank: int) -> int:
    return min(10, (rank - 1) * 10 // IMD_LSOAS + 1)


def _postcodes(area: str, district_number: int, serial: int, count: int = 4) -> tuple[str, ...]:
    """Unique, real-format postcodes: serial numbers LSOAs within an outward code."""
    out = []
    for k in range(serial * count, serial * count + count):
        letters = INWARD_LETTERS[(k // 10) % 20] + INWARD_LETTERS[(k // 200) % 20]
        out.append(f"{area}{district_number} {k % 10}{letters}")
    return tuple(out)


def _violence_weight(population: int, deprivation: float, nte: bool) -> float:
    return population * (0.15 + 3.0 * deprivation**2.5) * (6.0 if nte else 1.0)


class Geography:
    """LSOAs (with ward, MSOA, district, county, IMD, population, postcodes) of the world."""

    def __init__(self, lsoas: list[Lsoa], counties: list[County]) -> None:
        self.lsoas = lsoas
        self.counties = counties
        seen: dict[str, District] = {}
        for a in lsoas:
            if a.district_code not in seen:
                seen[a.district_code] = District(
                    a.district_code, a.district_name, a.county_code, a.county_name, a.force
                )
        self.districts = list(seen.values())
        self._by_code = {a.code: a for a in lsoas}
        self.postcode_lsoa = {p: a.code for a in lsoas for p in a.postcodes}
        self._cumulative = {
            "violence": list(accumulate(a.violence_weight for a in lsoas)),
            "population": list(accumulate(float(a.population) for a in lsoas)),
            "deprivation": list(accumulate(a.population * (0.3 + a.deprivation) for a in lsoas)),
        }

    def lsoa(self, code: str) -> Lsoa:
        return self._by_code[code]

    def pick_lsoa(self, rng: random.Random, weight: str = "violence") -> Lsoa:
        cumulative = self._cumulative[weight]
        return self.lsoas[bisect.bisect_right(cumulative, rng.random() * cumulative[-1])]

    def by_force(self) -> dict[str, list[Lsoa]]:
        out: dict[str, list[Lsoa]] = {}
        for a in self.lsoas:
            out.setdefault(a.force, []).append(a)
        return out


def _district_postcode(
    c: int, d: int, first_district: int, force_area: ForceArea | None
) -> tuple[str, int]:
    """(postcode area, district number) of a synthetic district's outward codes."""
    if force_area is None:
        return POSTCODE_AREAS[c][d % 5], d + 1
    from svdw.synthetic.national import district_postcode

    return district_postcode(first_district + d)


def _synthetic_county(
    rng: random.Random,
    c: int,
    start: int,
    force_area: ForceArea | None = None,
    district_start: int | None = None,
    lsoas: int | None = None,
) -> tuple[County, list[Lsoa]]:
    """A county of 10 districts x ~69 LSOAs laid out on a grid (cells tile the county); for a
    real force area (national scale, svdw.synthetic.national) as many ~69-LSOA districts as its
    share of England and Wales's LSOAs, numbered from district_start."""
    name, force = COUNTIES[c] if force_area is None else (force_area.area, force_area.force)
    county = County(
        f"E109{c + 1:05d}" if force_area is None else force_area.code,
        name,
        force,
        880 + c if force_area is None else 700 + c,
    )
    areas: list[Lsoa] = []
    origin_lon, origin_lat = -2.6 + 1.1 * (c % 5), 51.2 + 1.2 * (c // 5)
    if force_area is not None:  # 43 areas: a tighter grid of county origins
        origin_lon, origin_lat = -4.5 + 0.8 * (c % 8), 50.3 + 0.8 * (c // 8)
    first_district = c * 10 if district_start is None else district_start
    district_count = len(DISTRICTS) if lsoas is None else max(1, round(lsoas / 69))
    for d in range(district_count):
        district = DISTRICTS[d % len(DISTRICTS)] + (
            f" {d // len(DISTRICTS) + 1}" if d >= 10 else ""
        )
        district_code = f"E0790{first_district + d + 1:04d}"
        district_name = district if c == 0 else f"{district} ({name})"
        per_district = 69
        wards = per_district // 8
        for i in range(per_district):
            ward = i % wards
            deprivation = min(1.0, max(0.0, rng.betavariate(2, 5) + (0.35 if ward == 0 else 0.0)))
            rank = max(1, min(IMD_LSOAS, int((1 - deprivation) * IMD_LSOAS) + 1))
            total = rng.randint(1250, 1950)
            young = int(total * rng.uniform(0.16, 0.23))
            older = int(total * rng.uniform(0.16, 0.28))
            col, row = (d % 5) * 10 + i % 10, (d // 5) * 7 + i // 10
            nte = ward == 0 and i < 2 * wards  # the first two LSOAs of each town centre
            seq = start + len(areas)
            msoa = (first_district + d) * 12 + i // 6
            areas.append(
                Lsoa(
                    code=f"E019{seq + 1:05d}",  # E0190nnnn below 10,000 LSOAs
                    name=f"{district_name} {i // 4 + 1:03d}{'ABCD'[i % 4]}",
                    ward_code=f"E0590{(start // 8) + d * wards + ward + 1:04d}",
                    ward_name=f"{district_name} {WARD_SUFFIXES[ward % 5]}"
                    + (f" {ward // 5 + 1}" if ward >= 5 else ""),
                    msoa_code=f"E0290{msoa + 1:04d}",
                    msoa_name=f"{district_name} {(i // 6) + 1:03d}",
                    district_code=district_code,
                    district_name=district_name,
                    county_code=county.code,
                    county_name=name,
                    force=force,
                    population=total,
                    pop_0_15=young,
                    pop_16_59=total - young - older,
                    pop_60_plus=older,
                    pop_working_age=int((total - young - older) * 1.04),
                    imd_rank=rank,
                    imd_decile=imd_decile(rank),
                    deprivation=deprivation,
                    longitude=round(origin_lon + 0.02 * col + 0.01, 6),
                    latitude=round(origin_lat + 0.015 * row + 0.0075, 6),
                    postcodes=_postcodes(*_district_postcode(c, d, first_district, force_area), i),
                    night_time_economy=nte,
                    violence_weight=_violence_weight(total, deprivation, nte),
                )
            )
    return county, areas


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def imd_file_1(reference_dir: Path) -> Path:
    """IMD 2019 File 1: all of England (as published) or the Hertfordshire rows (reference/)."""
    found = sorted(
        (reference_dir / "imd2019").glob("File_1_-_IMD2019_Index_of_Multiple_Deprivation*.csv")
    )
    if not found:
        raise ValueError(f"no IMD 2019 File 1 under {reference_dir / 'imd2019'}")
    return found[0]


def _real_county(rng: random.Random, reference_dir: Path) -> tuple[County, list[Lsoa]]:
    """Hertfordshire from the real ONS lookup, IMD 2019 and IoD2019 population files."""
    lookup = _read_csv(reference_dir / "lookups" / "LSOA11_to_WD19_LAD19_lookup_hertfordshire.csv")
    codes = {r["LSOA11CD"] for r in lookup}
    imd_path = imd_file_1(reference_dir)
    ranks = {
        r["LSOA code (2011)"]: int(r["Index of Multiple Deprivation (IMD) Rank"].replace(",", ""))
        for r in _read_csv(imd_path)
        if r["LSOA code (2011)"] in codes
    }
    pop_path = (
        reference_dir / "imd2019" / "File_6_-_IoD2019_Population_Denominators_hertfordshire.csv"
    )
    population = {r["LSOA code (2011)"]: list(r.values()) for r in _read_csv(pop_path)}
    msoas: dict[str, tuple[str, str]] = {}
    oa_lookup = reference_dir / "lookups" / "OA11_LSOA11_MSOA11_LAD17_lookup_hertfordshire.csv"
    if oa_lookup.exists():
        msoas = {r["LSOA11CD"]: (r["MSOA11CD"], r["MSOA11NM"]) for r in _read_csv(oa_lookup)}
    centroids: dict[str, tuple[float, float]] = {}
    boundaries = reference_dir / "boundaries_herts" / "lsoa11_E10000015_hertfordshire.geojson"
    if boundaries.exists():
        for feature in json.loads(boundaries.read_text())["features"]:
            p = feature["properties"]
            centroids[p["LSOA11CD"]] = (float(p["LONG"]), float(p["LAT"]))
    county = County("E10000015", "Hertfordshire", "Hertfordshire Constabulary", 919)
    lookup.sort(key=lambda r: (r["LAD19CD"], r["LSOA11CD"]))
    district_index = {code: i for i, code in enumerate(sorted({r["LAD19CD"] for r in lookup}))}
    areas: list[Lsoa] = []
    seen_in_district: dict[str, int] = {}
    for row in lookup:
        code = row["LSOA11CD"]
        d = district_index[row["LAD19CD"]]
        serial = seen_in_district.get(row["LAD19CD"], 0)
        seen_in_district[row["LAD19CD"]] = serial + 1
        rank = ranks.get(code, IMD_LSOAS // 2)
        deprivation = 1 - (rank - 1) / (IMD_LSOAS - 1)
        pop = population.get(code)
        if pop:
            total, young, mid, older, working = (int(v.replace(",", "")) for v in pop[4:9])
        else:
            total = rng.randint(1250, 1950)
            young, older = int(total * 0.2), int(total * 0.22)
            mid, working = total - young - older, int((total - young - older) * 1.04)
        lon, lat = centroids.get(
            code, (-0.25 + rng.uniform(-0.3, 0.3), 51.8 + rng.uniform(-0.1, 0.1))
        )
        # Town-centre LSOAs: the most deprived few of each district carry its night-time economy.
        nte = rank <= 6000 and serial % 3 == 0
        msoa_code, msoa_name = msoas.get(
            code, (f"E0290{d * 30 + int(row['LSOA11NM'][-4:-1]):04d}", row["LSOA11NM"][:-1])
        )
        areas.append(
            Lsoa(
                code=code,
                name=row["LSOA11NM"],
                ward_code=row["WD19CD"],
                ward_name=row["WD19NM"],
                msoa_code=msoa_code,
                msoa_name=msoa_name,
                district_code=row["LAD19CD"],
                district_name=row["LAD19NM"],
                county_code=county.code,
                county_name=county.name,
                force=county.force,
                population=total,
                pop_0_15=young,
                pop_16_59=mid,
                pop_60_plus=older,
                pop_working_age=working,
                imd_rank=rank,
                imd_decile=imd_decile(rank),
                deprivation=deprivation,
                longitude=round(lon, 6),
                latitude=round(lat, 6),
                postcodes=_postcodes(POSTCODE_AREAS[0][d % 5], d + 1, serial),
                night_time_economy=nte,
                violence_weight=_violence_weight(total, deprivation, nte),
            )
        )
    return county, areas


def build_geography(seed: int, scale: Scale, reference_dir: Path | None = None) -> Geography:
    rng = random.Random(f"{seed}:geography")
    counties: list[County] = []
    lsoas: list[Lsoa] = []
    if reference_dir is not None and not (reference_dir / "lookups").is_dir():
        raise ValueError(
            f"{reference_dir} holds no reference files (lookups/, imd2019/): point --reference-dir"
            " at the repository's reference/ folder, or use --synthetic-geography"
        )
    if scale == "national":  # England and Wales: 43 force areas
        from svdw.synthetic.national import national_geography

        counties, lsoas = national_geography(seed, reference_dir)
        return Geography(lsoas, counties)
    for c in range(1 if scale == "county" else len(COUNTIES)):
        if c == 0 and reference_dir is not None:
            county, areas = _real_county(rng, reference_dir)
        else:
            county, areas = _synthetic_county(rng, c, len(lsoas))
        counties.append(county)
        lsoas.extend(areas)
    return Geography(lsoas, counties)


def nhs_check_digit(nine: str) -> int | None:
    """The NHS number's modulus-11 check digit, or None when the nine digits have none."""
    total = sum(int(d) * (10 - i) for i, d in enumerate(nine))
    check = 11 - total % 11
    return 0 if check == 11 else None if check == 10 else check


def is_valid_nhs_number(value: str) -> bool:
    return len(value) == 10 and value.isdigit() and nhs_check_digit(value[:9]) == int(value[9])


def upn_check_letter(twelve: str) -> str:
    return UPN_CHECK[sum(int(d) * w for d, w in zip(twelve, range(2, 14), strict=True)) % 23]


@dataclass(frozen=True, slots=True)
class Person:
    index: int
    nhs_number: str
    upn: str | None
    pnc_id: str
    nominal_id: str
    forename: str
    surname: str
    date_of_birth: date
    sex: str  # "M" or "F"
    home_lsoa: str
    home_postcode: str
    cohort: Cohort
    risk: str  # "high", "medium", "low": how often the person is involved

    def age_on(self, day: date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class People:
    """A registry of people at risk, each generated on demand from its index (and the seed).

    Indices are grouped by cohort; within a cohort low offsets are the high-risk people, and
    `pick` favours them, so a few people recur across months and sources (repeat victims and
    offenders) while most appear once.
    """

    def __init__(self, seed: int, geography: Geography, last_month: date) -> None:
        self.seed = seed
        self.geography = geography
        self.reference_day = last_month
        total = max(500, int(sum(a.population for a in geography.lsoas) * AT_RISK_PER_RESIDENT))
        self._ranges: dict[str, range] = {}
        start = 0
        for cohort, share, _, _ in COHORTS:
            size = int(total * share)
            self._ranges[cohort] = range(start, start + size)
            start += size
        self._size = start
        self._salt = random.Random(f"{seed}:people").randrange(1_000_000)
        self.get = lru_cache(maxsize=200_000)(self._make)

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, index: int) -> Person:
        if not 0 <= index < self._size:
            raise IndexError(index)
        return self.get(index)

    def cohort_range(self, cohort: Cohort) -> range:
        return self._ranges[cohort]

    def pick(
        self,
        rng: random.Random,
        cohort: Cohort | None = None,
        sex: str | None = None,
        skew: float = 2.5,
    ) -> Person:
        """A person, favouring high-risk ones (skew 1 = uniform); cohort and sex constrain."""
        for _ in range(50):
            chosen = cohort or rng.choices(("child", "young_adult", "adult"), (0.3, 0.45, 0.25))[0]
            span = self._ranges[chosen]
            person = self.get(span.start + int(len(span) * rng.random() ** skew))
            if sex is None or person.sex == sex:
                return person
        return person

    def _make(self, index: int) -> Person:
        rng = random.Random(f"{self.seed}:person:{index}")
        cohort, span, ages, male_share = next(
            (c, self._ranges[c], ages, male)
            for c, _, ages, male in COHORTS
            if index in self._ranges[c]
        )
        offset = (index - span.start) / max(1, len(span))
        risk = "high" if offset < 0.05 else "medium" if offset < 0.25 else "low"
        sex = "M" if rng.random() < male_share else "F"
        age = rng.randint(*ages)
        born = self.reference_day - timedelta(days=int(365.25 * age) + rng.randint(1, 364))
        area = self.geography.pick_lsoa(rng, "deprivation")
        # Unique NHS number: a block of 11 candidates per person, the first with a check digit.
        block = 400_000_000 + ((index * 7919 + self._salt) % 50_000_000) * 11
        nhs = next(
            f"{n}{check}"
            for n in range(block, block + 11)
            if (check := nhs_check_digit(str(n))) is not None
        )
        upn = None
        if age < 19:
            county = next(c for c in self.geography.counties if c.code == area.county_code)
            body = (
                f"{county.la_number:03d}{2000 + (index // 1000) % 7000:04d}"
                f"{(born.year + 5) % 100:02d}{index % 1000:03d}"
            )
            upn = upn_check_letter(body) + body
        first_arrest = min(self.reference_day.year, born.year + rng.randint(14, 25))
        yy, serial = first_arrest % 100, (index * 31 + self._salt) % 1_000_000
        pnc = f"{yy:02d}/{serial:06d}{PNC_CHECK[int(f'{yy:02d}{serial:06d}') % 23]}"
        return Person(
            index=index,
            nhs_number=nhs,
            upn=upn,
            pnc_id=pnc,
            nominal_id=f"N{(index * 104729 + self._salt) % 100_000_000:08d}",
            forename=rng.choice(FORENAMES[sex]),
            surname=rng.choice(SURNAMES),
            date_of_birth=born,
            sex=sex,
            home_lsoa=area.code,
            home_postcode=rng.choice(area.postcodes),
            cohort=cohort,
            risk=risk,
        )


def month_list(last_month: date, months: int) -> list[date]:
    out = []
    year, month = last_month.year, last_month.month
    for _ in range(months):
        out.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


class World:
    """Geography, people and months of one synthetic partnership (see the module docstring)."""

    def __init__(
        self,
        seed: int = 2023,
        scale: Scale = "county",
        months: int = 12,
        last_month: date = date(2025, 9, 1),
        reference_dir: Path | None = None,
    ) -> None:
        self.seed = seed
        self.scale = scale
        self.last_month = last_month.replace(day=1)
        self.months: list[date] = month_list(self.last_month, months)
        self.reference_dir = reference_dir
        self.geography = build_geography(seed, scale, reference_dir)
        self.people = People(seed, self.geography, self.last_month)

    @property
    def scale_factor(self) -> float:
        """Residents relative to a ~1.2M county: multiply county-sized volumes by this."""
        return sum(a.population for a in self.geography.lsoas) / 1_200_000

    def rng(self, family: str, *parts: object) -> random.Random:
        return random.Random(":".join([str(self.seed), family, *map(str, parts)]))


def days_in(month: date) -> Sequence[date]:
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return [month + timedelta(days=i) for i in range((following - month).days)]


def contract_path(out_dir: Path, contract: str, file_name: str) -> Path:
    path = out_dir / contract / file_name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def csv_writer(
    path: Path, headers: Sequence[str], bom: bool = False, crlf: bool = False
) -> Iterator[Any]:
    """A csv.writer on path with the header row written; rows stream straight to disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n" if crlf else "\n")
        writer.writerow(headers)
        yield writer
