"""Roles, demo users and row-level security from superset/security/*.yaml, applied by
``import_assets.py`` inside its app context and transaction (never commits on its own).

Uses Superset's own security manager and models, so the result is what Settings -> List
Roles / Row Level Security would show had it been clicked together, but repeatable: every
import makes each listed role, user and filter exactly what the files say.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


class SecurityFileError(Exception):
    pass


PARTNERSHIP_WIDE_FILE = "partnership_wide.yaml"
# The clause of a fail-closed filter: no row of the dataset.
NO_ROWS = "1 = 0"


class _LineLoader(yaml.SafeLoader):
    """Records each mapping's line, so an error can name file and line."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass
class RoleSpec:
    name: str
    where: str
    include: list[str] = field(default_factory=list)
    permissions: list[tuple[str, str]] = field(default_factory=list)
    datasets_of: list[str] = field(default_factory=list)
    databases: list[str] = field(default_factory=list)


@dataclass
class UserSpec:
    role: str
    username_env: str
    password_env: str
    where: str


@dataclass
class FilterSpec:
    name: str
    description: str
    roles: list[str]
    column: str
    value_env: str
    pattern: str
    where: str


@dataclass
class SecuritySpec:
    roles: list[RoleSpec]
    users: list[UserSpec]
    filters: list[FilterSpec]
    # schema.table of datasets a filtered role may see whole although they lack the column
    partnership_wide: set[str] = field(default_factory=set)
    partnership_wide_where: str = ""


def _load(path: Path, key: str) -> list[dict[str, Any]]:
    if not path.is_file():
        raise SecurityFileError(f"{path} is missing.")
    try:
        data = yaml.load(path.read_text(), Loader=_LineLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise SecurityFileError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get(key, []), list):
        raise SecurityFileError(f"{path}: expected a mapping with a list under {key!r}.")
    items = data.get(key, [])
    for item in items:
        if not isinstance(item, dict):
            raise SecurityFileError(f"{path}: every entry under {key!r} must be a mapping.")
    return items


def _field(item: dict[str, Any], name: str, where: str, kind: type = str) -> Any:
    value = item.get(name)
    if not isinstance(value, kind) or not value:
        raise SecurityFileError(f"{where}: field {name!r} is missing or not a {kind.__name__}.")
    return value


def _names(item: dict[str, Any], name: str, where: str) -> list[str]:
    value = item.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise SecurityFileError(f"{where}: field {name!r} must be a list of names.")
    return value


def load_spec(directory: Path) -> SecuritySpec:
    roles_path, rls_path = directory / "roles.yaml", directory / "rls.yaml"
    roles: list[RoleSpec] = []
    for item in _load(roles_path, "roles"):
        where = f"{roles_path}, line {item['__line__']}"
        permissions = item.get("permissions", [])
        if not isinstance(permissions, list) or not all(
            isinstance(p, list) and len(p) == 2 and all(isinstance(s, str) for s in p)
            for p in permissions
        ):
            raise SecurityFileError(
                f"{where}: field 'permissions' must be a list of [permission, view menu] pairs."
            )
        roles.append(
            RoleSpec(
                name=_field(item, "name", where),
                where=where,
                include=_names(item, "include", where),
                permissions=[(p, v) for p, v in permissions],
                datasets_of=_names(item, "datasets_of", where),
                databases=_names(item, "databases", where),
            )
        )
    users = []
    for item in _load(roles_path, "users"):
        where = f"{roles_path}, line {item['__line__']}"
        users.append(
            UserSpec(
                role=_field(item, "role", where),
                username_env=_field(item, "username_env", where),
                password_env=_field(item, "password_env", where),
                where=where,
            )
        )
    filters = []
    for item in _load(rls_path, "filters"):
        where = f"{rls_path}, line {item['__line__']}"
        filters.append(
            FilterSpec(
                name=_field(item, "name", where),
                description=str(item.get("description", "")).strip(),
                roles=_names(item, "roles", where),
                column=_field(item, "column", where),
                value_env=_field(item, "value_env", where),
                pattern=_field(item, "pattern", where),
                where=where,
            )
        )
    for rule in filters:
        if not rule.roles:
            raise SecurityFileError(f"{rule.where}: field 'roles' names no role.")
        # The column goes into SQL unquoted: only a plain identifier.
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", rule.column):
            raise SecurityFileError(f"{rule.where}: 'column' must be a plain column name.")
    known = {r.name for r in roles}
    for user in users:
        if user.role not in known:
            raise SecurityFileError(f"{user.where}: role {user.role!r} is not defined above.")
    wide_path = directory / PARTNERSHIP_WIDE_FILE
    wide = set()
    for item in _load(wide_path, "datasets"):
        where = f"{wide_path}, line {item['__line__']}"
        table = _field(item, "table", where)
        if not re.fullmatch(r"[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*", table):
            raise SecurityFileError(f"{where}: 'table' must be schema.table, got {table!r}.")
        _field(item, "why", where)  # a dataset is made partnership-wide for a stated reason
        wide.add(table)
    return SecuritySpec(roles, users, filters, wide, str(wide_path))


