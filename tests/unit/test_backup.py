"""svdw.backup without a database: which databases a backup holds and as whom, the password
file handed to pg_dump, and the manifest check that guards a restore."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from svdw.backup import (
    MANIFEST_FORMAT,
    BackupError,
    Endpoint,
    _passfile_line,
    libpq_environment,
    targets,
    verify,
)
from svdw.config import Settings

WAREHOUSE = "postgresql://svdw_engineer:s3cret@db.example:6543/warehouse"


def test_metadata_databases_default_to_the_warehouse_cluster_and_use_the_superuser() -> None:
    settings = Settings.from_env(
        {
            "WAREHOUSE_URL": WAREHOUSE,
            "SUPERSET_METADATA_URL": "postgresql+psycopg2://superset:pw@meta.example:5433/ss",
            "SVDW_PG_SUPERUSER_PASSWORD": "root-pw",
        }
    )
    found = {t.name: t.endpoint for t in targets(settings)}
    assert list(found) == ["warehouse", "superset", "airflow"]
    assert found["superset"] == Endpoint("meta.example", 5433, "postgres", "root-pw", "ss")
    assert found["airflow"] == Endpoint("db.example", 6543, "postgres", "root-pw", "airflow")


def test_without_the_superuser_each_database_is_read_as_its_own_role() -> None:
    settings = Settings.from_env({"WAREHOUSE_URL": WAREHOUSE})
    (warehouse, *_) = targets(settings)
    assert (warehouse.endpoint.user, warehouse.endpoint.password) == ("svdw_engineer", "s3cret")


def test_the_password_reaches_libpq_in_a_private_file_not_the_environment() -> None:
    endpoint = Endpoint("db.example", 6543, "postgres", r"a:b\c", "warehouse")
    assert _passfile_line(endpoint) == r"db.example:6543:*:postgres:a\:b\\c"
    with libpq_environment(endpoint) as environment:
        passfile = Path(environment["PGPASSFILE"])
        assert passfile.stat().st_mode & 0o777 == 0o600
        assert "a:b" not in " ".join(environment.values())
        assert "PGPASSWORD" not in environment
    assert not passfile.exists()


def write_backup(folder: Path, content: bytes = b"archive") -> Path:
    (folder / "warehouse.dump").write_bytes(content)
    manifest = {
        "format": MANIFEST_FORMAT,
        "databases": [
            {
                "name": "warehouse",
                "database": "warehouse",
                "file": "warehouse.dump",
                "bytes": len(content),
                "sha256": hashlib.sha256(content).hexdigest(),
            }
        ],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder / "warehouse.dump"


def test_verify_accepts_an_intact_backup(tmp_path: Path) -> None:
    write_backup(tmp_path)
    assert verify(tmp_path)["databases"][0]["name"] == "warehouse"


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda p: p.write_bytes(b"archivX"), "does not match its sha256"),
        (lambda p: p.write_bytes(b"archive!"), "has 8 bytes, the manifest says 7"),
        (lambda p: p.unlink(), "is missing"),
    ],
)
def test_verify_names_the_damaged_archive(
    tmp_path: Path, damage: Callable[[Path], object], message: str
) -> None:
    archive = write_backup(tmp_path)
    damage(archive)
    with pytest.raises(BackupError, match=message) as caught:
        verify(tmp_path)
    assert str(archive) in str(caught.value)


def test_a_directory_without_a_manifest_is_no_backup(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match=r"manifest\.json is missing"):
        verify(tmp_path)
