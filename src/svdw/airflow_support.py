"""What the svdw DAGs share: the Assets (defined once, here), the warehouse connection, and the
default task policy. Only the DAG files import this module (it needs Airflow); the rest of the
package never does."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from airflow.sdk import Asset, BaseHook
from airflow.sdk.exceptions import AirflowFailException

from svdw.config import Settings
from svdw.contracts import Contract

WAREHOUSE_CONN_ID = "warehouse"
# dbt's connection in Airflow when the deployment has a transformer role (infra/local/
# airflow_env.sh derives it from TRANSFORMER_DATABASE_URL); else dbt uses WAREHOUSE_CONN_ID.
TRANSFORMER_CONN_ID = "warehouse_transformer"
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


def sna_asset() -> Asset:
    """The sna schema as built and evaluated: emitted after a successful warehouse build (and
    the programme evaluation), consumed by the SNA documents DAG."""
    url = urlsplit(Settings.from_env().warehouse_url)
    database = url.path.lstrip("/") or "warehouse"
    return Asset(
        name="sna.built",
        uri=f"postgres://{url.hostname or 'localhost'}:{url.port or 5432}/{database}/sna/built",
        group="sna",
    )


def warehouse_settings() -> Settings:
    """Settings for a task, with the warehouse URL taken from the Airflow connection. Tasks
    connect through the service's own URL: `loader_url` to load, `transformer_url` to build."""
    settings = Settings.from_env()
    uri = BaseHook.get_connection(WAREHOUSE_CONN_ID).get_uri()
    return replace(settings, warehouse_url=uri.replace("postgres://", "postgresql://", 1))


def dbt_conn_id() -> str:
    """The Airflow connection Cosmos runs dbt with: the transformer's when it is defined."""
    try:
        BaseHook.get_connection(TRANSFORMER_CONN_ID)
    except Exception:  # Airflow raises its own "not defined" error; any failure means absent
        return WAREHOUSE_CONN_ID
    return TRANSFORMER_CONN_ID


def pin_build_for_run(context: Any) -> int | None:
    """The warehouse run's first step (svdw.snapshot.pin_build): gate the pending batches and pin
    what this run builds. Returns the build id, or None when nothing new was admitted (the run
    skips dbt). A failed batch fails the task at once, without retries (the same data would
    fail again), naming each expectation, table and batch."""
    from svdw.quality import DataQualityError
    from svdw.snapshot import AIRFLOW_TRIGGER_PREFIX, pin_build

    dag_runs = f"{AIRFLOW_TRIGGER_PREFIX}{context['dag'].dag_id} "
    trigger = f"{dag_runs}{context['run_id']}"
    # The DAG runs one run at a time (max_active_runs=1): a build an earlier run of it left
    # `running` (the run marked failed by hand, so record_failed_build never ran) is over.
    takes_over = dag_runs if context["dag"].max_active_runs == 1 else None
    try:
        pinned = pin_build(warehouse_settings().transformer_url, trigger, takes_over=takes_over)
    except DataQualityError as exc:
        raise AirflowFailException(
            f"{exc}\nThe batch stays out of every build until a person accepts it:"
            " `svdw batches accept ID --reason TEXT` (or `reject`)."
        ) from exc
    print(pinned.describe())
    return None if pinned.skipped else pinned.build_id
