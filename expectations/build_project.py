"""(Re)write the committed Great Expectations project in expectations/gx/ from this file.

The suites, validation definitions and checkpoints under gx/ are generated here so that a change
is one reviewed diff: edit SUITES below, then run (needs a warehouse with the raw tables, since
GX checks the datasource and the tables while adding them):

    WAREHOUSE_URL=postgresql://... .venv/bin/python expectations/build_project.py

The datasource connection string is stored as the config variable ${WAREHOUSE_URL}, never a
literal: GX substitutes it from the environment at run time.

Per raw table T this writes:
  - data asset T (a table asset) with batch definitions `whole_table` and `by_load_batch`
    (partitioned on the loader's _batch_id column: batch parameter {"_batch_id": <id>});
  - expectation suite T;
  - validation definitions `T.whole_table` and `T.by_load_batch`;
  - checkpoints `T` (whole table) and `T.by_load_batch` (one load batch per run).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent
DATASOURCE = "warehouse"
WHOLE_TABLE = "whole_table"
BY_LOAD_BATCH = "by_load_batch"

POLICE_CRIME_TYPES = [
    "Anti-social behaviour",
    "Bicycle theft",
    "Burglary",
    "Criminal damage and arson",
    "Drugs",
    "Other crime",
    "Other theft",
    "Possession of weapons",
    "Public disorder and weapons",
    "Public order",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
    "Violence and sexual offences",
    "Violent crime",
]

# table -> list of (expectation class name, kwargs). severity "critical" (the default) fails the
# pipeline; "warning" is reported only.
SUITES: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "raw.police_uk__street_crimes": [
        ("ExpectTableRowCountToBeBetween", {"min_value": 1}),
        ("ExpectColumnValuesToNotBeNull", {"column": "month"}),
        ("ExpectColumnValuesToNotBeNull", {"column": "crime_type"}),
        ("ExpectColumnValuesToBeInSet", {"column": "crime_type", "value_set": POLICE_CRIME_TYPES}),
        (
            "ExpectColumnValuesToBeBetween",
            {"column": "longitude", "min_value": -180, "max_value": 180},
        ),
        (
            "ExpectColumnValuesToBeBetween",
            {"column": "latitude", "min_value": -90, "max_value": 90},
        ),
        # NULLs are ignored by column-map expectations: only present codes must match.
        ("ExpectColumnValuesToMatchRegex", {"column": "lsoa_code", "regex": "^[EW]01[0-9]{6}$"}),
        (
            "ExpectColumnValuesToNotBeNull",
            {"column": "lsoa_code", "mostly": 0.9, "severity": "warning"},
        ),
    ],
}


def build(project_root: Path = PROJECT_ROOT) -> None:
    import great_expectations as gx
    from great_expectations import expectations as gxe
    from great_expectations.core.partitioners import PartitionerColumnValue
    from great_expectations.data_context.types.base import ProgressBarsConfig

    if "WAREHOUSE_URL" not in os.environ:
        sys.exit("set WAREHOUSE_URL to a warehouse that has the raw tables")
    gx_dir = project_root / "gx"
    if gx_dir.exists():
        shutil.rmtree(gx_dir)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    context = gx.get_context(mode="file", project_root_dir=str(project_root))
    context.variables.analytics_enabled = False  # no usage statistics, no network calls
    context.variables.progress_bars = ProgressBarsConfig(globally=False)  # quiet task logs
    context.variables.save()
    datasource = context.data_sources.add_postgres(
        name=DATASOURCE, connection_string="${WAREHOUSE_URL}"
    )
    for table, expectations in SUITES.items():
        schema_name, table_name = table.split(".", 1)
        asset = datasource.add_table_asset(
            name=table, schema_name=schema_name, table_name=table_name
        )
        whole = asset.add_batch_definition_whole_table(WHOLE_TABLE)
        by_batch = asset.add_batch_definition(
            BY_LOAD_BATCH,
            partitioner=PartitionerColumnValue(column_name="_batch_id"),
            validate_partitioner=False,
        )
        suite = context.suites.add(gx.ExpectationSuite(name=table))
        for class_name, kwargs in expectations:
            suite.add_expectation(getattr(gxe, class_name)(**kwargs))
        for batch_definition in (whole, by_batch):
            definition = context.validation_definitions.add(
                gx.ValidationDefinition(
                    name=f"{table}.{batch_definition.name}",
                    data=batch_definition,
                    suite=suite,
                )
            )
            checkpoint_name = table if batch_definition is whole else f"{table}.{BY_LOAD_BATCH}"
            context.checkpoints.add(
                gx.Checkpoint(
                    name=checkpoint_name,
                    validation_definitions=[definition],
                    actions=[],
                    result_format={"result_format": "SUMMARY"},
                )
            )
    # Runtime output only: never committed (git-ignored anyway).
    shutil.rmtree(gx_dir / "uncommitted", ignore_errors=True)
    print(f"wrote {gx_dir}")


if __name__ == "__main__":
    build()
