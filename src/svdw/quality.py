"""Data quality gates: run the Great Expectations checkpoints in expectations/gx/.

Raw tables: for each raw table T with a suite, the GX project holds a checkpoint `T` (whole
table) and `T.by_load_batch` (one loader batch, batch parameter `_batch_id`).
`validate_raw_batches` runs the per-batch checkpoint for each requested load batch, or the
whole-table checkpoints when no batch ids are given. Per load batch it also compares the batch's
row count with the partner's previous deliveries (audit.load_batch): fewer than half the mean
rows of that contract's last 3 loaded batches fails.

Marts: `validate_marts` runs the whole-table checkpoints of the key marts after dbt (marts
not built yet are listed, not failed). `build_data_docs` validates everything and writes the GX
Data Docs site under expectations/gx/uncommitted/data_docs/ (git-ignored).

Expectations of severity "critical" fail the gate (DataQualityError); "warning" and "info"
failures are only reported. Every result lands in audit.expectation_result.

Suites take the parameters "today", "now" and "current_year" (dates not in the future, birth
years up to this year), supplied here at each run.

Great Expectations is imported lazily: importing it costs seconds.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from svdw.loader import ensure_audit_schema

PACKAGE_DIR = Path(__file__).resolve().parent
BY_LOAD_BATCH = "by_load_batch"
BATCH_COLUMN = "_batch_id"
FAIL_SEVERITIES = frozenset({"critical"})
RAW_SCHEMA = "raw"
MART_SCHEMAS = ("marts", "sna")
ROW_COUNT_EXPECTATION = "row_count_vs_previous_deliveries"
PREVIOUS_DELIVERIES = 3  # compare a batch with the mean of this many earlier loaded batches
MIN_SHARE_OF_MEAN = 0.5  # ... and fail it below this share of that mean
# Contracts whose short deliveries are reported, not blocking. Suspensions and exclusions come
# as term-to-date extracts that the full term's delivery later replaces (replace_scope
# academic_year, term) and vary strongly by term, so a short one is normal in the first weeks.
ROW_COUNT_SEVERITY: dict[str, str] = {"education_suspensions_exclusions": "warning"}


@dataclass(frozen=True)
class ExpectationResult:
    """One expectation's outcome on one table (and load batch, when validated per batch)."""

    table: str
    expectation: str
    column: str | None
    severity: str
    batch_id: int | None = None
    unexpected_count: int | None = None
    observed_value: str | None = None
    sample: tuple[str, ...] = ()
    success: bool = False

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
        suffix = f": {'; '.join(details)}" if details else ""
        return f"{what} failed in {where}{suffix} [{self.severity}]"


@dataclass(frozen=True)
class ValidationSummary:
    """What a quality run checked and found (`failed`: the results that did not hold).
    `success` is False only for fail-severity failures."""

    success: bool
    tables: tuple[str, ...]
    batch_ids: tuple[int, ...]
    failed: tuple[ExpectationResult, ...] = ()
    batches_not_found: tuple[int, ...] = ()
    tables_missing: tuple[str, ...] = ()
    seconds: float = 0.0
    expectations_evaluated: int = 0

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
        scope = f"{len(self.tables)} table(s)" + (
            f", load batch(es) {', '.join(map(str, self.batch_ids))}" if self.batch_ids else ""
        )
        line = (
            f"{'passed' if self.success else 'FAILED'}: {self.expectations_evaluated}"
            f" expectation(s) on {scope}, {len(self.failing)} failing, {len(self.warnings)}"
            f" warning(s), in {self.seconds:.1f} s"
        )
        if self.tables_missing:
            line += f"; not present yet: {', '.join(self.tables_missing)}"
        if self.batches_not_found:
            line += f"; batches in no checked table: {', '.join(map(str, self.batches_not_found))}"
        return "\n  ".join([line, *(w.describe() for w in self.warnings)])


