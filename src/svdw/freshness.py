"""Is every partner delivering? Last delivery per contract against its cadence, with what was
quarantined and rejected: for `svdw status`, and (through audit.contract) for dbt's
sna_data_freshness model that the data-quality dashboard reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg

from svdw.contracts import load_contracts
from svdw.loader import ensure_audit_schema, ensure_raw_table

# A delivery is overdue once the cadence's interval plus a grace period has passed.
OVERDUE_AFTER = {
    "daily": timedelta(days=2),
    "weekly": timedelta(days=9),
    "monthly": timedelta(days=35),
    "quarterly": timedelta(days=100),
    "termly": timedelta(days=130),
    "yearly": timedelta(days=380),
}
NOT_DELIVERED_OPTIONAL = "not delivered (optional)"


@dataclass(frozen=True)
class Freshness:
    contract: str
    partner: str
    cadence: str
    last_delivery: datetime | None
    overdue: bool
    files_loaded: int
    rows_loaded: int
    rows_quarantined: int
    files_rejected: int
    optional: bool = False

    @property
    def state(self) -> str:
        """on time, overdue, or not delivered (optional): a feed a partnership may never have."""
        if self.optional and self.last_delivery is None:
            return NOT_DELIVERED_OPTIONAL
        return "overdue" if self.overdue else "on time"


def register_contracts(conn: psycopg.Connection) -> None:
    """Upsert every contract file into audit.contract, and create each contract's raw table
    (empty until its partner delivers), so the warehouse builds before every partner has
    (idempotent)."""
    ensure_audit_schema(conn)
    for contract in load_contracts().values():
        ensure_raw_table(conn, contract)
    with conn.cursor() as cur:
        cur.executemany(
            "insert into audit.contract (contract, title, partner, cadence, target_table,"
            " overdue_after, optional) values (%s, %s, %s, %s, %s, %s, %s)"
            " on conflict (contract) do update set title = excluded.title,"
            " partner = excluded.partner, cadence = excluded.cadence,"
            " target_table = excluded.target_table, overdue_after = excluded.overdue_after,"
            " optional = excluded.optional, registered_at = now()",
            [
                (
                    c.name,
                    c.title,
                    c.partner,
                    c.cadence,
                    c.table,
                    OVERDUE_AFTER[c.cadence],
                    c.optional,
                )
                for c in load_contracts().values()
            ],
        )
    conn.commit()


def freshness_report(conn: psycopg.Connection) -> list[Freshness]:
    register_contracts(conn)
    rows = conn.execute(
        """
        select c.contract, c.partner, c.cadence,
               max(b.finished_at) filter (where b.status = 'loaded') as last_delivery,
               coalesce(max(b.finished_at) filter (where b.status = 'loaded')
                        < now() - c.overdue_after, not c.optional) as overdue,
               count(*) filter (where b.status = 'loaded') as files_loaded,
               coalesce(sum(b.rows_loaded), 0) as rows_loaded,
               coalesce(sum(b.rows_quarantined), 0) as rows_quarantined,
               count(*) filter (where b.status = 'rejected') as files_rejected,
               c.optional
        from audit.contract c
        left join audit.load_batch b on b.contract = c.contract
        group by c.contract, c.partner, c.cadence, c.overdue_after, c.optional
        order by c.partner, c.contract
        """
    ).fetchall()
    return [Freshness(*row) for row in rows]
