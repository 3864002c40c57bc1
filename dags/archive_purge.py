"""Purge, once a day, the archived (loaded) and rejected partner files whose contract's
retention has run out (`retention: {archive_days, rejected_days}` in the contract; defaults 365
and 30 days). The files still hold direct identifiers, so they are kept encrypted and no longer
than needed; the rows they delivered stay in the warehouse, pseudonymised. Each deleted file is
recorded in audit.archive_purge. `svdw archive purge` runs the same by hand (`--dry-run` lists
what would go); `svdw archive list` shows every kept file with the day it goes
(svdw.archive_retention)."""

from __future__ import annotations

from typing import Any

from airflow.sdk import DAG, task

from svdw.airflow_support import DEFAULT_ARGS, warehouse_settings

with DAG(
    dag_id="archive_purge",
    description="Delete archived and rejected partner files past their contract's retention",
    doc_md=__doc__,
    schedule="@daily",
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["svdw", "retention"],
):

    @task
    def purge_expired_files(**context: Any) -> int:
        """Delete what is past retention; the count is the task's return value."""
        from svdw.archive_retention import purge_expired
        from svdw.loader import connect

        settings = warehouse_settings()
        with connect(settings.warehouse_url) as conn:
            purged = purge_expired(conn, settings, purged_by=f"airflow {context['run_id']}")
        for kept in purged:
            print(f"deleted {kept.kind} {kept.contract}/{kept.path.name}")
        return len(purged)

    purge_expired_files()
