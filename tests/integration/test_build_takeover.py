"""A build that an ended Airflow run left `running` (the run marked failed by hand after a
scheduler crash: record_failed_build never ran) does not hold the build lock against the DAG's
next run, which the DAG's one-run-at-a-time rule makes safe; any other running build still does."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from db import rows

from svdw.snapshot import AIRFLOW_TRIGGER_PREFIX, BuildInProgress, pin_build

pytestmark = pytest.mark.integration

DAG_RUNS = f"{AIRFLOW_TRIGGER_PREFIX}warehouse_build "


def test_the_next_run_of_the_dag_takes_over_the_build_its_ended_run_left_running(
    make_database: Callable[[str], str],
) -> None:
    url = make_database("takeover")
    ended = pin_build(url, f"{DAG_RUNS}manual__1", takes_over=DAG_RUNS)
    with pytest.raises(BuildInProgress):  # another DAG's or a person's build is not taken over
        pin_build(url, "svdw build", takes_over=f"{AIRFLOW_TRIGGER_PREFIX}other_dag ")
    following = pin_build(url, f"{DAG_RUNS}manual__2", takes_over=DAG_RUNS)
    statuses = rows(url, "select build_id, status, error from audit.build order by build_id")
    assert [(b, s) for b, s, _e in statuses] == [
        (ended.build_id, "abandoned"),
        (following.build_id, "running"),
    ]
    assert "its run ended without recording" in statuses[0][2]
