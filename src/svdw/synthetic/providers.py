"""Provider extracts: provision audit, session registers, referrals and workforce training.

What a needs assessment would find: sport-based (mostly universal, primary-tier) provision sits
in the less deprived LSOAs, so it is thinnest where deprivation and violence are highest, while
targeted (secondary/tertiary) programmes sit in deprived areas; referrals come mainly from Early
Help, the police and the Youth Justice Service; children known to youth justice and excluded
pupils are among those referred (linked by NHS number and UPN), and referred young people who
start a programme appear on its session registers (linked by NHS number).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from svdw.contracts import get_contract
from svdw.synthetic import education, programme_effects, youth_justice
from svdw.synthetic.world import (
    FORENAMES,
    SURNAMES,
    Lsoa,
    Person,
    World,
    contract_path,
    csv_writer,
    days_in,
)

# (organisation, programme, activity, sport, tier, ages, places, sites)
PROGRAMMES = (
    ("Synthshire Sport Foundation", "Kickstart Football Nights", "Football", True, "Primary", (10, 17), 40, 5),
    ("Synthshire Sport Foundation", "Street Games Doorstep Sport", "Multi-sport", True, "Primary", (8, 16), 30, 4),
    ("Ringside Boxing CIC", "Box Clever", "Boxing", True, "Secondary", (11, 19), 20, 2),
    ("County Cricket Trust", "Cricket in the Community", "Cricket", True, "Primary", (8, 14), 25, 3),
    ("Synthshire Leisure Trust", "Friday Night Swim", "Swimming", True, "Primary", (8, 16), 35, 3),
    ("Youth Connexions", "Youth Club Plus", "Youth club", False, "Primary", (11, 19), 40, 4),
    ("Youth Connexions", "Detached Youth Work", "Detached youth work", False, "Secondary", (11, 19), 30, 3),
    ("Mentor Matters", "Turning Point Mentoring", "Mentoring", False, "Secondary", (10, 18), 15, 2),
    ("St Giles-style Navigators", "A&E Navigators", "Teachable-moment intervention", False, "Tertiary", (11, 24), 10, 1),
    ("Synthshire Youth Justice Service", "Knife Crime Awareness Programme", "Group programme", False, "Tertiary", (10, 17), 12, 1),
    ("Ringside Boxing CIC", "Fight for Change", "Boxing and mentoring", True, "Tertiary", (13, 21), 12, 1),
    ("Families First Early Help", "Family Support Programme", "Family support", False, "Secondary", (5, 17), 20, 2),
)  # fmt: skip
ED_PROGRAMME = "A&E Navigators"
SOURCES = {"Early Help": 28, "Police": 22, "Youth Justice Service": 18, "School": 14,
           "Health": 8, "Self/family": 6, "Other": 4}  # fmt: skip
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHLY_REFERRALS = 110
COURSES = (
    ("Trauma-informed practice", "Awareness", 3.0), ("Trauma-informed practice", "Practitioner", 12.0),
    ("Contextual safeguarding", "Foundation", 6.0), ("Knife crime awareness", "Awareness", 2.0),
    ("Child criminal exploitation and county lines", "Foundation", 6.0),
    ("Adverse childhood experiences (ACEs)", "Awareness", 3.0),
    ("Motivational interviewing", "Practitioner", 14.0), ("Mentoring skills", "Advanced", 21.0),
)  # fmt: skip
WORKFORCE = (
    ("Synthshire County Council", "Local authority", "synthshire.gov.uk"),
    ("Synthshire Constabulary", "Police", "synthshire.police.uk"),
    ("Synthshire NHS Foundation Trust", "Health", "nhs.net"),
    ("Synthshire Youth Justice Service", "Youth justice", "synthshire.gov.uk"),
    ("Synthshire Schools Partnership", "Education", "synthshire.sch.uk"),
    ("Youth Connexions", "Voluntary and community", "youthconnexions.org.uk"),
    ("Synthshire Sport Foundation", "Sport and leisure", "synthsport.org.uk"),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Activity:
    organisation: str
    programme: str
    activity: str
    sport: bool
    tier: str
    ages: tuple[int, int]
    places: int
    site_name: str
    site: Lsoa
    weekday: int
    start: str
    hours: int


@cache
def activities(world: World) -> tuple[Activity, ...]:
    rng = world.rng("providers", "audit")
    lsoas = world.geography.lsoas
    venues = (
        "Community Centre",
        "Leisure Centre",
        "Youth Centre",
        "Sports Hub",
        "Academy Sports Hall",
    )
    out = []
    for org, programme, activity, sport, tier, ages, places, sites in PROGRAMMES:
        # Universal sport lands where clubs and facilities already are (less deprived areas);
        # targeted work goes where need is.
        if tier == "Primary":
            weights = [(1 - a.deprivation) ** 2 + 0.05 for a in lsoas]
        else:
            weights = [a.deprivation**2 + 0.05 for a in lsoas]
        for _ in range(max(1, round(sites * world.scale_factor))):
            site = rng.choices(lsoas, weights)[0]
            town = site.district_name.split(" (")[0]
            out.append(
                Activity(
                    organisation=org.replace("Synthshire", world.geography.counties[0].name),
                    programme=programme,
                    activity=activity,
                    sport=sport,
                    tier=tier,
                    ages=ages,
                    places=places,
                    site_name=f"{town} {rng.choice(venues)}",
                    site=site,
                    weekday=rng.randrange(6),
                    start=rng.choice(("16:00", "17:30", "18:00", "19:00", "10:00")),
                    hours=rng.choice((1, 2, 2)),
                )
            )
    return tuple(out)


def _audit(world: World, out_dir: Path) -> Path:
    contract = get_contract("provider_provision_audit")
    audit_date = world.last_month.replace(day=12)
    path = contract_path(out_dir, contract.name, f"provision_audit_{audit_date:%Y}.csv")
    with csv_writer(path, contract.headers, bom=True, crlf=True) as writer:
        for a in activities(world):
            end = f"{int(a.start[:2]) + a.hours:02d}{a.start[2:]}"
            writer.writerow(
                [f"{audit_date:%d/%m/%Y}", a.organisation, a.programme, a.site_name,
                 a.site.postcodes[0], a.activity, "Y" if a.sport else "N", a.tier, a.ages[0],
                 a.ages[1], a.places, f"{WEEKDAYS[a.weekday]} {a.start}-{end}"]
            )  # fmt: skip
    return path


@dataclass(frozen=True, slots=True)
class Referral:
    referral_id: str
    person: Person
    source: str
    programme: str
    received: date
    statuses: tuple[tuple[str, date], ...]


def _flow(rng: random.Random, received: date) -> list[tuple[str, date]]:
    day = received
    out = [("Received", day)]
    for status, chance, nxt in (
        ("Assessed", 0.9, None), ("Accepted", 0.82, "Declined"), ("Started", 0.85, "Disengaged"),
        ("Completed", 0.65, "Disengaged"),
    ):  # fmt: skip
        day = day + timedelta(
            days=rng.randint(3, 21) if status != "Completed" else rng.randint(40, 120)
        )
        if rng.random() < chance:
            out.append((status, day))
        else:
            if nxt:
                out.append((nxt, day))
            break
    return out


@cache
def referrals(world: World) -> tuple[Referral, ...]:
    """Every referral received in the world's months, with its statuses (future ones included)."""
    offenders = [o.person for o in youth_justice.offences(world)]
    excluded = sorted(
        {p.person.index: p.person for p in education._pupils(world) if p.behaviour > 3}.values(),
        key=lambda p: p.index,
    )
    targeted = [p for p in PROGRAMMES if p[4] != "Primary"]
    out: list[Referral] = []
    referred: set[int] = set()  # people referred in an earlier month
    for month in world.months:
        rng = world.rng("providers", "referrals", f"{month:%Y-%m}")
        expected = MONTHLY_REFERRALS * world.scale_factor
        for _ in range(max(0, round(rng.gauss(expected, expected**0.5)))):
            source = rng.choices(list(SOURCES), list(SOURCES.values()))[0]
            if source == "Youth Justice Service" and offenders:
                person = rng.choice(offenders)
            elif source == "School" and excluded:
                person = rng.choice(excluded)
            else:
                person = world.people.pick(
                    rng, cohort=rng.choice(("child", "child", "young_adult"))
                )
            programme = rng.choice(
                [p for p in targeted if p[5][0] <= person.age_on(month) <= p[5][1]] or targeted
            )[1]
            if programme == ED_PROGRAMME and source != "Health":
                # navigators take referrals from the emergency department only
                route = world.rng("providers", "referral-route", len(out))
                programme = route.choice([p for p in targeted if p[1] != ED_PROGRAMME])[1]
            received = rng.choice(days_in(month))
            out.append(_referral(rng, len(out), person, source, programme, received))
        out.extend(_rising_referrals(world, month, targeted, referred, len(out)))
        referred.update(r.person.index for r in out)
    return tuple(out)


