"""What to tell a person when PostgreSQL goes away in the middle of a load or a build.

A load is one transaction and a build is recorded in audit.build, so an outage loses nothing:
the message says so, and what to run once the server is back.
"""

from __future__ import annotations

import psycopg

LOAD_RERUN = (
    "start PostgreSQL again (`make pg`, or your service manager) and run the same load again:"
    " files already loaded are skipped, this one loads once"
)
BUILD_RERUN = (
    "start PostgreSQL again (`make pg`, or your service manager) and run `svdw build` again: it"
    " takes over the interrupted build, and the dashboards keep the last finished build until then"
)


def lost_connection(doing: str, exc: BaseException) -> str:
    """One line for a connection lost while `doing` something (the server's words last)."""
    detail = " ".join(str(exc).split()) or type(exc).__name__
    return f"lost the connection to the warehouse while {doing}: {detail}"


def warehouse_reachable(url: str) -> bool:
    """Does the warehouse answer now? (A failed dbt build names each failing model; this says
    whether they failed because the server went away.)"""
    try:
        psycopg.connect(url, connect_timeout=5).close()
    except psycopg.OperationalError:
        return False
    return True


def ingest_unavailable(contract: str, doing: str, exc: BaseException) -> str:
    """What an ingestion (an Airflow ingest task, `svdw ingest`) says when the warehouse is down
    or goes away: nothing of the file was kept, where the files are, and what to do."""
    detail = " ".join(str(exc).split()) or type(exc).__name__
    return (
        f"{contract}: the warehouse did not answer while {doing} ({detail}). Nothing of that file"
        " was kept; it and the files after it wait in landing. Check that PostgreSQL is running"
        " and that LOADER_DATABASE_URL (else WAREHOUSE_URL) points at it. Airflow retries this"
        " task after SVDW_RETRY_DELAY_SECONDS; once the server is back, clear the task if its"
        f" retries ran out (or run `svdw ingest {contract}`): loaded files are skipped, each other"
        " file loads once"
    )
