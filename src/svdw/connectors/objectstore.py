"""Fetch new partner files from SFTP or S3-compatible object storage into the landing directory.

A source is a URL per contract, `SVDW_SOURCE_<CONTRACT>` (contract name upper-cased):

    SVDW_SOURCE_HEALTH_ED_ATTENDANCES=sftp://svdw@sftp.partner.example:22/outgoing/
    SVDW_SOURCE_POLICE_UK_STREET=s3://partner-bucket/police/street/
    SVDW_SOURCE_POLICE_UK_STREET=s3://aws_partner@partner-bucket/police/  # conn id aws_partner

Credentials never go in the URL (a password there is refused) or the repo. They come from an
Airflow connection named by `SVDW_SOURCE_<CONTRACT>_CONN_ID` (defined in Airflow, or as
`AIRFLOW_CONN_<ID>` in the environment), or else from the environment:

- S3: the usual AWS chain (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_PROFILE`, ...);
  `AWS_ENDPOINT_URL` or `SVDW_S3_ENDPOINT_URL` for a non-AWS endpoint. An `aws` connection
  gives login/password as key/secret and `endpoint_url`, `region_name`,
  `aws_session_token` in its extra.
- SFTP: `SVDW_SFTP_KEY_FILE` or `SVDW_SFTP_PASSWORD`, and `SVDW_SFTP_KNOWN_HOSTS` (a
  known_hosts file; default ~/.ssh/known_hosts). An `sftp`/`ssh` connection gives host, port,
  login, password and, in its extra, `key_file`, `private_key`, `private_key_passphrase`,
  `host_key` (the server's public key, `ssh-ed25519 AAAA...`), `known_hosts` (a file) or
  `no_host_key_check` (true only for throwaway test servers). The server's host key is always
  checked unless the connection says otherwise.

Only the source folder's top level is read; files matching the contract's `file_glob` are
copied unless landing (waiting, or set aside in `rejected/`) or the archive already holds a file
of the same name, size and modification time (the local copy keeps the remote mtime; for the
encrypted archived and rejected files, their clear name and size: svdw.archive). Each file
is streamed to a temporary `.<name>.<random>.part` in landing (never matching a contract glob)
and renamed when complete, so the loader never sees half a file. A file that was fetched again
with identical bytes is a no-op for the loader (it dedups by sha256); one fetched again while
its first copy still waits in landing goes beside it, in `redelivered/<n>/` (svdw.landing).
A remote name that is unsafe as a local one (a path separator, `..`, a leading dot, control
characters: svdw.connectors.names) is refused: the other files are fetched, then a
ConnectorError names the refused ones.
"""

from __future__ import annotations

import base64
import contextlib
import fnmatch
import logging
import os
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, urlsplit, urlunsplit

from fsspec import AbstractFileSystem

from svdw.archive import original_file
from svdw.config import SOURCE_PREFIX, Settings, suffix_key
from svdw.connectors.errors import ConnectorError
from svdw.connectors.names import name_problem, shown
from svdw.contracts import Contract, get_contract
from svdw.landing import arrival_path

log = logging.getLogger(__name__)

SCHEMES = ("sftp", "s3")
CONNECT_TIMEOUT_S = 30


@dataclass(frozen=True)
class SourceConfig:
    """Where a contract's files come from: a URL and, optionally, an Airflow connection id."""

    contract: str
    url: str
    conn_id: str | None = None


def env_key(contract_name: str) -> str:
    return suffix_key(SOURCE_PREFIX, contract_name)


def source_config_for(contract_name: str) -> SourceConfig | None:
    """The contract's source from `SVDW_SOURCE_<CONTRACT>` (and `..._CONN_ID`), if set."""
    configured = Settings.from_env().source(contract_name)
    if configured is None:
        return None
    url, conn_id = configured
    return SourceConfig(contract_name, url, conn_id)


