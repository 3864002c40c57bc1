"""Builds on a snapshot: each warehouse build pins the load batches it reads when it starts, and
a batch that failed its quality checks stays out of every build until a person accepts it.

A build (audit.build) goes: `pin_build` -> dbt with `--vars {svdw_build_id: N}` -> `finish_build`
(or `fail_build`). Inside a build dbt builds the sna models (what the dashboards read) into the
shadow schema sna_next, and `finish_build` swaps it in as sna in the transaction that records the
build succeeded: a build that fails or is cut leaves sna as the last successful build published
it (svdw.sna_publish; its sna_next stays until the next pin drops it). The marts are rebuilt in
place, model by model (see `_cut_short_since`). Pinning:
1. takes the build lock: at most one build is `running` (a second gets BuildInProgress);
2. gates every `pending` loaded batch with Great Expectations (svdw.quality): `passed`, or
   `failed` with the expectation, table and batch as the reason (audit.batch_status_event);
3. stores the admitted set, the `passed` and `accepted` batches, as explicit ids in
   audit.build_batch. Ids, not a watermark: a batch id is handed out when its load starts, and
   loads commit in any order, so "every batch up to N" could miss one that commits late.

Then it ends the build at once in two cases: a batch failed (the build is `failed` and
DataQualityError names each failure, so marts stay as they were), or the admitted set equals the
last successful build's and no build since stopped part way (`skipped`: nothing new, nothing
expensive). Otherwise dbt builds from that set: every staging model reads raw through the
`pinned_source` macro, which keeps the rows of admitted batches that no admitted batch replaced
(raw and history together, see svdw.schema). A load that commits during the build is pending,
so no model of this build sees it, and the replaced rows it moves to history stay visible to
this build.

People decide with `decide_batch`: `accepted` (overrides a failure) or `rejected` (keeps a
batch out, even one that passed), always with a reason and who decided.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import psycopg

from svdw.sna_publish import drop_shadow, swap_in_shadow

Decision = Literal["accepted", "rejected"]
ADMITTED_STATUSES = ("passed", "accepted")
# A build still `running` after this long lost its process (a killed worker): the next build
# marks it abandoned instead of waiting for it.
STALE_BUILD_AFTER = timedelta(hours=6)
BUILD_LOCK = "svdw.warehouse-build"
# Builds the warehouse_build DAG starts (airflow_support.pin_build_for_run): Airflow retries
# their tasks after an outage and records their end itself, so a restart abandons none of them.
AIRFLOW_TRIGGER_PREFIX = "airflow "


class BuildInProgress(RuntimeError):
    """Another warehouse build is running; builds run one at a time."""


class BatchDecisionError(ValueError):
    """A person's accept/reject cannot apply to that batch; the message says what to do."""


@dataclass(frozen=True)
class PinnedBuild:
    """A build whose snapshot is pinned: the batches it reads, and what its gate decided."""

    build_id: int
    admitted: tuple[int, ...]
    passed: tuple[int, ...] = ()
    skipped_as_build: int | None = None

    @property
    def skipped(self) -> bool:
        return self.skipped_as_build is not None

    def describe(self) -> str:
        gated = (
            f"{len(self.passed)} new batch(es) passed the gate ({_ids(self.passed)})"
            if self.passed
            else "no new batch to gate"
        )
        if self.skipped:
            return (
                f"build {self.build_id} skipped: {gated}; the {len(self.admitted)} admitted"
                f" batch(es) are those build {self.skipped_as_build} built"
            )
        return f"build {self.build_id} pinned {len(self.admitted)} batch(es): {gated}"


@dataclass(frozen=True)
class BatchView:
    """One batch as `svdw batches` shows it."""

    batch_id: int
    contract: str
    file_name: str
    rows_loaded: int
    quality_status: str
    reason: str | None
    decided_by: str | None
    decided_at: datetime | None


def _ids(ids: Sequence[int]) -> str:
    shown = ", ".join(map(str, ids[:10]))
    return shown + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")


def _connect(warehouse_url: str) -> psycopg.Connection:
    return psycopg.connect(warehouse_url, application_name="svdw-build")


