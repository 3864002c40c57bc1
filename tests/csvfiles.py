"""Write small partner files for tests: a contract's header, then the rows."""

from __future__ import annotations

import csv
from pathlib import Path

from svdw.contracts import Contract


def write_extract(path: Path, contract: Contract, rows: list[list[str]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(contract.headers)
        writer.writerows(rows)
    return path