def fetch_configured_source(contract_name: str, settings: Settings | None = None) -> list[Path]:
    """Fetch new files for a contract from the source its environment variables configure."""
    settings = settings or Settings.from_env()
    contract = get_contract(contract_name)
    config = source_config_for(contract.name)
    if config is None:
        key = env_key(contract.name)
        raise ConnectorError(
            f"contract {contract.name}",
            f"no source configured ({key} is not set)",
            f"set {key}=sftp://user@host:port/path/ or s3://bucket/prefix/ (and {key}_CONN_ID "
            "to an Airflow connection holding the credentials)",
        )
    return fetch_new_files(contract, settings, config.url, conn_id=config.conn_id)


def display_url(url: str) -> str:
    """The URL without any password, safe for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.hostname or ""
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


def fetch_new_files(
    contract: Contract, settings: Settings, source_url: str, *, conn_id: str | None = None
) -> list[Path]:
    """Copy the source's files matching the contract's `file_glob` that are not yet in landing
    or the archive into `<landing>/<contract>/`; returns the new local paths, in name order."""
    source = display_url(source_url)
    parts = urlsplit(source_url)
    if parts.scheme not in SCHEMES:
        raise ConnectorError(
            source,
            f"unsupported scheme {parts.scheme!r}",
            "use sftp://user@host:port/path/ or s3://bucket/prefix/",
        )
    if parts.password is not None:
        raise ConnectorError(
            source,
            "the source URL contains a password",
            "remove it from the URL and put it in an Airflow connection (conn_id) instead",
        )
    if parts.scheme == "s3" and parts.username and not conn_id:
        conn_id = parts.username  # s3://<conn_id>@bucket/prefix/, as Airflow's ObjectStoragePath
    connection = _airflow_connection(conn_id, source) if conn_id else None
    if parts.scheme == "s3":
        fs = _s3_filesystem(parts, connection, source)
        folder = (parts.netloc.rsplit("@", 1)[-1] + parts.path).rstrip("/")
    else:
        fs = _sftp_filesystem(parts, connection, source)
        folder = parts.path.rstrip("/") or "/"
    try:
        return _fetch(fs, folder, contract, settings, source)
    finally:
        _close(fs)


def _fetch(
    fs: AbstractFileSystem, folder: str, contract: Contract, settings: Settings, source: str
) -> list[Path]:
    try:
        entries = fs.ls(folder, detail=True)
    except FileNotFoundError as exc:
        raise ConnectorError(
            source,
            f"the folder {folder!r} does not exist ({exc})",
            "check the path in the source URL, or ask the partner whether it moved",
        ) from exc
    except Exception as exc:
        raise ConnectorError(
            source,
            f"could not list {folder!r} ({type(exc).__name__}: {exc})",
            "check the credentials and that this account may list the folder",
        ) from exc
    landing = settings.landing_dir / contract.name
    landing.mkdir(parents=True, exist_ok=True)
    known = _known_files(contract, settings)
    fetched: list[Path] = []
    refused: list[str] = []
    for entry in sorted(entries, key=lambda e: str(e["name"])):
        name = str(entry["name"]).rstrip("/").rsplit("/", 1)[-1]
        if entry.get("type") != "file" or not fnmatch.fnmatchcase(name, contract.file_glob):
            continue
        if problem := name_problem(name):
            refused.append(f"{shown(name)}: {problem}")
            continue
        size = int(entry.get("size") or 0)
        mtime = _mtime(entry)
        if any(s == size and (mtime is None or m == mtime) for s, m in known.get(name, [])):
            continue
        target = arrival_path(landing, name)  # beside a same-name file still waiting
        target.parent.mkdir(parents=True, exist_ok=True)
        fetched.append(_download(fs, str(entry["name"]), target, size, mtime, source))
    log.info("%s: %d new file(s) for %s", source, len(fetched), contract.name)
    if refused:
        raise ConnectorError(
            source,
            f"refused {len(refused)} file name(s) unsafe in landing ({'; '.join(refused[:5])});"
            f" the {len(fetched)} other new file(s) were fetched",
            "ask the partner to rename them (letters, digits, '-', '_' and '.') and fetch again",
        )
    return fetched


def _download(
    fs: AbstractFileSystem, remote: str, target: Path, size: int, mtime: int | None, source: str
) -> Path:
    """Stream one file to a temporary name beside its target, check it, then rename it."""
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        fs.get_file(remote, str(partial))
        got = partial.stat().st_size
        if got != size:
            raise ConnectorError(
                source,
                f"{remote}: got {got} bytes, the listing said {size}",
                "the partner may still be writing it; fetch again later",
            )
        if mtime is not None:
            os.utime(partial, (mtime, mtime))
        os.replace(partial, target)
    except ConnectorError:
        partial.unlink(missing_ok=True)
        raise
    except Exception as exc:
        partial.unlink(missing_ok=True)
        raise ConnectorError(
            source,
            f"could not download {remote} ({type(exc).__name__}: {exc})",
            "check that the account may read the file and fetch again (files already fetched "
            "are kept)",
        ) from exc
    return target


def _known_files(contract: Contract, settings: Settings) -> dict[str, list[tuple[int, int]]]:
    """Name -> (size, mtime) of the contract's files in landing, rejected/ and the archive."""
    known: dict[str, list[tuple[int, int]]] = {}
    landing = settings.landing_dir / contract.name
    places = [(landing, False), (landing / "rejected", False)]
    places.append((settings.archive_dir / contract.name, True))
    for folder, archived in places:
        if not folder.is_dir():
            continue
        # landing's own files, and re-deliveries waiting (or rejected) below it
        for path in folder.iterdir() if archived else folder.rglob("*"):
            with contextlib.suppress(OSError, ValueError):
                # archived and rejected files are encrypted: their clear name and size
                original = original_file(path, in_archive=archived) if path.is_file() else None
                if original is not None:
                    name, size = original
                    known.setdefault(name, []).append((size, int(path.stat().st_mtime)))
    return known


