"""Youth justice case-level offences and outcomes, one file per financial-year quarter.

Children are the World's at-risk children picked with its risk skew, so a few children have
several offences (reoffending) while most have one; a child's first outcomes are mostly
pre-court and later ones escalate through first-tier and community to custody, so first-time
entrants (first youth caution, conditional caution or court outcome) and reoffending can be
derived. Knife/weapon involvement follows the offence group. The same UPNs and PNC ids appear
in education and police records.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from svdw.contracts import get_contract
from svdw.synthetic.world import Person, World, contract_path, csv_writer, days_in

# Proven offences by children a month for a ~1.2M county (YJB: ~55-70).
MONTHLY_OFFENCES = 60
# group: (weight, gravity range, knife share, descriptions)
OFFENCES: dict[str, tuple[float, tuple[int, int], float, tuple[str, ...]]] = {
    "Violence against the person": (30, (3, 6), 0.12, (
        "Assault occasioning actual bodily harm", "Common assault",
        "Assault by beating of an emergency worker", "Wounding with intent (s18)")),
    "Possession of weapons": (8, (3, 5), 1.0, (
        "Possession of a bladed article in a public place",
        "Possession of an offensive weapon in a public place",
        "Possession of a bladed article on school premises")),
    "Robbery": (7, (6, 7), 0.35, ("Robbery of personal property",)),
    "Theft and handling stolen goods": (12, (2, 3), 0.0, ("Theft from a shop", "Theft - other")),
    "Criminal damage": (9, (2, 3), 0.0, ("Criminal damage to property valued under 5000",)),
    "Drugs offences": (10, (2, 6), 0.08, (
        "Possession of cannabis", "Possession with intent to supply class A",
        "Being concerned in the supply of class A")),
    "Public order": (7, (2, 4), 0.02, ("Using threatening behaviour (s4)", "Affray")),
    "Motoring offences": (5, (2, 4), 0.0, ("Driving without insurance", "Driving otherwise than in accordance with a licence")),
    "Sexual offences": (2, (5, 7), 0.0, ("Sexual assault",)),
    "Domestic burglary": (2, (5, 6), 0.0, ("Burglary dwelling - theft",)),
    "Non-domestic burglary": (2, (3, 4), 0.0, ("Burglary other than dwelling - theft",)),
    "Vehicle theft / unauthorised taking": (2, (3, 4), 0.0, ("Aggravated vehicle taking",)),
    "Breach of statutory order": (3, (2, 4), 0.0, ("Breach of a youth rehabilitation order",)),
    "Racially aggravated": (1, (3, 4), 0.0, ("Racially aggravated public order",)),
}  # fmt: skip
TIERS = {
    "Pre-court": ("Community Resolution", "Outcome 22", "Youth Caution", "Youth Conditional Caution"),
    "First-tier": ("Referral Order", "Conditional Discharge", "Fine", "Absolute Discharge"),
    "Community": ("Youth Rehabilitation Order", "Youth Rehabilitation Order with ISS"),
    "Custody": ("Detention and Training Order", "Section 250 Detention"),
}  # fmt: skip
ETHNICITIES = {"White": 72, "Mixed": 9, "Asian or Asian British": 6,
               "Black or Black British": 10, "Other ethnic group": 2, "Not known": 1}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Offence:
    person: Person
    child_id: str
    offence_id: str
    offence_date: date
    outcome_date: date
    group: str
    description: str
    gravity: int
    knife: bool
    tier: str
    outcome: str


def _quarter(day: date) -> str:
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d} Q{((day.month - 4) % 12) // 3 + 1}"


def ethnicity(world: World, person: Person) -> str:
    rng = world.rng("youth_justice", "ethnicity", person.index)
    return rng.choices(list(ETHNICITIES), list(ETHNICITIES.values()))[0]


def _child(world: World, rng: random.Random) -> Person:
    """Two in five offences come from a small prolific core (the highest-risk 2% of children),
    the rest from the risk-skewed cohort: so some children reoffend, most offend once."""
    span = world.people.cohort_range("child")
    if rng.random() < 0.4:
        return world.people[span.start + rng.randrange(max(1, len(span) // 50))]
    return world.people.pick(rng, cohort="child", skew=2.0)


@cache
def offences(world: World) -> tuple[Offence, ...]:
    """Every proven offence with an outcome in the world's months, oldest outcome first."""
    out: list[Offence] = []
    history: dict[int, int] = {}  # person index -> outcomes so far (escalation)
    for month in world.months:
        rng = world.rng("youth_justice", f"{month:%Y-%m}")
        expected = MONTHLY_OFFENCES * world.scale_factor
        for _ in range(max(0, round(rng.gauss(expected, expected**0.5)))):
            outcome_date = rng.choice(days_in(month))
            offence_date = outcome_date - timedelta(days=int(rng.expovariate(1 / 45)) + 1)
            person = _child(world, rng)
            if not 10 <= person.age_on(offence_date) <= 17:
                continue
            group = rng.choices(list(OFFENCES), [o[0] for o in OFFENCES.values()])[0]
            _weight, (low, high), knife_share, descriptions = OFFENCES[group]
            gravity = rng.randint(low, high)
            knife = rng.random() < knife_share
            prior = history.get(person.index, 0)
            history[person.index] = prior + 1
            severity = prior + (gravity - 3) / 2 + (1 if knife else 0) + rng.gauss(0, 0.8)
            tier = (
                "Pre-court" if severity < 1.2 else "First-tier" if severity < 2.8
                else "Community" if severity < 4.5 else "Custody"
            )  # fmt: skip
            outcomes = TIERS[tier]
            outcome = outcomes[min(len(outcomes) - 1, int(rng.random() * len(outcomes)))]
            if tier == "Pre-court" and prior == 0:
                outcome = rng.choices(outcomes, (0.35, 0.25, 0.25, 0.15))[0]
            out.append(
                Offence(
                    person=person,
                    child_id=f"C{(person.index * 7907 + world.seed) % 10_000_000:07d}",
                    offence_id=f"OFF-{len(out) + 100001:06d}",
                    offence_date=offence_date,
                    outcome_date=outcome_date,
                    group=group,
                    description=rng.choice(descriptions),
                    gravity=gravity,
                    knife=knife,
                    tier=tier,
                    outcome=outcome,
                )
            )
    return tuple(out)


