"""The raw data quality gate: the Great Expectations batch checks of each load batch.

Each contract's suite (svdw.batch_checks: batch plausibility only; row rules are the
loader's) lives in a GX file project generated from the contracts under
$SVDW_GX_PROJECT_DIR/gx/ (default expectations/gx/, git-ignored; svdw.gx_project rebuilds it
when a contract's checks change). `validate_raw_batches` runs the checkpoint of each requested
load batch's table on that batch, with the suite parameters computed from the partner's
previous deliveries (svdw.batch_history), or on every load batch in the raw tables when no
batch ids are given. `build_data_docs` validates each table's latest batch and writes the GX
Data Docs site under expectations/gx/uncommitted/data_docs/.

Expectations of severity "critical" fail the gate (DataQualityError); "warning" and "info"
failures are only reported. Every result lands in audit.expectation_result. The report names
every raw table that has no checks.

Model rules (unique, not_null, relationships ... of the marts) are dbt tests, not here.

Great Expectations is imported lazily: importing it costs seconds.
"""

from __future__ import annotations

import time
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from svdw.batch_history import ROW_COUNT, BatchParameters, batch_parameters
from svdw.config import Settings, temporary_environment
from svdw.contracts import Contract, load_contracts
from svdw.gx_project import BATCH_COLUMN, RAW_SCHEMA, ensure_project, suites
from svdw.loader import ensure_audit_schema

FAIL_SEVERITIES = frozenset({"critical"})
ROW_COUNT_EXPECTATION = ROW_COUNT


@dataclass(frozen=True)
class ExpectationResult:
    """One expectation's outcome on one table (and load batch, when validated per batch).
    `expected` says what a history-based limit was computed from."""

    table: str
    expectation: str
    column: str | None
    severity: str
    batch_id: int | None = None
    unexpected_count: int | None = None
    observed_value: str | None = None
    sample: tuple[str, ...] = ()
    success: bool = False
    expected: str | None = None

    def describe(self) -> str:
        where = self.table + (f" (load batch {self.batch_id})" if self.batch_id is not None else "")
        what = self.expectation + (f" on column {self.column}" if self.column else "")
        details = []
        if self.unexpected_count is not None:
            details.append(f"{self.unexpected_count} unexpected")
        if self.sample:
            details.append("e.g. " + ", ".join(repr(v) for v in self.sample[:3]))
        if self.observed_value is not None:
            details.append(f"observed {self.observed_value}")
        if self.expected:
            details.append(self.expected)
        suffix = f": {'; '.join(details)}" if details else ""
        return f"{what} failed in {where}{suffix} [{self.severity}]"


@dataclass(frozen=True)
class ValidationSummary:
    """What a quality run checked and found (`failed`: the results that did not hold).
    `success` is False only for fail-severity failures. `unchecked`: raw tables with no batch
    checks at all."""

    success: bool
    tables: tuple[str, ...]
    batch_ids: tuple[int, ...]
    failed: tuple[ExpectationResult, ...] = ()
    batches_not_found: tuple[int, ...] = ()
    tables_missing: tuple[str, ...] = ()
    seconds: float = 0.0
    expectations_evaluated: int = 0
    unchecked: tuple[str, ...] = ()

    @property
    def failing(self) -> tuple[ExpectationResult, ...]:
        """Failures that fail the gate (severity critical)."""
        return tuple(f for f in self.failed if f.severity in FAIL_SEVERITIES)

    @property
    def warnings(self) -> tuple[ExpectationResult, ...]:
        """Failures reported only (severity warning or info)."""
        return tuple(f for f in self.failed if f.severity not in FAIL_SEVERITIES)

    def describe(self) -> str:
        """One line for logs and the CLI, then one line per warning."""
        scope = ", ".join(self.tables) or "no table"
        if self.batch_ids:
            scope += f", load batch(es) {', '.join(map(str, self.batch_ids))}"
        line = (
            f"{'passed' if self.success else 'FAILED'}: {self.expectations_evaluated}"
            f" expectation(s) on {scope}, {len(self.failing)} failing, {len(self.warnings)}"
            f" warning(s), in {self.seconds:.1f} s"
        )
        if self.unchecked:
            line += f"; unchecked: {', '.join(self.unchecked)}"
        if self.tables_missing:
            line += f"; not present yet: {', '.join(self.tables_missing)}"
        if self.batches_not_found:
            line += f"; batches in no checked table: {', '.join(map(str, self.batches_not_found))}"
        return "\n  ".join([line, *(w.describe() for w in self.warnings)])


class DataQualityError(RuntimeError):
    """A fail-severity expectation failed; the message names each expectation, table and batch."""

    def __init__(self, summary: ValidationSummary) -> None:
        self.summary = summary
        lines = [f.describe() for f in summary.failing]
        super().__init__("data quality check failed:\n  " + "\n  ".join(lines))


