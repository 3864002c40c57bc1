"""Import superset/assets into Superset, in one transaction: run by ``superset.sh import``.

Runs in the Superset virtualenv (``.venv-superset/bin/python``) with ``SUPERSET_CONFIG_PATH``
and the environment set by ``infra/local/superset.sh``. In one process and one transaction:

1. Imports the bundle with overwrite, exactly as ``superset import-directory -o DIR`` does
   (same loader and ``ImportExamplesCommand``), but fails on a validation error instead of
   logging it and exiting 0. Objects are matched by UUID, so a re-import updates in place.
2. Points the bundle's database at the real warehouse, as
   ``superset set-database-uri -d NAME -u URI`` would afterwards, but already during the
   import (in memory; the YAML keeps its credential-free placeholder), so the importer can
   reach the warehouse to create the schema permissions. The URI comes from the environment
   variable ``SUPERSET_WAREHOUSE_URL``, never from argv, so no password shows in ``ps``.
3. Points each chart's stored ``query_context`` (and ``params``) at the imported dataset's id:
   this importer remaps a chart's datasource but not the ids inside ``query_context``, and the
   chart data API runs that query context.
4. Unless ``--no-check``: connects to the warehouse and checks every physical dataset's table
   exists, so a wrong URL or an unbuilt warehouse fails here, loudly, not in a browser.

Nothing is committed unless every step succeeds. Exit status 0, or 1 with a message on stderr
saying what to do next.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import yaml

PREFIX = "superset.sh import"


class ImportFailed(Exception):
    pass


def load_bundle(
    assets: Path, warehouse_uri: str
) -> tuple[dict[str, str], dict[str, list[dict[str, Any]]]]:
    """The bundle as the importer wants it (relative path -> text) and parsed by kind, with
    the database's placeholder URI replaced in memory by the real one."""
    contents: dict[str, str] = {}
    for path in sorted(assets.rglob("*")):
        if path.is_file() and path.suffix.lower() in {".yaml", ".yml"}:
            contents[str(path.relative_to(assets))] = path.read_text()
    if "metadata.yaml" not in contents:
        raise ImportFailed(f"{assets}/metadata.yaml is missing: is SUPERSET_ASSETS right?")
    # As import-directory does: drop the bundle type so any exported bundle imports.
    metadata = yaml.safe_load(contents["metadata.yaml"]) or {}
    metadata.pop("type", None)
    contents["metadata.yaml"] = yaml.safe_dump(metadata)

    parsed: dict[str, list[dict[str, Any]]] = {}
    for kind in ("databases", "datasets", "charts", "dashboards"):
        parsed[kind] = [
            yaml.safe_load(text)
            for name, text in sorted(contents.items())
            if name.startswith(f"{kind}/")
        ]
    if len(parsed["databases"]) != 1:
        raise ImportFailed(
            f"expected exactly one database in {assets}/databases, "
            f"found {len(parsed['databases'])}."
        )
    # Import with the real URI (Superset encrypts the password): the importer connects to
    # create the schema_access permissions and to look the tables up, and with the
    # credential-free placeholder it could do neither.
    (database_file,) = [name for name in contents if name.startswith("databases/")]
    database = dict(parsed["databases"][0], sqlalchemy_uri=warehouse_uri)
    contents[database_file] = yaml.safe_dump(database)
    return contents, parsed


def import_bundle(contents: dict[str, str]) -> None:
    from superset.commands.exceptions import CommandInvalidError
    from superset.commands.importers.v1.examples import ImportExamplesCommand

    try:
        ImportExamplesCommand(contents, overwrite=True).run()
    except CommandInvalidError as exc:
        raise ImportFailed(
            "Superset rejected the bundle: "
            f"{json.dumps(exc.normalized_messages(), indent=2)}\n"
            "Each key names the file and the field to fix in superset/assets."
        ) from exc


def set_database_uri(database_name: str, uri: str) -> Any:
    from superset.utils.database import get_or_create_db

    database = get_or_create_db(database_name, uri, always_create=False)
    if database is None:
        raise ImportFailed(f"database {database_name!r} was not imported.")
    return database


