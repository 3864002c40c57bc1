"""Violent incidents of one force and month: the events police and health extracts both record.

`incidents(world, force, month)` yields the same incidents every time it is called (its own
random stream), so the police writer and the health writers can each regenerate them, one month
at a time, without holding anything: a police crime whose victim went to ED is the same person
(same `Person`, so the same NHS number) in the ED attendance. Incidents the police never hear of
(`crime_ref` None) appear only in health data, and are about as many as the ED attendances
that police do know of, so roughly half of ED assault attendances are unknown to police.

Patterns built in: summer peak (+/-15%), weekend and night peaks, violence concentrated in
night-time-economy and deprived LSOAs, victims and suspects mostly male 18-29, knife crime about
20% domestic-abuse related, 15% alcohol-related, 5% drug-related.
"""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from svdw.contracts import code_list_path
from svdw.synthetic.programme_effects import apply_effects
from svdw.synthetic.world import Cohort, Geography, Lsoa, Person, World, days_in


@dataclass(frozen=True, slots=True)
class Offence:
    code: str  # Home Office offence code
    description: str
    police_uk: str  # police.uk crime type
    monthly: float  # recorded per month in a ~1.2M-resident county
    knife: float  # share involving a knife or sharp instrument
    weapon: float  # share involving any other weapon
    domestic: float  # share domestic-abuse related (when no knife)
    ed: float  # share whose victim attends an emergency department
    sexual: bool = False


def _official_names() -> dict[str, tuple[str, str]]:
    """Code -> (official name, police.uk crime type) from the official code list (the seed the
    contract validates against), so the generator never retypes a name."""
    with code_list_path("home_office_offence_classifications").open(encoding="utf-8") as handle:
        return {
            r["code"]: (r["offence_name"], r["police_uk_crime_type"])
            for r in csv.DictReader(handle)
        }


