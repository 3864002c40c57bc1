"""Which files in a contract's landing folder are ready to load, in which order, and where a
re-delivery of a file still waiting there goes.

The rule for a file still being written (docs/runbook.md, "Delivering into landing"): a file is
picked up only under its final name. Whoever writes into landing (a partner over SFTP, our
connectors) writes to a temporary name, ending in `.part` (or WinSCP's `.filepart`) or starting
with a dot, and renames it when complete; a rename within one folder is atomic, so the loader
sees the whole file or none of it. Such names are never loaded, whatever the contract's
file_glob (a `*.csv` glob matches `.x.csv`, and a partner's tool may name its temporary file so).

A same-name re-delivery that arrives while the first file still waits is kept beside it, in
`redelivered/<n>/<name>` (n counting up), never over it: both load, the first one first, so the
later delivery replaces the earlier one's period as it would have a day later.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path

PARTIAL_SUFFIXES = (".part", ".filepart")
REDELIVERED = "redelivered"


def is_complete(path: Path) -> bool:
    """Whether the file's name says its writer has finished (see the module's rule)."""
    name = path.name
    return not name.startswith(".") and not name.lower().endswith(PARTIAL_SUFFIXES)


def arrival_key(path: Path) -> tuple[str, str, int]:
    """(landing folder, name, arrival): a file directly in its folder comes before its
    redelivered/<n>/ copies, in the order of n."""
    slot = path.parent.name
    if path.parent.parent.name == REDELIVERED and slot.isdigit():
        return (str(path.parent.parent.parent), path.name, int(slot))
    return (str(path.parent), path.name, 0)


def arrival_order(paths: list[Path]) -> list[Path]:
    """By name, then by arrival (so monthly files load oldest first, and a re-delivery after
    the file it re-delivers)."""
    return sorted(paths, key=arrival_key)


def waiting_files(folder: Path, file_glob: str) -> list[Path]:
    """The complete files matching the glob in the landing folder and its redelivered/<n>/
    folders, by name and then by arrival (a re-delivery after the file it re-delivers)."""
    if not folder.is_dir():
        return []
    candidates = list(folder.iterdir())
    redelivered = folder / REDELIVERED
    if redelivered.is_dir():
        for slot in redelivered.iterdir():
            if slot.is_dir() and slot.name.isdigit():
                candidates.extend(slot.iterdir())
    ready = [
        p
        for p in candidates
        if p.is_file() and is_complete(p) and fnmatch.fnmatchcase(p.name, file_glob)
    ]
    return arrival_order(ready)


def arrival_path(folder: Path, name: str) -> Path:
    """Where a newly arrived file called `name` goes: the landing folder itself, or, when a
    file of that name still waits there, the next redelivered/<n>/ slot."""
    target = folder / name
    redelivered = folder / REDELIVERED
    taken = [
        int(slot.name)
        for slot in (redelivered.iterdir() if redelivered.is_dir() else [])
        if slot.name.isdigit() and (slot / name).exists()
    ]
    if not target.exists() and not taken:
        return target
    return redelivered / f"{max(taken, default=0) + 1:04d}" / name
