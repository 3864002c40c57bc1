"""One ingestion DAG per data contract, made by one factory: find the files waiting in the
contract's landing directory, load them (validate, quarantine, COPY), emit the raw table's
Asset, and fail loudly on any rejected file. Adding an extract = adding a contract file."""

from __future__ import annotations

from typing import Any

from airflow.sdk import DAG, get_parsing_context, task
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from svdw.airflow_support import DEFAULT_ARGS, raw_asset, warehouse_settings
from svdw.contracts import Contract, load_contracts

# Partners deliver on their cadence, but a file can land any day: poll the landing directory
# often enough that a delivery is in the warehouse within a day (hourly for daily feeds).
POLL_SCHEDULE = {
    "daily": "@hourly",
    "weekly": "@daily",
    "monthly": "@daily",
    "quarterly": "@daily",
    "termly": "@daily",
    "yearly": "@weekly",
}


def build_ingest_dag(contract: Contract) -> DAG:
    asset = raw_asset(contract)
    with DAG(
        dag_id=f"ingest_{contract.name}",
        description=f"Load {contract.title} into {contract.table}",
        doc_md=(
            f"## {contract.title}\n\n{contract.description}\n\n"
            f"- partner: **{contract.partner}**, delivered **{contract.cadence}**\n"
            f"- drop files matching `{contract.file_glob}` into "
            f"`$SVDW_LANDING_DIR/{contract.name}/` (written as `<name>.part` and renamed when"
            " complete: temporary names are never loaded)\n"
            f"- raw table: `{contract.table}`; "
            "rejected files move to `rejected/` with a `.reason.txt`\n"
        ),
        schedule=POLL_SCHEDULE[contract.cadence],
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        tags=["svdw", "ingest", contract.partner],
    ) as dag:
        # Finding the files and loading them is one task: each task instance is a process that
        # parses this file, and the listing alone is not worth a process (make demo runs all of
        # these DAGs on two cores). Rejected files fail the run in a task of their own, after
        # this one has emitted the Asset for the files it loaded; a short circuit, so that when
        # no file was rejected (it returns None) the scheduler skips that task without starting
        # a process for it.
        @task.short_circuit(outlets=[asset])
        def load_files(**context: Any) -> dict[str, Any] | None:
            """Fetch new files from the partner's source (SFTP/S3, when SVDW_SOURCE_<CONTRACT>
            is set), then load every file waiting in the landing directory."""
            from svdw.connectors import fetch_configured_source, source_config_for
            from svdw.ingest import ingest_landing, landed_files

            settings = warehouse_settings()
            if source_config_for(contract.name):
                fetched = fetch_configured_source(contract.name, settings)
                print(f"fetched {len(fetched)} new file(s) from the partner's source")
            files = landed_files(contract, settings)
            if not files:
                raise AirflowSkipException(f"no files waiting for {contract.name}")
            summary = ingest_landing(
                contract.name,
                settings,
                loaded_by=f"airflow {context['run_id']}",
                files=files,
            )
            print(summary.describe())
            rejected = [str(r.error) for r in summary.rejected]
            if not summary.loaded:
                if rejected:
                    raise AirflowFailException("rejected: " + " | ".join(rejected))
                raise AirflowSkipException("every file was already loaded: nothing new")
            context["outlet_events"][asset].extra = {"batch_ids": summary.batch_ids}
            context["ti"].xcom_push(key="batch_ids", value=summary.batch_ids)
            return {"batch_ids": summary.batch_ids, "rejected": rejected} if rejected else None

        @task
        def fail_on_rejected_files(report: dict[str, Any]) -> None:
            """Runs only when load_files rejected a file (else it is skipped): fail the run."""
            if report["rejected"]:
                raise AirflowFailException(
                    f"{len(report['rejected'])} file(s) rejected, see rejected/*.reason.txt: "
                    + " | ".join(report["rejected"])
                )

        fail_on_rejected_files(load_files())
    return dag


# A task's process parses this file to run one task of one DAG, and Airflow names that DAG in the
# parsing context: build only it there (the scheduler and dag-processor parse with none, so
# they get every DAG).
_only = get_parsing_context().dag_id
for _contract in load_contracts().values():
    if _only is None or _only == f"ingest_{_contract.name}":
        globals()[f"ingest_{_contract.name}"] = build_ingest_dag(_contract)