# Home Office codes with their relative frequency from police recorded crime by offence code,
# England and Wales, year ending March 2023 (ONS "Crime in England and Wales: Appendix tables",
# table A4, and the Home Office police recorded crime open data tables by offence code), rounded;
# per month here = E&W annual count / 1,000 (about 0.6 of a 1.2M-resident county's per-capita
# share, which keeps the synthetic partnership light). Knife shares follow ONS "offences
# involving a knife or sharp instrument" (roughly 40% of homicides, 45% of attempted murders,
# 20% of assaults with intent to cause serious harm, 15% of robberies); the other shares are
# plausible values, not published figures.
#      code    E&W/yr  knife  weapon domestic  ed    sexual
_FREQUENCIES = (
    ("1/1",      450,  0.45, 0.2,  0.3,  1.0,  False),
    ("1/2",       10,  0.1,  0.0,  0.6,  1.0,  False),
    ("4/1",      140,  0.3,  0.2,  0.3,  1.0,  False),
    ("4/2",        2,  0.0,  0.0,  1.0,  1.0,  False),
    ("4/10",       4,  0.0,  0.0,  0.0,  1.0,  False),
    ("4/4",      450,  0.0,  0.0,  0.0,  0.6,  False),
    ("2",        800,  0.45, 0.2,  0.25, 0.95, False),
    ("3A",       150,  0.1,  0.1,  0.2,  0.0,  False),
    ("3B",     33000,  0.15, 0.05, 0.45, 0.0,  False),
    ("5D",     29000,  0.2,  0.2,  0.25, 0.75, False),
    ("5E",      2500,  0.05, 0.3,  0.2,  0.3,  False),
    ("8N",    510000,  0.02, 0.05, 0.35, 0.12, False),
    ("8P",      6000,  0.01, 0.05, 0.0,  0.1,  False),
    ("8S",     11000,  0.01, 0.02, 0.0,  0.05, False),
    ("104",    40000,  0.0,  0.0,  0.0,  0.0,  False),
    ("105A",  560000,  0.005, 0.02, 0.35, 0.0, False),
    ("105B",   30000,  0.0,  0.0,  0.0,  0.0,  False),
    ("11A",    20000,  0.0,  0.0,  0.6,  0.0,  False),
    ("36",      9000,  0.05, 0.05, 0.3,  0.0,  False),
    ("8L",    130000,  0.0,  0.0,  0.4,  0.0,  False),
    ("8M",     10000,  0.0,  0.0,  0.0,  0.0,  False),
    ("8Q",    130000,  0.0,  0.0,  0.6,  0.0,  False),
    ("8R",    260000,  0.0,  0.0,  0.4,  0.0,  False),
    ("8U",     50000,  0.0,  0.0,  1.0,  0.0,  False),
    ("19C",    47000,  0.005, 0.0, 0.4,  0.05, True),
    ("19D",     6500,  0.0,  0.0,  0.3,  0.0,  True),
    ("19E",     5500,  0.0,  0.0,  0.3,  0.0,  True),
    ("19F",     3000,  0.0,  0.0,  0.3,  0.0,  True),
    ("19G",     1200,  0.0,  0.0,  0.3,  0.0,  True),
    ("19H",     2300,  0.0,  0.0,  0.3,  0.0,  True),
    ("20A",    55000,  0.002, 0.0, 0.15, 0.0,  True),
    ("20B",     7000,  0.0,  0.0,  0.2,  0.0,  True),
    ("17A",     5000,  0.0,  0.0,  0.1,  0.0,  True),
    ("17B",     3500,  0.0,  0.0,  0.2,  0.0,  True),
    ("88E",    10000,  0.0,  0.0,  0.05, 0.0,  True),
    ("34B",    66000,  0.15, 0.08, 0.02, 0.06, False),
    ("34A",     9000,  0.2,  0.15, 0.0,  0.02, False),
    ("10D",    27000,  1.0,  0.0,  0.05, 0.0,  False),
    ("10C",    14000,  0.0,  1.0,  0.03, 0.0,  False),
    ("10A",     2000,  0.0,  1.0,  0.02, 0.0,  False),
    ("10B",     4000,  0.0,  1.0,  0.02, 0.0,  False),
)  # fmt: skip
_NAMES = _official_names()
OFFENCES = tuple(
    Offence(code, *_NAMES[code], yearly / 1000, knife, weapon, domestic, ed, sexual)
    for code, yearly, knife, weapon, domestic, ed, sexual in _FREQUENCIES
)
HOMICIDE_CODES = frozenset(("1/1", "1/2", "4/1", "4/2", "4/10"))
OFFENCE_WEIGHTS = [o.monthly for o in OFFENCES]
# Day-of-week (Mon..Sun) and hour-of-day weights: weekend and night-time peaks.
WEEKDAY = (0.85, 0.8, 0.85, 0.95, 1.2, 1.55, 1.35)
HOUR = (2.2, 2.0, 1.5, 0.9, 0.5, 0.3, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8,
        0.9, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.7, 1.9, 2.2, 2.4)  # fmt: skip
NIGHT = frozenset((21, 22, 23, 0, 1, 2, 3))
HOSPITAL_SITES = ("RWH01", "RWG02", "RQW01")


@dataclass(frozen=True, slots=True)
class Incident:
    force: str
    crime_ref: str | None  # None: never reported to the police
    occurred: datetime
    recorded: date | None
    lsoa: Lsoa
    longitude: float
    latitude: float
    offence: Offence | None  # None for incidents police never heard of
    knife: bool
    weapon: bool
    domestic: bool
    alcohol: bool
    drugs: bool
    location_type: str  # ISB 1594 style: Home, Street/road, Pub/bar/club, ...
    victims: tuple[Person, ...]
    suspects: tuple[Person, ...]
    ed: bool  # the (first) victim attended an emergency department
    admitted: bool  # ... and was admitted
    ambulance: bool  # an ambulance was called
    site: str  # the ED the victim attended


