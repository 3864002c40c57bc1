"""An incremental build's data tests read the rows it delivered, not all of history
(dbt/macros/test_scope.sql): a month's build re-tests neither the raw rows nor the staging rows
nor the incremental fact rows of the batches an earlier whole build admitted, still tests the
new month's rows, and a rebuild tests every row again.

Each old-row check is proven by planting a row a test rejects in an earlier batch, where a build
that read all of history would fail on it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from svdw.config import Settings
from svdw.loader import load_file, loading_order
from svdw.transform import DbtError, build_warehouse

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]

# police.uk street crimes through the staging view to the incremental fact, with their tests
SELECTION = ["+fct_police_crime"]
# the raw source's columns_not_null test, which lists crime_type
# (dbt/models/staging/police/_police__sources.yml)
NULL_TYPE_TEST = "source_columns_not_null_raw_police_uk__street_crimes"
# the incremental fact's accepted_values test on location_status (marts/core/_core__models.yml)
FACT_STATUS_TEST = "accepted_values_fct_police_crime_location_status"


def execute(url: str, query: str, params: tuple[object, ...] = ()) -> None:
    with psycopg.connect(url) as conn:  # commits on leaving
        conn.execute(query, params)  # type: ignore[arg-type]


def _load(url: str, files: list[Path]) -> list[int]:
    batches = []
    with psycopg.connect(url) as conn:
        for path in loading_order(files):
            result = load_file(conn, path)
            assert result.status == "loaded", result.error
            batches.append(result.batch_id)
    return [b for b in batches if b is not None]


def _build(url: str, *, rebuild: bool = False) -> None:
    build_warehouse(url, select=SELECTION, report=lambda _line: None, rebuild=rebuild)


def _failing_rows(url: str, test_name: str) -> list[tuple[object, ...]]:
    """The rows the last dbt run's test returned: its SQL as run (run_results.json), run again."""
    results = json.loads((Settings.from_env().dbt_target_dir / "run_results.json").read_text())
    (result,) = [r for r in results["results"] if r["unique_id"].split(".")[2] == test_name]
    with psycopg.connect(url) as conn:
        return conn.execute(result["compiled_code"]).fetchall()


def _plant_bad_row(url: str, batch_id: int) -> None:
    """One raw row of the batch without a crime type, which the raw source's columns_not_null
    test rejects (the loader's contract would not have let it in: planted where a build reads
    it)."""
    execute(
        url,
        "update raw.police_uk__street_crimes set crime_type = null"
        " where ctid = (select ctid from raw.police_uk__street_crimes where _batch_id = %s"
        " limit 1)",
        (batch_id,),
    )


def test_a_months_build_tests_its_own_rows_not_history(
    make_database: Callable[[str], str], synthetic_dir: Path
) -> None:
    url = make_database("test_scope")
    reference = [p for p in synthetic_dir.glob("ons_*/*") if p.is_file()]
    months = sorted((synthetic_dir / "police_uk_street").glob("*.csv"))
    assert len(months) >= 3
    first = _load(url, [*reference, months[0]])
    _build(url)
    # The first build stands for a whole build (a partial one is no reference: it did not run
    # every model's tests on its batches).
    execute(url, "update audit.build set selection = 'whole'")

    # Rows of the first month turn bad after its build, in raw and in the incremental fact:
    # the second month's build does not read them (a build that tested history would fail:
    # see the rebuild below).
    _plant_bad_row(url, first[-1])
    execute(
        url,
        "update marts.fct_police_crime set location_status = 'nowhere'"
        " where ctid = (select ctid from marts.fct_police_crime where _batch_id = %s limit 1)",
        (first[-1],),
    )
    _load(url, [months[1]])
    _build(url)

    # A bad row in the new month fails that month's build: new rows are tested.
    third = _load(url, [months[2]])
    _plant_bad_row(url, third[-1])
    with pytest.raises(DbtError) as failed:
        _build(url)
    assert NULL_TYPE_TEST in str(failed.value)
    # It names the column and counts the new month's row only (the first month's is not read).
    assert _failing_rows(url, NULL_TYPE_TEST) == [("crime_type", 1)]

    # A rebuild tests every row: the first month's bad row fails it as well.
    execute(
        url,
        "update raw.police_uk__street_crimes set crime_type = 'Robbery'"
        " where _batch_id = %s and crime_type is null",
        (third[-1],),
    )
    with pytest.raises(DbtError) as failed:
        _build(url, rebuild=True)
    assert NULL_TYPE_TEST in str(failed.value)
    assert _failing_rows(url, NULL_TYPE_TEST) == [("crime_type", 1)]
    # (a failed source test skips the models after it) Mended in raw, the old fact row fails it.
    execute(
        url,
        "update raw.police_uk__street_crimes set crime_type = 'Robbery' where crime_type is null",
    )
    with pytest.raises(DbtError) as failed:
        _build(url, rebuild=True)
    assert FACT_STATUS_TEST in str(failed.value)