class DataQualityError(RuntimeError):
    """A fail-severity expectation failed; the message names each expectation and table."""

    def __init__(self, summary: ValidationSummary) -> None:
        self.summary = summary
        lines = [f.describe() for f in summary.failing]
        super().__init__("data quality check failed:\n  " + "\n  ".join(lines))


def gx_project_dir() -> Path:
    """The GX project root (holding gx/): $SVDW_GX_PROJECT_DIR, else <repo>/expectations."""
    override = os.environ.get("SVDW_GX_PROJECT_DIR")
    if override:
        return Path(override).resolve()
    return (PACKAGE_DIR.parent.parent / "expectations").resolve()


@contextmanager
def _warehouse_env(warehouse_url: str) -> Iterator[None]:
    """GX resolves the datasource's ${WAREHOUSE_URL} from the environment."""
    saved = {k: os.environ.get(k) for k in ("WAREHOUSE_URL", "GX_ANALYTICS_ENABLED")}
    os.environ["WAREHOUSE_URL"] = warehouse_url
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def _batches_by_table(
    warehouse_url: str, tables: list[str], batch_ids: list[int] | None
) -> tuple[dict[str, list[int]], list[str]]:
    """For each table that holds data: the requested batch ids it holds (all-table mode: []).

    A raw table with no rows yet (a partner not yet onboarded: the table exists because its
    contract does) counts as missing here; freshness reports it as overdue instead."""
    present: dict[str, list[int]] = {}
    missing: list[str] = []
    with psycopg.connect(warehouse_url, application_name="svdw-quality") as conn:
        for table in tables:
            if conn.execute("select to_regclass(%s)", (table,)).fetchone() == (None,):
                missing.append(table)
                continue
            schema_name, table_name = table.split(".", 1)
            if batch_ids is None:
                holds_rows = conn.execute(
                    sql.SQL("select exists (select 1 from {})").format(
                        sql.Identifier(schema_name, table_name)
                    )
                ).fetchone()
                if holds_rows and holds_rows[0]:
                    present[table] = []
                else:
                    missing.append(table)
                continue
            rows = conn.execute(
                sql.SQL("select distinct {col} from {tbl} where {col} = any(%s) order by 1").format(
                    col=sql.Identifier(BATCH_COLUMN), tbl=sql.Identifier(schema_name, table_name)
                ),
                (list(batch_ids),),
            ).fetchall()
            if rows:
                present[table] = [int(r[0]) for r in rows]
    return present, missing


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _results(table: str, batch_id: int | None, suite_result: Any) -> list[ExpectationResult]:
    """Every expectation's outcome (success included, for the audit trail)."""
    outcomes: list[ExpectationResult] = []
    for result in suite_result.results:
        config = result.expectation_config
        details = result.result or {}
        observed = details.get("observed_value")
        exception = (result.exception_info or {}).get("exception_message")
        outcomes.append(
            ExpectationResult(
                table=table,
                expectation=config.type,
                column=config.kwargs.get("column"),
                severity=str(getattr(config, "severity", "critical") or "critical")
                .split(".")[-1]
                .lower(),
                batch_id=batch_id,
                unexpected_count=details.get("unexpected_count"),
                observed_value=_text(observed) if exception is None else f"error: {exception}",
                sample=tuple(str(v) for v in details.get("partial_unexpected_list") or ()),
                success=bool(result.success),
            )
        )
    return outcomes


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
                        o.observed_value,
                    )
                    for o in outcomes
                ],
            )


_CONTEXTS: dict[tuple[str, str], Any] = {}


def _context(warehouse_url: str) -> Any:
    """The GX file context of the project, one per (project, warehouse) and process: importing
    GX and reading the project cost seconds. Call inside `_warehouse_env(warehouse_url)`.
    (A context's datasource caches its engine, so a context is never shared across warehouses.)"""
    import great_expectations as gx  # lazy: ~4 s

    key = (str(gx_project_dir()), warehouse_url)
    if key not in _CONTEXTS:
        _CONTEXTS[key] = gx.get_context(mode="file", project_root_dir=key[0])
    return _CONTEXTS[key]


