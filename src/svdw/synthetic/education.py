"""Education extracts: the GIAS school list, termly pupil attendance and suspensions/exclusions.

Pupils are the World's children (people at risk aged 10-17) in national curriculum years 5-11,
each at a stable school in their home district. What a needs assessment would find:
- suspensions concentrate in a few schools (a heavy-tailed school "propensity") and among
  pupils from deprived LSOAs and high-risk pupils; a permanently excluded pupil moves to the
  county's pupil referral unit for later terms;
- reasons follow Hertfordshire's real DfE mix (persistent disruption, assaults, verbal abuse),
  with the post-2020 codes MT, WP and OW;
- persistent absence (10%+ of sessions missed) in roughly a fifth to a quarter of secondary
  pupils in the cohort, more where deprivation and risk are higher.
The same UPNs, dates of birth and postcodes appear in youth justice and provider referrals.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from svdw.contracts import get_contract
from svdw.synthetic.world import Person, World, contract_path, csv_writer

TERMS = ("Autumn", "Spring", "Summer")
# Term months (August is the holiday) and half-day sessions a full month of term offers.
TERM_OF_MONTH = {9: 0, 10: 0, 11: 0, 12: 0, 1: 1, 2: 1, 3: 1, 4: 1, 5: 2, 6: 2, 7: 2}
SESSIONS_IN_MONTH = {9: 36, 10: 34, 11: 40, 12: 30, 1: 38, 2: 32, 3: 40, 4: 22, 5: 34, 6: 40, 7: 30}
# Suspension reasons: Hertfordshire's fixed-period mix (DfE SFR 2016/17, by reason), with the
# codes added in 2020 (MT, WP, OW) given shares like England's recent returns.
REASONS = {
    "DB": 1815, "OT": 1500, "PP": 1443, "VA": 976, "PA": 694, "VP": 363, "DA": 206,
    "DM": 175, "TH": 155, "RA": 114, "BU": 103, "SM": 47, "MT": 240, "WP": 160, "OW": 60,
}  # fmt: skip
PERM_REASONS = {"DB": 34, "PP": 11, "PA": 12, "VA": 11, "DA": 13, "WP": 14, "OT": 27, "SM": 4}
PRIMARY_NAMES = ("St Mary's C of E", "Oakfield", "Meadow View", "Holy Trinity RC", "Woodside",
                 "Brook Lane", "Hillcrest", "Ridgeway", "Orchard", "Springfield", "Westfield",
                 "Parkside")  # fmt: skip
SECONDARY_NAMES = ("Academy", "High School", "School", "Community College", "Girls' School",
                   "Boys' School")  # fmt: skip


@dataclass(frozen=True, slots=True)
class School:
    urn: str
    la_number: int
    la_name: str
    establishment_number: str
    name: str
    kind: str  # primary, secondary, special, pru
    establishment_type: str
    type_group: str
    phase: str
    low_age: int
    high_age: int
    postcode: str
    lsoa_code: str
    district_code: str
    propensity: float  # how readily the school suspends (heavy-tailed across schools)


@cache
def _schools(world: World) -> tuple[School, ...]:
    rng = world.rng("education", "schools")
    schools: list[School] = []
    by_district: dict[str, list] = {}
    for lsoa in world.geography.lsoas:
        by_district.setdefault(lsoa.district_code, []).append(lsoa)
    counties = {c.code: c for c in world.geography.counties}
    numbers: dict[tuple[int, str], int] = {}

    def add(kind: str, area, name: str, etype: str, group: str, phase: str, ages: tuple) -> None:
        county = counties[area.county_code]
        first = {"primary": 2000, "secondary": 4000, "special": 7000, "pru": 1100}[kind]
        serial = numbers.get((county.la_number, kind), first)
        numbers[(county.la_number, kind)] = serial + 1
        propensity = rng.lognormvariate(0, 1.0) if kind == "secondary" else rng.uniform(0.2, 0.6)
        if kind in ("special", "pru"):
            propensity = rng.uniform(1.5, 3.0)
        schools.append(
            School(
                urn=f"{110000 + len(schools) * 37 + rng.randrange(37):06d}",
                la_number=county.la_number,
                la_name=county.name,
                establishment_number=f"{serial:04d}",
                name=name,
                kind=kind,
                establishment_type=etype,
                type_group=group,
                phase=phase,
                low_age=ages[0],
                high_age=ages[1],
                postcode=area.postcodes[-1],
                lsoa_code=area.code,
                district_code=area.district_code,
                propensity=propensity,
            )
        )

    for areas in by_district.values():
        town = areas[0].district_name.split(" (")[0]
        for i in range(3):
            area = rng.choice(areas)
            academy = rng.random() < 0.8
            add(
                "secondary",
                area,
                f"{town} {['North', 'South', 'Park'][i]} {rng.choice(SECONDARY_NAMES)}",
                "Academy converter" if academy else "Community school",
                "Academies" if academy else "Local authority maintained schools",
                "Secondary",
                (11, 18),
            )
        for name in rng.sample(PRIMARY_NAMES, 6):
            academy = rng.random() < 0.4
            add(
                "primary",
                rng.choice(areas),
                f"{name} Primary School",
                "Academy converter" if academy else "Community school",
                "Academies" if academy else "Local authority maintained schools",
                "Primary",
                (4, 11),
            )
    for county in world.geography.counties:
        areas = [a for a in world.geography.lsoas if a.county_code == county.code]
        for i in range(3):
            add(
                "special",
                rng.choice(areas),
                f"{county.name} {['Lakes', 'Beacon', 'Willows'][i]} School",
                "Community special school",
                "Special schools",
                "Not applicable",
                (5, 19),
            )
        deprived = sorted(areas, key=lambda a: -a.deprivation)[:20]
        add(
            "pru",
            rng.choice(deprived),
            f"{county.name} Education Support Centre",
            "Pupil referral unit",
            "Local authority maintained schools",
            "Not applicable",
            (5, 16),
        )
        add(
            "pru",
            rng.choice(deprived),
            f"{county.name} Alternative Provision Academy",
            "Academy alternative provision converter",
            "Academies",
            "Not applicable",
            (11, 16),
        )
    return tuple(schools)


def nc_year(person: Person, academic_year_start: int) -> int:
    """National curriculum year: age on 31 August before the academic year, minus 4."""
    return person.age_on(date(academic_year_start, 8, 31)) - 4


def _terms(world: World) -> list[tuple[int, int, list[date]]]:
    """(academic year start, term index, term months in the world) in order."""
    out: dict[tuple[int, int], list[date]] = {}
    for month in world.months:
        if month.month in TERM_OF_MONTH:
            start = month.year if month.month >= 9 else month.year - 1
            out.setdefault((start, TERM_OF_MONTH[month.month]), []).append(month)
    return [(start, term, months) for (start, term), months in out.items()]


def academic_year(start: int) -> str:
    return f"{start}/{(start + 1) % 100:02d}"


@dataclass(frozen=True, slots=True)
class Pupil:
    person: Person
    deprivation: float
    primary: School
    secondary: School
    special: School | None
    absence_propensity: float  # the pupil's usual share of sessions missed
    behaviour: float  # relative chance of suspension


@cache
def _pupils(world: World) -> tuple[Pupil, ...]:
    schools = _schools(world)
    by_district: dict[tuple[str, str], list[School]] = {}
    for s in schools:
        by_district.setdefault((s.district_code, s.kind), []).append(s)
    specials = [s for s in schools if s.kind == "special"]
    pupils = []
    for index in world.people.cohort_range("child"):
        person = world.people[index]
        if person.upn is None:
            continue
        rng = world.rng("education", "pupil", index)
        area = world.geography.lsoa(person.home_lsoa)
        risk = {"high": 3.0, "medium": 1.6, "low": 0.7}[person.risk]
        base = 0.03 + 0.04 * area.deprivation + 0.025 * (risk - 0.7)
        pupils.append(
            Pupil(
                person=person,
                deprivation=area.deprivation,
                primary=rng.choice(by_district[(area.district_code, "primary")]),
                secondary=rng.choice(by_district[(area.district_code, "secondary")]),
                special=rng.choice(specials) if rng.random() < 0.02 else None,
                absence_propensity=min(0.6, rng.lognormvariate(0, 0.55) * base),
                behaviour=risk * (0.5 + 1.5 * area.deprivation),
            )
        )
    return tuple(pupils)


def _school_days(months: list[date], rng: random.Random) -> Iterator[date]:
    while True:
        month = rng.choice(months)
        day = month + timedelta(days=rng.randrange(28))
        if day.weekday() < 5:
            yield day


def _dmy(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def _postcode(rng: random.Random, postcode: str) -> str:
    # MIS exports are not tidy: a few postcodes come without the space or in lower case.
    roll = rng.random()
    return (
        postcode.replace(" ", "") if roll < 0.04 else postcode.lower() if roll < 0.06 else postcode
    )


def write_schools(world: World, out_dir: Path) -> Path:
    contract = get_contract("education_schools")
    path = contract_path(
        out_dir, contract.name, f"edubaseallstatefunded{world.last_month:%Y%m}01.csv"
    )
    pupils_by_urn: dict[str, int] = {}
    for pupil in _pupils(world):
        for school in (pupil.primary, pupil.secondary):
            pupils_by_urn[school.urn] = pupils_by_urn.get(school.urn, 0) + 1
    rng = world.rng("education", "rolls")
    with path.open("w", encoding="cp1252", newline="") as handle:  # GIAS serves Windows-1252
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(contract.headers)
        for s in _schools(world):
            roll = {"primary": 420, "secondary": 1200, "special": 150, "pru": 60}[s.kind]
            writer.writerow(
                [s.urn, s.la_number, s.la_name, s.establishment_number, s.name,
                 s.establishment_type, s.type_group, "Open", s.phase, s.low_age, s.high_age,
                 int(roll * rng.uniform(0.7, 1.3)), s.postcode, s.lsoa_code]
            )  # fmt: skip
    return path


def write_attendance_and_exclusions(world: World, out_dir: Path) -> list[Path]:
    attendance = get_contract("education_attendance")
    exclusions = get_contract("education_suspensions_exclusions")
    pupils = _pupils(world)
    prus = {s.la_number: s for s in _schools(world) if s.kind == "pru" and "Support" in s.name}
    moved: dict[int, School] = {}  # person index -> PRU after a permanent exclusion
    written = []
    for start, term, months in _terms(world):
        rng = world.rng("education", start, term)
        tag = f"{start}-{(start + 1) % 100:02d}_{TERMS[term].lower()}"
        possible_full = sum(SESSIONS_IN_MONTH[m.month] for m in months)
        att_path = contract_path(out_dir, attendance.name, f"attendance_{tag}.csv")
        exc_path = contract_path(out_dir, exclusions.name, f"suspensions_exclusions_{tag}.csv")
        days = _school_days(months, rng)
        with (
            csv_writer(att_path, attendance.headers, bom=True, crlf=True) as att,
            csv_writer(exc_path, exclusions.headers, bom=True, crlf=True) as exc,
        ):
            for pupil in pupils:
                p = pupil.person
                year = nc_year(p, start)
                if not 5 <= year <= 11:
                    continue
                school = moved.get(p.index) or pupil.special
                school = school or (pupil.primary if year <= 6 else pupil.secondary)
                possible = possible_full - (rng.randrange(0, 6) if rng.random() < 0.1 else 0)
                rate = min(0.95, pupil.absence_propensity * rng.lognormvariate(0, 0.35))
                if year >= 9:
                    rate = min(0.95, rate * 1.15)
                missed = round(possible * rate)
                unauthorised = round(missed * min(0.9, 0.2 + 0.5 * pupil.deprivation + rate))
                dob, sex = _dmy(p.date_of_birth), p.sex
                att.writerow(
                    [academic_year(start), TERMS[term], p.upn, school.urn, str(year), possible,
                     missed - unauthorised, unauthorised, dob, sex]
                )  # fmt: skip
                # Suspensions: a few schools and deprived, high-risk pupils account for most.
                chance = 0.02 * pupil.behaviour * school.propensity * (1.6 if year >= 7 else 0.3)
                chance *= len(months) / 4
                count = 0
                while rng.random() < min(0.85, chance) and count < 4:
                    count += 1
                    chance *= 0.6
                    permanent = school.kind != "pru" and rng.random() < 0.015 * pupil.behaviour
                    reasons = PERM_REASONS if permanent else REASONS
                    reason = rng.choices(list(reasons), list(reasons.values()))[0]
                    sessions = "" if permanent else str(rng.choice((1, 2, 2, 2, 4, 4, 6, 10)))
                    category = "PERM" if permanent else "LUNC" if rng.random() < 0.03 else "FIXD"
                    if category == "LUNC":
                        sessions = "1"
                    exc.writerow(
                        [academic_year(start), TERMS[term], p.upn, school.urn,
                         f"{school.la_number}{school.establishment_number}", category,
                         _dmy(next(days)), sessions, reason, dob, sex,
                         "Y" if pupil.deprivation > 0.45 and rng.random() < 0.7 else "N",
                         rng.choices("NKE", (0.6, 0.3, 0.1))[0],
                         _postcode(rng, p.home_postcode)]
                    )  # fmt: skip
                    if permanent:
                        moved[p.index] = prus[school.la_number]
                        break
        written += [att_path, exc_path]
    return written


def write(world: World, out_dir: Path) -> list[Path]:
    return [write_schools(world, out_dir), *write_attendance_and_exclusions(world, out_dir)]
