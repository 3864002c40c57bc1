"""Each routine service connects as its own role (svdw.config.service_url), and no script puts
a password on a command line (where `ps` shows it to every user of the machine)."""

from __future__ import annotations

import re

import pytest

from svdw.config import REPO_DIR, Settings, service_url

WAREHOUSE = "postgresql://svdw_engineer:ownerpw@db.example:5432/warehouse"
LOADER = "postgresql://svdw_loader:loaderpw@db.example:5432/warehouse"


def test_a_service_logs_in_as_its_role_on_the_warehouse_url_names() -> None:
    settings = Settings.from_env(
        {
            "WAREHOUSE_URL": "postgresql://svdw_engineer:ownerpw@127.0.0.1:55432/svdw_test_x",
            "LOADER_DATABASE_URL": LOADER,
            "TRANSFORMER_DATABASE_URL": "postgresql://svdw_transformer:t%40pw@db.example/warehouse",
        }
    )
    # the role and password of the service, the database of WAREHOUSE_URL (a test's own one)
    assert settings.loader_url == "postgresql://svdw_loader:loaderpw@127.0.0.1:55432/svdw_test_x"
    assert settings.transformer_url == (
        "postgresql://svdw_transformer:t%40pw@127.0.0.1:55432/svdw_test_x"
    )
    assert settings.warehouse_url.startswith("postgresql://svdw_engineer:")


def test_without_a_service_url_the_service_uses_the_warehouse_url() -> None:
    settings = Settings.from_env({"WAREHOUSE_URL": WAREHOUSE})
    assert settings.loader_url == WAREHOUSE
    assert settings.transformer_url == WAREHOUSE


def test_a_service_url_without_a_role_is_refused() -> None:
    with pytest.raises(ValueError, match="must name its role"):
        service_url(WAREHOUSE, "postgresql://db.example/warehouse")


# A password variable expanded as a command's argument: `--password "$X"`, `-v x="$X"`, or a
# URL holding one passed as an argument. Assignments (X=... cmd), printf (a shell builtin) and
# here-documents do not reach any process's argv.
PASSWORD_ARGUMENT = re.compile(
    r"""(?:--password|-v\s+\w+=|-p\s*)\s*["']?\$\{?\w*(?:PASSWORD|_URL)\b"""
)


@pytest.mark.parametrize(
    "script", sorted((REPO_DIR / "infra" / "local").glob("*.sh")), ids=lambda p: p.name
)
def test_no_script_passes_a_password_as_an_argument(script) -> None:
    offending = [
        f"{script.name}:{number}: {line.strip()}"
        for number, line in enumerate(script.read_text().splitlines(), 1)
        if PASSWORD_ARGUMENT.search(line) and not line.lstrip().startswith("#")
    ]
    assert not offending, "pass it through the environment or stdin:\n" + "\n".join(offending)


def test_the_pattern_finds_what_the_scripts_used_to_do() -> None:
    # so that the check above cannot pass by matching nothing
    assert PASSWORD_ARGUMENT.search('--password "$SUPERSET_ADMIN_PASSWORD" --firstname')
    assert PASSWORD_ARGUMENT.search('-v warehouse_password="$WAREHOUSE_PASSWORD" \\')
    assert not PASSWORD_ARGUMENT.search('PGPASSWORD="$SVDW_PG_SUPERUSER_PASSWORD" psql -X')
