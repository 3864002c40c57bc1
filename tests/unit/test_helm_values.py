"""infra/helm/: the values files for the official Apache Airflow chart (CeleryExecutor and
KubernetesExecutor variants) and Superset's chart. Neither chart can be fetched here (no chart
repository is reachable, and no package registry ships them), so neither `helm lint` nor the
charts' values.schema.json can run: each key the files set is checked against the keys the charts
document, and the deployment's promises against the values themselves.

Documented keys, as listed in each chart's values reference:
- Airflow: https://airflow.apache.org/docs/helm-chart/stable/parameters-ref.html (chart 1.18+,
  the releases for Airflow 3: apiServer, dagProcessor, jwtSecretName);
- Superset: the Values table of https://github.com/apache/superset/blob/master/helm/superset/README.md
  (chart 0.22.x, appVersion 6.1.0).
A key the chart does not know is silently ignored by Helm: a typo would deploy the defaults."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from svdw.config import REPO_DIR

HELM = REPO_DIR / "infra" / "helm"
AIRFLOW_BASE = HELM / "airflow" / "values.yaml"
AIRFLOW_VARIANTS = {
    "CeleryExecutor": HELM / "airflow" / "values-celery.yaml",
    "KubernetesExecutor": HELM / "airflow" / "values-kubernetes.yaml",
}
SUPERSET = HELM / "superset" / "values.yaml"

# Documented keys; a key ending in ".*" takes any sub-keys (a free-form map in the chart: the
# airflow.cfg sections under `config`, Kubernetes resources, the connections map).
AIRFLOW_KEYS = {
    "executor",
    "airflowVersion",
    "defaultAirflowRepository",
    "defaultAirflowTag",
    "images.airflow.repository",
    "images.airflow.tag",
    "images.airflow.pullPolicy",
    "dags.persistence.enabled",
    "dags.gitSync.enabled",
    "postgresql.enabled",
    "pgbouncer.enabled",
    "redis.enabled",
    "data.metadataSecretName",
    "data.brokerUrlSecretName",
    "fernetKeySecretName",
    "apiSecretKeySecretName",
    "jwtSecretName",
    "extraEnvFrom",
    "extraEnv",
    "env",
    "config.*",
    "workers.replicas",
    "workers.resources.*",
    "workers.extraVolumes",
    "workers.extraVolumeMounts",
    "logs.persistence.enabled",
    "logs.persistence.existingClaim",
    "scheduler.replicas",
    "apiServer.replicas",
    "dagProcessor.enabled",
    "triggerer.enabled",
}
SUPERSET_KEYS = {
    "image.repository",
    "image.tag",
    "image.pullPolicy",
    "runAsUser",
    "postgresql.enabled",
    "redis.enabled",
    "secretEnv.create",
    "envFromSecret",
    "supersetNode.replicaCount",
    "supersetNode.command",
    "supersetNode.connections.*",
    "supersetNode.resources.*",
    "supersetWorker.replicaCount",
    "supersetWorker.command",
    "init.enabled",
    "init.loadExamples",
    "init.createAdmin",
    "init.command",
}


def load(path: Path) -> dict[str, Any]:
    values = yaml.safe_load(path.read_text())
    assert isinstance(values, dict), path
    return values


def merged(*paths: Path) -> dict[str, Any]:
    """Helm's merge of several -f files: maps merge key by key, anything else is replaced."""

    def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
        out = dict(base)
        for key, value in over.items():
            if isinstance(value, dict) and isinstance(out.get(key), dict):
                out[key] = merge(out[key], value)
            else:
                out[key] = value
        return out

    result: dict[str, Any] = {}
    for path in paths:
        result = merge(result, load(path))
    return result


def leaf_keys(values: dict[str, Any], prefix: str = "") -> list[str]:
    keys = []
    for key, value in values.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            keys += leaf_keys(value, f"{path}.")
        else:
            keys.append(path)
    return keys


def undocumented(keys: list[str], documented: set[str]) -> list[str]:
    def known(key: str) -> bool:
        return key in documented or any(
            d.endswith(".*") and key.startswith(d[:-1]) for d in documented
        )

    return sorted(k for k in keys if not known(k))


def get(values: dict[str, Any], dotted: str) -> Any:
    for part in dotted.split("."):
        values = values[part]
    return values


