"""`svdw load --jobs 2` (svdw.parallel_load) loads a delivery of several contracts with two
processes and leaves what a one-by-one load leaves: the same files loaded, rows, quarantine and
re-delivery replacements, with each contract's files in order (a re-delivery after the month it
replaces) and the reference files first (the postcode lookup the ED patients' extract reads)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from db import rows

from svdw.loader import load_file, loading_order

pytestmark = pytest.mark.integration

CONTRACTS = ["police_uk_street", "health_ed_attendances_identifiable", "provider_referrals"]


def _delivery(synthetic_dir: Path, tmp_path: Path) -> list[Path]:
    """Reference files, three contracts' months, a re-delivery of the first police.uk month
    (in redelivered/1/, which loads after the file it replaces) and a file no contract reads."""
    files = [p for p in synthetic_dir.glob("ons_*/*") if p.is_file()]
    for name in CONTRACTS:
        files += sorted((synthetic_dir / name).glob("*.csv"))
    first = sorted((synthetic_dir / "police_uk_street").glob("*.csv"))[0]
    again = tmp_path / "police_uk_street" / "redelivered" / "1" / first.name
    again.parent.mkdir(parents=True)
    lines = first.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    again.write_text("".join(lines[: len(lines) * 4 // 5]), encoding="utf-8")
    stray = tmp_path / "stray" / "not-a-contract.csv"
    stray.parent.mkdir()
    stray.write_text("a,b\n1,2\n")
    return [*files, again, stray]


def _accounts(url: str) -> list[tuple]:
    """Per file (name, folder): status, rows read, loaded, quarantined and replaced."""
    return rows(
        url,
        "select file_name, split_part(file_path, '/', -2), status, rows_read, rows_loaded,"
        " rows_quarantined, rows_superseded from audit.load_batch order by 1, 2",
    )


def _table_rows(url: str) -> list[tuple]:
    return rows(
        url,
        "select 'raw', count(*) from raw.police_uk__street_crimes"
        " union all select 'history', count(*) from history.police_uk__street_crimes"
        " union all select 'ed lsoa', count(home_lsoa_code)"
        " from raw.health__ed_attendances_identifiable"
        " union all select 'referrals', count(*) from raw.providers__referrals",
    )


def test_two_processes_load_what_one_by_one_loads(
    make_database: Callable[[str], str], synthetic_dir: Path, tmp_path: Path
) -> None:
    files = _delivery(synthetic_dir, tmp_path)
    one_by_one = make_database("load_serial")
    with psycopg.connect(one_by_one) as conn:
        for path in loading_order(files):
            load_file(conn, path)

    parallel = make_database("load_parallel")
    env = {**os.environ, "WAREHOUSE_URL": parallel}
    svdw = Path(sys.executable).parent / "svdw"
    done = subprocess.run(
        [str(svdw), "load", "--jobs", "2", "--no-archive", *map(str, files)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    # the stray file is rejected, naming it, and the command says so; everything else loads
    assert done.returncode == 1, done.stderr
    assert "not-a-contract.csv: its header matches no contract" in " ".join(done.stderr.split())

    assert _accounts(parallel) == _accounts(one_by_one)
    assert _table_rows(parallel) == _table_rows(one_by_one)
    replaced = [a for a in _accounts(parallel) if a[1] == "1"]
    assert replaced and replaced[0][6] > 0  # the re-delivery replaced the month it re-delivers
    ed_with_lsoa = dict(_table_rows(parallel))["ed lsoa"]
    assert ed_with_lsoa > 0  # postcodes became LSOAs: the lookup loaded first