def gx_project_dir() -> Path:
    """The GX project root (holding the generated gx/): Settings.gx_project_dir."""
    return Settings.from_env().gx_project_dir


def _warehouse_env(warehouse_url: str) -> AbstractContextManager[None]:
    """GX resolves the datasource's ${WAREHOUSE_URL} from the environment."""
    return temporary_environment({"WAREHOUSE_URL": warehouse_url, "GX_ANALYTICS_ENABLED": "false"})


def _batches_by_table(
    conn: psycopg.Connection, tables: list[str], batch_ids: list[int] | None
) -> tuple[dict[str, list[int]], list[str]]:
    """For each table that holds data: the requested batch ids it holds (all when batch_ids is
    None), and the tables with no rows at all.

    A raw table with no rows yet (a partner not yet onboarded: the table exists because its
    contract does) counts as missing here; freshness reports it as overdue instead."""
    present: dict[str, list[int]] = {}
    missing: list[str] = []
    for table in tables:
        if conn.execute("select to_regclass(%s)", (table,)).fetchone() == (None,):
            missing.append(table)
            continue
        schema_name, table_name = table.split(".", 1)
        query = sql.SQL("select distinct {col} from {tbl}").format(
            col=sql.Identifier(BATCH_COLUMN), tbl=sql.Identifier(schema_name, table_name)
        )
        if batch_ids is None:
            rows = conn.execute(query + sql.SQL(" order by 1")).fetchall()
            if not rows:
                missing.append(table)
        else:
            where = sql.SQL(" where {col} = any(%s) order by 1").format(
                col=sql.Identifier(BATCH_COLUMN)
            )
            rows = conn.execute(query + where, (list(batch_ids),)).fetchall()
        if rows:
            present[table] = [int(r[0]) for r in rows]
    return present, missing


def unchecked_tables(conn: psycopg.Connection, checked: set[str]) -> list[str]:
    """Raw tables in the warehouse (and contract tables) without a single batch check."""
    in_warehouse = {
        f"{RAW_SCHEMA}.{r[0]}"
        for r in conn.execute(
            "select table_name from information_schema.tables where table_schema = %s",
            (RAW_SCHEMA,),
        ).fetchall()
    }
    contract_tables = {c.table for c in load_contracts().values()}
    return sorted((in_warehouse | contract_tables) - checked)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _results(
    table: str, batch_id: int | None, suite_result: Any, notes: dict[tuple[str, str | None], str]
) -> list[ExpectationResult]:
    """Every expectation's outcome (success included, for the audit trail)."""
    outcomes: list[ExpectationResult] = []
    for result in suite_result.results:
        config = result.expectation_config
        details = result.result or {}
        observed = details.get("observed_value")
        exception = (result.exception_info or {}).get("exception_message")
        column = config.kwargs.get("column")
        outcomes.append(
            ExpectationResult(
                table=table,
                expectation=config.type,
                column=column,
                severity=str(getattr(config, "severity", "critical") or "critical")
                .split(".")[-1]
                .lower(),
                batch_id=batch_id,
                unexpected_count=details.get("unexpected_count"),
                observed_value=_text(observed) if exception is None else f"error: {exception}",
                sample=tuple(str(v) for v in details.get("partial_unexpected_list") or ()),
                success=bool(result.success),
                expected=notes.get((config.type, column)),
            )
        )
    return outcomes


def _recorded_value(outcome: ExpectationResult) -> str | None:
    parts = [p for p in (outcome.observed_value, outcome.expected) if p]
    return "; ".join(parts) or None


def record_results(warehouse_url: str, outcomes: list[ExpectationResult]) -> None:
    """Keep every result in audit.expectation_result: what the freshness and data-quality views
    report as failing, per table and load batch."""
    if not outcomes:
        return
    with psycopg.connect(warehouse_url, application_name="svdw-quality") as conn:
        ensure_audit_schema(conn)
        with conn.cursor() as cur:
            cur.executemany(
                "insert into audit.expectation_result (target_table, batch_id, expectation,"
                " column_name, severity, success, unexpected_count, observed_value)"
                " values (%s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    (
                        o.table,
                        o.batch_id,
                        o.expectation,
                        o.column,
                        o.severity,
                        o.success,
                        o.unexpected_count,
                        _recorded_value(o),
                    )
                    for o in outcomes
                ],
            )


_CONTEXTS: dict[tuple[str, str], Any] = {}


def _context(warehouse_url: str) -> Any:
    """The generated GX file context, one per (project, warehouse) and process: importing GX
    and reading the project cost seconds. Call inside `_warehouse_env(warehouse_url)`.
    (A context's datasource caches its engine, so a context is never shared across warehouses.)"""
    import great_expectations as gx  # lazy: ~4 s

    root = gx_project_dir()
    ensure_project(root)
    key = (str(root), warehouse_url)
    if key not in _CONTEXTS:
        _CONTEXTS[key] = gx.get_context(mode="file", project_root_dir=key[0])
    return _CONTEXTS[key]


