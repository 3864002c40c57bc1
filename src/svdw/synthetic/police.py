"""Police extracts: police.uk street-level crime and outcomes files (one per force per month)
and the force's own crime extract (one row per crime, victim and suspect).

Violence, robbery and weapons crimes come from the shared incident stream (`incidents.py`), so
police.uk, the force extract and health data describe the same events; other crime types are
drawn per LSOA. Rows stream to disk one force-month at a time.
"""

from __future__ import annotations

import hashlib
import math
import random
from datetime import date
from pathlib import Path

from svdw.contracts import get_contract
from svdw.synthetic.exploitation import exploitation_flags
from svdw.synthetic.incidents import Incident, force_geography, forces, incidents
from svdw.synthetic.lsoa2021 import lsoa_changes
from svdw.synthetic.national import STREET_RATE_FACTOR
from svdw.synthetic.world import World, contract_path, csv_writer

# police.uk files publish 2011 LSOAs in older months and 2021 LSOAs in recent ones: the synthetic
# files switch at this month, so a run spanning it exercises both vintages.
LSOA_2021_FROM = date(2023, 1, 1)
# Real files snap about 0.7% of a force's records to an LSOA over its boundary (Barnet, Arun...):
# a few synthetic records go to LSOAs of a neighbouring (not generated) area.
OUTSIDE_SHARE = 0.007
NEIGHBOUR_LSOAS = tuple((f"E0199{k:04d}", f"Neighbourshire {k // 4 + 1:03d}{'ABCD'[k % 4]}")
                        for k in range(40))  # fmt: skip

# Monthly counts of the crime types that are not violence, for a ~1.2M-resident county.
OTHER_CRIME = {
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
}
OUTCOMES = (
    ("Investigation complete; no suspect identified", 40),
    ("Unable to prosecute suspect", 25),
    ("Suspect charged as part of another case", 3),
    ("Offender given a caution", 4),
    ("Local resolution", 5),
    ("Formal action is not in the public interest", 3),
    ("Further investigation is not in the public interest", 2),
    ("Action to be taken by another organisation", 2),
    ("Awaiting court outcome", 8),
    ("Offender sent to prison", 3),
    ("Offender given community sentence", 2),
    ("Offender fined", 2),
    ("Defendant found not guilty", 1),
)
STREETS = (
    "High Street", "Station Road", "Church Lane", "Park Road", "Mill Way", "Victoria Close",
    "London Road", "Queens Road", "The Parade", "Market Place", "Bus Station", "Nightclub",
    "Shopping Area", "Sports/Recreation Area", "Supermarket", "Petrol Station", "Parking Area",
)  # fmt: skip


def force_slug(world: World, force: str) -> str:
    county = next(c for c in world.geography.counties if c.force == force)
    return county.name.lower().replace(" ", "-")


def crime_id(world: World, reference: str) -> str:
    return hashlib.sha256(f"{world.seed}:{reference}".encode()).hexdigest()


def _flag(value: bool) -> str:
    return "Y" if value else "N"


