"""England and Wales at their real shape, for `svdw generate --scale national` (benchmarks).

The 43 territorial police forces with their real names (as police.uk's "Reported by" column
spells them), police.uk file-name slugs and ONS police force area codes, each with its residents
(ONS mid-2019 police force area estimates: the values of dbt/seeds/comparators/
police_force_area_population.csv, and, for the six forces that seed lacks, the ONS mid-2019
estimates rounded to the thousand). Each force area gets LSOAs in proportion to its residents,
so the country has as many as England and Wales had in 2011 (34,753: ONS, "Lower layer Super
Output Areas (December 2011) names and codes"). Hertfordshire is the real county when a
reference folder is given, as at county scale; the other 42 are synthetic grids of districts
of ~69 LSOAs (svdw.synthetic.world._synthetic_county).

The synthetic LSOAs under-count crime a little (the violence volumes are 0.6 of the real
per-capita share, incidents.py), so the non-violent police.uk crime types are scaled by
STREET_RATE_FACTOR at this scale: a month then has about 500,000 police.uk street rows, as the
real all-forces files do (October 2018: 377k rows for the 39 forces in ../shared/realdata, which
lack the Metropolitan, Greater Manchester, West Midlands and West Yorkshire forces).
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import NamedTuple

LSOAS_2011 = 34_753  # England 32,844 + Wales 1,909
LSOAS_PER_DISTRICT = 69
# Other (non-violent) police.uk crime per resident at national scale over the county default:
# real Hertfordshire has ~9,900 street rows a month (October 2018) where the county has ~7,800.
STREET_RATE_FACTOR = 1.35


class ForceArea(NamedTuple):
    force: str  # as police.uk's "Reported by" column and the comparator seeds spell it
    area: str  # the area's name; lower-cased and hyphenated, the police.uk file-name slug
    code: str  # ONS police force area code
    population: int  # ONS mid-2019 estimate


FORCE_AREAS = (
    ForceArea("Hertfordshire Constabulary", "Hertfordshire", "E23000027", 1_189_519),
    ForceArea("Metropolitan Police Service", "Metropolitan", "E23000001", 8_962_000),
    ForceArea("Cumbria Constabulary", "Cumbria", "E23000002", 500_012),
    ForceArea("Lancashire Constabulary", "Lancashire", "E23000003", 1_508_941),
    ForceArea("Merseyside Police", "Merseyside", "E23000004", 1_429_910),
    ForceArea("Greater Manchester Police", "Greater Manchester", "E23000005", 2_835_686),
    ForceArea("Cheshire Constabulary", "Cheshire", "E23000006", 1_066_647),
    ForceArea("Northumbria Police", "Northumbria", "E23000007", 1_463_903),
    ForceArea("Durham Constabulary", "Durham", "E23000008", 636_897),
    ForceArea("North Yorkshire Police", "North Yorkshire", "E23000009", 828_672),
    ForceArea("West Yorkshire Police", "West Yorkshire", "E23000010", 2_332_469),
    ForceArea("South Yorkshire Police", "South Yorkshire", "E23000011", 1_409_020),
    ForceArea("Humberside Police", "Humberside", "E23000012", 932_806),
    ForceArea("Cleveland Police", "Cleveland", "E23000013", 569_141),
    ForceArea("West Midlands Police", "West Midlands", "E23000014", 2_928_592),
    ForceArea("Staffordshire Police", "Staffordshire", "E23000015", 1_135_935),
    ForceArea("West Mercia Police", "West Mercia", "E23000016", 1_291_577),
    ForceArea("Warwickshire Police", "Warwickshire", "E23000017", 577_933),
    ForceArea("Derbyshire Constabulary", "Derbyshire", "E23000018", 1_059_996),
    ForceArea("Nottinghamshire Police", "Nottinghamshire", "E23000019", 1_311_627),
    ForceArea("Lincolnshire Police", "Lincolnshire", "E23000020", 761_224),
    ForceArea("Leicestershire Police", "Leicestershire", "E23000021", 1_100_306),
    ForceArea("Northamptonshire Police", "Northamptonshire", "E23000022", 753_278),
    ForceArea("Cambridgeshire Constabulary", "Cambridgeshire", "E23000023", 855_796),
    ForceArea("Norfolk Constabulary", "Norfolk", "E23000024", 907_760),
    ForceArea("Suffolk Constabulary", "Suffolk", "E23000025", 761_350),
    ForceArea("Bedfordshire Police", "Bedfordshire", "E23000026", 674_992),
    ForceArea("Essex Police", "Essex", "E23000028", 1_846_655),
    ForceArea("Thames Valley Police", "Thames Valley", "E23000029", 2_422_000),
    ForceArea("Hampshire Constabulary", "Hampshire", "E23000030", 1_991_738),
    ForceArea("Surrey Police", "Surrey", "E23000031", 1_196_236),
    ForceArea("Kent Police", "Kent", "E23000032", 1_860_111),
    ForceArea("Sussex Police", "Sussex", "E23000033", 1_712_094),
    ForceArea("City of London Police", "City of London", "E23000034", 9_721),
    ForceArea("Devon & Cornwall Police", "Devon and Cornwall", "E23000035", 1_772_541),
    ForceArea("Avon and Somerset Constabulary", "Avon and Somerset", "E23000036", 1_719_029),
    ForceArea("Gloucestershire Constabulary", "Gloucestershire", "E23000037", 637_070),
    ForceArea("Wiltshire Police", "Wiltshire", "E23000038", 722_217),
    ForceArea("Dorset Police", "Dorset", "E23000039", 773_839),
    ForceArea("North Wales Police", "North Wales", "W15000001", 700_000),
    ForceArea("Gwent Police", "Gwent", "W15000002", 594_000),
    ForceArea("South Wales Police", "South Wales", "W15000003", 1_338_000),
    ForceArea("Dyfed-Powys Police", "Dyfed-Powys", "W15000004", 519_000),
)
# Postcode areas for the synthetic forces' districts: real area letters, Hertfordshire's own
# (AL, SG, WD, EN, HP) left out so no synthetic postcode collides with the real county's.
POSTCODE_AREAS = (
    "B", "BA", "BB", "BD", "BH", "BL", "BN", "BR", "BS", "CA", "CB", "CF", "CH", "CM", "CO",
    "CR", "CT", "CV", "CW", "DA", "DE", "DH", "DL", "DN", "DT", "DY", "E", "EC", "EX", "FY",
    "GL", "GU", "HA", "HD", "HG", "HR", "HU", "HX", "IG", "IP", "KT", "L", "LA", "LD", "LE",
    "LL", "LN", "LS", "LU", "M", "ME", "MK", "N", "NE", "NG", "NN", "NP", "NR", "NW", "OL",
    "OX", "PE", "PL", "PO", "PR", "RG", "RH", "RM", "S", "SA", "SE", "SK", "SL", "SM", "SN",
    "SO", "SP", "SR", "SS", "ST", "SW", "SY", "TA", "TF", "TN", "TQ", "TR", "TS", "TW", "UB",
    "W", "WA", "WC", "WF", "WN", "WR", "WS", "WV", "YO",
)  # fmt: skip


def lsoa_count(force_area: ForceArea) -> int:
    """The force area's share of England and Wales's LSOAs, by residents (at least one district)."""
    total = sum(f.population for f in FORCE_AREAS)
    return max(LSOAS_PER_DISTRICT, round(LSOAS_2011 * force_area.population / total))


def district_postcode(global_district: int) -> tuple[str, int]:
    """A unique (postcode area, district number) for the n-th synthetic district nationally."""
    return (
        POSTCODE_AREAS[global_district % len(POSTCODE_AREAS)],
        global_district // len(POSTCODE_AREAS) + 1,
    )


def national_geography(seed: int, reference_dir: Path | None) -> tuple[list, list]:
    """(counties, lsoas) of England and Wales: one "county" per police force area."""
    from svdw.synthetic.world import _real_county, _synthetic_county

    rng = random.Random(f"{seed}:geography")
    counties: list = []
    lsoas: list = []
    districts = 0
    for c, force_area in enumerate(FORCE_AREAS):
        if c == 0 and reference_dir is not None:
            county, areas = _real_county(rng, reference_dir)
        else:
            county, areas = _synthetic_county(
                rng,
                c,
                len(lsoas),
                force_area=force_area,
                district_start=districts,
                lsoas=lsoa_count(force_area),
            )
            districts += len({a.district_code for a in areas})
        counties.append(county)
        lsoas.extend(areas)
    return counties, lsoas
