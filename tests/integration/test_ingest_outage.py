"""An ingestion (what each Airflow ingest task runs) when the warehouse is down or goes away in
the middle of a load: it fails with one message that says nothing was kept, where the files
are and what to do (svdw.outage.ingest_unavailable), and the files load once when it runs
again. The connection is cut for real: a closed port, and pg_terminate_backend on the
loader's own connection while its COPY runs (the shared cluster stays up)."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import psycopg
import pytest
from age_keys import IDENTITY
from db import one, scalar

from svdw.config import Settings
from svdw.ingest import IngestSummary, WarehouseUnavailable, ingest_landing

pytestmark = pytest.mark.integration

CONTRACT = "police_uk_street"
COPIES_OF_THE_FILE = 4  # long enough a COPY to cut the connection in the middle of it


def _settings(url: str, tmp_path: Path) -> Settings:
    return Settings(url, tmp_path / "landing", tmp_path / "archive", archive_age_identity=IDENTITY)


def _land(settings: Settings, synthetic_dir: Path, copies: int = 1) -> Path:
    month = sorted((synthetic_dir / CONTRACT).glob("*.csv"))[0]
    header, *lines = month.read_text().splitlines(keepends=True)
    landed = settings.landing_dir / CONTRACT / month.name
    landed.parent.mkdir(parents=True)
    landed.write_text(header + "".join(lines * copies))
    return landed


def _batches(url: str) -> int:
    """Load batches recorded (none when the cut load was the one that would have made audit)."""
    with psycopg.connect(url) as conn:
        if one(conn, "select to_regclass('audit.load_batch')") is None:
            return 0
        return int(scalar(conn, "select count(*) from audit.load_batch"))


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when the block ends


def test_an_ingest_with_the_warehouse_down_says_what_to_do_and_keeps_the_files(
    synthetic_dir: Path, tmp_path: Path
) -> None:
    down = f"postgresql://svdw_loader@127.0.0.1:{_closed_port()}/warehouse"
    settings = _settings(down, tmp_path)
    landed = _land(settings, synthetic_dir)

    with pytest.raises(WarehouseUnavailable) as caught:
        ingest_landing(CONTRACT, settings)

    message = str(caught.value)
    assert message.startswith(
        f"{CONTRACT}: the warehouse did not answer while connecting to load {landed.name}"
    ), message
    assert "Nothing of that file was kept" in message
    assert "LOADER_DATABASE_URL (else WAREHOUSE_URL)" in message
    assert f"svdw ingest {CONTRACT}" in message
    assert "Traceback" not in message and "psycopg" not in message
    assert landed.exists()


def test_an_ingest_cut_in_the_middle_of_a_load_keeps_nothing_and_loads_once_again(
    warehouse_url: str, synthetic_dir: Path, tmp_path: Path
) -> None:
    settings = _settings(warehouse_url, tmp_path)
    landed = _land(settings, synthetic_dir, COPIES_OF_THE_FILE)
    outcome: list[BaseException | IngestSummary] = []

    def ingest() -> None:
        try:
            outcome.append(ingest_landing(CONTRACT, settings))
        except BaseException as exc:  # the test reads it below
            outcome.append(exc)

    worker = threading.Thread(target=ingest)
    worker.start()
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        while worker.is_alive():
            cut = conn.execute(
                "select pg_terminate_backend(pid) from pg_stat_activity"
                " where datname = current_database() and pid <> pg_backend_pid()"
                " and state = 'active' and query ilike 'copy \"raw\".%'"
            ).fetchall()
            if cut:
                break
    worker.join(timeout=300)

    assert cut, f"the load ended before its COPY could be cut: {outcome}"
    (error,) = outcome
    assert isinstance(error, WarehouseUnavailable), error
    assert f"the warehouse did not answer while loading {landed.name}" in str(error)
    assert landed.exists()
    assert _batches(warehouse_url) == 0

    again = ingest_landing(CONTRACT, settings)
    assert len(again.loaded) == 1 and not landed.exists(), again.describe()
    assert _batches(warehouse_url) == 1