def _rising_referrals(
    world: World,
    month: date,
    targeted: list[tuple[Any, ...]],
    referred: set[int],
    serial: int,
) -> list[Referral]:
    """Referrals on rising police contact (svdw.synthetic.programme_effects), a stream of their
    own: young people never referred before, in index order so the stream is reproducible."""
    rng = world.rng("providers", "rising-referrals", f"{month:%Y-%m}")
    low, high = programme_effects.RISING_AGES
    out: list[Referral] = []
    spells = programme_effects.rising_contact(world).get(programme_effects.month_index(month), ())
    for index, recent in spells:
        chance = programme_effects.rising_referral_chance(recent)
        if index in referred or not chance or rng.random() >= chance:
            continue
        person = world.people[index]
        age = person.age_on(month)
        eligible = [p for p in targeted if p[5][0] <= age <= p[5][1]]
        if not low <= age <= high or not eligible:
            continue
        weights = [programme_effects.RISING_ROUTE_WEIGHTS.get(p[1], 1.0) for p in eligible]
        source = "Youth Justice Service" if age <= 17 and rng.random() < 0.3 else "Police"
        received = rng.choice(days_in(month))
        programme = rng.choices(eligible, weights)[0][1]
        out.append(_referral(rng, serial + len(out), person, source, programme, received))
    return out


