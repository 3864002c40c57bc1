"""The synthetic partnership ("Synthshire"), written in the partners' real file formats.

`generate()` builds one deterministic `World` (geography, people at risk, months: see
`svdw.synthetic.world`) and asks each extract family's writer to write its files under
`out_dir/<contract name>/<file name as partners name them>`. Families are independent: each
draws from its own random stream, so adding one never changes another's files. The generator
writes files only; it never calls the loader.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Literal

from svdw.synthetic.world import REFERENCE_DIR, World

Writer = Callable[[World, Path], list[Path]]
# family -> module holding `write(world, out_dir) -> list[Path]` (imported when used).
# Reference first: the loader needs the postcode lookup before extracts with postcodes.
FAMILIES: dict[str, str] = {
    "reference": "svdw.synthetic.reference",
    "police": "svdw.synthetic.police",
    "health": "svdw.synthetic.health",
    "education": "svdw.synthetic.education",
    "youth_justice": "svdw.synthetic.youth_justice",
    "providers": "svdw.synthetic.providers",
    "partnership": "svdw.synthetic.partnership",
}


def writer(family: str) -> Writer:
    if family not in FAMILIES:
        raise ValueError(f"no synthetic family {family!r}; known: {', '.join(FAMILIES)}")
    write: Writer = importlib.import_module(FAMILIES[family]).write
    return write


def generate(
    out_dir: Path,
    months: int = 12,
    scale: Literal["county", "national"] = "county",
    seed: int = 2023,
    reference_dir: Path | None = REFERENCE_DIR,
    last_month: date = date(2025, 9, 1),
    families: set[str] | None = None,
) -> list[Path]:
    """Write every family's files (or just `families`) under out_dir; returns the paths.

    The county is real Hertfordshire from the repository's reference/ folder unless
    `reference_dir` names another folder of the same files, or is None: the fully synthetic
    Synthshire (tests use it: its 2011 LSOAs split and merge in 2021, which real files here do
    not show)."""
    unknown = (families or set()) - set(FAMILIES)
    if unknown:
        raise ValueError(f"unknown synthetic families: {', '.join(sorted(unknown))}")
    world = World(seed, scale, months, last_month, reference_dir)
    written: list[Path] = []
    for family in FAMILIES:
        if families is None or family in families:
            written.extend(writer(family)(world, out_dir))
    return written


__all__ = ["FAMILIES", "REFERENCE_DIR", "World", "generate", "writer"]
