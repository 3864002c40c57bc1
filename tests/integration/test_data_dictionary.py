"""The data dictionary analysts read (`make docs`): every column of every table dbt builds in the
marts and sna schemas is described, through a doc block (written once, reused by name), in the
dbt YAML. Checked against the tables as built, so a column added to a model without a
description fails here."""

from __future__ import annotations

import re

import psycopg
import pytest
import yaml
from conftest import BuiltWarehouse

from svdw.transform import dbt_project_dir

pytestmark = pytest.mark.integration

DBT = dbt_project_dir()
DOC_REFERENCE = re.compile(r"^\{\{\s*doc\(\s*['\"]([A-Za-z0-9_]+)['\"]\s*\)\s*\}\}$")
DOC_BLOCK = re.compile(r"\{%-?\s*docs\s+([A-Za-z0-9_]+)\s*-?%\}")
PUBLISHED_SCHEMAS = ("marts", "sna")


def _documented_columns() -> dict[str, dict[str, str]]:
    """model or seed name -> column name -> description, from every YAML of the project."""
    out: dict[str, dict[str, str]] = {}
    for path in [*(DBT / "models").rglob("*.yml"), *(DBT / "seeds").rglob("*.yml")]:
        body = yaml.safe_load(path.read_text()) or {}
        for node in [*body.get("models", []), *body.get("seeds", [])]:
            columns = out.setdefault(node["name"], {})
            for column in node.get("columns", []):
                columns[column["name"]] = str(column.get("description", "")).strip()
    return out


def _doc_blocks() -> list[str]:
    return [
        name
        for path in (DBT / "models").rglob("*.md")
        for name in DOC_BLOCK.findall(path.read_text())
    ]


def _built_columns(url: str) -> dict[str, list[str]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            """
            select table_name, column_name
            from information_schema.columns
            where table_schema = any(%s)
            order by table_name, ordinal_position
            """,
            (list(PUBLISHED_SCHEMAS),),
        ).fetchall()
    out: dict[str, list[str]] = {}
    for table, column in rows:
        out.setdefault(table, []).append(column)
    return out


def test_every_doc_block_is_written_once() -> None:
    blocks = _doc_blocks()
    duplicates = sorted({name for name in blocks if blocks.count(name) > 1})
    assert not duplicates, f"doc blocks defined more than once: {duplicates}"


def test_every_published_column_is_described_by_a_doc_block(
    built_warehouse: BuiltWarehouse,
) -> None:
    built = _built_columns(built_warehouse.url)
    assert {"fct_police_crime", "dim_geography", "sna_core_measures"} <= set(built)
    documented = _documented_columns()
    blocks = set(_doc_blocks())
    problems: list[str] = []
    for table, columns in built.items():
        if table not in documented:
            problems.append(f"{table}: no YAML entry")
            continue
        for column in columns:
            description = documented[table].get(column)
            if description is None:
                problems.append(f"{table}.{column}: not in the YAML")
                continue
            match = DOC_REFERENCE.match(description)
            if not match:
                problems.append(f"{table}.{column}: description is not a doc block reference")
            elif match.group(1) not in blocks:
                problems.append(f"{table}.{column}: doc block {match.group(1)!r} does not exist")
    assert not problems, "undocumented columns:\n" + "\n".join(problems)