def _referral(
    rng: random.Random, serial: int, person: Person, source: str, programme: str, received: date
) -> Referral:
    """The referral numbered `serial` (REF-20001 onwards) and its status history, drawn from rng
    after every other choice of the referral, so each stream draws in the same order."""
    return Referral(
        referral_id=f"REF-{serial + 20001:05d}",
        person=person,
        source=source,
        programme=programme,
        received=received,
        statuses=tuple(_flow(rng, received)),
    )


def _nhs(rng: random.Random, number: str) -> str:
    # Written as on letters ("485 777 3456") about half the time; the loader normalises.
    return f"{number[:3]} {number[3:6]} {number[6:]}" if rng.random() < 0.5 else number


def _referrals(world: World, out_dir: Path) -> Path:
    contract = get_contract("provider_referrals")
    end = world.months[-1] + timedelta(days=len(days_in(world.months[-1])) - 1)
    path = contract_path(out_dir, contract.name, f"referral_log_{world.last_month:%Y-%m}.csv")
    rng = world.rng("providers", "referral-log")
    with csv_writer(path, contract.headers, bom=True, crlf=True) as writer:
        for r in referrals(world):
            p = r.person
            for status, day in r.statuses:
                if day > end:
                    break
                writer.writerow(
                    [r.referral_id, f"{r.received:%d/%m/%Y}", r.source, r.programme,
                     _nhs(rng, p.nhs_number), p.upn or "", f"{p.date_of_birth:%d/%m/%Y}",
                     "Male" if p.sex == "M" else "Female", status, f"{day:%d/%m/%Y}"]
                )  # fmt: skip
    return path


def _sessions(world: World, out_dir: Path) -> list[Path]:
    contract = get_contract("provider_sessions_attendance")
    started: dict[str, list[tuple[Person, date, date]]] = {}
    for r in referrals(world):
        statuses = dict(r.statuses)
        if "Started" in statuses:
            until = statuses.get("Completed") or statuses.get("Disengaged") or date.max
            started.setdefault(r.programme, []).append((r.person, statuses["Started"], until))
    written = []
    for month in world.months:
        rng = world.rng("providers", "sessions", f"{month:%Y-%m}")
        path = contract_path(out_dir, contract.name, f"session_register_{month:%Y-%m}.csv")
        with csv_writer(path, contract.headers, bom=True, crlf=True) as writer:
            for n, a in enumerate(activities(world)):
                # A stable roster per activity and month: referred starters plus drop-ins.
                roster = [
                    p for p, begin, until in started.get(a.programme, []) if begin <= month <= until
                ]
                extra = max(0, round(a.places * 0.6) - len(roster))
                roster += [world.people.pick(rng, cohort="child", skew=1.3) for _ in range(extra)]
                for day in days_in(month):
                    if day.weekday() != a.weekday:
                        continue
                    session_id = f"S{month:%y%m}{n:03d}{day.day:02d}"
                    for person in roster:
                        writer.writerow(
                            [session_id, a.programme, a.site_name, f"{day:%d/%m/%Y}", a.start,
                             _nhs(rng, person.nhs_number), "Yes" if rng.random() < 0.72 else "No"]
                        )  # fmt: skip
        written.append(path)
    return written


def _training(world: World, out_dir: Path) -> Path:
    contract = get_contract("provider_workforce_training")
    rng = world.rng("providers", "training")
    county = world.geography.counties[0].name
    staff = []
    for i in range(round(300 * world.scale_factor) or 1):
        org, sector, domain = rng.choice(WORKFORCE)
        sex = rng.choice("MF")
        email = f"{rng.choice(FORENAMES[sex])}.{rng.choice(SURNAMES)}{i % 7 or ''}@{domain}"
        staff.append((email.lower(), org.replace("Synthshire", county), sector))
    first = world.months[0]
    span = (world.last_month - first).days + 28
    rows = []
    for _ in range(round(45 * len(world.months) * world.scale_factor)):
        email, org, sector = rng.choice(staff)
        course, level, hours = rng.choice(COURSES)
        rows.append(
            (first + timedelta(days=rng.randrange(span)), email, org, sector, course, level, hours)
        )
    rows.sort()
    path = contract_path(out_dir, contract.name, f"lms_completions_{world.last_month:%Y-%m}.csv")
    with csv_writer(path, contract.headers, bom=True, crlf=True) as writer:
        for day, email, org, sector, course, level, hours in rows:
            writer.writerow([email, org, sector, course, level, f"{day:%d/%m/%Y}", f"{hours:.1f}"])
    return path


def write(world: World, out_dir: Path) -> list[Path]:
    return [
        _audit(world, out_dir),
        _referrals(world, out_dir),
        *_sessions(world, out_dir),
        _training(world, out_dir),
    ]
