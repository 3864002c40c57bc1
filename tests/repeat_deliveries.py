"""Synthetic deliveries with planted repeat people and one venue spelt many ways, for the tests of
the repeat places and people models (tests/integration/test_sna_repeats.py). They append rows to
a copy of the synthetic partnership's latest force crime and ISTV files, as a partner's extract
would carry them."""

from __future__ import annotations

import csv
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from svdw.synthetic.world import csv_writer

# one venue as triage staff type it: every spelling normalises to "bell and dragon"
BELL_AND_DRAGON = (
    "The Bell & Dragon",
    "outside the BELL AND DRAGON",
    "bell + dragon",
    "  Bell and Dragon. ",
)


@dataclass(frozen=True)
class PlantedPartnership:
    directory: Path
    month: date
    repeat_victim_ids: list[str]  # each the victim of 3 crimes on 3 days of the month
    single_victim_ids: list[str]  # each the victim of 1 crime
    venue_site: str
    venue_attendances: int


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _append(path: Path, headers: list[str], rows: list[dict[str, str]], crlf: bool) -> None:
    _, existing = _rows(path)
    with csv_writer(path, headers, crlf=crlf) as writer:
        for row in [*existing, *rows]:
            writer.writerow([row.get(h, "") for h in headers])


def plant_repeats(
    synthetic_dir: Path, out: Path, people: int = 10, venue_attendances: int = 40
) -> PlantedPartnership:
    """Copy the synthetic partnership to `out` and plant, in its latest month: `people` victims
    with 3 violent crimes each on different days and `people` victims with 1 crime each (force
    crime extract), and `venue_attendances` ED assault attendances at one site naming one venue in
    the spellings of BELL_AND_DRAGON (ISTV)."""
    shutil.copytree(synthetic_dir, out)
    crimes_path = sorted((out / "police_force_crimes").glob("*.csv"))[-1]
    headers, existing = _rows(crimes_path)
    template = existing[0]
    month = date(int(crimes_path.stem[-7:-3]), int(crimes_path.stem[-2:]), 1)
    repeat_ids = [f"PLANTREP{i:04d}" for i in range(people)]
    single_ids = [f"PLANTONE{i:04d}" for i in range(people)]
    planted: list[dict[str, str]] = []

    def crime(victim: str, day: int) -> dict[str, str]:
        when = month.replace(day=day)
        row = dict.fromkeys(headers, "")
        row.update(
            {
                "Crime Reference": f"41/{month:%m}9{len(planted):04d}/{month:%y}",
                "Recorded Date": f"{when:%d/%m/%Y}",
                "Offence Date": f"{when:%d/%m/%Y} 22:30",
                "HO Offence Code": "105A",
                "HO Offence Description": "Assault without injury",
                "Police.uk Crime Type": "Violence and sexual offences",
                "LSOA Code": template["LSOA Code"],
                "Weapon Flag": "N",
                "Knife Flag": "N",
                "Domestic Abuse Flag": "N",
                "Alcohol Flag": "N",
                "Drug Flag": "N",
                "Victim ID": victim,
                "Victim Date of Birth": "15/06/2001",
                "Victim Sex": "M",
            }
        )
        return row

    for victim in repeat_ids:
        for day in (3, 10, 17):
            planted.append(crime(victim, day))
    for victim in single_ids:
        planted.append(crime(victim, 5))
    _append(crimes_path, headers, planted, crlf=True)

    istv_path = sorted((out / "health_ed_assault_attendances").glob("*.csv"))[-1]
    istv_headers, istv_rows = _rows(istv_path)
    site = istv_rows[0]["Site Code"]
    attendances = []
    for i in range(venue_attendances):
        day = month.replace(day=12 + i % 10)
        attendances.append(
            {
                "Site Code": site,
                "Arrival Date": f"{day:%d/%m/%Y}",
                "Arrival Time": f"{i % 24:02d}:{(7 * i) % 60:02d}",
                "Assault Date": f"{day:%d/%m/%Y}",
                "Assault Time": "23:00",
                "Assault Method": "Body part (hit/kick/head-butt)",
                "Assault Location Type": "Pub/bar/club",
                "Assault Location Description": BELL_AND_DRAGON[i % len(BELL_AND_DRAGON)],
            }
        )
    _append(istv_path, istv_headers, attendances, crlf=True)
    return PlantedPartnership(
        directory=out,
        month=month,
        repeat_victim_ids=repeat_ids,
        single_victim_ids=single_ids,
        venue_site=site,
        venue_attendances=venue_attendances,
    )
