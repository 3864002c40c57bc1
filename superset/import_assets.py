"""Import superset/assets into Superset, in one transaction: run by ``superset.sh import``.

Runs in the Superset virtualenv (``.venv-superset/bin/python``) with ``SUPERSET_CONFIG_PATH``
and the environment set by ``infra/local/superset.sh``. In one process and one transaction:

1. Imports the bundle with overwrite, exactly as ``superset import-directory -o DIR`` does
   (same loader and ``ImportExamplesCommand``), but fails on a validation error instead of
   logging it and exiting 0. Objects are matched by UUID, so a re-import updates in place.
2. Points each of the bundle's databases at the real warehouse, as
   ``superset set-database-uri -d NAME -u URI`` would afterwards, but already during the
   import (in memory; the YAML keeps its credential-free placeholder), so the importer can
   reach the warehouse to create the schema permissions. The URIs come from environment
   variables (``DATABASE_URI_ENV``), never from argv, so no password shows in ``ps``.
3. Points each chart's stored ``query_context`` (and ``params``) at the imported dataset's id:
   this importer remaps a chart's datasource but not the ids inside ``query_context``, and the
   chart data API runs that query context.
4. Applies roles, demo users and row-level security from ``superset/security/``
   (``apply_security.py``; the users' logins come from the environment).
5. Unless ``--no-check``: connects to the warehouse and checks every physical dataset's table
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
from apply_security import SecurityFileError, apply_security

PREFIX = "superset.sh import"

# Which environment variable holds the real URI of each database in assets/databases/
# (superset.sh defaults them from .env). Dashboards read as svdw_dashboard (sna only); SQL Lab
# reads as svdw_analyst (marts and sna, read only).
DATABASE_URI_ENV = {
    "svdw_warehouse": "SUPERSET_WAREHOUSE_URL",
    "svdw_analyst": "SUPERSET_ANALYST_URL",
}


class ImportFailed(Exception):
    pass


def database_uris(names: list[str]) -> dict[str, str]:
    """The real URI of each named database, from its environment variable."""
    uris = {}
    for name in names:
        variable = DATABASE_URI_ENV.get(name)
        if variable is None:
            raise ImportFailed(
                f"database {name!r} in superset/assets/databases has no URI variable; add it "
                "to DATABASE_URI_ENV in superset/import_assets.py."
            )
        uris[name] = os.environ.get(variable, "").strip()
        if not uris[name]:
            raise ImportFailed(
                f"{variable} is not set (the URI of database {name!r}; superset.sh defaults "
                "it from .env)."
            )
    return uris


def load_bundle(assets: Path) -> tuple[dict[str, str], dict[str, list[dict[str, Any]]]]:
    """The bundle as the importer wants it (relative path -> text) and parsed by kind, with
    each database's placeholder URI replaced in memory by the real one."""
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
    # Import with the real URIs (Superset encrypts the passwords): the importer connects to
    # create the schema_access permissions and to look the tables up, and with the
    # credential-free placeholder it could do neither.
    uris = database_uris([d["database_name"] for d in parsed["databases"]])
    for name in [name for name in contents if name.startswith("databases/")]:
        database = yaml.safe_load(contents[name])
        database["sqlalchemy_uri"] = uris[database["database_name"]]
        contents[name] = yaml.safe_dump(database)
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
    """Fail when a database cannot be reached or a physical dataset's table is missing."""
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
            f"Check {DATABASE_URI_ENV.get(database.database_name, 'its URI variable')} "
            "(superset.sh defaults it from .env) and that "
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
    parser.add_argument(
        "--security",
        type=Path,
        help="roles.yaml and rls.yaml (default: security/ next to the bundle directory)",
    )
    parser.add_argument("--no-check", action="store_true", help="skip the warehouse check")
    args = parser.parse_args()

    try:
        contents, bundle = load_bundle(args.assets)
        uris = database_uris([d["database_name"] for d in bundle["databases"]])
        uuids = {d["database_name"]: d["uuid"] for d in bundle["databases"]}
        security_dir = args.security or args.assets.resolve().parent / "security"

        from flask import g
        from superset.app import create_app

        app = create_app()
        with app.app_context():
            from superset import db

            # One unit of work: the importer's own commit is deferred to ours below.
            g.in_transaction = True
            try:
                import_bundle(contents)
                databases = {name: set_database_uri(name, uri) for name, uri in uris.items()}
                changed = fix_query_contexts(bundle["charts"])
                try:
                    security = apply_security(security_dir)
                except SecurityFileError as exc:
                    raise ImportFailed(str(exc)) from exc
                if not args.no_check:
                    for name, database in databases.items():
                        check_tables(
                            [d for d in bundle["datasets"] if d["database_uuid"] == uuids[name]],
                            database,
                        )
                db.session.commit()
            except BaseException:
                db.session.rollback()
                raise
            counts = ", ".join(f"{len(items)} {kind}" for kind, items in bundle.items())
            print(f"{PREFIX}: imported {counts} from {args.assets}")
            for database in databases.values():
                print(f"{PREFIX}: database {database.database_name!r} -> {database.sqlalchemy_uri}")
            print(f"{PREFIX}: {changed} chart query context(s) repointed")
            for line in security:
                print(f"{PREFIX}: {line}")
            if not args.no_check:
                print(f"{PREFIX}: every dataset's table was found in the warehouse")
    except ImportFailed as exc:
        sys.stderr.write(f"{PREFIX}: ERROR: {exc}\nNothing was changed in Superset.\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
