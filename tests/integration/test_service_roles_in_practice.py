"""Least privilege in practice: the loader loads as svdw_loader and the build runs as
svdw_transformer (Settings.loader_url / transformer_url), after the owner set the warehouse up
with `svdw setup`; before that, the loader says what to do instead of trying DDL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from age_keys import IDENTITY
from db import scalar

from svdw.config import Settings
from svdw.ingest import ingest_landing
from svdw.schema import SetupRequired
from svdw.transform import build_warehouse

pytestmark = pytest.mark.integration

SVDW = Path(sys.executable).parent / "svdw"


def service_settings(warehouse_url: str, tmp_path: Path) -> Settings:
    for name in ("LOADER_DATABASE_URL", "TRANSFORMER_DATABASE_URL"):
        if not os.environ.get(name):
            pytest.fail(f"{name} is not set: run `make env` and `make pg`")
    return Settings(
        warehouse_url,
        tmp_path / "landing",
        tmp_path / "archive",
        loader_database_url=os.environ["LOADER_DATABASE_URL"],
        transformer_database_url=os.environ["TRANSFORMER_DATABASE_URL"],
        archive_age_identity=IDENTITY,
    )


def test_the_services_load_and_build_as_their_own_roles(
    warehouse_url: str, synthetic_dir: Path, tmp_path: Path
) -> None:
    settings = service_settings(warehouse_url, tmp_path)
    landing = settings.landing_dir / "police_uk_street"
    landing.mkdir(parents=True)
    source = sorted((synthetic_dir / "police_uk_street").glob("*.csv"))[0]
    (landing / source.name).write_bytes(source.read_bytes())

    # A fresh warehouse: the loader may not create its tables, and says who may.
    with pytest.raises(SetupRequired, match=r"svdw_loader.*svdw setup"):
        ingest_landing("police_uk_street", settings)
    assert (landing / source.name).exists()

    setup = subprocess.run(
        [str(SVDW), "setup"],
        env={**os.environ, "WAREHOUSE_URL": warehouse_url},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert setup.returncode == 0, setup.stdout + setup.stderr

    summary = ingest_landing("police_uk_street", settings)
    assert len(summary.loaded) == 1, summary.describe()
    pinned = build_warehouse(
        settings.transformer_url,
        select=["stg_police__street_crimes"],
        report=lambda _line: None,
        trigger="test as svdw_transformer",
    )
    with psycopg.connect(warehouse_url) as conn:
        # dbt created the staging schema as the transformer, and the build is recorded
        assert (
            scalar(
                conn,
                "select count(*) from pg_namespace n join pg_roles r on r.oid = n.nspowner"
                " where n.nspname = 'staging' and r.rolname = 'svdw_transformer'",
            )
            == 1
        )
        assert (
            scalar(
                conn,
                "select count(*) from audit.build where build_id = %s and status = 'succeeded'",
                (pinned.build_id,),
            )
            == 1
        )
        assert scalar(conn, "select count(*) from staging.stg_police__street_crimes") > 0