def suite_parameters(now: datetime | None = None) -> dict[str, Any]:
    """The `$PARAMETER`s the suites use: dates must not be after today, birth years not after
    this year."""
    now = now or datetime.now()
    return {
        "today": now.date().isoformat(),
        "now": now.isoformat(sep=" ", timespec="seconds"),
        "current_year": now.year,
    }


def _checkpoint_tables(context: Any, schemas: tuple[str, ...]) -> list[str]:
    suffix = f".{BY_LOAD_BATCH}"
    return sorted(
        cp.name
        for cp in context.checkpoints.all()
        if not cp.name.endswith(suffix) and cp.name.split(".", 1)[0] in schemas
    )


def _run(
    context: Any, runs: list[tuple[str, str, int | None]], parameters: dict[str, Any]
) -> list[ExpectationResult]:
    """Run (table, checkpoint, batch id) triples; every expectation's outcome."""
    outcomes: list[ExpectationResult] = []
    for table, checkpoint_name, batch_id in runs:
        checkpoint = context.checkpoints.get(checkpoint_name)
        result = checkpoint.run(
            batch_parameters=None if batch_id is None else {BATCH_COLUMN: batch_id},
            expectation_parameters=parameters,
        )
        for suite_result in result.run_results.values():
            outcomes.extend(_results(table, batch_id, suite_result))
    return outcomes


def row_count_against_previous_deliveries(
    warehouse_url: str, batches: dict[str, list[int]]
) -> list[ExpectationResult]:
    """For each (table, load batch): its rows loaded against the mean of the last
    PREVIOUS_DELIVERIES loaded batches of the same contract (audit.load_batch). Below
    MIN_SHARE_OF_MEAN of that mean is a critical failure (a warning for the contracts in
    ROW_COUNT_SEVERITY); a contract's first delivery, or a batch the loader did not record, is
    not judged."""
    outcomes: list[ExpectationResult] = []
    with psycopg.connect(warehouse_url, application_name="svdw-quality") as conn:
        if conn.execute("select to_regclass('audit.load_batch')").fetchone() == (None,):
            return outcomes
        for table, batch_ids in batches.items():
            for batch_id in batch_ids:
                row = conn.execute(
                    "select contract, rows_loaded from audit.load_batch where batch_id = %s",
                    (batch_id,),
                ).fetchone()
                if row is None:
                    continue
                contract, rows = row
                previous = conn.execute(
                    "select batch_id, rows_loaded from audit.load_batch where contract = %s"
                    " and status = 'loaded' and batch_id < %s order by batch_id desc limit %s",
                    (contract, batch_id, PREVIOUS_DELIVERIES),
                ).fetchall()
                if not previous:
                    continue
                previous = previous[::-1]
                mean = sum(r[1] for r in previous) / len(previous)
                minimum = MIN_SHARE_OF_MEAN * mean
                ok = rows >= minimum
                ids = ", ".join(str(r[0]) for r in previous)
                counts = ", ".join(str(r[1]) for r in previous)
                observed = (
                    f"row count {rows} is {'not ' if ok else ''}under half the mean {mean:.1f}"
                    f" (minimum {minimum:.1f}) of the {len(previous)} previous deliveries of"
                    f" {contract} (batches {ids}: {counts} rows)"
                )
                outcomes.append(
                    ExpectationResult(
                        table=table,
                        expectation=ROW_COUNT_EXPECTATION,
                        column=None,
                        severity=ROW_COUNT_SEVERITY.get(contract, "critical"),
                        batch_id=batch_id,
                        observed_value=observed,
                        success=ok,
                    )
                )
    return outcomes


def _summary(
    outcomes: list[ExpectationResult],
    present: dict[str, list[int]],
    missing: list[str],
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
    )


