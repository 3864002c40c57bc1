"""Settings: every environment variable the package reads, with safe local defaults.

The repo's `.env` (written by `make env`) is read once per process, by the first
`Settings.from_env()`, without overriding variables that are already set, so tests and Airflow
can point the same code at other databases. No other module reads `os.environ`; each takes its
values from `Settings`. `.env.example` lists every variable (a unit test checks it): the name of
each field's variable is in the field's metadata ("env"); a name ending in `_<NAME>` is a
family, one per contract or force (e.g. SVDW_SOURCE_POLICE_FORCE_CRIMES).
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PACKAGE_DIR = Path(__file__).resolve().parent
HOME_VARIABLE = "SVDW_HOME"


def _repo_dir(environ: Mapping[str, str]) -> Path:
    # An editable install keeps the package in <repo>/src/svdw; SVDW_HOME overrides that guess.
    return Path(environ.get(HOME_VARIABLE) or PACKAGE_DIR.parent.parent).resolve()


REPO_DIR = _repo_dir(os.environ)
DEFAULT_WAREHOUSE_URL = "postgresql://svdw_engineer@127.0.0.1:55432/warehouse"
PSEUDONYM_KEY_VARIABLE = "SVDW_PSEUDONYM_KEY"
# Read when the new name is not set, with a DeprecationWarning; `make env` copies its value.
OLD_PSEUDONYM_KEY_VARIABLE = "SVD_PSEUDONYM_KEY"
SOURCE_PREFIX = "SVDW_SOURCE_"
CONN_ID_SUFFIX = "_CONN_ID"
POLICE_API_POLY_PREFIX = "SVDW_POLICE_API_POLY_"


_DOTENV_READ: set[Path] = set()


def load_dotenv(path: Path | None = None) -> None:
    """Read KEY=VALUE lines into os.environ unless already set (no interpolation, no quotes).
    Each file once per process: a variable a test or task removed later stays removed."""
    env_file = path or REPO_DIR / ".env"
    if env_file in _DOTENV_READ:
        return
    _DOTENV_READ.add(env_file)
    if not env_file.is_file():
        return
    for line in env_file.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            os.environ.setdefault(key.strip(), value.strip())


CONTRACTS_DIR_VARIABLE = "SVDW_CONTRACTS_DIR"


def contracts_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Settings.contracts_dir alone: contracts are read in every process and on every load, and
    need none of the other settings (nor their warnings)."""
    if environ is None:
        load_dotenv()
        environ = os.environ
    value = environ.get(CONTRACTS_DIR_VARIABLE, "").strip()
    if not value:
        return PACKAGE_DIR / "contracts"
    path = Path(value)
    return path if path.is_absolute() else (_repo_dir(environ) / path).resolve()


def suffix_key(prefix: str, name: str) -> str:
    """`SVDW_SOURCE_` + 'police_force_crimes' -> SVDW_SOURCE_POLICE_FORCE_CRIMES."""
    return prefix + re.sub(r"[^A-Z0-9]", "_", name.upper())


def env(name: str) -> dict[str, str]:
    return {"env": name}