def fix_query_contexts(charts: list[dict[str, Any]]) -> int:
    from superset import db
    from superset.connectors.sqla.models import SqlaTable
    from superset.models.slice import Slice

    changed = 0
    for config in charts:
        chart = db.session.query(Slice).filter_by(uuid=config["uuid"]).one_or_none()
        dataset = db.session.query(SqlaTable).filter_by(uuid=config["dataset_uuid"]).one_or_none()
        if chart is None or dataset is None:
            raise ImportFailed(
                f"chart {config['slice_name']!r} ({config['uuid']}) or its dataset "
                f"{config['dataset_uuid']} was not imported; check dataset_uuid in its YAML."
            )
        datasource = {"id": dataset.id, "type": "table"}
        uid = f"{dataset.id}__table"

        params = json.loads(chart.params or "{}")
        params["datasource"] = uid
        query_context = json.loads(chart.query_context or "null")
        if not query_context:
            raise ImportFailed(
                f"chart {chart.slice_name!r} has no query_context in its YAML, so the chart "
                "data API would answer 400; add one (see the other charts in superset/assets)."
            )
        query_context["datasource"] = datasource
        if "form_data" in query_context:
            query_context["form_data"]["datasource"] = uid
        for query in query_context.get("queries", []):
            if "datasource" in query:
                query["datasource"] = datasource

        new_params = json.dumps(params, sort_keys=True)
        new_query_context = json.dumps(query_context, sort_keys=True)
        if (chart.datasource_id, chart.params, chart.query_context) != (
            dataset.id,
            new_params,
            new_query_context,
        ):
            chart.datasource_id = dataset.id
            chart.datasource_type = "table"
            chart.params = new_params
            chart.query_context = new_query_context
            changed += 1
    return changed


def check_tables(datasets: list[dict[str, Any]], database: Any) -> None:
    """Fail when the warehouse cannot be reached or a physical dataset's table is missing."""
    from sqlalchemy import inspect

    where = database.sqlalchemy_uri  # the password is masked in this attribute
    try:
        with database.get_sqla_engine() as engine, engine.connect() as conn:
            inspector = inspect(conn)
            missing = [
                f"{config['schema']}.{config['table_name']}"
                for config in datasets
                if not config.get("sql")  # virtual datasets are checked by the chart tests
                and not inspector.has_table(config["table_name"], schema=config["schema"])
            ]
    except Exception as exc:
        raise ImportFailed(
            f"cannot connect to the warehouse as {where}: {exc}\n"
            "Check SUPERSET_WAREHOUSE_URL (default: DASHBOARD_DATABASE_URL in .env) and that "
            "PostgreSQL is up (infra/local/pg.sh up)."
        ) from exc
    if missing:
        raise ImportFailed(
            f"table(s) {', '.join(missing)} not found in the warehouse ({where}), or the "
            "dashboard role cannot see them. Build the warehouse first (dbt build, which also "
            "grants svdw_dashboard select on sna), or fix table_name/schema in "
            "superset/assets/datasets/. `superset.sh import --no-check` imports anyway."
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assets", type=Path, help="the bundle directory (superset/assets)")
    parser.add_argument("--no-check", action="store_true", help="skip the warehouse check")
    args = parser.parse_args()

    try:
        uri = os.environ.get("SUPERSET_WAREHOUSE_URL", "").strip()
        if not uri:
            raise ImportFailed(
                "SUPERSET_WAREHOUSE_URL is not set (superset.sh defaults it to "
                "DASHBOARD_DATABASE_URL)."
            )
        contents, bundle = load_bundle(args.assets, uri)

        from flask import g
        from superset.app import create_app

        app = create_app()
        with app.app_context():
            from superset import db

            # One unit of work: the importer's own commit is deferred to ours below.
            g.in_transaction = True
            try:
                import_bundle(contents)
                database = set_database_uri(bundle["databases"][0]["database_name"], uri)
                changed = fix_query_contexts(bundle["charts"])
                if not args.no_check:
                    check_tables(bundle["datasets"], database)
                db.session.commit()
            except BaseException:
                db.session.rollback()
                raise
            counts = ", ".join(f"{len(items)} {kind}" for kind, items in bundle.items())
            print(f"{PREFIX}: imported {counts} from {args.assets}")
            print(
                f"{PREFIX}: database {database.database_name!r} -> {database.sqlalchemy_uri}; "
                f"{changed} chart query context(s) repointed"
            )
            if not args.no_check:
                print(f"{PREFIX}: every dataset's table was found in the warehouse")
    except ImportFailed as exc:
        sys.stderr.write(f"{PREFIX}: ERROR: {exc}\nNothing was changed in Superset.\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
