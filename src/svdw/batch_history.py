"""The suite parameters of one load batch: what its partner's previous deliveries looked like.

svdw.batch_checks writes the history-based limits of a suite as GX suite parameters; this
module computes their values for one batch from the warehouse, with a note saying where each
came from (for the gate's report):

- `min_rows`: `min_share_of_mean` of the mean rows loaded by the contract's previous
  `previous_deliveries` loaded batches (audit.load_batch), or less where chance alone moves a
  count of that size further (`chance_minimum`: a small source's 10 rows after 29 are no lost
  file); 1 for a first delivery. With
  `checks.same_file_name` (one file per source and month), the previous deliveries of the
  batch's own source only (`_yardstick`), for this check and the two below;
- `min_non_null_share__<column>`: the non-null share of the column over the last deliveries
  still in the raw table, less `max_increase`; 0 without history;
- `expected_partition__<column>`: the value shares of the column over those deliveries
  (a GX categorical partition object); None without history, which makes GX compare the batch
  with itself (divergence 0).

Dates are judged against the day the gate runs: `today` and `now`. A batch held back by a
quality verdict (audit.load_batch.quality_status failed or rejected, where the warehouse keeps
verdicts) is no yardstick for the next delivery, so it is left out of the history.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql

from svdw.batch_checks import (
    CHANCE_LEVEL,
    MIN_ROWS,
    NOW,
    TODAY,
    chance_minimum,
    min_non_null_parameter,
    partition_parameter,
)
from svdw.contracts import Contract
from svdw.gx_project import BATCH_COLUMN


@dataclass
class BatchParameters:
    """Suite parameter values for one batch, and a note saying where each history-based limit
    came from, by (GX expectation type, column or None)."""

    values: dict[str, Any] = field(default_factory=dict)
    notes: dict[tuple[str, str | None], str] = field(default_factory=dict)


def clock_parameters(now: datetime | None = None) -> dict[str, Any]:
    now = now or datetime.now()
    return {TODAY: now.date().isoformat(), NOW: now.isoformat(sep=" ", timespec="seconds")}


HELD_BACK = ("failed", "rejected")
# The expectation types (as GX reports them) the notes are for.
ROW_COUNT = "expect_table_row_count_to_be_between"
NULL_RATE = "expect_column_proportion_of_non_null_values_to_be_between"
DISTRIBUTION = "expect_column_kl_divergence_to_be_less_than"


def _held_back(conn: psycopg.Connection, contract: Contract) -> list[int]:
    """The contract's batches a quality verdict keeps out of the warehouse (none where the
    warehouse records no verdicts)."""
    has_verdicts = conn.execute(
        "select 1 from information_schema.columns where table_schema = 'audit'"
        " and table_name = 'load_batch' and column_name = 'quality_status'"
    ).fetchone()
    if not has_verdicts:
        return []
    rows = conn.execute(
        "select batch_id from audit.load_batch where contract = %s and quality_status = any(%s)",
        (contract.name, list(HELD_BACK)),
    ).fetchall()
    return [int(r[0]) for r in rows]


# A delivery's stream: its file name with the digits (the month, a version) removed.
STREAM = sql.SQL("regexp_replace(file_name, '[0-9]', '', 'g')")


@dataclass(frozen=True)
class Yardstick:
    """The streams whose earlier deliveries a batch is compared with (None: every earlier
    delivery of the contract; empty: none, a new source's first file), and why."""

    streams: tuple[str, ...] | None
    why: str = ""


def _yardstick(conn: psycopg.Connection, contract: Contract, batch_id: int) -> Yardstick:
    """With `checks.same_file_name`, the source a delivery is compared with. One file per
    source and month (a force's extract, a trust's or an ambulance service's), and a source's
    size is its own: so, in order,

    1. its own stream, when that stream delivered before: the usual case;
    2. else the streams of the earlier deliveries it re-delivers, those sharing a value of the
       contract's replace scope with it (a re-delivery sent under another name, which the
       loader treats as that source's by the same rule);
    3. else, when every earlier delivery is of one stream and this one begins in a later month
       than any of them began, that stream: a one-source partnership whose file name drifted
       for its next month (most partnerships have one force and one or two trusts). Months
       by where a file begins, since a file of attendances by assault date spills a day or two
       into the next month;
    4. else nothing (at least 1 row): a new source's first file, for months another source
       already delivered. Comparing it with them (a small force with a large one) would fail
       every small source as it joins; a short first file of a new source is left to the
       next month's comparison with it. (A second source joining after the first source's
       last month falls under 3: a person accepts its first file once.)

    Deliveries a quality verdict holds back are no yardstick (as everywhere in this module)."""
    if not contract.checks.same_file_name:
        return Yardstick(None)
    rows = conn.execute(
        sql.SQL(
            "with this as (select {stream} as stream, scopes, (select min(left(p, 7))"
            " from unnest(periods) p) as begins from audit.load_batch where batch_id = %(b)s)"
            " select e.stream, bool_or(coalesce(e.scopes && this.scopes, false)),"
            " coalesce(this.begins > max(e.begins), false), bool_or(e.stream = this.stream)"
            " from (select {stream} as stream, scopes, (select min(left(p, 7)) from"
            " unnest(periods) p) as begins from audit.load_batch"
            " where contract = %(c)s and status = 'loaded' and batch_id < %(b)s"
            " and batch_id <> all(%(held)s)) e, this group by e.stream, this.begins order by 1"
        ).format(stream=STREAM),
        {"b": batch_id, "c": contract.name, "held": _held_back(conn, contract)},
    ).fetchall()
    own = [stream for stream, _, _, same in rows if same]
    if own:
        return Yardstick(tuple(own), f"files named like {own[0]}")
    redelivered = tuple(stream for stream, overlaps, _, _ in rows if overlaps)
    if redelivered:
        return Yardstick(
            redelivered, f"the files it re-delivers, named like {' or '.join(redelivered)}"
        )
    if len(rows) == 1 and rows[0][2]:
        return Yardstick((rows[0][0],), f"the only earlier source's files, named like {rows[0][0]}")
    return Yardstick((), "the first file of its source (named like no earlier delivery)")


def _in_yardstick(yardstick: Yardstick) -> sql.Composable:
    """A filter on audit.load_batch keeping the deliveries of the yardstick's streams."""
    if yardstick.streams is None:
        return sql.SQL("")
    return sql.SQL("and {stream} = any({streams})").format(
        stream=STREAM, streams=sql.Literal(list(yardstick.streams))
    )


def _previous_batches(
    conn: psycopg.Connection,
    contract: Contract,
    batch_id: int,
    count: int,
    yardstick: Yardstick | None,
) -> list[int]:
    """The last `count` load batches before batch_id of its yardstick (None: no load history)
    that still have rows in the raw table and are not held back."""
    same_stream: sql.Composable = sql.SQL("")
    parameters: tuple[object, ...] = (batch_id, _held_back(conn, contract), count)
    if yardstick is not None and yardstick.streams is not None:
        same_stream = sql.SQL(
            "and {col} in (select batch_id from audit.load_batch where contract = %s {stream})"
        ).format(col=sql.Identifier(BATCH_COLUMN), stream=_in_yardstick(yardstick))
        parameters = (batch_id, _held_back(conn, contract), contract.name, count)
    rows = conn.execute(
        sql.SQL(
            "select distinct {col} from {tbl} where {col} < %s and {col} <> all(%s) {same_stream}"
            " order by 1 desc limit %s"
        ).format(
            col=sql.Identifier(BATCH_COLUMN),
            tbl=sql.Identifier(contract.schema_name, contract.table_name),
            same_stream=same_stream,
        ),
        parameters,
    ).fetchall()
    return sorted(int(r[0]) for r in rows)


def _row_count(
    conn: psycopg.Connection,
    contract: Contract,
    batch_id: int,
    yardstick: Yardstick | None,
    parameters: BatchParameters,
) -> None:
    check = contract.checks.row_count
    if check is None:
        return
    parameters.values[MIN_ROWS] = 1
    if yardstick is None:
        parameters.notes[ROW_COUNT, None] = "no load history (audit.load_batch) to compare with"
        return
    compared = f", {yardstick.why}" if yardstick.why else ""
    previous = conn.execute(
        sql.SQL(
            "select batch_id, rows_loaded from audit.load_batch where contract = %s"
            " and status = 'loaded' and batch_id < %s and batch_id <> all(%s) {stream}"
            " order by batch_id desc limit %s"
        ).format(stream=_in_yardstick(yardstick)),
        (contract.name, batch_id, _held_back(conn, contract), check.previous_deliveries),
    ).fetchall()[::-1]
    if not previous:
        parameters.notes[ROW_COUNT, None] = (
            f"first delivery of {contract.name}: at least 1 row"
            if yardstick.streams is None
            else f"no earlier delivery of {contract.name} to compare with{compared}: at least 1 row"
        )
        return
    mean = sum(r[1] for r in previous) / len(previous)
    share = check.min_share_of_mean * mean
    chance = chance_minimum(mean, check.dispersion)
    minimum = min(share, chance)
    parameters.values[MIN_ROWS] = max(1, math.ceil(minimum))
    ids = ", ".join(str(r[0]) for r in previous)
    counts = ", ".join(str(r[1]) for r in previous)
    source = (
        f"the {len(previous)} previous deliveries of {contract.name}"
        f" (batches {ids}: {counts} rows){compared}"
    )
    parameters.notes[ROW_COUNT, None] = (
        f"minimum {minimum:.1f} rows = {check.min_share_of_mean:g} x the mean {mean:.1f}"
        f" of {source}"
        if share <= chance
        else f"minimum {max(minimum, 1):.1f} rows = the {CHANCE_LEVEL:.1%} lower limit of a count"
        f" of mean {mean:.1f} (dispersion {check.dispersion:g}): fewer rows than {share:.1f}"
        f" ({check.min_share_of_mean:g} x the mean) are within chance at this size; the mean is"
        f" of {source}"
    )


def _null_rates(
    conn: psycopg.Connection, contract: Contract, previous: list[int], parameters: BatchParameters
) -> None:
    table = sql.Identifier(contract.schema_name, contract.table_name)
    for check in contract.checks.null_rate:
        name = min_non_null_parameter(check.column)
        parameters.values[name] = 0.0
        if not previous:
            parameters.notes[NULL_RATE, check.column] = "no previous delivery to compare with"
            continue
        row = conn.execute(
            sql.SQL("select count({c})::float / count(*) from {t} where {b} = any(%s)").format(
                c=sql.Identifier(check.column), t=table, b=sql.Identifier(BATCH_COLUMN)
            ),
            (previous,),
        ).fetchone()
        share = float(row[0]) if row and row[0] is not None else 0.0
        parameters.values[name] = max(0.0, round(share - check.max_increase, 6))
        parameters.notes[NULL_RATE, check.column] = (
            f"non-null share at least {parameters.values[name]:.3f}: {share:.3f} in batches"
            f" {', '.join(map(str, previous))} less {check.max_increase:g}"
        )


def _distributions(
    conn: psycopg.Connection, contract: Contract, previous: list[int], parameters: BatchParameters
) -> None:
    table = sql.Identifier(contract.schema_name, contract.table_name)
    for check in contract.checks.distribution:
        name = partition_parameter(check.column)
        parameters.values[name] = None
        rows = (
            conn.execute(
                sql.SQL(
                    "select {c}::text, count(*) from {t} where {b} = any(%s) and {c} is not null"
                    " group by 1 order by 1"
                ).format(c=sql.Identifier(check.column), t=table, b=sql.Identifier(BATCH_COLUMN)),
                (previous,),
            ).fetchall()
            if previous
            else []
        )
        if not rows:
            parameters.notes[DISTRIBUTION, check.column] = "no previous delivery to compare with"
            continue
        total = sum(r[1] for r in rows)
        parameters.values[name] = {
            "values": [r[0] for r in rows],
            "weights": [r[1] / total for r in rows],
        }
        parameters.notes[DISTRIBUTION, check.column] = (
            f"compared with the {total} values of batches {', '.join(map(str, previous))}"
        )


def batch_parameters(
    conn: psycopg.Connection, contract: Contract, batch_id: int, now: datetime | None = None
) -> BatchParameters:
    """Every suite parameter the contract's suite needs for this batch."""
    parameters = BatchParameters(values=clock_parameters(now))
    audited = conn.execute("select to_regclass('audit.load_batch')").fetchone() != (None,)
    yardstick = _yardstick(conn, contract, batch_id) if audited else None
    _row_count(conn, contract, batch_id, yardstick, parameters)
    if contract.checks.null_rate or contract.checks.distribution:
        previous = _previous_batches(
            conn, contract, batch_id, contract.checks.previous_deliveries, yardstick
        )
        _null_rates(conn, contract, previous, parameters)
        _distributions(conn, contract, previous, parameters)
    return parameters
