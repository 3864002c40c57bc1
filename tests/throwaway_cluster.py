"""A PostgreSQL cluster of a test's own, for tests that stop the server or need an empty one.

It is made by the same script as the project-local cluster (infra/local/pg.sh, pointed at a
temporary data directory and a free port with SVDW_PG_BASE and SVDW_PG_PORT): the same roles,
passwords and empty databases (warehouse, airflow, superset). `stop` is pg.sh's fast shutdown.
The shared cluster on SVDW_PG_PORT is never touched."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from svdw.config import REPO_DIR

PG_SH = REPO_DIR / "infra" / "local" / "pg.sh"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def with_port(url: str, port: int) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit(":", 1)[0] if parts.port else parts.netloc
    return urlunsplit(parts._replace(netloc=f"{netloc}:{port}"))


@dataclass
class ThrowawayCluster:
    base: Path
    port: int

    @classmethod
    def create(cls) -> ThrowawayCluster:
        # Under /tmp, not pytest's private tmp_path: as root, the server runs as `postgres`,
        # which must reach the data directory (pg.sh hands the directory to it).
        cluster = cls(Path(tempfile.mkdtemp(prefix="svdw-cluster-", dir="/tmp")), free_port())
        cluster.start()
        return cluster

    def _pg_sh(self, action: str) -> None:
        environment = {**os.environ, "SVDW_PG_BASE": str(self.base), "SVDW_PG_PORT": str(self.port)}
        done = subprocess.run(
            ["bash", str(PG_SH), action], env=environment, capture_output=True, text=True
        )
        assert done.returncode == 0, f"pg.sh {action}: {done.stderr}{done.stdout}"

    def start(self) -> None:
        """Start the server (initdb, roles and empty databases the first time)."""
        self._pg_sh("up")

    def stop(self) -> None:
        """Fast shutdown: open transactions are rolled back, connections cut."""
        self._pg_sh("down")

    def destroy(self) -> None:
        if (self.base / "data" / "postmaster.pid").exists():
            self.stop()
        shutil.rmtree(self.base, ignore_errors=True)

    def url(self, template_url: str) -> str:
        """template_url (a URL of the shared cluster: role, password, database) in this one."""
        return with_port(template_url, self.port)
