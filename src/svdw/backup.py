"""Backup and restore of the warehouse and the Superset and Airflow metadata databases.

`backup` writes one `pg_dump` archive (custom format) per database into a new directory, with a
manifest.json: when, which tools, each database's server version, file size and sha256. Each
archive is one consistent snapshot of its database (pg_dump reads in one repeatable-read
transaction); the three databases are dumped one after another, not at one instant, which is
enough because none of them refers to another's rows.

`restore` checks every archive against the manifest before touching the cluster, then recreates
each database with `pg_restore --create` (so the database's owner and grants come back too) in a
cluster whose roles exist (`infra/local/pg.sh up` makes them) and whose databases are missing or
empty. It connects as the cluster's superuser: the databases hold objects of several roles.

No password reaches a command line: pg_dump and pg_restore read it from a private PGPASSFILE.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import psycopg
from psycopg.conninfo import make_conninfo

from svdw.config import Settings

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = 1
SUPERUSER = "postgres"
# Schemas every database has; a database with relations only in these is empty.
SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast")


class BackupError(RuntimeError):
    """A backup or restore cannot go on; the message says which file or database and why."""


@dataclass(frozen=True)
class Endpoint:
    """Where one database lives and whom to connect as."""

    host: str
    port: int
    user: str
    password: str
    database: str

    @classmethod
    def from_url(cls, url: str) -> Endpoint:
        # postgresql://, postgres:// and SQLAlchemy's postgresql+psycopg2:// alike
        parts = urlsplit(url)
        if not parts.scheme.startswith("postgres"):
            raise BackupError(f"not a PostgreSQL URL (scheme {parts.scheme!r})")
        return cls(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            database=unquote(parts.path.lstrip("/")),
        )

    def as_user(self, user: str, password: str) -> Endpoint:
        return Endpoint(self.host, self.port, user, password, self.database)

    def in_database(self, database: str) -> Endpoint:
        return Endpoint(self.host, self.port, self.user, self.password, database)

    def conninfo(self) -> str:
        return make_conninfo(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            dbname=self.database,
            application_name="svdw-backup",
        )

    def describe(self) -> str:
        return f"{self.database} on {self.host}:{self.port} as {self.user}"


@dataclass(frozen=True)
class Target:
    """One database a backup holds: its role in the project (warehouse, superset, airflow)."""

    name: str
    endpoint: Endpoint

    @property
    def file_name(self) -> str:
        return f"{self.name}.dump"


def targets(settings: Settings) -> list[Target]:
    """The databases to back up: the warehouse, then Superset's and Airflow's metadata (their
    own URL when set, else the `superset` / `airflow` database of the warehouse's cluster).
    With the superuser's password every one is read as the superuser, who can read every
    object whatever its owner; without it, as the role of its URL."""
    warehouse = Endpoint.from_url(settings.warehouse_url)
    found = [Target("warehouse", warehouse)]
    for name, url in (
        ("superset", settings.superset_metadata_url),
        ("airflow", settings.airflow_metadata_url),
    ):
        found.append(Target(name, Endpoint.from_url(url) if url else warehouse.in_database(name)))
    if settings.pg_superuser_password:
        found = [
            Target(t.name, t.endpoint.as_user(SUPERUSER, settings.pg_superuser_password))
            for t in found
        ]
    return found


def pg_tool(settings: Settings, tool: str) -> str:
    """The path of pg_dump or pg_restore: in SVDW_PG_BIN when set, else on PATH."""
    if settings.pg_bin_dir:
        path = Path(settings.pg_bin_dir) / tool
        if not path.is_file():
            raise BackupError(f"{tool} is not in SVDW_PG_BIN ({settings.pg_bin_dir})")
        return str(path)
    found = shutil.which(tool)
    if not found:
        raise BackupError(
            f"{tool} is not on PATH: install the PostgreSQL client (postgresql-client-15) or"
            " set SVDW_PG_BIN"
        )
    return found


def _passfile_line(endpoint: Endpoint) -> str:
    def escaped(value: str) -> str:
        return value.replace("\\", "\\\\").replace(":", "\\:")

    return ":".join(
        escaped(v)
        for v in (endpoint.host, str(endpoint.port), "*", endpoint.user, endpoint.password)
    )


@contextmanager
def libpq_environment(endpoint: Endpoint) -> Iterator[dict[str, str]]:
    """The environment for a libpq tool connecting to endpoint: host, port, user and database
    as PG* variables, the password in a PGPASSFILE only this user can read, deleted after."""
    with tempfile.TemporaryDirectory(prefix="svdw-pgpass-") as folder:
        passfile = Path(folder) / "pgpass"
        passfile.touch(mode=0o600)
        passfile.write_text(_passfile_line(endpoint) + "\n")
        environment = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        environment.update(
            PGHOST=endpoint.host,
            PGPORT=str(endpoint.port),
            PGUSER=endpoint.user,
            PGDATABASE=endpoint.database,
            PGPASSFILE=str(passfile),
            PGAPPNAME="svdw-backup",
            PGCONNECT_TIMEOUT="10",
        )
        yield environment


def _run(command: list[str], endpoint: Endpoint, what: str) -> None:
    with libpq_environment(endpoint) as environment:
        done = subprocess.run(command, env=environment, capture_output=True, text=True)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"{what} failed: " + " | ".join(detail[-5:]))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _tool_version(tool: str) -> str:
    done = subprocess.run([tool, "--version"], capture_output=True, text=True, check=False)
    return done.stdout.strip()


def _package_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _database_exists(endpoint: Endpoint) -> bool:
    with psycopg.connect(endpoint.in_database("postgres").conninfo(), autocommit=True) as conn:
        row = conn.execute(
            "select 1 from pg_database where datname = %s", (endpoint.database,)
        ).fetchone()
    return row is not None


def _build_state(endpoint: Endpoint) -> dict[str, Any]:
    """The warehouse's builds when it was dumped: the build the marts show, and any build that
    was running (its marts may be half rebuilt in the dump; the next build after a restore
    takes over, see svdw.snapshot)."""
    with psycopg.connect(endpoint.conninfo()) as conn:
        if conn.execute("select to_regclass('audit.build')").fetchone() == (None,):
            return {"last_succeeded_build": None, "running_builds": []}
        last = conn.execute(
            "select max(build_id) from audit.build where status = 'succeeded'"
        ).fetchone()
        running = conn.execute(
            "select build_id from audit.build where status = 'running' order by build_id"
        ).fetchall()
    return {
        "last_succeeded_build": last[0] if last else None,
        "running_builds": [r[0] for r in running],
    }


def backup(
    settings: Settings, out_dir: Path, report: Callable[[str], None] = print
) -> dict[str, Any]:
    """Dump every database of `targets(settings)` that exists into out_dir (a new or empty
    directory, made private); write and return the manifest. A metadata database that does not
    exist is listed as skipped; the warehouse must exist."""
    pg_dump = pg_tool(settings, "pg_dump")
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()):
        raise BackupError(f"{out_dir} is not empty: back up into a new directory")
    out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    out_dir.chmod(0o700)  # the dumps hold pseudonymised person-level data
    manifest: dict[str, Any] = {
        "format": MANIFEST_FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "tools": {
            "pg_dump": _tool_version(pg_dump),
            "svdw": _package_version("svdw"),
            "python": platform.python_version(),
        },
        "databases": [],
        "skipped": [],
    }
    for target in targets(settings):
        endpoint = target.endpoint
        try:
            exists = _database_exists(endpoint)
        except psycopg.OperationalError as exc:
            raise BackupError(f"cannot reach {endpoint.describe()}: {exc}") from exc
        if not exists:
            if target.name == "warehouse":
                raise BackupError(f"the warehouse database {endpoint.describe()} does not exist")
            manifest["skipped"].append(
                {"name": target.name, "reason": f"no database {endpoint.describe()}"}
            )
            report(f"{target.name}: skipped (no database {endpoint.database})")
            continue
        if target.name == "warehouse":
            manifest["warehouse_builds"] = _build_state(endpoint)
        path = out_dir / target.file_name
        started = time.monotonic()
        _run(
            [pg_dump, "--format=custom", "--no-password", f"--file={path}"],
            endpoint,
            f"pg_dump of {endpoint.describe()}",
        )
        path.chmod(0o600)
        with psycopg.connect(endpoint.conninfo()) as conn:
            server_version = conn.execute("show server_version").fetchone()
        entry = {
            "name": target.name,
            "database": endpoint.database,
            "file": path.name,
            "bytes": path.stat().st_size,
            "sha256": sha256_of(path),
            "server_version": server_version[0] if server_version else None,
            "dumped_as": endpoint.user,
            "seconds": round(time.monotonic() - started, 1),
        }
        manifest["databases"].append(entry)
        report(f"{target.name}: {path.name}, {entry['bytes']:,} bytes")
    running = manifest.get("warehouse_builds", {}).get("running_builds")
    if running:
        report(
            f"warning: build(s) {running} were running: the dump may hold marts half rebuilt;"
            " after a restore, `svdw build --rebuild` makes them whole again"
        )
    manifest_path = out_dir / MANIFEST_NAME
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    manifest_path.chmod(0o600)
    return manifest


def read_manifest(backup_dir: Path) -> dict[str, Any]:
    path = Path(backup_dir) / MANIFEST_NAME
    if not path.is_file():
        raise BackupError(f"{path} is missing: is {backup_dir} a directory `svdw backup` wrote?")
    try:
        manifest = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise BackupError(f"{path} is not valid JSON ({exc})") from exc
    if manifest.get("format") != MANIFEST_FORMAT:
        raise BackupError(f"{path}: unknown manifest format {manifest.get('format')!r}")
    return dict(manifest)


def verify(backup_dir: Path) -> dict[str, Any]:
    """Check every archive the manifest lists against its size and sha256; returns the
    manifest. Raises BackupError naming the first file that is missing or differs."""
    manifest = read_manifest(backup_dir)
    for entry in manifest["databases"]:
        path = Path(backup_dir) / entry["file"]
        if not path.is_file():
            raise BackupError(f"{path} is missing (the manifest lists it)")
        size = path.stat().st_size
        if size != entry["bytes"]:
            raise BackupError(
                f"{path} has {size:,} bytes, the manifest says {entry['bytes']:,}: the archive"
                " is damaged or was changed; restore from another backup"
            )
        if sha256_of(path) != entry["sha256"]:
            raise BackupError(
                f"{path} does not match its sha256 in the manifest: the archive is damaged or"
                " was changed; restore from another backup"
            )
    return manifest


def _user_relations(endpoint: Endpoint) -> int:
    with psycopg.connect(endpoint.conninfo()) as conn:
        row = conn.execute(
            "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace"
            " where n.nspname <> all(%s) and n.nspname not like 'pg_temp%%'"
            " and n.nspname not like 'pg_toast_temp%%'",
            (list(SYSTEM_SCHEMAS),),
        ).fetchone()
    return int(row[0]) if row else 0


def _make_room(endpoint: Endpoint) -> None:
    """A restore recreates the database with its owner and grants: an existing database must
    be empty (one `pg.sh up` made, say), and is dropped first."""
    if not _database_exists(endpoint):
        return
    relations = _user_relations(endpoint)
    if relations:
        raise BackupError(
            f"database {endpoint.database} on {endpoint.host}:{endpoint.port} already holds"
            f" {relations} relation(s): restore into an empty cluster, or drop it first"
        )
    with psycopg.connect(endpoint.in_database("postgres").conninfo(), autocommit=True) as conn:
        try:
            conn.execute(f'drop database "{endpoint.database}"')
        except psycopg.errors.ObjectInUse as exc:
            raise BackupError(
                f"database {endpoint.database} is empty but in use: stop the services that"
                f" connect to it (Airflow, Superset), then restore ({exc})"
            ) from exc


def restore(
    settings: Settings, backup_dir: Path, report: Callable[[str], None] = print
) -> dict[str, Any]:
    """Verify the backup, then recreate each database it holds in the cluster the settings
    point at (the warehouse URL's host and port unless a metadata URL says otherwise)."""
    manifest = verify(backup_dir)
    report(f"checked {len(manifest['databases'])} archive(s) against {MANIFEST_NAME}")
    if not settings.pg_superuser_password:
        raise BackupError(
            "a restore connects as the cluster's superuser (it recreates databases owned by"
            " several roles): set SVDW_PG_SUPERUSER_PASSWORD"
        )
    pg_restore = pg_tool(settings, "pg_restore")
    by_name = {t.name: t.endpoint for t in targets(settings)}
    for entry in manifest["databases"]:
        cluster = by_name.get(entry["name"], by_name["warehouse"])
        endpoint = cluster.in_database(entry["database"])
        try:
            _make_room(endpoint)
        except psycopg.OperationalError as exc:
            raise BackupError(f"cannot reach {endpoint.describe()}: {exc}") from exc
        started = time.monotonic()
        _run(
            [
                pg_restore,
                "--create",
                "--exit-on-error",
                "--no-password",
                "--dbname=postgres",
                str(Path(backup_dir) / entry["file"]),
            ],
            endpoint.in_database("postgres"),
            f"pg_restore of {entry['file']} into {endpoint.describe()} (do the roles exist?"
            " `infra/local/pg.sh up` makes them; drop the half-restored database before"
            " trying again)",
        )
        with psycopg.connect(endpoint.conninfo(), autocommit=True) as conn:
            conn.execute("analyze")  # pg_restore leaves the planner without statistics
        report(
            f"{entry['name']}: restored database {entry['database']}"
            f" in {time.monotonic() - started:.0f} s"
        )
    return manifest