def hospital_sites(force_number: int) -> tuple[str, ...]:
    """ODS site codes of the force area's emergency departments (Hertfordshire's for the first)."""
    if force_number == 41:
        return HOSPITAL_SITES
    n = force_number - 41
    if n >= 26:  # national scale has 43 forces: letters run out, digits keep 5 characters
        return tuple(f"R{n:02d}X{k}" for k in (1, 2, 3))
    return tuple(f"R{chr(ord('A') + n)}X0{k}" for k in (1, 2, 3))


def season(month: date) -> float:
    """Violence peaks in July and troughs in January (+/-15%)."""
    return 1 + 0.15 * math.cos((month.month - 7) / 12 * 2 * math.pi)


def _when(rng: random.Random, days: list[date], domestic: bool) -> datetime:
    day = rng.choices(days, [WEEKDAY[d.weekday()] for d in days])[0]
    hours = [h * (0.6 if domestic and (h in NIGHT) else 1) for h in HOUR]
    hour = rng.choices(range(24), hours)[0]
    return datetime.combine(day, time(hour, rng.randrange(60)))


def _location_type(rng: random.Random, domestic: bool, nte: bool, hour: int, child: bool) -> str:
    if domestic:
        return "Home" if rng.random() < 0.9 else "Street/road"
    if nte and hour in NIGHT and rng.random() < 0.6:
        return "Pub/bar/club"
    if child and 8 <= hour <= 15 and rng.random() < 0.3:
        return "School/college"
    return rng.choices(
        ("Street/road", "Home", "Park/open space", "Shop", "Public transport", "Workplace",
         "Other"),
        (45, 15, 10, 8, 8, 6, 8),
    )[0]  # fmt: skip


def force_geography(world: World, force: str) -> Geography:
    cache: dict[str, Geography] = world.__dict__.setdefault("_force_geography", {})
    if force not in cache:
        lsoas = [a for a in world.geography.lsoas if a.force == force]
        counties = [c for c in world.geography.counties if c.force == force]
        cache[force] = Geography(lsoas, counties)
    return cache[force]


def forces(world: World) -> list[str]:
    return [c.force for c in world.geography.counties]


def incidents(world: World, force: str, month: date, planted: bool = True) -> Iterator[Incident]:
    """Every violent incident of one force in one month (police-recorded first, then unknown
    to police), always the same for the same world. With `planted`, programme participants'
    contact is reduced by their programme's planted effect (svdw.synthetic.programme_effects)."""
    for n, incident in enumerate(_drawn_incidents(world, force, month)):
        yield apply_effects(world, incident, f"{force}:{month:%Y-%m}:{n}") if planted else incident


def _drawn_incidents(world: World, force: str, month: date) -> Iterator[Incident]:
    rng = world.rng("incidents", force, f"{month:%Y-%m}")
    geography = force_geography(world, force)
    scale = sum(a.population for a in geography.lsoas) / 1_200_000 * season(month)
    days = list(days_in(month))
    force_number = 41 + forces(world).index(force)
    expected = sum(o.monthly for o in OFFENCES) * scale
    count = max(0, round(rng.gauss(expected, math.sqrt(expected))))
    police_ed = 0.0
    for serial in range(1, count + 1):
        offence = rng.choices(OFFENCES, OFFENCE_WEIGHTS)[0]
        incident = _incident(world, rng, geography, days, offence, force, force_number, serial)
        police_ed += incident.ed
        yield incident
    # As many again that police never hear of, seen only by health services.
    for _ in range(max(0, round(rng.gauss(police_ed, math.sqrt(police_ed + 1))))):
        yield _incident(world, rng, geography, days, None, force, force_number, 0)


