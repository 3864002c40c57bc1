"""Settings from the environment, with safe local defaults.

The repo's `.env` (written by `make env`) is read once, without overriding variables that are
already set, so tests and Airflow can point the same code at other databases.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
# An editable install keeps the package in <repo>/src/svdw; SVDW_HOME overrides that guess.
REPO_DIR = Path(os.environ.get("SVDW_HOME", PACKAGE_DIR.parent.parent)).resolve()
DEFAULT_WAREHOUSE_URL = "postgresql://svdw_engineer@127.0.0.1:55432/warehouse"


def load_dotenv(path: Path | None = None) -> None:
    """Read KEY=VALUE lines into os.environ unless already set (no interpolation, no quotes)."""
    env_file = path or REPO_DIR / ".env"
    if not env_file.is_file():
        return
    for line in env_file.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            os.environ.setdefault(key.strip(), value.strip())


@dataclass(frozen=True)
class Settings:
    warehouse_url: str
    landing_dir: Path
    archive_dir: Path
    # The data contracts (one YAML file per extract); a test or a deployment may keep its own.
    contracts_dir: Path = PACKAGE_DIR / "contracts"

    @classmethod
    def from_env(cls) -> Settings:
        load_dotenv()

        def path_setting(name: str, default: str) -> Path:
            value = Path(os.environ.get(name, default))
            return value if value.is_absolute() else REPO_DIR / value

        return cls(
            warehouse_url=os.environ.get("WAREHOUSE_URL", DEFAULT_WAREHOUSE_URL),
            landing_dir=path_setting("SVDW_LANDING_DIR", "landing"),
            archive_dir=path_setting("SVDW_ARCHIVE_DIR", "archive"),
            contracts_dir=path_setting("SVDW_CONTRACTS_DIR", str(PACKAGE_DIR / "contracts")),
        )
