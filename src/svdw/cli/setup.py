"""`svdw setup`: the warehouse's schemas, tables and grants, as the owner, once per version.

The routine services never change the schema: the loader logs in as svdw_loader and dbt as
svdw_transformer (LOADER_DATABASE_URL, TRANSFORMER_DATABASE_URL), roles that may not create a
schema or a table. The owner (WAREHOUSE_URL) runs this after an upgrade, a new contract or a
new role; `make demo` runs it before the pipeline.
"""

from __future__ import annotations

from svdw.cli.app import app, console
from svdw.cli.app import fail as _fail
from svdw.config import Settings


@app.command()
def setup() -> None:
    """Create or upgrade the audit, raw and history tables and every role's grants (as the
    owner, WAREHOUSE_URL), and register the contracts."""
    from svdw.freshness import register_contracts
    from svdw.loader import connect
    from svdw.schema import SetupRequired

    try:
        with connect(Settings.from_env().warehouse_url) as conn:
            register_contracts(conn)
    except (ConnectionError, SetupRequired) as exc:
        raise _fail(str(exc), "WAREHOUSE_URL must name the warehouse's owner") from exc
    console.print("Warehouse set up: audit, raw and history tables and grants are current.")
