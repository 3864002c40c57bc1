"""svdw.config.Settings: every variable documented, defaults, families, the renamed key."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

from svdw.config import REPO_DIR, Settings, environment_variables


def test_every_settings_variable_is_in_env_example() -> None:
    example = (REPO_DIR / ".env.example").read_text()
    listed = set(re.findall(r"\b([A-Z][A-Z0-9_]*(?:<[A-Z]+>[A-Z0-9_]*)?)=", example))
    missing = [name for name in environment_variables() if name not in listed]
    assert not missing, f"add to .env.example: {missing}"


# A read of a named variable (saving and restoring variables for GX or dbt is not one).
ENV_READ = re.compile(
    r"""os\.environ\.get\(\s*f?["']|os\.getenv\(|os\.environ\[\s*f?["'][^\]]*\](?!\s*=)"""
)


def test_no_module_reads_the_environment_but_config() -> None:
    readers = [
        str(path.relative_to(REPO_DIR))
        for folder in ("src/svdw", "dags")
        for path in sorted((REPO_DIR / folder).rglob("*.py"))
        if path.name != "config.py" and ENV_READ.search(path.read_text())
    ]
    assert readers == []


def test_defaults_are_local_and_relative_paths_are_under_the_repo() -> None:
    settings = Settings.from_env({"SVDW_HOME": "/srv/svdw", "SVDW_LANDING_DIR": "drop"})
    assert settings.warehouse_url.startswith("postgresql://svdw_engineer@127.0.0.1:55432/")
    assert settings.landing_dir == Path("/srv/svdw/drop")
    assert settings.archive_dir == Path("/srv/svdw/archive")
    assert settings.gx_project_dir == Path("/srv/svdw/expectations")
    assert settings.dbt_target_dir == Path("/srv/svdw/dbt/target")
    assert (settings.retry_delay_seconds, settings.smtp_port, settings.alert_email_to) == (
        300,
        25,
        (),
    )


def test_per_contract_sources_and_police_polygons() -> None:
    settings = Settings.from_env(
        {
            "SVDW_SOURCE_POLICE_FORCE_CRIMES": "sftp://svdw@sftp.example:22/out/",
            "SVDW_SOURCE_POLICE_FORCE_CRIMES_CONN_ID": "force_sftp",
            "SVDW_SOURCE_HEALTH_ED_ASSAULT_ATTENDANCES": "s3://drop/ed/",
            "SVDW_POLICE_API_POLY_CITY_OF_LONDON": "51.5,-0.1:51.6,-0.1:51.6,0.0",
            "SVDW_ALERT_EMAIL_TO": "a@example.org, b@example.org",
        }
    )
    assert settings.source("police_force_crimes") == (
        "sftp://svdw@sftp.example:22/out/",
        "force_sftp",
    )
    assert settings.source("health_ed_assault_attendances") == ("s3://drop/ed/", None)
    assert settings.source("education_schools") is None
    assert settings.police_api_poly("city-of-london") == "51.5,-0.1:51.6,-0.1:51.6,0.0"
    assert settings.alert_email_to == ("a@example.org", "b@example.org")


def test_the_old_pseudonym_key_name_still_works_with_a_deprecation_warning() -> None:
    with pytest.warns(DeprecationWarning, match="SVD_PSEUDONYM_KEY is deprecated"):
        settings = Settings.from_env({"SVD_PSEUDONYM_KEY": "old-key"})
    assert settings.pseudonym_key == "old-key"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        both = Settings.from_env({"SVD_PSEUDONYM_KEY": "old-key", "SVDW_PSEUDONYM_KEY": "new-key"})
    assert both.pseudonym_key == "new-key"
