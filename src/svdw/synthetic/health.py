"""Health extracts: ISTV emergency-department assault attendances (ISB 1594, anonymised), the
optional identifiable ED feed for linkage, hospital admissions for assault (SUS/HES admitted
patient care) and ambulance call-outs to assaults.

All come from the shared incident stream (`incidents.py`): an ED attendance for a crime the
police recorded is the same person (same NHS number, in the identifiable ED feed) as the crime's
victim; about half of the attendances are for assaults the police never heard of. The ISTV file
carries no patient details; the identifiable feed carries them for the same attendances, linked
by site and arrival date and time. One file per extract per month.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from pathlib import Path

from svdw.contracts import get_contract
from svdw.synthetic.incidents import Incident, forces, incidents
from svdw.synthetic.police import force_slug
from svdw.synthetic.world import World, contract_path, csv_writer

PLACES = (
    "outside {venue}",
    "{street}, near the bus stop",
    "in {venue}",
    "car park behind {venue}",
    "{street}",
    "park off {street}",
    "at home",
    "friend's house on {street}",
    "train station",
    "outside the chip shop on {street}",
    "taxi rank, {street}",
    "underpass by {street}",
)
VENUES = (
    "the Red Lion",
    "Wetherspoons",
    "the nightclub",
    "Tesco Express",
    "the kebab shop",
    "the leisure centre",
    "McDonald's",
    "the Crown",
    "the station",
)
STREETS = (
    "High Street",
    "Station Road",
    "London Road",
    "Market Place",
    "Queens Road",
    "Church Street",
    "Victoria Street",
    "The Parade",
)
DIAGNOSES = {
    "Sharp object/knife": ("S21.1", "S31.1", "S41.1", "S51.8", "S61.9", "S01.8", "S11.8"),
    "Body part (hit/kick/head-butt)": ("S02.6", "S06.0", "S02.2", "S00.8", "S22.3", "S01.4"),
    "Blunt object": ("S06.5", "S02.0", "S52.5", "S06.0", "S01.0"),
    "Firearm": ("S21.2", "S31.0", "S71.1"),
    "Other": ("T07.X", "S09.9", "S00.9"),
    "Not known": ("T14.9", "S09.9"),
}
CAUSES = {
    "Sharp object/knife": "X99",
    "Body part (hit/kick/head-butt)": "Y04",
    "Blunt object": "Y00",
    "Firearm": "X95",
    "Other": "Y08",
    "Not known": "Y09",
}


def _means(rng: random.Random, incident: Incident) -> str:
    if incident.knife:
        return "Sharp object/knife"
    if incident.weapon:
        return "Firearm" if rng.random() < 0.05 else "Blunt object"
    return rng.choices(("Body part (hit/kick/head-butt)", "Other", "Not known"), (80, 8, 12))[0]


def _sex(sex: str) -> str:
    return {"M": "1", "F": "2"}.get(sex, "9")


def _admission_episodes(
    rng: random.Random, incident: Incident, means: str, arrival: datetime, month: date, serial: int
) -> list[list[object]]:
    """The admitted patient care episodes of one admission, as HES/SUS send them: the injury as
    primary diagnosis, the ICD-10 external cause in a secondary position (sometimes after other
    codes), one episode mostly and a second one (a transfer of consultant) now and then; nearly
    all emergency admissions (2x), a few elective (1x) follow-ups that the measures leave out."""
    victim = incident.victims[0]
    cause = CAUSES[
        "Other" if incident.offence and incident.offence.sexual and means == "Not known" else means
    ]
    method = rng.choices(("21", "2A", "22", "28", "11"), (88, 4, 3, 3, 2))[0]
    spell = f"{incident.site[:3]}{month:%y%m}{serial:06d}"
    episodes: list[list[object]] = []
    start = arrival.date()
    for number in range(1, 3 if rng.random() < 0.1 else 2):
        end = start + timedelta(days=int(rng.expovariate(0.4)))
        diagnoses = [rng.choice(DIAGNOSES[means])]
        if rng.random() < 0.3:
            diagnoses.append(rng.choice(("F10.0", "Z72.0", "T14.1")))
        diagnoses.append(cause if rng.random() < 0.5 else f"{cause}.{rng.randrange(10)}")
        episodes.append(
            [
                spell,
                number,
                f"{arrival:%Y-%m-%d}",
                f"{end:%Y-%m-%d}",
                method,
                *diagnoses,
                *([""] * (20 - len(diagnoses))),
                victim.age_on(arrival.date()),
                _sex(victim.sex),
                victim.home_lsoa,
                victim.nhs_number,
                incident.site[:3],  # the trust's code (HES PROCODE3)
            ]
        )
        start = end
    return episodes


def write(world: World, out_dir: Path) -> list[Path]:
    ed = get_contract("health_ed_assault_attendances")
    ed_identifiable = get_contract("health_ed_attendances_identifiable")
    apc = get_contract("health_hospital_admissions")
    amb = get_contract("health_ambulance_callouts")
    written: list[Path] = []
    for force_index, force in enumerate(forces(world)):
        slug = force_slug(world, force)
        rng = world.rng("health", force)
        for month in world.months:
            paths = (
                contract_path(out_dir, ed.name, f"istv-ed-assaults-{slug}-{month:%Y-%m}.csv"),
                contract_path(
                    out_dir, apc.name, f"apc-assault-admissions-{slug}-{month:%Y-%m}.csv"
                ),
                contract_path(out_dir, amb.name, f"ambulance-assaults-{slug}-{month:%Y-%m}.csv"),
                contract_path(
                    out_dir, ed_identifiable.name, f"ed-assault-patients-{slug}-{month:%Y-%m}.csv"
                ),
            )
            with (
                csv_writer(paths[0], ed.headers, crlf=True) as ed_rows,
                csv_writer(paths[1], apc.headers, crlf=True) as apc_rows,
                csv_writer(paths[2], amb.headers, crlf=True) as amb_rows,
                csv_writer(paths[3], ed_identifiable.headers, crlf=True) as patient_rows,
            ):
                serial = 0
                for incident in incidents(world, force, month):
                    if not (incident.ed or incident.ambulance):
                        continue
                    serial += 1
                    victim = incident.victims[0]
                    means = _means(rng, incident)
                    arrival = incident.occurred + timedelta(minutes=rng.randint(15, 360))
                    if incident.ambulance:
                        delay = timedelta(minutes=rng.randint(1, 20), seconds=rng.randint(0, 59))
                        call = incident.occurred + delay
                        serious = incident.knife or means == "Firearm"
                        amb_rows.writerow(
                            [
                                f"{force_index + 1:02d}{month:%y%m}{serial:05d}",
                                f"{call:%Y-%m-%d %H:%M:%S}",
                                rng.choices(
                                    (1, 2, 3, 4), (6, 3, 1, 0) if serious else (1, 6, 3, 1)
                                )[0],
                                "Stab/Gunshot/Penetrating Trauma"
                                if serious
                                else rng.choices(
                                    (
                                        "Assault/Sexual Assault/Stun Gun",
                                        "Haemorrhage/Lacerations",
                                        "Unconscious/Fainting (Near)",
                                    ),
                                    (85, 10, 5),
                                )[0],
                                incident.lsoa.code,
                                f"{incident.longitude:.3f}",
                                f"{incident.latitude:.3f}",
                                "Y" if incident.ed else "N",
                            ]
                        )
                    if not incident.ed:
                        continue
                    place = rng.choice(PLACES).format(
                        venue=rng.choice(VENUES), street=rng.choice(STREETS)
                    )
                    if incident.location_type == "Home":
                        place = rng.choice(("at home", "partner's flat", "home address"))
                    known_time = rng.random() > 0.06
                    location_type = incident.location_type if rng.random() > 0.05 else "Not known"
                    described = rng.random() > 0.1
                    # ISTV (ISB 1594): anonymised, no patient details
                    ed_rows.writerow(
                        [
                            incident.site,
                            f"{arrival:%d/%m/%Y}",
                            f"{arrival:%H:%M}",
                            f"{incident.occurred:%d/%m/%Y}",
                            f"{incident.occurred:%H:%M}" if known_time else "",
                            means,
                            "bottle" if means == "Other" and described else "",
                            location_type,
                            place if described else "",
                        ]
                    )
                    # the identifiable feed: the same attendance's patient, for linkage
                    patient_rows.writerow(
                        [
                            incident.site,
                            f"{incident.site}{month:%y%m}{serial:05d}",
                            f"{arrival:%d/%m/%Y}",
                            f"{arrival:%H:%M}",
                            victim.nhs_number if rng.random() < 0.93 else "",
                            victim.home_postcode if rng.random() < 0.95 else "",
                            victim.age_on(arrival.date()),
                            _sex(victim.sex),
                        ]
                    )
                    if incident.admitted:
                        apc_rows.writerows(
                            _admission_episodes(rng, incident, means, arrival, month, serial)
                        )
            written.extend(paths)
    return written