@dataclass(frozen=True)
class Settings:
    # The first three keep their places: code builds Settings(url, landing, archive).
    warehouse_url: str = field(default=DEFAULT_WAREHOUSE_URL, metadata=env("WAREHOUSE_URL"))
    landing_dir: Path = field(default=REPO_DIR / "landing", metadata=env("SVDW_LANDING_DIR"))
    archive_dir: Path = field(default=REPO_DIR / "archive", metadata=env("SVDW_ARCHIVE_DIR"))
    home: Path = field(default=REPO_DIR, metadata=env(HOME_VARIABLE))
    pseudonym_key: str = field(default="", metadata=env(PSEUDONYM_KEY_VARIABLE))
    # The data contracts (one YAML file per extract); a test or a deployment may keep its own.
    contracts_dir: Path = field(
        default=PACKAGE_DIR / "contracts", metadata=env(CONTRACTS_DIR_VARIABLE)
    )
    dbt_project_dir: Path = field(default=REPO_DIR / "dbt", metadata=env("SVDW_DBT_PROJECT_DIR"))
    # dbt's own variable: relative paths are under the dbt project
    dbt_target_path: Path = field(default=Path("target"), metadata=env("DBT_TARGET_PATH"))
    gx_project_dir: Path = field(
        default=REPO_DIR / "expectations", metadata=env("SVDW_GX_PROJECT_DIR")
    )
    retry_delay_seconds: int = field(default=300, metadata=env("SVDW_RETRY_DELAY_SECONDS"))
    airflow_url: str = field(default="http://127.0.0.1:8080", metadata=env("AIRFLOW_URL"))
    airflow_admin_user: str = field(default="admin", metadata=env("AIRFLOW_ADMIN_USER"))
    airflow_admin_password: str = field(default="", metadata=env("AIRFLOW_ADMIN_PASSWORD"))
    # partner sources (svdw.connectors): contract name -> URL, and -> Airflow connection id
    sources: Mapping[str, str] = field(
        default_factory=dict, metadata=env(SOURCE_PREFIX + "<CONTRACT>")
    )
    source_conn_ids: Mapping[str, str] = field(
        default_factory=dict, metadata=env(SOURCE_PREFIX + "<CONTRACT>" + CONN_ID_SUFFIX)
    )
    s3_endpoint_url: str = field(default="", metadata=env("SVDW_S3_ENDPOINT_URL"))
    aws_default_region: str = field(default="", metadata=env("AWS_DEFAULT_REGION"))
    sftp_password: str = field(default="", metadata=env("SVDW_SFTP_PASSWORD"))
    sftp_key_file: str = field(default="", metadata=env("SVDW_SFTP_KEY_FILE"))
    sftp_known_hosts: str = field(default="", metadata=env("SVDW_SFTP_KNOWN_HOSTS"))
    police_api_url: str = field(default="", metadata=env("SVDW_POLICE_API_URL"))
    # force id (upper case, '_' for other characters) -> polygon
    police_api_polys: Mapping[str, str] = field(
        default_factory=dict, metadata=env(POLICE_API_POLY_PREFIX + "<FORCE>")
    )
    alert_webhook_url: str = field(default="", metadata=env("SVDW_ALERT_WEBHOOK_URL"))
    alert_email_to: tuple[str, ...] = field(default=(), metadata=env("SVDW_ALERT_EMAIL_TO"))
    alert_email_from: str = field(
        default="svdw-alerts@localhost", metadata=env("SVDW_ALERT_EMAIL_FROM")
    )
    smtp_host: str = field(default="127.0.0.1", metadata=env("SVDW_SMTP_HOST"))
    smtp_port: int = field(default=25, metadata=env("SVDW_SMTP_PORT"))
    smtp_user: str = field(default="", metadata=env("SVDW_SMTP_USER"))
    smtp_password: str = field(default="", metadata=env("SVDW_SMTP_PASSWORD"))
    # Backup and restore (svdw.backup): the metadata databases beside the warehouse (empty: the
    # `superset` / `airflow` database of the warehouse's cluster), the cluster's superuser (a
    # restore recreates databases owned by several roles) and where pg_dump/pg_restore live.
    superset_metadata_url: str = field(default="", metadata=env("SUPERSET_METADATA_URL"))
    airflow_metadata_url: str = field(default="", metadata=env("AIRFLOW_METADATA_URL"))
    pg_superuser_password: str = field(default="", metadata=env("SVDW_PG_SUPERUSER_PASSWORD"))
    pg_bin_dir: str = field(default="", metadata=env("SVDW_PG_BIN"))

    # age keys of the archive and rejected files (svdw.archive): the loader needs only the public
    # recipients; the identity (secret) only where a backfill decrypts.
    archive_age_recipients: tuple[str, ...] = field(
        default=(), metadata=env("SVDW_ARCHIVE_AGE_RECIPIENT")
    )
    archive_age_identity: str = field(default="", metadata=env("SVDW_ARCHIVE_AGE_IDENTITY"))

    # Least privilege in practice: the role each routine service logs in as (loader_url,
    # transformer_url below). Empty: the service uses WAREHOUSE_URL (a deployment without them).
    loader_database_url: str = field(default="", metadata=env("LOADER_DATABASE_URL"))
    transformer_database_url: str = field(default="", metadata=env("TRANSFORMER_DATABASE_URL"))

    # The SNA documents (svdw.report): where they are written, and the partnership's templates
    reports_dir: Path = field(default=REPO_DIR / "reports", metadata=env("SVDW_REPORTS_DIR"))
    report_templates_dir: Path = field(
        default=REPO_DIR / "reports" / "templates", metadata=env("SVDW_REPORT_TEMPLATES_DIR")
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from `environ` (default: os.environ after reading .env)."""
        if environ is None:
            load_dotenv()
            environ = os.environ
        home = _repo_dir(environ)

        def text(name: str, default: str = "") -> str:
            return environ.get(name, "").strip() or default

        def path(name: str, default: Path, base: Path = home) -> Path:
            value = Path(text(name) or default)
            return value if value.is_absolute() else (base / value).resolve()

        def family(prefix: str, suffix: str = "") -> dict[str, str]:
            """Values of PREFIX<NAME>SUFFIX variables by NAME (the suffixed ones excluded when
            no suffix is asked for)."""
            found = {}
            for key, value in environ.items():
                if not key.startswith(prefix) or not value.strip():
                    continue
                name = key[len(prefix) :]
                if suffix and name.endswith(suffix):
                    found[name[: -len(suffix)]] = value.strip()
                elif not suffix and not name.endswith(CONN_ID_SUFFIX):
                    found[name] = value.strip()
            return found

        return cls(
            warehouse_url=text("WAREHOUSE_URL", DEFAULT_WAREHOUSE_URL),
            home=home,
            landing_dir=path("SVDW_LANDING_DIR", Path("landing")),
            archive_dir=path("SVDW_ARCHIVE_DIR", Path("archive")),
            pseudonym_key=_pseudonym_key(environ),
            contracts_dir=contracts_dir(environ),
            dbt_project_dir=path("SVDW_DBT_PROJECT_DIR", Path("dbt")),
            dbt_target_path=Path(text("DBT_TARGET_PATH", "target")),
            gx_project_dir=path("SVDW_GX_PROJECT_DIR", Path("expectations")),
            retry_delay_seconds=int(text("SVDW_RETRY_DELAY_SECONDS", "300")),
            airflow_url=text("AIRFLOW_URL", "http://127.0.0.1:8080"),
            airflow_admin_user=text("AIRFLOW_ADMIN_USER", "admin"),
            airflow_admin_password=text("AIRFLOW_ADMIN_PASSWORD"),
            sources=family(SOURCE_PREFIX),
            source_conn_ids=family(SOURCE_PREFIX, CONN_ID_SUFFIX),
            s3_endpoint_url=text("SVDW_S3_ENDPOINT_URL"),
            aws_default_region=text("AWS_DEFAULT_REGION"),
            sftp_password=text("SVDW_SFTP_PASSWORD"),
            sftp_key_file=text("SVDW_SFTP_KEY_FILE"),
            sftp_known_hosts=text("SVDW_SFTP_KNOWN_HOSTS"),
            police_api_url=text("SVDW_POLICE_API_URL"),
            police_api_polys=family(POLICE_API_POLY_PREFIX),
            alert_webhook_url=text("SVDW_ALERT_WEBHOOK_URL"),
            alert_email_to=tuple(
                r.strip() for r in text("SVDW_ALERT_EMAIL_TO").split(",") if r.strip()
            ),
            alert_email_from=text("SVDW_ALERT_EMAIL_FROM", "svdw-alerts@localhost"),
            smtp_host=text("SVDW_SMTP_HOST", "127.0.0.1"),
            smtp_port=int(text("SVDW_SMTP_PORT", "25")),
            smtp_user=text("SVDW_SMTP_USER"),
            smtp_password=text("SVDW_SMTP_PASSWORD"),
            superset_metadata_url=text("SUPERSET_METADATA_URL"),
            airflow_metadata_url=text("AIRFLOW_METADATA_URL"),
            pg_superuser_password=text("SVDW_PG_SUPERUSER_PASSWORD"),
            pg_bin_dir=text("SVDW_PG_BIN"),
            archive_age_recipients=tuple(
                r.strip() for r in text("SVDW_ARCHIVE_AGE_RECIPIENT").split(",") if r.strip()
            ),
            archive_age_identity=text("SVDW_ARCHIVE_AGE_IDENTITY"),
            loader_database_url=text("LOADER_DATABASE_URL"),
            transformer_database_url=text("TRANSFORMER_DATABASE_URL"),
            reports_dir=path("SVDW_REPORTS_DIR", Path("reports")),
            report_templates_dir=path("SVDW_REPORT_TEMPLATES_DIR", Path("reports/templates")),
        )

    @property
    def loader_url(self) -> str:
        """What the loader connects as (svdw_loader: rows of raw, audit and history only)."""
        return service_url(self.warehouse_url, self.loader_database_url)

    @property
    def transformer_url(self) -> str:
        """What dbt and the build steps connect as (svdw_transformer: reads raw, owns marts)."""
        return service_url(self.warehouse_url, self.transformer_database_url)

    def source(self, contract_name: str) -> tuple[str, str | None] | None:
        """(URL, Airflow connection id) of a contract's partner source, if configured."""
        name = suffix_key("", contract_name)
        url = self.sources.get(name)
        return None if url is None else (url, self.source_conn_ids.get(name))

    def police_api_poly(self, force: str) -> str | None:
        return self.police_api_polys.get(suffix_key("", force))

    @property
    def dbt_target_dir(self) -> Path:
        """Where dbt writes manifest.json and the docs site."""
        target = self.dbt_target_path
        return target if target.is_absolute() else self.dbt_project_dir / target


def _pseudonym_key(environ: Mapping[str, str]) -> str:
    key = environ.get(PSEUDONYM_KEY_VARIABLE, "").strip()
    if key:
        return key
    old = environ.get(OLD_PSEUDONYM_KEY_VARIABLE, "").strip()
    if old:
        warnings.warn(
            f"{OLD_PSEUDONYM_KEY_VARIABLE} is deprecated: rename it to {PSEUDONYM_KEY_VARIABLE}"
            " (same value; `make env` adds it to .env)",
            DeprecationWarning,
            stacklevel=3,
        )
    return old


def service_url(warehouse_url: str, service_database_url: str) -> str:
    """The warehouse WAREHOUSE_URL names, logged into as the service's role.

    The service variable gives the role and its password; where to connect always comes from
    WAREHOUSE_URL, so a test or a one-off run that points WAREHOUSE_URL at another database
    takes every service with it (a service URL of its own would keep writing to the old one).
    Without the service variable the service connects as WAREHOUSE_URL's role.
    """
    if not service_database_url:
        return warehouse_url
    credentials = urlsplit(service_database_url).netloc.rpartition("@")[0]
    if not credentials:
        raise ValueError(
            "a service database URL must name its role: postgresql://ROLE:PASSWORD@..."
        )
    where = urlsplit(warehouse_url)
    location = where.netloc.rpartition("@")[2]
    return urlunsplit(where._replace(netloc=f"{credentials}@{location}"))


def environment_variables() -> list[str]:
    """The variable (or family of variables) behind each Settings field."""
    return [f.metadata["env"] for f in fields(Settings)]


@contextmanager
def temporary_environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for the length of a block (the tools we call in-process, dbt
    and Great Expectations, read theirs from os.environ), then restore what was there."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old
