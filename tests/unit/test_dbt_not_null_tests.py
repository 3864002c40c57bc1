"""A NOT NULL rule of the dbt project is a column listed in its model's (source table's, seed's)
`columns_not_null` test (dbt/tests/generic/columns_not_null.sql), never a `not_null` test on the
column: every test is a dbt node with a fixed cost per build, and one scan of the model checks
all of its columns (docs/runbook.md, "What a build tests")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from svdw.config import REPO_DIR

# the dbt project's YAML, and the staging folder a new partner copies (tests/e2e/new_partner)
YAML_DIRS = [REPO_DIR / "dbt" / "models", REPO_DIR / "dbt" / "seeds", REPO_DIR / "tests" / "e2e"]
FIX = "list the column in the `columns_not_null` test of its model (source table, seed) instead"


def relations(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(name, entry) of each model, seed, snapshot and source table a dbt YAML file declares."""
    for section in ("models", "seeds", "snapshots"):
        for entry in document.get(section) or []:
            yield entry["name"], entry
    for source in document.get("sources") or []:
        for table in source.get("tables") or []:
            yield f"{source['name']}.{table['name']}", table


def generic_test_names(tests: list[Any] | None) -> list[str]:
    """The generic test names of a data_tests list (`- not_null` or `- not_null: {...}`)."""
    return [t if isinstance(t, str) else next(iter(t)) for t in tests or []]


def column_not_null_tests(document: dict[str, Any]) -> list[str]:
    """`relation.column` for every column-level not_null test of a parsed dbt YAML file."""
    found = []
    for name, entry in relations(document):
        for column in entry.get("columns") or []:
            for key in ("data_tests", "tests"):
                if "not_null" in generic_test_names(column.get(key)):
                    found.append(f"{name}.{column['name']}")
        for key in ("data_tests", "tests"):
            if "not_null" in generic_test_names(entry.get(key)):
                found.append(f"{name} (model-level not_null)")
    return found


def dbt_yaml_documents() -> list[tuple[Path, dict[str, Any]]]:
    """Each dbt YAML file (a `version: 2` properties file) under YAML_DIRS, parsed once."""
    paths = sorted(path for directory in YAML_DIRS for path in directory.rglob("*.yml"))
    texts = [(path, path.read_text()) for path in paths]
    return [(path, yaml.safe_load(text)) for path, text in texts if "version: 2" in text]


def test_the_check_finds_a_column_level_not_null() -> None:
    document = yaml.safe_load(
        """
        models:
          - name: m
            columns:
              - {name: a, data_tests: [unique, not_null]}
              - name: b
                data_tests:
                  - not_null: {config: {where: "b > 0"}}
        sources:
          - name: raw
            tables: [{name: t, columns: [{name: c, tests: [not_null]}]}]
        """
    )
    assert column_not_null_tests(document) == ["m.a", "m.b", "raw.t.c"]


def test_no_column_level_not_null() -> None:
    found = [
        f"{path.relative_to(REPO_DIR)}: {test}"
        for path, document in dbt_yaml_documents()
        for test in column_not_null_tests(document)
    ]
    assert not found, f"not_null tests on columns ({FIX}):\n" + "\n".join(found)


def test_the_project_states_its_not_null_rules_as_columns_not_null() -> None:
    """The files above are read (a wrong directory would pass the check vacuously)."""
    folded = [
        name
        for _path, document in dbt_yaml_documents()
        for name, entry in relations(document)
        if "columns_not_null" in generic_test_names(entry.get("data_tests"))
    ]
    assert {"stg_police__street_crimes", "raw.police_uk__street_crimes"} <= set(folded)
