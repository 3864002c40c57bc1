"""What a pinned build reads is known to the planner (svdw.snapshot._pin refreshes the statistics
through audit.refresh_build_statistics, src/svdw/sql/audit.sql): its snapshot in
audit.build_batch and the raw tables' new rows.

Without that, statistics taken before the build put its new build_id at one row, and every
`_batch_id in (this build's batches)` (the staging views, the scoped data tests) was planned as a
nested loop scanning a raw table once per batch: at national scale, minutes for one test."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from db import rows
from deliveries import load_batch

from svdw.snapshot import fail_build, pin_build

pytestmark = pytest.mark.integration


def _estimated_rows(url: str, build_id: int) -> int:
    (plan,) = rows(
        url,
        "explain (format json) select * from audit.build_batch where build_id = %s",
        (build_id,),
    )[0]
    return int(plan[0]["Plan"]["Plan Rows"])


def test_the_planner_knows_how_many_batches_a_new_build_reads(
    make_database: Callable[[str], str], synthetic_dir: Path
) -> None:
    url = make_database("buildstats")
    months = sorted((synthetic_dir / "police_force_crimes").glob("*.csv"))
    load_batch(url, months[0])
    first = pin_build(url, "tests: the first month")
    fail_build(url, first.build_id, "tests: only its snapshot matters here")
    # The statistics an earlier build left: they know only the first build's one batch, and the
    # raw table with its first month only.
    with psycopg.connect(url) as conn:
        conn.execute("analyze audit.build_batch")
        conn.execute("analyze raw.police__force_crimes")
    for month in months[1:]:
        load_batch(url, month)
    second = pin_build(url, "tests: every month")
    assert len(second.admitted) == len(months) > 1
    assert _estimated_rows(url, second.build_id) == len(second.admitted)
    ((counted, estimated),) = rows(
        url,
        "select count(*), (select reltuples from pg_class where oid = 'raw.police__force_crimes'"
        "::regclass) from raw.police__force_crimes",
    )
    assert estimated == counted
