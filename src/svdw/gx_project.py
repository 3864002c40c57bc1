"""Generate the Great Expectations file project from the contracts (never committed).

`ensure_project(root)` (re)writes <root>/gx/ when what the contracts ask for differs from what
is there: a fingerprint of every suite (svdw.batch_checks) and the GX version is kept in
<root>/gx/svdw-fingerprint.json. The project is built in a sibling directory and swapped in
under a file lock, so concurrent gates (Airflow tasks, tests) never see half a project.

Per contract with raw table T it holds: a table asset T on the datasource `warehouse` with the
batch definition `by_load_batch` (partitioned on the loader's _batch_id column: batch parameter
{"_batch_id": <id>}), the expectation suite T, the validation definition `T.by_load_batch` and
the checkpoint T. The datasource connects with search_path raw; its connection string is the
config variable ${WAREHOUSE_URL}, never a literal: GX substitutes it from the environment at run
time, and building the project needs no database.

Great Expectations is imported lazily: importing it costs seconds.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from importlib.metadata import version
from pathlib import Path

from svdw.batch_checks import ExpectationSpec, suite_expectations
from svdw.contracts import Contract, load_contracts

DATASOURCE = "warehouse"
RAW_SCHEMA = "raw"  # every checked table is a raw table
BY_LOAD_BATCH = "by_load_batch"
BATCH_COLUMN = "_batch_id"
FINGERPRINT_FILE = "svdw-fingerprint.json"
# Bump when the project's layout (not its suites) changes, so existing projects are rebuilt.
LAYOUT_VERSION = 2


def suites(contracts: dict[str, Contract] | None = None) -> dict[str, list[ExpectationSpec]]:
    """Raw table -> its batch checks, for every contract (tables with no checks included)."""
    contracts = load_contracts() if contracts is None else contracts
    return {
        c.table: suite_expectations(c) for c in sorted(contracts.values(), key=lambda c: c.table)
    }


def fingerprint(table_suites: dict[str, list[ExpectationSpec]]) -> str:
    content = {
        "layout": LAYOUT_VERSION,
        "great_expectations": version("great_expectations"),
        "suites": {t: [asdict(s) for s in specs] for t, specs in table_suites.items()},
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def _current_fingerprint(gx_dir: Path) -> str | None:
    try:
        return str(json.loads((gx_dir / FINGERPRINT_FILE).read_text())["fingerprint"])
    except (OSError, ValueError, KeyError):
        return None


@contextmanager
def _lock(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".gx.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_project(
    root: Path, table_suites: dict[str, list[ExpectationSpec]] | None = None
) -> Path:
    """<root>/gx/, written from the contracts unless already up to date; returns it."""
    table_suites = suites() if table_suites is None else table_suites
    wanted = fingerprint(table_suites)
    gx_dir = root / "gx"
    if _current_fingerprint(gx_dir) == wanted:
        return gx_dir
    with _lock(root):
        if _current_fingerprint(gx_dir) == wanted:  # another process built it meanwhile
            return gx_dir
        staging = root / f".gx-build-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        write_project(staging, table_suites)
        (staging / "gx" / FINGERPRINT_FILE).write_text(
            json.dumps({"fingerprint": wanted, "tables": sorted(table_suites)}, indent=2) + "\n"
        )
        retired = root / f".gx-old-{os.getpid()}"
        if gx_dir.exists():
            gx_dir.rename(retired)
        (staging / "gx").rename(gx_dir)
        shutil.rmtree(retired, ignore_errors=True)
        shutil.rmtree(staging, ignore_errors=True)
    return gx_dir


def write_project(root: Path, table_suites: dict[str, list[ExpectationSpec]]) -> None:
    """Write a fresh GX file project under <root>/gx/ (no database needed)."""
    import great_expectations as gx  # lazy: ~4 s
    from great_expectations import expectations as gxe
    from great_expectations.core.partitioners import PartitionerColumnValue
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.datasource.fluent import PostgresDatasource
    from great_expectations.datasource.fluent.sql_datasource import TableAsset

    os.environ["GX_ANALYTICS_ENABLED"] = "false"  # no usage statistics, no network calls
    context = gx.get_context(mode="file", project_root_dir=str(root))
    context.variables.analytics_enabled = False
    context.variables.progress_bars = ProgressBarsConfig(globally=False)  # quiet task logs
    context.variables.save()
    # Assets are given to the datasource whole: adding them one by one would query each table.
    # The schema is the connection's search path (GX deprecates a schema per table asset).
    context.add_datasource(
        datasource=PostgresDatasource(
            name=DATASOURCE,
            connection_string="${WAREHOUSE_URL}",
            kwargs={"connect_args": {"options": f"-c search_path={RAW_SCHEMA}"}},
            assets=[TableAsset(name=t, table_name=t.split(".", 1)[1]) for t in table_suites],
        )
    )
    datasource = context.data_sources.get(DATASOURCE)
    for table, specs in table_suites.items():
        batch_definition = datasource.get_asset(table).add_batch_definition(
            BY_LOAD_BATCH,
            partitioner=PartitionerColumnValue(column_name=BATCH_COLUMN),
            validate_partitioner=False,
        )
        suite = context.suites.add(gx.ExpectationSuite(name=table))
        for spec in specs:
            suite.add_expectation(getattr(gxe, spec.type)(**spec.kwargs))
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(
                name=f"{table}.{BY_LOAD_BATCH}", data=batch_definition, suite=suite
            )
        )
        context.checkpoints.add(
            gx.Checkpoint(
                name=table,
                validation_definitions=[definition],
                actions=[],
                result_format={"result_format": "SUMMARY"},
            )
        )