def _dob(value: date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


def _force_rows(world: World, incident: Incident) -> list[list[object]]:
    """One row per crime, victim and suspect (an empty side when there is none)."""
    offence = incident.offence
    assert offence is not None and incident.recorded is not None and incident.crime_ref
    flags = exploitation_flags(world, incident)
    rows: list[list[object]] = []
    for victim in incident.victims or (None,):
        for suspect in incident.suspects or (None,):
            rows.append(
                [
                    incident.crime_ref,
                    f"{incident.recorded:%d/%m/%Y}",
                    f"{incident.occurred:%d/%m/%Y %H:%M}",
                    offence.code,
                    offence.description,
                    offence.police_uk,
                    incident.lsoa.code,
                    _flag(incident.weapon or incident.knife),
                    _flag(incident.knife),
                    _flag(incident.domestic),
                    _flag(incident.alcohol),
                    _flag(incident.drugs),
                    victim.nominal_id if victim else "",
                    _dob(victim.date_of_birth if victim else None),
                    victim.sex if victim else "",
                    suspect.nominal_id if suspect else "",
                    suspect.pnc_id if suspect else "",
                    _dob(suspect.date_of_birth if suspect else None),
                    suspect.sex if suspect else "",
                    _flag(flags.county_lines),
                    _flag(flags.child_criminal_exploitation),
                    _flag(flags.child_sexual_exploitation),
                    _flag(flags.cuckooing),
                ]
            )
    return rows


def _street_rows(
    world: World, rng: random.Random, force: str, month: date, violent: list[Incident]
) -> list[tuple[str, list[object]]]:
    """(crime reference, police.uk row) for every crime and ASB report of the force-month."""
    geography = force_geography(world, force)
    changes = lsoa_changes(world)
    scale = sum(a.population for a in geography.lsoas) / 1_200_000
    rows: list[tuple[str, list[object]]] = []

    def row(ref: str, crime_type: str, lsoa_code: str | None, lon: float, lat: float) -> None:
        asb = crime_type == "Anti-social behaviour"
        if lsoa_code is None:
            place: list[object] = ["", "", "No location", "", ""]
        else:
            a = geography.lsoa(lsoa_code)
            code, name = a.code, a.name
            if month >= LSOA_2021_FROM:
                part = changes.code_2021(a.code, ref)
                code, name = part.code, part.name
            place = [
                f"{lon:.6f}",
                f"{lat:.6f}",
                f"On or near {rng.choice(STREETS)}",
                code,
                name,
            ]
        rows.append(
            (ref, ["" if asb else crime_id(world, ref), f"{month:%Y-%m}", force, force, *place,
                   crime_type, "", ""])
        )  # fmt: skip

    for incident in violent:
        assert incident.offence is not None and incident.crime_ref is not None
        snap = (incident.longitude, incident.latitude)
        row(incident.crime_ref, incident.offence.police_uk, incident.lsoa.code, *snap)
    if world.scale == "national":  # the real national rate (svdw.synthetic.national)
        scale *= STREET_RATE_FACTOR
    for crime_type, monthly in OTHER_CRIME.items():
        expected = monthly * scale
        for n in range(max(0, round(rng.gauss(expected, math.sqrt(expected))))):
            if rng.random() < 0.01:
                row(f"{force}:{month}:{crime_type}:{n}", crime_type, None, 0, 0)
                continue
            a = geography.pick_lsoa(rng, "deprivation")
            lon, lat = (
                a.longitude + rng.uniform(-0.005, 0.005),
                a.latitude + rng.uniform(-0.004, 0.004),
            )
            row(f"{force}:{month}:{crime_type}:{n}", crime_type, a.code, lon, lat)
    # records snapped over the boundary: a stream of their own, so the others stay as they were
    outside = world.rng("police-outside", force, month)
    edge = geography.lsoas[0]
    for n in range(round(len(rows) * OUTSIDE_SHARE)):
        code, name = outside.choice(NEIGHBOUR_LSOAS)
        crime_type = outside.choice(("Violence and sexual offences", *OTHER_CRIME))
        ref = f"{force}:{month}:outside:{n}"
        lon = edge.longitude - 0.05 - outside.uniform(0, 0.02)
        lat = edge.latitude + outside.uniform(-0.02, 0.02)
        rows.append(
            (ref, ["" if crime_type == "Anti-social behaviour" else crime_id(world, ref),
                   f"{month:%Y-%m}", force, force, f"{lon:.6f}", f"{lat:.6f}",
                   f"On or near {outside.choice(STREETS)}", code, name, crime_type, "", ""])
        )  # fmt: skip
    rng.shuffle(rows)
    return rows


def write(
    world: World,
    out_dir: Path,
    parts: frozenset[str] = frozenset({"street", "outcomes", "extract"}),
) -> list[Path]:
    street = get_contract("police_uk_street")
    outcomes = get_contract("police_uk_outcomes")
    extract = get_contract("police_force_crimes")
    written: list[Path] = []
    for force in forces(world):
        slug = force_slug(world, force)
        rng = world.rng("police", force)
        pending: dict[date, list[list[object]]] = {}
        for month in world.months:
            violent = [i for i in incidents(world, force, month) if i.offence is not None]
            if "extract" in parts:
                name = f"{slug}-crime-extract-{month:%Y-%m}.csv"
                path = contract_path(out_dir, extract.name, name)
                with csv_writer(path, extract.headers, crlf=True) as writer:
                    for incident in violent:
                        writer.writerows(_force_rows(world, incident))
                written.append(path)
            path = contract_path(out_dir, street.name, f"{month:%Y-%m}-{slug}-street.csv")
            with csv_writer(path, street.headers) as writer:
                for _ref, line in _street_rows(world, rng, force, month, violent):
                    if line[0]:  # a crime: its latest outcome, and when it was reached
                        outcome = rng.choices(OUTCOMES, [w for _, w in OUTCOMES])[0][0]
                        later = month_after(month, min(5, int(rng.expovariate(0.9))))
                        line[10] = outcome if later <= world.last_month else "Under investigation"
                        pending.setdefault(later, []).append(
                            [line[0], f"{later:%Y-%m}", force, force, *line[4:9], outcome]
                        )
                    writer.writerow(line)
            written.append(path)
            due = pending.pop(month, [])
            if "outcomes" in parts:
                name = f"{month:%Y-%m}-{slug}-outcomes.csv"
                path = contract_path(out_dir, outcomes.name, name)
                with csv_writer(path, outcomes.headers) as writer:
                    writer.writerows(due)
                written.append(path)
    return written


def write_street(world: World, out_dir: Path) -> list[Path]:
    """Just the police.uk street files (for the original demo set)."""
    return write(world, out_dir, frozenset({"street"}))


def month_after(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)
