"""dbt compilation for tests: the SQL this project's macros and models compile to, from the real
dbt (no rendering of our own), for tests that then run it in the real Postgres or read it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg

from svdw.config import temporary_environment
from svdw.transform import dbt_env, dbt_project_dir


def invoke_dbt(url: str, target: Path, arguments: list[str]) -> Any:
    """Run one dbt command in this project against the database at url, writing to target."""
    from dbt.cli.main import dbtRunner

    project = str(dbt_project_dir())
    with temporary_environment({**dbt_env(url), "DBT_TARGET_PATH": str(target)}):
        result = dbtRunner().invoke(
            [*arguments, "--project-dir", project, "--profiles-dir", project]
        )
    assert result.success, result.exception
    return result


def compile_inline(url: str, target: Path, inline: str, dbt_vars: str | None = None) -> str:
    """The SQL dbt compiles from `inline` (macros and all) in this project."""
    arguments = ["compile", "--inline", inline, "--quiet"]
    result = invoke_dbt(url, target, [*arguments, *(["--vars", dbt_vars] if dbt_vars else [])])
    return str(result.result.results[0].node.compiled_code)


def run_inline(url: str, target: Path, inline: str) -> list[tuple[Any, ...]]:
    """The rows the SQL compiled from `inline` returns in the database at url."""
    query = compile_inline(url, target, inline)
    with psycopg.connect(url) as conn:
        return conn.execute(query).fetchall()


def compiled_models(url: str, target: Path, selector: str) -> dict[str, str]:
    """Each selected model's name and compiled SQL, from the manifest dbt compile writes."""
    invoke_dbt(url, target, ["compile", "--select", selector, "--quiet"])
    manifest = json.loads((target / "manifest.json").read_text())
    return {
        node["name"]: node["compiled_code"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node.get("compiled_code")
    }
