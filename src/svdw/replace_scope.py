"""The SQL of a contract's replace scope (Contract.replace_scope): which earlier rows a new
delivery replaces (svdw.loader._supersede) and the scope values a batch records in
audit.load_batch.scopes, row(<scope>)::text, to find those rows' batches again.

A plain column is its value; a ScopeCapture is the one group of its pattern in its column,
`substring(column from pattern)`, empty where the pattern does not match, so such rows are
replaced by a delivery that has such rows too (a NULL would never compare equal). The pattern
travels as a literal and the column as an identifier: nothing from the contract is spliced in as
SQL text."""

from __future__ import annotations

import psycopg
from psycopg import sql

from svdw.contracts import Contract, ScopeCapture, ScopeItem


def scope_value(item: ScopeItem) -> sql.Composable:
    """One scope value of a raw row."""
    if isinstance(item, ScopeCapture):
        return sql.SQL("coalesce(substring({} from {}), '')").format(
            sql.Identifier(item.column), sql.Literal(item.pattern)
        )
    return sql.Identifier(item)


def scope_values(contract: Contract) -> sql.Composable:
    """The contract's scope values of a raw row, comma-separated in the contract's order."""
    return sql.SQL(", ").join(map(scope_value, contract.replace_scope))


def legacy_scopes(conn: psycopg.Connection, contract: Contract, batch_id: int) -> list[str]:
    """A batch's scopes in the shape batches recorded before the contract's scope gained its
    captures: its plain columns alone (`(2025-09-15)` where `(2025-09-15,41)` is recorded now),
    so a re-delivery still finds the batches loaded before the upgrade; which of their rows it
    replaces is decided by the full scope (svdw.loader._supersede). Empty when the scope has no
    capture (its shape never changed) or no plain column. Row texts of different arity never
    collide (a value holding a comma is quoted)."""
    if not contract.scope_captures or not contract.scope_columns:
        return []
    found = conn.execute(
        sql.SQL(
            "select array_agg(distinct row({scope})::text) from {raw} where _batch_id = %s"
        ).format(
            scope=sql.SQL(", ").join(map(sql.Identifier, contract.scope_columns)),
            raw=sql.Identifier(contract.schema_name, contract.table_name),
        ),
        (batch_id,),
    ).fetchone()
    return list(found[0] or []) if found else []
