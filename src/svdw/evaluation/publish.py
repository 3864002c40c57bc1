"""Run the evaluation on the warehouse and publish it: read the panel from the marts, estimate,
replace the rows of marts.programme_effect_estimates and marts.programme_balance_estimates (one
transaction: readers see the old results or the new, never a mix), then dbt rebuilds the sna
models that disclosure-control them. Aggregates only leave this process."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import psycopg

from svdw.evaluation.engine import Results, evaluate
from svdw.evaluation.panel import read_panel
from svdw.transform import run_dbt

EFFECTS_TABLE = "marts.programme_effect_estimates"
BALANCE_TABLE = "marts.programme_balance_estimates"
SNA_MODELS = ["sna_programme_evaluation", "sna_programme_balance"]


def _insert(conn: psycopg.Connection, table: str, frame: pd.DataFrame, stamp: datetime) -> None:
    conn.execute(f"delete from {table}")
    if frame.empty:
        return
    rows = frame.assign(evaluated_at=stamp)
    columns = list(rows.columns)
    placeholders = ", ".join(["%s"] * len(columns))
    with conn.cursor() as cursor:
        cursor.executemany(
            f"insert into {table} ({', '.join(columns)}) values ({placeholders})",
            [tuple(_plain(v) for v in row) for row in rows.itertuples(index=False)],
        )


def _plain(value: object) -> object:
    """A value psycopg adapts: None for a missing one, Python scalars for numpy's."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[call-overload]
        return None
    return value.item() if hasattr(value, "item") else value


def write_results(warehouse_url: str, results: Results) -> None:
    stamp = datetime.now(UTC)
    effects = results.effects.rename(columns={"programme": "programme_name"})
    balance = results.balance.rename(columns={"programme": "programme_name"})
    with psycopg.connect(warehouse_url, application_name="svdw evaluation") as conn:
        _insert(conn, EFFECTS_TABLE, effects, stamp)
        _insert(conn, BALANCE_TABLE, balance, stamp)


def run_evaluation(warehouse_url: str) -> Results:
    """The whole step, as the warehouse_build DAG and `svdw evaluate` run it."""
    results = evaluate(read_panel(warehouse_url))
    write_results(warehouse_url, results)
    run_dbt(["build", "--select", *SNA_MODELS], warehouse_url)
    return results