def _mtime(entry: dict[str, Any]) -> int | None:
    for key in ("mtime", "LastModified", "last_modified", "modified"):
        value = entry.get(key)
        if isinstance(value, datetime):
            return int(value.timestamp())
        if isinstance(value, int | float):
            return int(value)
    return None


def _airflow_connection(conn_id: str, source: str) -> Any:
    try:
        from airflow.sdk import Connection
    except ImportError as exc:  # pragma: no cover - Airflow is in the warehouse venv
        raise ConnectorError(
            source,
            f"Airflow is not installed, so connection {conn_id!r} cannot be read",
            "run in the warehouse venv (.venv), or give credentials by environment variables",
        ) from exc
    try:
        return Connection.get(conn_id)
    except Exception as exc:
        raise ConnectorError(
            source,
            f"Airflow connection {conn_id!r} could not be read ({exc})",
            f"define it in Airflow, or as AIRFLOW_CONN_{conn_id.upper()} in the environment",
        ) from exc


def _extra(connection: Any) -> dict[str, Any]:
    if connection is None:
        return {}
    extra = connection.extra_dejson
    return extra if isinstance(extra, dict) else {}


def _s3_filesystem(parts: SplitResult, connection: Any, source: str) -> AbstractFileSystem:
    import s3fs

    extra = _extra(connection)
    service = extra.get("service_config", {})
    endpoint = (
        extra.get("endpoint_url")
        or (service.get("s3", {}).get("endpoint_url") if isinstance(service, dict) else None)
        or Settings.from_env().s3_endpoint_url
        or None
    )
    region = extra.get("region_name") or Settings.from_env().aws_default_region or None
    key = (connection.login if connection else None) or extra.get("aws_access_key_id")
    secret = (connection.password if connection else None) or extra.get("aws_secret_access_key")
    kwargs: dict[str, Any] = {"skip_instance_cache": True}
    if key and secret:
        kwargs.update(key=key, secret=secret, token=extra.get("aws_session_token"))
    if endpoint:
        kwargs["endpoint_url"] = endpoint
    if region:
        kwargs["client_kwargs"] = {"region_name": region}
    try:
        return s3fs.S3FileSystem(**kwargs)
    except Exception as exc:
        raise ConnectorError(
            source,
            f"could not set up the S3 client ({type(exc).__name__}: {exc})",
            "check the connection's extra (endpoint_url, region_name)",
        ) from exc


