"""dags/archive_purge.py without running it: it imports, runs daily under the DAG policy, and
its one task purges (svdw.archive.purge_expired) with the warehouse connection's settings."""

from __future__ import annotations

import os

import pytest

from svdw.config import REPO_DIR

DAG_FILE = REPO_DIR / "dags" / "archive_purge.py"


@pytest.fixture(scope="module")
def dag(tmp_path_factory: pytest.TempPathFactory):
    os.environ.setdefault("AIRFLOW_HOME", str(tmp_path_factory.mktemp("airflow_home")))
    os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAG_FILE))
    assert bag.import_errors == {}
    return bag.dags["archive_purge"]


def test_the_purge_runs_daily_under_the_dag_policy(dag) -> None:
    assert dag.schedule == "@daily"
    assert dag.catchup is False
    assert {"svdw", "retention"} <= set(dag.tags)
    assert "audit.archive_purge" in dag.doc_md
    assert [t.task_id for t in dag.tasks] == ["purge_expired_files"]
    task = dag.tasks[0]
    assert task.owner == "svdw-data-engineering"
    assert task.retries >= 1