def _contracts_by_table() -> dict[str, Contract]:
    return {c.table: c for c in load_contracts().values()}


def _run(
    warehouse_url: str, context: Any, batches: dict[str, list[int]]
) -> list[ExpectationResult]:
    """Run each table's checkpoint on each of its batches; every expectation's outcome."""
    contracts = _contracts_by_table()
    outcomes: list[ExpectationResult] = []
    with psycopg.connect(warehouse_url, application_name="svdw-quality") as conn:
        for table, batch_ids in batches.items():
            checkpoint = context.checkpoints.get(table)
            for batch_id in batch_ids:
                parameters: BatchParameters = batch_parameters(conn, contracts[table], batch_id)
                result = checkpoint.run(
                    batch_parameters={BATCH_COLUMN: batch_id},
                    expectation_parameters=parameters.values,
                )
                for suite_result in result.run_results.values():
                    outcomes.extend(_results(table, batch_id, suite_result, parameters.notes))
    return outcomes


def _summary(
    outcomes: list[ExpectationResult],
    present: dict[str, list[int]],
    missing: list[str],
    unchecked: list[str],
    batch_ids: list[int] | None,
    started: float,
) -> ValidationSummary:
    failed = [o for o in outcomes if not o.success]
    found = {b for bs in present.values() for b in bs}
    return ValidationSummary(
        success=not any(f.severity in FAIL_SEVERITIES for f in failed),
        tables=tuple(present),
        batch_ids=tuple(sorted(found)),
        failed=tuple(failed),
        batches_not_found=tuple(b for b in (batch_ids or []) if b not in found),
        tables_missing=tuple(missing),
        seconds=time.monotonic() - started,
        expectations_evaluated=len(outcomes),
        unchecked=tuple(unchecked),
    )


def validate_raw_batches(
    warehouse_url: str, batch_ids: list[int] | None = None
) -> ValidationSummary:
    """Validate the given load batches, each on its own (or every load batch in the raw tables,
    when batch_ids is None).

    Batch ids found in no checked raw table (a rejected file, or a table without checks) are
    listed in `batches_not_found`; contract tables not created or empty in `tables_missing`;
    raw tables without checks in `unchecked`. Raises DataQualityError when a critical
    expectation fails."""
    started = time.monotonic()
    table_suites = suites()
    checked = [t for t, specs in table_suites.items() if specs]
    with psycopg.connect(warehouse_url, application_name="svdw-quality") as conn:
        unchecked = unchecked_tables(conn, set(checked))
        if batch_ids is not None and not batch_ids:
            return ValidationSummary(
                success=True, tables=(), batch_ids=(), unchecked=tuple(unchecked)
            )
        present, missing = _batches_by_table(conn, checked, batch_ids)
    outcomes: list[ExpectationResult] = []
    if present:
        with _warehouse_env(warehouse_url):
            outcomes = _run(warehouse_url, _context(warehouse_url), present)
    record_results(warehouse_url, outcomes)
    summary = _summary(outcomes, present, missing, unchecked, batch_ids, started)
    if not summary.success:
        raise DataQualityError(summary)
    return summary


def build_data_docs(warehouse_url: str) -> Path:
    """Validate each raw table's latest load batch (failures do not raise and are not recorded
    in the audit) and build the GX Data Docs site under
    expectations/gx/uncommitted/data_docs/local_site/ (git-ignored). Returns its index.html."""
    with psycopg.connect(warehouse_url, application_name="svdw-quality") as conn:
        present, _missing = _batches_by_table(conn, [t for t, s in suites().items() if s], None)
    latest = {table: batch_ids[-1:] for table, batch_ids in present.items()}
    with _warehouse_env(warehouse_url):
        context = _context(warehouse_url)
        _run(warehouse_url, context, latest)
        context.build_data_docs()
    index = gx_project_dir() / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    if not index.is_file():
        raise FileNotFoundError(f"GX did not write {index}")
    return index


def main(argv: list[str] | None = None) -> int:
    """`python -m svdw.quality docs|raw`: build the Data Docs site (prints its index.html), or
    run the gate on every load batch in the raw tables, on $WAREHOUSE_URL (.env)."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    command = args[0] if args else "docs"
    url = Settings.from_env().warehouse_url
    try:
        if command == "docs":
            print(build_data_docs(url))
        elif command == "raw":
            print(validate_raw_batches(url).describe())
        else:
            print("usage: python -m svdw.quality [docs|raw]", file=sys.stderr)
            return 2
    except DataQualityError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
