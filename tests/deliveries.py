"""What tests build and compare warehouses with: deliveries that break the quality gate, and a
fingerprint of what a build published."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from svdw.loader import load_file
from svdw.synthetic.world import csv_writer


@dataclass(frozen=True)
class CorruptedDelivery:
    rows: int
    malformed_lines: list[int]

    @property
    def rows_loaded(self) -> int:
        return self.rows - len(self.malformed_lines)


def corrupted_force_crime_delivery(synthetic_dir: Path, out: Path) -> CorruptedDelivery:
    """A re-delivery of the last month's force crime extract with 40% of its rows (under half
    the usual count) in which every tenth crime is recorded in the future (the gate holds it)
    and two crimes in ten have a code outside the official list ("99Z", "X9-9"): the loader
    quarantines their rows."""
    source = sorted((synthetic_dir / "police_force_crimes").glob("*.csv"))[-1]
    with source.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        headers = list(reader.fieldnames or [])
        rows = list(reader)
    rows = rows[: int(len(rows) * 0.4)]
    malformed: list[int] = []
    with csv_writer(out, headers) as writer:
        for index, row in enumerate(rows):
            if index % 10 == 0:
                row["Recorded Date"] = "01/01/2999"
            elif index % 10 == 1:
                row["HO Offence Code"] = "99Z"
                malformed.append(index + 2)  # line number: the header is line 1
            elif index % 10 == 2:
                row["HO Offence Code"] = "X9-9"
                malformed.append(index + 2)  # line number: the header is line 1
            writer.writerow([row[h] for h in headers])
    return CorruptedDelivery(rows=len(rows), malformed_lines=malformed)


def marts_fingerprint(warehouse_url: str) -> dict[str, tuple[int, str]]:
    """Row count and an md5 over the sorted rows of every table in schemas marts and sna (the
    views there read the audit tables live, so they are not what a build changes)."""
    with psycopg.connect(warehouse_url) as conn:
        tables = conn.execute(
            "select n.nspname, c.relname from pg_class c join pg_namespace n"
            " on n.oid = c.relnamespace where n.nspname in ('marts', 'sna')"
            " and c.relkind in ('r', 'p', 'm') order by 1, 2"
        ).fetchall()
        fingerprint = {}
        for schema, table in tables:
            row = conn.execute(
                sql.SQL(
                    "select count(*), coalesce(md5(string_agg(t::text, '|' order by t::text)), '')"
                    " from {} as t"
                ).format(sql.Identifier(schema, table))
            ).fetchone()
            assert row is not None
            fingerprint[f"{schema}.{table}"] = (int(row[0]), str(row[1]))
    return fingerprint


def pin_batches_by_hand(url: str, batch_ids: list[int]) -> int:
    """For tests that write raw rows by hand (no loader, no gate): record those batches as
    loaded and passed, and a build that pinned them, so dbt's staging models read them (an
    ad-hoc dbt run reads the latest pinned build). Returns the build id."""
    from svdw.schema import ensure_audit_schema

    with psycopg.connect(url) as conn:
        ensure_audit_schema(conn)
        for batch_id in batch_ids:
            conn.execute(
                "insert into audit.load_batch (batch_id, contract, target_table, file_name,"
                " sha256, status, quality_status) values (%s, 'by hand', '', %s, %s, 'loaded',"
                " 'passed') on conflict (batch_id) do nothing",
                (batch_id, f"batch-{batch_id}.csv", f"by-hand-{batch_id}"),
            )
        row = conn.execute(
            "insert into audit.build (trigger, status, pinned_at, batches_admitted)"
            " values ('tests, by hand', 'succeeded', now(), %s) returning build_id",
            (len(batch_ids),),
        ).fetchone()
        assert row is not None
        conn.cursor().executemany(
            "insert into audit.build_batch (build_id, batch_id) values (%s, %s)",
            [(row[0], batch_id) for batch_id in batch_ids],
        )
    return int(row[0])


def load_batch(url: str, path: Path) -> int:
    """Load one file that must load; its batch id."""
    with psycopg.connect(url) as conn:
        result = load_file(conn, path)
    assert result.status == "loaded", result.error
    assert result.batch_id is not None
    return result.batch_id


def row_count_note(url: str, batch: int) -> str:
    """What the gate's row-count check of the batch observed and compared it with."""
    from svdw.quality import ROW_COUNT_EXPECTATION

    with psycopg.connect(url) as conn:
        (note,) = conn.execute(
            "select observed_value from audit.expectation_result"
            " where batch_id = %s and expectation = %s",
            (batch, ROW_COUNT_EXPECTATION),
        ).fetchone() or (None,)
    return str(note)
