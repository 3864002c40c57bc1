"""What the svdw DAGs share: the Assets (defined once, here), the warehouse connection, and the
default task policy. Only the DAG files import this module (it needs Airflow); the rest of the
package never does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from airflow.sdk import Asset, BaseHook
from airflow.sdk.exceptions import AirflowFailException

from svdw.config import Settings
from svdw.contracts import Contract

if TYPE_CHECKING:
    from svdw.quality import ValidationSummary

WAREHOUSE_CONN_ID = "warehouse"
OWNER = "svdw-data-engineering"


def alert_on_failure(context: Any) -> None:
    """Task failure callback: send the alert to the channels the environment configures."""
    from svdw.alerts import Alert, send_alert

    ti = context["ti"]
    send_alert(
        Alert(
            dag_id=ti.dag_id,
            task_id=ti.task_id,
            run_id=ti.run_id,
            try_number=int(getattr(ti, "try_number", 0) or 0),
            error=str(context.get("exception") or "unknown error"),
            log_url=getattr(ti, "log_url", None),
        )
    )


DEFAULT_ARGS = {
    "owner": OWNER,
    "retries": 2,
    # Transient failures (a database restart) get two more tries; tests shorten the wait.
    "retry_delay": timedelta(seconds=Settings.from_env().retry_delay_seconds),
    "on_failure_callback": alert_on_failure,
}


def raw_asset(contract: Contract) -> Asset:
    """The Asset a contract's raw table is; its URI names the warehouse host and database."""
    url = urlsplit(Settings.from_env().warehouse_url)
    database = url.path.lstrip("/") or "warehouse"
    return Asset(
        name=contract.table,
        uri=(
            f"postgres://{url.hostname or 'localhost'}:{url.port or 5432}/{database}/"
            f"{contract.schema_name}/{contract.table_name}"
        ),
        group="raw",
    )


def warehouse_settings() -> Settings:
    """Settings for a task, with the warehouse URL taken from the Airflow connection."""
    settings = Settings.from_env()
    uri = BaseHook.get_connection(WAREHOUSE_CONN_ID).get_uri()
    return replace(settings, warehouse_url=uri.replace("postgres://", "postgresql://", 1))


def batch_ids_to_check(context: Any) -> list[int] | None:
    """The load batches a warehouse run gates: those the triggering Asset events carry (the
    ingestion DAGs put them in the event's extra); on a manual run, the `batch_ids` of the run's
    conf (`airflow dags trigger warehouse_build --conf '{"batch_ids": [12]}'`: re-check given
    deliveries); None (every raw table, whole) when neither names any."""
    from_events = {
        int(batch_id)
        for events in (context.get("triggering_asset_events") or {}).values()
        for event in events
        for batch_id in (event.extra or {}).get("batch_ids", [])
    }
    if from_events:
        return sorted(from_events)
    dag_run = context.get("dag_run")
    conf = (getattr(dag_run, "conf", None) or {}) if dag_run is not None else {}
    requested = conf.get("batch_ids")
    if requested is None:
        return None
    if not isinstance(requested, list) or not all(
        isinstance(b, int) and not isinstance(b, bool) for b in requested
    ):
        raise ValueError(f"run conf batch_ids must be a list of integers, got {requested!r}")
    return sorted(set(requested))


def run_quality_gate(check: Callable[[str], ValidationSummary]) -> str:
    """Run a Great Expectations gate on the `warehouse` connection's database inside a task and
    log its one-line summary. A critical failure fails the task at once, without retries: the
    same data would fail again."""
    from svdw.quality import DataQualityError

    try:
        summary = check(warehouse_settings().warehouse_url)
    except DataQualityError as exc:
        raise AirflowFailException(str(exc)) from exc
    print(summary.describe())
    return summary.describe()
