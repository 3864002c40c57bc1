"""The evaluation panel straight from the synthetic partnership's own records (perfect linkage):
police contact and youth justice outcomes of everyone, every referral. Used to check the engine
against the effects the generator planted (svdw.synthetic.programme_effects)."""

from __future__ import annotations

from functools import cache

import pandas as pd

from svdw.evaluation.panel import Panel, month_index
from svdw.synthetic import youth_justice
from svdw.synthetic.incidents import forces, incidents
from svdw.synthetic.providers import referrals
from svdw.synthetic.world import World


@cache
def truth_panel(world: World) -> Panel:
    events: list[tuple[int, str, int]] = []
    for force in forces(world):
        for month in world.months:
            for incident in incidents(world, force, month):
                if incident.offence is not None:
                    for person in {*incident.victims, *incident.suspects}:
                        events.append((person.index, "police_contact", month_index(month)))
    for offence in youth_justice.offences(world):
        month = month_index(offence.outcome_date)
        events.append((offence.person.index, "youth_justice_outcome", month))
    referred = [
        (r.person.index, r.programme, month_index(r.received),
         any(status == "Started" for status, _ in r.statuses))
        for r in referrals(world)
    ]  # fmt: skip
    ids = sorted({e[0] for e in events} | {r[0] for r in referred})
    people = pd.DataFrame(
        [(i, world.people[i].sex, world.people[i].date_of_birth.year) for i in ids],
        columns=["person_id", "sex", "birth_year"],
    )
    return Panel(
        people=people,
        events=pd.DataFrame(events, columns=["person_id", "outcome", "month"]),
        referrals=pd.DataFrame(referred, columns=["person_id", "programme", "month", "started"]),
        first_month=month_index(world.months[0]),
        last_month=month_index(world.months[-1]),
    )