def _incident(
    world: World,
    rng: random.Random,
    geography: Geography,
    days: list[date],
    offence: Offence | None,
    force: str,
    force_number: int,
    serial: int,
) -> Incident:
    knife = rng.random() < (offence.knife if offence else 0.2)
    weapon = not knife and rng.random() < (offence.weapon if offence else 0.1)
    # Knife crime is ~20% domestic abuse; otherwise the offence's own share.
    domestic = rng.random() < (0.2 if knife else offence.domestic if offence else 0.15)
    occurred = _when(rng, days, domestic)
    lsoa = geography.pick_lsoa(rng, "population" if domestic else "violence")
    night = occurred.hour in NIGHT
    alcohol = rng.random() < (0.3 if lsoa.night_time_economy and night else 0.12)
    drugs = rng.random() < 0.05
    people = world.people
    sexual = offence is not None and offence.sexual
    if domestic or sexual:
        cohort: Cohort = "young_adult" if rng.random() < 0.6 else "adult"
        victim = people.pick(rng, cohort, "F" if sexual or rng.random() < 0.8 else "M")
        victims: tuple[Person, ...] = (victim,)
        other = "M" if victim.sex == "F" else "F"
        suspects: tuple[Person, ...] = (people.pick(rng, victim.cohort, other),)
    else:
        robbery = offence is not None and offence.police_uk == "Robbery"
        victim_cohort: Cohort = rng.choices(
            ("child", "young_adult", "adult"), (0.3, 0.5, 0.2) if robbery else (0.07, 0.83, 0.10)
        )[0]
        # Two victims may be one person drawn twice: each victim once (as for suspects below).
        victims = tuple(
            dict.fromkeys(
                people.pick(rng, victim_cohort, "M" if rng.random() < 0.9 else None)
                for _ in range(2 if rng.random() < 0.08 else 1)
            )
        )
        if offence is not None and offence.police_uk == "Possession of weapons":
            victims = ()
        named = rng.random() < (0.85 if offence and offence.ed > 0.5 else 0.65)
        # A group may draw one person twice: each suspect once (the extract has one row per
        # crime, victim and suspect, and the raw gate rejects duplicate rows).
        suspects = tuple(
            dict.fromkeys(
                people.pick(
                    rng,
                    rng.choices(("child", "young_adult", "adult"), (0.2, 0.68, 0.12))[0],
                    "M" if rng.random() < 0.9 else None,
                )
                for _ in range((3 if rng.random() < 0.1 else 1) if named else 0)
            )
        )
        if offence is not None and offence.police_uk == "Possession of weapons" and not suspects:
            suspects = (people.pick(rng, "young_adult", "M"),)
    ed_share = (0.35 if knife else 0.1) if offence is None else offence.ed
    if offence is not None and knife and offence.police_uk == "Robbery":
        ed_share = 0.3
    ed = bool(victims) and (offence is None or rng.random() < ed_share)
    admitted = ed and rng.random() < (1.0 if offence and offence.code in HOMICIDE_CODES else
                                      0.35 if knife else 0.12)  # fmt: skip
    ambulance = (ed and rng.random() < 0.5) or (bool(victims) and rng.random() < 0.02)
    recorded = None
    if offence is not None:
        recorded = min(days[-1], occurred.date() + timedelta(days=int(rng.expovariate(0.8))))
    return Incident(
        force=force,
        crime_ref=f"{force_number}/{days[0]:%m}{serial:05d}/{days[0]:%y}" if offence else None,
        occurred=occurred,
        recorded=recorded,
        lsoa=lsoa,
        longitude=round(lsoa.longitude + rng.uniform(-0.006, 0.006), 6),
        latitude=round(lsoa.latitude + rng.uniform(-0.004, 0.004), 6),
        offence=offence,
        knife=knife,
        weapon=weapon,
        domestic=domestic,
        alcohol=alcohol,
        drugs=drugs,
        location_type=_location_type(
            rng, domestic, lsoa.night_time_economy, occurred.hour, victims[0].cohort == "child"
        )
        if victims
        else "Street/road",
        victims=victims,
        suspects=suspects,
        ed=ed,
        admitted=admitted,
        ambulance=ambulance,
        site=rng.choice(hospital_sites(force_number)),
    )
