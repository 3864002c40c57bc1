"""Known programme effects and referral on rising contact: the ground truth evaluation recovers.

Two things real partnerships do, planted so the evaluation engine (svdw.evaluation) can be
checked against a known answer:

- Referral follows rising contact. Besides the referrals that arrive for other reasons
  (svdw.synthetic.providers), a child (10-17) with police contact (as victim or suspect) in the
  last three calendar months is referred that month with a chance that grows with the count
  (`rising_referral_chance`), unless referred before. Police contact is a stationary,
  person-level rate (the World's risk skew), so a spell of contact tends to fall back on its
  own: regression to the mean, which a before/after count mistakes for a programme effect.
- Each programme has a planted effect (`PLANTED_EFFECTS`, 0 when not listed): for 12 months
  from the referral of a young person who goes on to start it, each police contact of theirs is
  prevented with that probability (the incident still happens, with someone else involved).
  Youth justice outcomes, ED attendances and exclusions carry no planted effect.

Referral uses the police contact *before* any effect is applied (`contact_months`), which keeps
the two steps acyclic; a prevented contact after a first referral never triggers a second one
anyway, since only a first referral counts.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import date, timedelta
from functools import cache
from typing import TYPE_CHECKING

from svdw.synthetic.world import Person, World

if TYPE_CHECKING:
    from svdw.synthetic.incidents import Incident

# Relative change in police contact over the 12 months from referral, for starters.
PLANTED_EFFECTS: dict[str, float] = {
    "Turning Point Mentoring": -0.30,  # cuts police contact by 30%
    "Box Clever": 0.0,  # no effect
    "A&E Navigators": -0.30,  # works as well, but too few young people to tell
}
EFFECT_DAYS = 365
# How the partnership routes a referral on rising contact (relative weights by programme).
RISING_ROUTE_WEIGHTS: dict[str, float] = {
    "Turning Point Mentoring": 6.0,
    "Box Clever": 6.0,
    "A&E Navigators": 0.3,
}
RISING_AGES = (10, 17)
RECENT_MONTHS = 3


def rising_referral_chance(recent_contacts: int) -> float:
    """Chance of a referral this month given police contacts in the last three months."""
    return (0.0, 0.2, 0.35)[recent_contacts] if recent_contacts < 3 else 0.5


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


@cache
def contact_months(world: World) -> dict[int, Counter[int]]:
    """Child (10-17) index -> police contacts (victim or suspect) per month index, before any
    effect is applied."""
    from svdw.synthetic.incidents import forces, incidents

    children = world.people.cohort_range("child")
    out: dict[int, Counter[int]] = {}
    for force in forces(world):
        for month in world.months:
            for incident in incidents(world, force, month, planted=False):
                if incident.offence is None:
                    continue
                for person in {*incident.victims, *incident.suspects}:
                    if person.index in children:
                        out.setdefault(person.index, Counter())[month_index(month)] += 1
    return out


@cache
def rising_contact(world: World) -> dict[int, tuple[tuple[int, int], ...]]:
    """Month index -> (child index, police contacts in the three months before), for the
    children with any such contact, in index order."""
    out: dict[int, list[tuple[int, int]]] = {}
    for index, history in sorted(contact_months(world).items()):
        for month in {m + k for m in history for k in range(1, RECENT_MONTHS + 1)}:
            recent = sum(history.get(month - k, 0) for k in range(1, RECENT_MONTHS + 1))
            out.setdefault(month, []).append((index, recent))
    return {m: tuple(sorted(v)) for m, v in out.items()}


@cache
def _participant_windows(world: World) -> dict[int, tuple[tuple[date, date, float], ...]]:
    from svdw.synthetic.providers import referrals

    windows: dict[int, list[tuple[date, date, float]]] = {}
    for r in referrals(world):
        effect = PLANTED_EFFECTS.get(r.programme, 0.0)
        if effect < 0 and any(status == "Started" for status, _ in r.statuses):
            end = r.received + timedelta(days=EFFECT_DAYS)
            windows.setdefault(r.person.index, []).append((r.received, end, -effect))
    return {k: tuple(v) for k, v in windows.items()}


def _prevention(world: World, person: Person, day: date) -> float:
    chances = [p for start, end, p in _participant_windows(world).get(person.index, ()) if
               start < day <= end]  # fmt: skip
    return max(chances, default=0.0)


def apply_effects(world: World, incident: Incident, key: str) -> Incident:
    """The incident with each participant's contact prevented with the programme's probability
    (someone not on a programme is involved instead). Its own random stream per incident, so
    every other draw of the generator stays as it was."""
    day = incident.occurred.date()
    if not any(_prevention(world, p, day) for p in (*incident.victims, *incident.suspects)):
        return incident
    rng = world.rng("programme-effects", key)

    def swap(people: tuple[Person, ...]) -> tuple[Person, ...]:
        out = []
        for person in people:
            chance = _prevention(world, person, day)
            if chance and rng.random() < chance:
                for _ in range(10):
                    other = world.people.pick(rng, person.cohort, person.sex)
                    if not _prevention(world, other, day):
                        person = other
                        break
            out.append(person)
        return tuple(dict.fromkeys(out))

    return dataclasses.replace(
        incident, victims=swap(incident.victims), suspects=swap(incident.suspects)
    )
