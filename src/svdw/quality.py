"""Data quality gate on raw tables: run the Great Expectations checkpoints in expectations/gx/.

For each raw table T with a suite, the GX project holds a checkpoint `T` (whole table) and
`T.by_load_batch` (one loader batch, batch parameter `_batch_id`). `validate_raw_batches` runs
the per-batch checkpoint for each requested load batch, or the whole-table checkpoints when no
batch ids are given. Expectations of severity "critical" fail the gate (DataQualityError);
"warning" and "info" failures are only reported.

Great Expectations is imported lazily: importing it costs seconds.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from svdw.loader import ensure_audit_schema

PACKAGE_DIR = Path(__file__).resolve().parent
BY_LOAD_BATCH = "by_load_batch"
BATCH_COLUMN = "_batch_id"
FAIL_SEVERITIES = frozenset({"critical"})


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
    """For each table that exists: the requested batch ids it holds (all-table mode: [])."""
    present: dict[str, list[int]] = {}
    missing: list[str] = []
    with psycopg.connect(warehouse_url, application_name="svdw-quality") as conn:
        for table in tables:
            if conn.execute("select to_regclass(%s)", (table,)).fetchone() == (None,):
                missing.append(table)
                continue
            if batch_ids is None:
                present[table] = []
                continue
            schema_name, table_name = table.split(".", 1)
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


def validate_raw_batches(
    warehouse_url: str, batch_ids: list[int] | None = None
) -> ValidationSummary:
    """Validate the given load batches (or every raw table whole, when batch_ids is None).

    Batch ids found in no validated raw table (a rejected file, or a table without a suite) are
    listed in `batches_not_found`; raw tables not created yet in `tables_missing`.
    Raises DataQualityError when a critical expectation fails.
    """
    started = time.monotonic()
    if batch_ids is not None and not batch_ids:
        return ValidationSummary(success=True, tables=(), batch_ids=())
    with _warehouse_env(warehouse_url):
        import great_expectations as gx  # lazy: ~4 s

        context = gx.get_context(mode="file", project_root_dir=str(gx_project_dir()))
        suffix = f".{BY_LOAD_BATCH}"
        tables = sorted(cp.name for cp in context.checkpoints.all() if not cp.name.endswith(suffix))
        present, missing = _batches_by_table(warehouse_url, tables, batch_ids)

        outcomes: list[ExpectationResult] = []
        for table, table_batches in present.items():
            runs: list[tuple[str, int | None]] = (
                [(table, None)]
                if batch_ids is None
                else [(table + suffix, b) for b in table_batches]
            )
            for checkpoint_name, batch_id in runs:
                checkpoint = context.checkpoints.get(checkpoint_name)
                params = None if batch_id is None else {BATCH_COLUMN: batch_id}
                result = checkpoint.run(batch_parameters=params)
                for suite_result in result.run_results.values():
                    outcomes.extend(_results(table, batch_id, suite_result))
    record_results(warehouse_url, outcomes)
    failed = [o for o in outcomes if not o.success]

    found = {b for bs in present.values() for b in bs}
    fail_severity = [f for f in failed if f.severity in FAIL_SEVERITIES]
    summary = ValidationSummary(
        success=not fail_severity,
        tables=tuple(present),
        batch_ids=tuple(sorted(found)),
        failed=tuple(failed),
        batches_not_found=tuple(b for b in (batch_ids or []) if b not in found),
        tables_missing=tuple(missing),
        seconds=time.monotonic() - started,
        expectations_evaluated=len(outcomes),
    )
    if not summary.success:
        raise DataQualityError(summary)
    return summary
