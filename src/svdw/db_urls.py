"""PostgreSQL URLs of another database or another role on the same server: what the tests, the
benchmarks and their private Superset use to reach throwaway databases as each service's role."""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit


def with_database(url: str, database: str) -> str:
    """The same server and role, another database."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{database}"))


def with_user(url: str, user: str, password: str, scheme: str = "postgresql") -> str:
    """The same database as another role (password URL-quoted); `scheme` for drivers that name
    themselves in it (Superset's metadata URL: postgresql+psycopg2)."""
    parts = urlsplit(url)
    netloc = f"{user}:{quote(password, safe='')}@{parts.hostname}:{parts.port or 5432}"
    return urlunsplit(parts._replace(scheme=scheme, netloc=netloc))