def _start_build(
    conn: psycopg.Connection, trigger: str, takes_over: str | None = None, selection: str = "whole"
) -> int:
    """Take the build lock: record a `running` build, unless another is running. Builds still
    `running` whose trigger starts with `takes_over` are abandoned first (see pin_build)."""
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(hashtext(%s))", (BUILD_LOCK,))
        if takes_over:
            conn.execute(
                "update audit.build set status = 'abandoned', finished_at = now(),"
                " error = coalesce(error, %s) where status = 'running'"
                " and starts_with(trigger, %s) and trigger <> %s",
                (
                    "left running: its run ended without recording the build's end",
                    takes_over,
                    trigger,
                ),
            )
        # A retry of the same trigger (an Airflow task retried after a crash) replaces its own
        # unfinished build; a build running for too long has lost its process.
        conn.execute(
            "update audit.build set status = 'abandoned', finished_at = now(),"
            " error = coalesce(error, %s) where status = 'running'"
            " and (trigger = %s or started_at < now() - %s)",
            ("left running: its process ended without finishing it", trigger, STALE_BUILD_AFTER),
        )
        # A build outside Airflow that started before PostgreSQL last started lost its
        # connections to the restart, so its dbt failed, and it could not record that.
        conn.execute(
            "update audit.build set status = 'abandoned', finished_at = now(),"
            " error = coalesce(error, %s) where status = 'running'"
            " and started_at < pg_postmaster_start_time() and trigger not like %s",
            (
                "PostgreSQL restarted during the build, cutting its connections",
                AIRFLOW_TRIGGER_PREFIX + "%",
            ),
        )
        running = conn.execute(
            "select build_id, trigger, started_at from audit.build where status = 'running'"
        ).fetchone()
        if running:
            build_id, other, started = running
            raise BuildInProgress(
                f"warehouse build {build_id} ({other}) has been running since"
                f" {started:%Y-%m-%d %H:%M:%S %Z}; builds run one at a time. Wait for it to end"
                f" and try again (a build left running is abandoned after {STALE_BUILD_AFTER})"
            )
        row = conn.execute(
            "insert into audit.build (trigger, selection) values (%s, %s) returning build_id",
            (trigger, selection),
        ).fetchone()
    assert row is not None
    return int(row[0])


def _failure_reason(failure: Any) -> str:
    column = getattr(failure, "column", None)
    on = f" on column {column}" if column else ""
    return f"{failure.expectation}{on} failed in {failure.table} (load batch {failure.batch_id})"


def _gate(warehouse_url: str, batch_ids: list[int]) -> tuple[list[Any], Exception | None]:
    """Great Expectations on the batches: their critical failures, and the error that reports
    them (None when every batch passed)."""
    if not batch_ids:
        return [], None
    from svdw.quality import DataQualityError, validate_raw_batches

    try:
        summary = validate_raw_batches(warehouse_url, batch_ids)
    except DataQualityError as exc:
        return list(exc.summary.failing), exc
    failing = list(summary.failing)
    return failing, (DataQualityError(summary) if failing else None)


def _record_verdicts(
    conn: psycopg.Connection, build_id: int, pending: list[int], failing: list[Any]
) -> tuple[list[int], list[int]]:
    """Mark gated batches passed or failed (only those still pending: a person may have decided
    meanwhile); returns (passed, failed) ids."""
    from svdw.loader import record_status_event

    reasons: dict[int, list[str]] = {}
    for failure in failing:
        reasons.setdefault(failure.batch_id, []).append(_failure_reason(failure))
    # A failure the gate could not pin on one batch fails the build and decides none.
    if any(batch_id not in pending for batch_id in reasons):
        return [], []
    passed: list[int] = []
    failed: list[int] = []
    for batch_id in pending:
        status = "failed" if batch_id in reasons else "passed"
        updated = conn.execute(
            "update audit.load_batch set quality_status = %s where batch_id = %s"
            " and quality_status = 'pending'",
            (status, batch_id),
        ).rowcount
        if not updated:
            continue
        reason = "; ".join(reasons[batch_id]) if status == "failed" else "passed the gate"
        record_status_event(conn, batch_id, status, reason, "quality gate", build_id)
        (failed if status == "failed" else passed).append(batch_id)
    return passed, failed


def _admitted_batches(conn: psycopg.Connection) -> list[int]:
    rows = conn.execute(
        "select batch_id from audit.load_batch where status = 'loaded'"
        " and quality_status = any(%s) order by batch_id",
        (list(ADMITTED_STATUSES),),
    ).fetchall()
    return [int(r[0]) for r in rows]


def _last_successful_build(conn: psycopg.Connection) -> tuple[int, list[int]] | None:
    row = conn.execute(
        "select build_id from audit.build where status = 'succeeded' order by build_id desc limit 1"
    ).fetchone()
    if row is None:
        return None
    batches = conn.execute(
        "select batch_id from audit.build_batch where build_id = %s order by batch_id", row
    ).fetchall()
    return int(row[0]), [int(b[0]) for b in batches]