def _by_quarter(world: World) -> Iterator[tuple[str, list[Offence]]]:
    quarters: dict[str, list[Offence]] = {}
    for offence in offences(world):
        quarters.setdefault(_quarter(offence.outcome_date), []).append(offence)
    yield from quarters.items()


def write(world: World, out_dir: Path) -> list[Path]:
    contract = get_contract("youth_justice_offences_outcomes")
    written = []
    for quarter, rows in _by_quarter(world):
        rng = world.rng("youth_justice", "file", quarter)
        name = f"YJ_case_level_offences_outcomes_{quarter.replace(' ', '_')}.csv"
        path = contract_path(out_dir, contract.name, name)
        with csv_writer(path, contract.headers, bom=True, crlf=True) as writer:
            for o in rows:
                p = o.person
                writer.writerow(
                    [quarter, o.child_id, p.upn if p.upn and rng.random() < 0.9 else "",
                     p.pnc_id if rng.random() < 0.95 else "", f"{p.date_of_birth:%d/%m/%Y}",
                     "Male" if p.sex == "M" else "Female", ethnicity(world, p), o.offence_id,
                     f"{o.offence_date:%d/%m/%Y}", o.description, o.group, o.gravity,
                     "Y" if o.knife else "N", f"{o.outcome_date:%d/%m/%Y}", o.outcome, o.tier,
                     p.home_postcode]
                )  # fmt: skip
        written.append(path)
    return written