def validate_raw_batches(
    warehouse_url: str, batch_ids: list[int] | None = None
) -> ValidationSummary:
    """Validate the given load batches (or every raw table whole, when batch_ids is None).

    Per load batch, the row count is also compared with the partner's previous deliveries
    (`row_count_against_previous_deliveries`). Batch ids found in no validated raw table (a
    rejected file, or a table without a suite) are listed in `batches_not_found`; raw tables not
    created yet in `tables_missing`. Raises DataQualityError when a critical expectation fails.
    """
    started = time.monotonic()
    if batch_ids is not None and not batch_ids:
        return ValidationSummary(success=True, tables=(), batch_ids=())
    with _warehouse_env(warehouse_url):
        context = _context(warehouse_url)
        tables = _checkpoint_tables(context, (RAW_SCHEMA,))
        present, missing = _batches_by_table(warehouse_url, tables, batch_ids)
        runs: list[tuple[str, str, int | None]] = (
            [(table, table, None) for table in present]
            if batch_ids is None
            else [
                (table, f"{table}.{BY_LOAD_BATCH}", batch_id)
                for table, table_batches in present.items()
                for batch_id in table_batches
            ]
        )
        outcomes = _run(context, runs, suite_parameters())
    if batch_ids is not None:
        outcomes.extend(row_count_against_previous_deliveries(warehouse_url, present))
    record_results(warehouse_url, outcomes)
    summary = _summary(outcomes, present, missing, batch_ids, started)
    if not summary.success:
        raise DataQualityError(summary)
    return summary


def validate_marts(warehouse_url: str) -> ValidationSummary:
    """Validate the key marts after dbt (whole tables). Marts with a suite that the warehouse
    does not have yet are listed in `tables_missing`, not failed. Raises DataQualityError when
    a critical expectation fails."""
    started = time.monotonic()
    with _warehouse_env(warehouse_url):
        context = _context(warehouse_url)
        tables = _checkpoint_tables(context, MART_SCHEMAS)
        present, missing = _batches_by_table(warehouse_url, tables, None)
        outcomes = _run(context, [(t, t, None) for t in present], suite_parameters())
    record_results(warehouse_url, outcomes)
    summary = _summary(outcomes, present, missing, None, started)
    if not summary.success:
        raise DataQualityError(summary)
    return summary


def build_data_docs(warehouse_url: str) -> Path:
    """Validate every table with a suite (raw and marts, whole tables; failures do not raise and
    are not recorded in the audit) and build the GX Data Docs site under
    expectations/gx/uncommitted/data_docs/local_site/ (git-ignored). Returns its index.html."""
    with _warehouse_env(warehouse_url):
        context = _context(warehouse_url)
        tables = _checkpoint_tables(context, (RAW_SCHEMA, *MART_SCHEMAS))
        present, _missing = _batches_by_table(warehouse_url, tables, None)
        _run(context, [(t, t, None) for t in present], suite_parameters())
        context.build_data_docs()
    index = gx_project_dir() / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    if not index.is_file():
        raise FileNotFoundError(f"GX did not write {index}")
    return index


def main(argv: list[str] | None = None) -> int:
    """`python -m svdw.quality docs|marts|raw`: build the Data Docs site (prints its index.html),
    or run the marts / whole-raw-table gate, on $WAREHOUSE_URL (.env)."""
    import sys

    from svdw.config import Settings

    args = sys.argv[1:] if argv is None else argv
    command = args[0] if args else "docs"
    url = Settings.from_env().warehouse_url
    try:
        if command == "docs":
            print(build_data_docs(url))
        elif command == "marts":
            print(validate_marts(url))
        elif command == "raw":
            print(validate_raw_batches(url))
        else:
            print("usage: python -m svdw.quality [docs|marts|raw]", file=sys.stderr)
            return 2
    except DataQualityError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