def _cut_short_since(conn: psycopg.Connection, succeeded: int, current: int) -> bool:
    """Whether a build after the last successful one reached dbt (pinned, not skipped) and did
    not succeed: dbt replaces the marts model by model, so it may have published part of its
    marts (and merged its batches into incremental facts; sna waits for finish_build). The next
    build must build again, even with the same batches as the last successful one, or that part
    stays published (a batch rejected since, a model changed since) beside the rest:
    docs/runbook.md."""
    row = conn.execute(
        "select exists (select from audit.build where build_id > %s and build_id <> %s"
        " and pinned_at is not null and status in ('failed', 'abandoned'))",
        (succeeded, current),
    ).fetchone()
    return bool(row and row[0])


def pin_build(
    warehouse_url: str,
    trigger: str,
    *,
    rebuild: bool = False,
    takes_over: str | None = None,
    partial: bool = False,
) -> PinnedBuild:
    """Start a build: gate the pending batches and pin the admitted set (see the module doc).

    Returns the pinned build; `skipped` when nothing new was admitted since the last successful
    build (unless `rebuild`: a person asked to build anyway, after changing a model, say).
    `takes_over`: a trigger prefix naming builds that cannot still be running when this one
    starts (an Airflow DAG that runs one at a time: a build its earlier run left `running`, the
    run ended by hand without recording it, is abandoned rather than holding the lock).
    `partial`: the build selects part of the project; `rebuild` rebuilds and tests every row.
    Both are recorded (audit.build.selection): the data tests of a whole incremental build read
    only the batches new since the last succeeded whole or refresh build (test_scope.sql).
    Raises BuildInProgress while another build runs, and DataQualityError (after recording the
    failed batches and the failed build) when a batch failed the gate.
    """
    from svdw.freshness import register_contracts

    with _connect(warehouse_url) as conn:
        register_contracts(conn)  # audit tables, every contract's raw/history table
        selection = "refresh" if rebuild else "partial" if partial else "whole"
        build_id = _start_build(conn, trigger, takes_over, selection)
    try:
        with _connect(warehouse_url) as conn:
            pending = [
                int(r[0])
                for r in conn.execute(
                    "select batch_id from audit.load_batch where status = 'loaded'"
                    " and quality_status = 'pending' order by batch_id"
                ).fetchall()
            ]
        failing, gate_error = _gate(warehouse_url, pending)
        with _connect(warehouse_url) as conn, conn.transaction():
            passed, _failed = _record_verdicts(conn, build_id, pending, failing)
            if gate_error is not None:
                conn.execute(
                    "update audit.build set status = 'failed', finished_at = now(), error = %s"
                    " where build_id = %s",
                    (str(gate_error), build_id),
                )
            else:
                pinned = _pin(conn, build_id, passed, rebuild)
    except BaseException as exc:
        record_failure(warehouse_url, build_id, f"{type(exc).__name__}: {exc}")
        raise
    if gate_error is not None:
        raise gate_error
    return pinned


def _pin(conn: psycopg.Connection, build_id: int, passed: list[int], rebuild: bool) -> PinnedBuild:
    # What a failed or cut build left of sna in its shadow is not this build's (the lock is ours)
    drop_shadow(conn)
    admitted = _admitted_batches(conn)
    with conn.cursor() as cur:
        cur.executemany(
            "insert into audit.build_batch (build_id, batch_id) values (%s, %s)",
            [(build_id, batch_id) for batch_id in admitted],
        )
    # statistics that know this build_id and the tables' new rows: without them the planner takes
    # the snapshot for one batch and scans raw tables once per batch (src/svdw/sql/audit.sql)
    conn.execute("select audit.refresh_build_statistics()")
    conn.execute(
        "update audit.build set pinned_at = now(), batches_admitted = %s where build_id = %s",
        (len(admitted), build_id),
    )
    last = _last_successful_build(conn)
    if (
        last is not None
        and last[1] == admitted
        and not rebuild
        and not _cut_short_since(conn, last[0], build_id)
    ):
        conn.execute(
            "update audit.build set status = 'skipped', finished_at = now() where build_id = %s",
            (build_id,),
        )
        return PinnedBuild(build_id, tuple(admitted), tuple(passed), skipped_as_build=last[0])
    return PinnedBuild(build_id, tuple(admitted), tuple(passed))