def _env(name: str, where: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise SecurityFileError(
            f"{where}: environment variable {name} is not set; `make env` adds it to .env."
        )
    return value


def _database(name: str, where: str) -> Any:
    from superset import db
    from superset.models.core import Database

    database = db.session.query(Database).filter_by(database_name=name).one_or_none()
    if database is None:
        raise SecurityFileError(
            f"{where}: database {name!r} is not in Superset; add it to superset/assets/databases."
        )
    return database


def _apply_roles(specs: list[RoleSpec]) -> list[str]:
    from superset import db, security_manager
    from superset.connectors.sqla.models import SqlaTable

    done = []
    for spec in specs:
        pvms: dict[int, Any] = {}
        for included in spec.include:
            role = security_manager.find_role(included)
            if role is None:
                raise SecurityFileError(
                    f"{spec.where}: included role {included!r} does not exist; built-in roles "
                    "come from `superset.sh init`, others must be listed earlier in the file."
                )
            pvms.update((pvm.id, pvm) for pvm in role.permissions)
        wanted = list(spec.permissions)
        for name in spec.databases:
            wanted.append(("database_access", _database(name, spec.where).perm))
        for name in spec.datasets_of:
            database = _database(name, spec.where)
            for dataset in db.session.query(SqlaTable).filter_by(database_id=database.id):
                wanted.append(("datasource_access", dataset.perm))
        for permission, view in wanted:
            pvm = security_manager.find_permission_view_menu(permission, view)
            if pvm is None:
                raise SecurityFileError(
                    f"{spec.where}: Superset has no permission [{permission}, {view}]. Check the "
                    "spelling (Settings -> List Roles shows them) and that `superset.sh init` ran."
                )
            pvms[pvm.id] = pvm
        role = security_manager.find_role(spec.name) or security_manager.add_role(
            spec.name, commit=False
        )
        if {p.id for p in role.permissions} != set(pvms):
            role.permissions = [pvms[k] for k in sorted(pvms)]
        done.append(f"{spec.name} ({len(pvms)} permissions)")
    return done


def _apply_users(specs: list[UserSpec]) -> list[str]:
    from flask import current_app
    from superset import db, security_manager
    from werkzeug.security import check_password_hash, generate_password_hash

    done = []
    for spec in specs:
        username = _env(spec.username_env, spec.where)
        password = _env(spec.password_env, spec.where)
        if username == os.environ.get("SUPERSET_ADMIN_USER"):
            # Resetting its roles would take Admin away from the admin user.
            raise SecurityFileError(
                f"{spec.where}: {spec.username_env}={username!r} is the admin user "
                "(SUPERSET_ADMIN_USER); give the demo user its own name in .env."
            )
        role = security_manager.find_role(spec.role)
        user = security_manager.find_user(username=username)
        if user is None:
            user = security_manager.add_user(
                username,
                spec.role,
                "(demo)",
                f"{username}@svdw.invalid",
                role=[role],
                password=password,
                commit=False,
            )
            if not user:
                raise SecurityFileError(f"{spec.where}: could not create user {username!r}.")
        else:
            if [r.name for r in user.roles] != [spec.role]:
                user.roles = [role]
            user.active = True
            # Re-hash only on a change: a fresh salt each import would rewrite the row.
            if not check_password_hash(user.password, password):
                user.password = generate_password_hash(
                    password=password,
                    method=current_app.config.get("FAB_PASSWORD_HASH_METHOD", "scrypt"),
                    salt_length=current_app.config.get("FAB_PASSWORD_HASH_SALT_LENGTH", 16),
                )
        db.session.flush()
        done.append(f"{username} ({spec.role})")
    return done


def _apply_filters(specs: list[FilterSpec], wide: set[str], wide_where: str) -> list[str]:
    from superset import db, security_manager
    from superset.connectors.sqla.models import RowLevelSecurityFilter, SqlaTable, TableColumn
    from superset.utils.core import RowLevelSecurityFilterType

    done = []
    for spec in specs:
        value = _env(spec.value_env, spec.where)
        if not re.fullmatch(spec.pattern, value):
            raise SecurityFileError(
                f"{spec.where}: {spec.value_env}={value!r} does not match {spec.pattern!r}."
            )
        roles = []
        for name in spec.roles:
            role = security_manager.find_role(name)
            if role is None:
                raise SecurityFileError(f"{spec.where}: role {name!r} does not exist.")
            roles.append(role)
        tables = (
            db.session.query(SqlaTable)
            .join(TableColumn, TableColumn.table_id == SqlaTable.id)
            .filter(TableColumn.column_name == spec.column)
            .order_by(SqlaTable.id)
            .all()
        )
        rls = db.session.query(RowLevelSecurityFilter).filter_by(name=spec.name).one_or_none()
        if rls is None:
            rls = RowLevelSecurityFilter(name=spec.name)
            db.session.add(rls)
        clause = f"{spec.column} = '{value}'"
        for attribute, wanted in (
            ("description", spec.description),
            ("filter_type", RowLevelSecurityFilterType.REGULAR.value),
            ("clause", clause),
            ("group_key", None),
        ):
            if getattr(rls, attribute) != wanted:
                setattr(rls, attribute, wanted)
        if {r.id for r in rls.roles} != {r.id for r in roles}:
            rls.roles = roles
        if {t.id for t in rls.tables} != {t.id for t in tables}:
            rls.tables = tables
        db.session.flush()
        done.append(f"{spec.name!r}: {clause} on {len(tables)} dataset(s)")
        done.append(_fail_closed(spec, roles, {t.id for t in tables}, wide, wide_where))
    return done


def _fail_closed(
    spec: FilterSpec, roles: list[Any], filtered: set[int], wide: set[str], wide_where: str
) -> str:
    """The filter's roles see no row of a dataset that lacks its column, unless the dataset is
    listed as partnership-wide: a new dataset is hidden from them until someone decides."""
    from superset import db
    from superset.connectors.sqla.models import RowLevelSecurityFilter, SqlaTable
    from superset.utils.core import RowLevelSecurityFilterType

    every = db.session.query(SqlaTable).order_by(SqlaTable.id).all()
    known = {f"{t.schema}.{t.table_name}" for t in every}
    unknown = sorted(wide - known)
    if unknown:
        raise SecurityFileError(
            f"{wide_where}: no dataset {', '.join(unknown)} in Superset (a typo would hide it)."
        )
    closed = [t for t in every if t.id not in filtered and f"{t.schema}.{t.table_name}" not in wide]
    name = f"{spec.name}: no {spec.column} column (fails closed)"
    rls = db.session.query(RowLevelSecurityFilter).filter_by(name=name).one_or_none()
    if rls is None:
        rls = RowLevelSecurityFilter(name=name)
        db.session.add(rls)
    description = (
        f"Datasets without {spec.column} show no rows to these roles unless listed in "
        f"{PARTNERSHIP_WIDE_FILE}."
    )
    for attribute, wanted in (
        ("description", description),
        ("filter_type", RowLevelSecurityFilterType.REGULAR.value),
        ("clause", NO_ROWS),
        ("group_key", None),
    ):
        if getattr(rls, attribute) != wanted:
            setattr(rls, attribute, wanted)
    if {r.id for r in rls.roles} != {r.id for r in roles}:
        rls.roles = roles
    if {t.id for t in rls.tables} != {t.id for t in closed}:
        rls.tables = closed
    db.session.flush()
    return f"{name!r}: {NO_ROWS} on {len(closed)} dataset(s)"


def apply_security(directory: Path) -> list[str]:
    """Apply the files in ``directory``; returns one line per role, user and filter."""
    spec = load_spec(directory)
    roles = _apply_roles(spec.roles)
    users = _apply_users(spec.users)
    filters = _apply_filters(spec.filters, spec.partnership_wide, spec.partnership_wide_where)
    return [
        f"roles: {'; '.join(roles)}",
        f"users: {'; '.join(users)}",
        f"row-level security: {'; '.join(filters)}",
    ]