def _host_keys(value: str) -> list[Any]:
    """`ssh-ed25519 AAAA...` (or the bare base64 key, as Airflow's SFTP connections hold it)."""
    import asyncssh

    value = value.strip()
    if " " not in value:
        blob = base64.b64decode(value)
        key_type = blob[4 : 4 + int.from_bytes(blob[:4], "big")].decode()
        value = f"{key_type} {value}"
    return [asyncssh.import_public_key(value)]


def _sftp_filesystem(parts: SplitResult, connection: Any, source: str) -> AbstractFileSystem:
    import sshfs

    extra = _extra(connection)
    host = parts.hostname or (connection.host if connection else None)
    if not host:
        raise ConnectorError(
            source, "no host given", "put the host in the URL (sftp://user@host:port/path/)"
        )
    username = parts.username or (connection.login if connection else None)
    kwargs: dict[str, Any] = {
        "port": parts.port or (connection.port if connection else None) or 22,
        "connect_timeout": CONNECT_TIMEOUT_S,
        "skip_instance_cache": True,
    }
    if username:
        kwargs["username"] = username
    settings = Settings.from_env()
    password = (connection.password if connection else None) or settings.sftp_password
    if password:
        kwargs["password"] = password
    key_file = extra.get("key_file") or settings.sftp_key_file
    try:
        import asyncssh

        if extra.get("private_key"):
            kwargs["client_keys"] = [
                asyncssh.import_private_key(
                    extra["private_key"], extra.get("private_key_passphrase")
                )
            ]
        elif key_file:
            kwargs["client_keys"] = [key_file]
            if extra.get("private_key_passphrase"):
                kwargs["passphrase"] = extra["private_key_passphrase"]
        if str(extra.get("no_host_key_check", "false")).lower() == "true":
            log.warning("%s: host key NOT checked (no_host_key_check in connection)", source)
            kwargs["known_hosts"] = None
        elif extra.get("host_key"):
            # (trusted host keys, trusted CA keys, revoked keys)
            kwargs["known_hosts"] = (_host_keys(str(extra["host_key"])), [], [])
        elif extra.get("known_hosts") or settings.sftp_known_hosts:
            kwargs["known_hosts"] = extra.get("known_hosts") or settings.sftp_known_hosts
    except (ValueError, OSError, asyncssh.Error) as exc:
        raise ConnectorError(
            source,
            f"the SSH key or host key settings are unusable ({type(exc).__name__}: {exc})",
            "check key_file/private_key/host_key in the connection or SVDW_SFTP_* variables",
        ) from exc
    try:
        return sshfs.SSHFileSystem(host, **kwargs)
    except Exception as exc:
        problem = f"could not connect ({type(exc).__name__}: {exc})"
        hint = "check host, port, user and credentials, and that the server is reachable"
        if "host key" in str(exc).lower():
            hint = (
                "the server's host key is not trusted: add it to the known_hosts file "
                "(SVDW_SFTP_KNOWN_HOSTS) or the connection's host_key, after checking it with "
                "the partner"
            )
        raise ConnectorError(source, problem, hint) from exc


def _close(fs: AbstractFileSystem) -> None:
    """Close an SFTP connection now rather than at garbage collection."""
    stack = getattr(fs, "_stack", None)
    pool = getattr(fs, "_pool", None)
    if stack is None or pool is None:
        return
    from fsspec.asyn import sync

    async def close() -> None:
        with contextlib.suppress(Exception):
            await pool.close()
        with contextlib.suppress(Exception):
            await stack.aclose()

    with contextlib.suppress(Exception):
        sync(fs.loop, close, timeout=10)