@pytest.mark.parametrize(
    ("path", "documented"),
    [
        (AIRFLOW_BASE, AIRFLOW_KEYS),
        *[(p, AIRFLOW_KEYS) for p in AIRFLOW_VARIANTS.values()],
        (SUPERSET, SUPERSET_KEYS),
    ],
    ids=lambda x: x.name if isinstance(x, Path) else "",
)
def test_every_key_is_one_the_chart_documents(path: Path, documented: set[str]) -> None:
    assert not undocumented(leaf_keys(load(path)), documented)


def test_a_misspelt_key_is_caught() -> None:
    assert undocumented(["worker.replicas", "config.core.parallelism"], AIRFLOW_KEYS) == [
        "worker.replicas"
    ]


@pytest.mark.parametrize("executor", sorted(AIRFLOW_VARIANTS))
def test_each_variant_sets_its_executor_and_keeps_the_shared_promises(executor: str) -> None:
    values = merged(AIRFLOW_BASE, AIRFLOW_VARIANTS[executor])
    assert values["executor"] == executor
    # DAGs and svdw are in the image: no git-sync, no DAG volume.
    assert get(values, "dags.gitSync.enabled") is False
    assert get(values, "dags.persistence.enabled") is False
    # A managed PostgreSQL, reached through a Secret.
    assert get(values, "postgresql.enabled") is False
    assert get(values, "data.metadataSecretName")
    # The image is pinned, and it is the one Airflow version of the lock.
    tag = get(values, "images.airflow.tag")
    assert tag and tag != "latest" and values["defaultAirflowTag"] == tag
    lock = (REPO_DIR / "requirements" / "warehouse.lock").read_text()
    assert f"apache-airflow=={values['airflowVersion']}\n" in lock
    # Every task sees the same landing and archive directories.
    mounts = {m["mountPath"] for m in get(values, "workers.extraVolumeMounts")}
    assert "/srv/svdw" in mounts
    env = {e["name"]: e["value"] for e in values["env"]}
    assert env["SVDW_LANDING_DIR"].startswith("/srv/svdw/")


# What the tasks log in as (svdw.config.Settings, svdw.airflow_support.TRANSFORMER_CONN_ID).
SERVICE_LOGINS = (
    "LOADER_DATABASE_URL",
    "TRANSFORMER_DATABASE_URL",
    "AIRFLOW_CONN_WAREHOUSE_TRANSFORMER",
)


def test_the_tasks_log_in_as_the_service_roles_from_a_secret() -> None:
    values = load(AIRFLOW_BASE)
    extra = {e["name"]: e for e in yaml.safe_load(values["extraEnv"])}
    for name in SERVICE_LOGINS:
        assert "value" not in extra[name], name  # never written in the values
        assert extra[name]["valueFrom"]["secretKeyRef"]["name"], name
    env_example = (REPO_DIR / ".env.example").read_text()
    assert all(f"\n{name}=" in env_example for name in SERVICE_LOGINS[:2])


def test_the_celery_variant_has_workers_and_a_managed_broker() -> None:
    values = merged(AIRFLOW_BASE, AIRFLOW_VARIANTS["CeleryExecutor"])
    assert get(values, "workers.replicas") >= 2
    assert get(values, "redis.enabled") is False and get(values, "data.brokerUrlSecretName")


def test_the_kubernetes_variant_keeps_task_logs_beyond_their_pods() -> None:
    values = merged(AIRFLOW_BASE, AIRFLOW_VARIANTS["KubernetesExecutor"])
    assert "replicas" not in values["workers"]
    assert get(values, "logs.persistence.enabled") is True


def test_superset_runs_the_project_image_on_managed_services_with_its_worker() -> None:
    values = load(SUPERSET)
    assert values["image"]["tag"] not in ("", "latest")
    assert values["postgresql"]["enabled"] is False and values["redis"]["enabled"] is False
    assert values["secretEnv"]["create"] is False and values["envFromSecret"]
    assert values["supersetWorker"]["replicaCount"] >= 1
    assert "--app=superset.tasks.celery_app:app" in values["supersetWorker"]["command"]
    assert "superset.sh import" in " ".join(values["init"]["command"])


@pytest.mark.parametrize(
    "path", [AIRFLOW_BASE, *AIRFLOW_VARIANTS.values(), SUPERSET], ids=lambda p: p.name
)
def test_no_credential_is_written_in_a_values_file(path: Path) -> None:
    for key in leaf_keys(load(path)):
        name = key.rsplit(".", 1)[-1].lower()
        if any(word in name for word in ("password", "pass", "secret", "key")):
            assert name.endswith(("secretname", "fromsecret")), key
