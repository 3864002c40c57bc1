"""ONS-style mid-year population estimates by 2021 LSOA, single year of age (0-89, 90 and over)
and sex, for the synthetic world.

Each 2011 LSOA gets a fixed age-sex profile (its IoD mid-2015 broad groups, shaped by a seeded
random draw per year of age: births and young adults vary, older ages thin out), grown 0.6% a
year from mid-2021; a 2021 LSOA is its parent's share (split) or its parents' sum (merge). The
estimates are published with a lag: mid-years from the year before the first month to the year
before the last, so a rate in the latest year uses the nearest estimate.
"""

from __future__ import annotations

import random
from functools import lru_cache

from svdw.synthetic.lsoa2021 import Lsoa2021, lsoa_changes
from svdw.synthetic.world import Lsoa, World

AGES = range(91)  # 90 means 90 and over
GROWTH = 0.006


def estimate_years(world: World) -> list[int]:
    return list(range(world.months[0].year - 1, world.last_month.year))


@lru_cache(maxsize=20_000)
def _profile(seed: int, a: Lsoa) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Female and male residents by single year of age at mid-2021 (fractional)."""
    rng = random.Random(f"{seed}:population:{a.code}")
    weights = [
        rng.uniform(0.85, 1.15) * (1.0 if age < 60 else max(0.08, 1 - (age - 60) / 32))
        for age in AGES
    ]
    weights[90] *= 2.5  # 90 and over gathers every older year
    groups = (
        (range(0, 16), a.pop_0_15),
        (range(16, 60), a.pop_16_59),
        (range(60, 91), a.pop_60_plus),
    )
    female: list[float] = [0.0] * len(AGES)
    male: list[float] = [0.0] * len(AGES)
    for ages, residents in groups:
        total = sum(weights[age] for age in ages)
        for age in ages:
            people = residents * weights[age] / total
            share = 0.49 + 0.12 * max(0, age - 60) / 30  # more women among the old
            female[age] = people * share
            male[age] = people * (1 - share)
    return tuple(female), tuple(male)


def _counts(world: World, lsoa: Lsoa2021, year: int) -> tuple[list[int], list[int]]:
    growth = (1 + GROWTH) ** (year - 2021)
    female = [0.0] * len(AGES)
    male = [0.0] * len(AGES)
    for parent in lsoa.parents:
        f, m = _profile(world.seed, parent)
        for age in AGES:
            female[age] += f[age] * lsoa.share * growth
            male[age] += m[age] * lsoa.share * growth
    return [round(v) for v in female], [round(v) for v in male]


def estimate_rows(world: World, year: int) -> list[list[object]]:
    """The rows of the mid-year's sheet: LAD, LSOA, Total, F0..F90, M0..M90."""
    rows = []
    for lsoa in lsoa_changes(world).lsoas_2021:
        female, male = _counts(world, lsoa, year)
        rows.append(
            [lsoa.district_code, lsoa.district_name, lsoa.code, lsoa.name,
             sum(female) + sum(male), *female, *male]
        )  # fmt: skip
    return rows