def finish_build(warehouse_url: str, build_id: int) -> None:
    """dbt built and tested everything from the pinned snapshot: the build succeeded, and what
    it built of sna (in sna_next) becomes sna, in the same transaction (svdw.sna_publish). A
    build no longer running (taken over since) publishes nothing."""
    with _connect(warehouse_url) as conn, conn.transaction():
        finished = conn.execute(
            "update audit.build set status = 'succeeded', finished_at = now()"
            " where build_id = %s and status = 'running'",
            (build_id,),
        ).rowcount
        if finished:
            swap_in_shadow(conn)


def fail_build(warehouse_url: str, build_id: int, error: str) -> None:
    """The build stopped (dbt failed, or the process was stopped): record why; it releases the
    build lock. sna stays as the last successful build published it. The next build admits the
    same batches again."""
    with _connect(warehouse_url) as conn:
        conn.execute(
            "update audit.build set status = 'failed', finished_at = now(), error = %s"
            " where build_id = %s and status = 'running'",
            (error[:4000], build_id),
        )


def record_failure(warehouse_url: str, build_id: int, error: str) -> bool:
    """fail_build when the warehouse answers; False when it does not (the build failed because
    PostgreSQL went away). Such a build stays `running` until the next build takes it over (a
    restart, or the same trigger: see _start_build), and the error that stopped it is the one
    to report, not this one."""
    try:
        fail_build(warehouse_url, build_id, error)
    except psycopg.OperationalError:
        return False
    return True


_BATCHES_SQL = """
select b.batch_id, b.contract, b.file_name, b.rows_loaded, b.quality_status,
       e.reason, e.decided_by, e.decided_at
from audit.load_batch b
left join lateral (
    select reason, decided_by, decided_at from audit.batch_status_event
    where batch_id = b.batch_id order by decided_at desc, event_id desc limit 1
) e on true
where (%(status)s::text is null or b.quality_status = %(status)s)
order by b.batch_id desc
limit %(limit)s
"""


def list_batches(
    conn: psycopg.Connection, status: str | None = None, limit: int = 50
) -> list[BatchView]:
    """The latest batches (newest first) with their quality status and its latest reason."""
    if conn.execute("select to_regclass('audit.batch_status_event')").fetchone() == (None,):
        return []
    rows = conn.execute(_BATCHES_SQL, {"status": status, "limit": limit}).fetchall()
    return [BatchView(*row) for row in rows]


# Which statuses a person's decision may change: accept overrides a failure (or takes back a
# rejection); reject keeps out a batch whatever the gate said, even one already built.
_ALLOWED_FROM: dict[Decision, tuple[str, ...]] = {
    "accepted": ("failed", "rejected"),
    "rejected": ("pending", "passed", "failed", "accepted"),
}


def decide_batch(
    warehouse_url: str, batch_id: int, decision: Decision, reason: str, decided_by: str
) -> str:
    """Record a person's accept or reject of one loaded batch; returns its previous status.
    The next build reads the batch (accepted) or leaves it out (rejected)."""
    from svdw.loader import record_status_event

    if not reason.strip():
        raise BatchDecisionError("give a reason (--reason TEXT): it is kept in the audit")
    with _connect(warehouse_url) as conn, conn.transaction():
        if conn.execute("select to_regclass('audit.batch_status_event')").fetchone() == (None,):
            raise BatchDecisionError("nothing is loaded yet: `svdw load PATH` loads files")
        row = conn.execute(
            "select status, quality_status, error from audit.load_batch where batch_id = %s"
            " for update",
            (batch_id,),
        ).fetchone()
        if row is None:
            raise BatchDecisionError(
                f"there is no load batch {batch_id}: `svdw batches` lists them"
            )
        file_status, current, error = row
        if file_status != "loaded":
            raise BatchDecisionError(
                f"batch {batch_id} was rejected at load and holds no rows ({error}); fix the file"
                " and load it again"
            )
        if current == decision:
            raise BatchDecisionError(f"batch {batch_id} is already {decision}")
        if current not in _ALLOWED_FROM[decision]:
            hint = (
                "it has not been checked yet: the next build gates it (svdw build)"
                if current == "pending"
                else "it is already read by builds"
            )
            raise BatchDecisionError(
                f"batch {batch_id} is {current}, so it cannot be {decision}: {hint}"
            )
        conn.execute(
            "update audit.load_batch set quality_status = %s where batch_id = %s",
            (decision, batch_id),
        )
        record_status_event(conn, batch_id, decision, reason.strip(), decided_by)
    return str(current)
