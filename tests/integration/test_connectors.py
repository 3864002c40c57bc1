"""Pull connectors against real local servers on 127.0.0.1: an asyncssh SFTP server (chrooted to
a temporary folder, ed25519 keys, host key checked), moto's S3 server, and an http.server that
answers like the police.uk API (including a 429 before a 200)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import asyncssh
import psycopg
import pytest
from age_keys import IDENTITY

from svdw.config import Settings
from svdw.connectors import (
    ConnectorError,
    fetch_configured_source,
    fetch_new_files,
    fetch_police_api,
)
from svdw.contracts import get_contract
from svdw.ingest import ingest_landing
from svdw.loader import load_file

pytestmark = pytest.mark.integration

HOST = "127.0.0.1"
HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
    "Crime type,Last outcome category,Context\n"
)


def street_csv(month: str, rows: int) -> bytes:
    """A small valid police_uk_street file."""
    lines = [HEADER]
    for i in range(rows):
        crime_id = hashlib.sha256(f"{month}-{i}".encode()).hexdigest()
        lines.append(
            f"{crime_id},{month},Hertfordshire Constabulary,Hertfordshire Constabulary,"
            f"-0.{i % 9 + 1}12345,51.7{i % 7}1234,On or near Test Street {i},E0100{i % 10:04d},"
            f"Dacorum 00{i % 9 + 1}A,Burglary,Under investigation,\n"
        )
    return "".join(lines).encode()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        warehouse_url="postgresql://unused@127.0.0.1:1/unused",
        landing_dir=tmp_path / "landing",
        archive_dir=tmp_path / "archive",
        archive_age_identity=IDENTITY,
    )


# --- SFTP -----------------------------------------------------------------------------------


class SftpServer:
    """asyncssh SFTP server on 127.0.0.1 in its own thread, chrooted to `root`."""

    def __init__(self, root: Path, client_public_key: str) -> None:
        self.root = root
        self.host_key = asyncssh.generate_private_key("ssh-ed25519")
        self.client_public_key = client_public_key
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.server: Any = None
        self.port = 0

    @property
    def host_public_key(self) -> str:
        return self.host_key.export_public_key().decode().strip()

    async def _listen(self) -> Any:
        chroot = str(self.root).encode()
        return await asyncssh.listen(
            HOST,
            0,
            server_host_keys=[self.host_key],
            authorized_client_keys=asyncssh.import_authorized_keys(self.client_public_key),
            sftp_factory=lambda chan: asyncssh.SFTPServer(chan, chroot=chroot),
        )

    def start(self) -> None:
        self.thread.start()
        self.server = asyncio.run_coroutine_threadsafe(self._listen(), self.loop).result(10)
        self.port = int(self.server.get_port())

    def stop(self) -> None:
        async def close() -> None:
            self.server.close()
            await self.server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture
def sftp(tmp_path: Path) -> Iterator[tuple[SftpServer, Path, Path]]:
    """(server, remote folder /outgoing inside the chroot, client private key file)."""
    client_key = asyncssh.generate_private_key("ssh-ed25519")
    key_file = tmp_path / "id_ed25519"
    key_file.write_bytes(client_key.export_private_key())
    key_file.chmod(0o600)
    root = tmp_path / "sftp-root"
    (root / "outgoing" / "old").mkdir(parents=True)
    server = SftpServer(root, client_key.export_public_key().decode())
    server.start()
    try:
        yield server, root / "outgoing", key_file
    finally:
        server.stop()


def trust_sftp_server(
    server: SftpServer, key_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Point the SFTP connector at the test server: its host key known, the client key set."""
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text(f"[{HOST}]:{server.port} {server.host_public_key}\n")
    monkeypatch.setenv("SVDW_SFTP_KEY_FILE", str(key_file))
    monkeypatch.setenv("SVDW_SFTP_KNOWN_HOSTS", str(known_hosts))


def test_sftp_fetches_new_files_once(
    sftp: tuple[SftpServer, Path, Path], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    server, remote, key_file = sftp
    files = {
        "2024-01-hertfordshire-street.csv": street_csv("2024-01", 5),
        # bigger than one SFTP block, to exercise streaming
        "2024-02-hertfordshire-street.csv": street_csv("2024-02", 20000),
    }
    for name, data in files.items():
        (remote / name).write_bytes(data)
    (remote / "readme.txt").write_text("not a contract file")
    (remote / "old" / "2023-12-hertfordshire-street.csv").write_bytes(street_csv("2023-12", 1))
    conn = {
        "conn_type": "sftp",
        "login": "partner",
        "extra": {"key_file": str(key_file), "host_key": server.host_public_key},
    }
    monkeypatch.setenv("AIRFLOW_CONN_SVDW_TEST_SFTP", json.dumps(conn))
    contract = get_contract("police_uk_street")
    url = f"sftp://{HOST}:{server.port}/outgoing/"

    fetched = fetch_new_files(contract, settings, url, conn_id="svdw_test_sftp")

    landing = settings.landing_dir / "police_uk_street"
    assert [p.name for p in fetched] == sorted(files)
    for name, data in files.items():
        assert (landing / name).read_bytes() == data
    assert sorted(p.name for p in landing.iterdir()) == sorted(files)  # no .part left behind
    assert fetch_new_files(contract, settings, url, conn_id="svdw_test_sftp") == []

    # a re-delivery under the same name (different size) is fetched again
    redelivered = street_csv("2024-01", 6)
    (remote / "2024-01-hertfordshire-street.csv").write_bytes(redelivered)
    again = fetch_new_files(contract, settings, url, conn_id="svdw_test_sftp")
    assert [p.name for p in again] == ["2024-01-hertfordshire-street.csv"]
    assert again[0].read_bytes() == redelivered


def test_sftp_from_environment_variables(
    sftp: tuple[SftpServer, Path, Path],
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, remote, key_file = sftp
    data = street_csv("2024-03", 3)
    (remote / "2024-03-hertfordshire-street.csv").write_bytes(data)
    trust_sftp_server(server, key_file, tmp_path, monkeypatch)
    monkeypatch.setenv(
        "SVDW_SOURCE_POLICE_UK_STREET", f"sftp://partner@{HOST}:{server.port}/outgoing"
    )
    monkeypatch.delenv("SVDW_SOURCE_POLICE_UK_STREET_CONN_ID", raising=False)

    fetched = fetch_configured_source("police_uk_street", settings)

    assert [p.read_bytes() for p in fetched] == [data]


def test_sftp_untrusted_host_key_names_the_source(
    sftp: tuple[SftpServer, Path, Path],
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, _, key_file = sftp
    other = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode().strip()
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text(f"[{HOST}]:{server.port} {other}\n")
    monkeypatch.setenv("SVDW_SFTP_KEY_FILE", str(key_file))
    monkeypatch.setenv("SVDW_SFTP_KNOWN_HOSTS", str(known_hosts))
    url = f"sftp://partner@{HOST}:{server.port}/outgoing/"

    with pytest.raises(ConnectorError) as caught:
        fetch_new_files(get_contract("police_uk_street"), settings, url)

    assert url in str(caught.value)
    assert "next:" in str(caught.value)
    known_hosts.write_text(f"[{HOST}]:{server.port} {server.host_public_key}\n")
    with pytest.raises(ConnectorError, match=r"sftp://.*/nowhere/: .*does not exist.*next: "):
        fetch_new_files(
            get_contract("police_uk_street"),
            settings,
            f"sftp://partner@{HOST}:{server.port}/nowhere/",
        )


def test_password_in_url_is_refused(settings: Settings) -> None:
    with pytest.raises(ConnectorError) as caught:
        fetch_new_files(
            get_contract("police_uk_street"), settings, "sftp://user:secret@127.0.0.1:1/x/"
        )
    assert "secret" not in str(caught.value)
    assert "sftp://user@127.0.0.1:1/x/" in str(caught.value)


# --- S3 -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address=HOST, port=port, verbose=False)
    server.start()
    try:
        yield f"http://{HOST}:{port}"
    finally:
        server.stop()


def s3_client(endpoint: str) -> Any:
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="eu-west-2",
    )


def test_s3_fetch_then_ingest_then_nothing_new(
    s3_endpoint: str,
    settings: Settings,
    make_database: Callable[[str], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = s3_client(s3_endpoint)
    client.create_bucket(
        Bucket="partner-drop", CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
    )
    files = {
        "2024-04-hertfordshire-street.csv": street_csv("2024-04", 4),
        "2024-05-hertfordshire-street.csv": street_csv("2024-05", 7),
    }
    for name, data in files.items():
        client.put_object(Bucket="partner-drop", Key=f"police/{name}", Body=data)
    client.put_object(Bucket="partner-drop", Key="police/notes.txt", Body=b"x")
    client.put_object(Bucket="partner-drop", Key="police/sub/2024-06-x-street.csv", Body=b"x")
    conn = {
        "conn_type": "aws",
        "login": "testing",
        "password": "testing",
        "extra": {"endpoint_url": s3_endpoint, "region_name": "eu-west-2"},
    }
    monkeypatch.setenv("AIRFLOW_CONN_SVDW_TEST_S3", json.dumps(conn))
    contract = get_contract("police_uk_street")
    url = "s3://partner-drop/police/"

    fetched = fetch_new_files(contract, settings, url, conn_id="svdw_test_s3")

    assert [p.name for p in fetched] == sorted(files)
    assert all(p.read_bytes() == files[p.name] for p in fetched)
    assert fetch_new_files(contract, settings, "s3://svdw_test_s3@partner-drop/police/") == []

    # load and archive them; the archive still counts as "already fetched"
    loaded_settings = replace(settings, warehouse_url=make_database("conn"))
    summary = ingest_landing("police_uk_street", loaded_settings)
    assert len(summary.loaded) == 2, summary.describe()
    assert not list((settings.landing_dir / "police_uk_street").glob("*.csv"))
    assert fetch_new_files(contract, settings, url, conn_id="svdw_test_s3") == []


def test_s3_errors_name_the_source(
    s3_endpoint: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    contract = get_contract("police_uk_street")
    conn = {
        "conn_type": "aws",
        "login": "testing",
        "password": "testing",
        "extra": {"endpoint_url": s3_endpoint, "region_name": "eu-west-2"},
    }
    monkeypatch.setenv("AIRFLOW_CONN_SVDW_TEST_S3B", json.dumps(conn))
    with pytest.raises(ConnectorError, match=r"^s3://no-such-bucket/x/: .*next: "):
        fetch_new_files(contract, settings, "s3://no-such-bucket/x/", conn_id="svdw_test_s3b")
    with pytest.raises(ConnectorError, match=r"svdw_test_missing.*AIRFLOW_CONN_SVDW_TEST_MISSING"):
        fetch_new_files(contract, settings, "s3://b/x/", conn_id="svdw_test_missing")
    monkeypatch.delenv("SVDW_SOURCE_POLICE_UK_STREET", raising=False)
    with pytest.raises(ConnectorError, match="SVDW_SOURCE_POLICE_UK_STREET"):
        fetch_configured_source("police_uk_street", settings)


# --- police.uk API --------------------------------------------------------------------------


def crime(n: int, category: str, *, located: bool = True, outcome: str | None = None) -> dict:
    return {
        "category": category,
        "location_type": "Force" if located else None,
        "location": {
            "latitude": f"51.75{n:04d}",
            "longitude": f"-0.33{n:04d}",
            "street": {"id": 1000 + n, "name": f"On or near Street {n}"},
        }
        if located
        else None,
        "context": "",
        "outcome_status": {"category": outcome, "date": "2024-01"} if outcome else None,
        "persistent_id": ""
        if category == "anti-social-behaviour"
        else hashlib.sha256(str(n).encode()).hexdigest(),
        "id": 500000 + n,
        "location_subtype": "",
        "month": "2024-01",
    }


SHORT_BOUNDARY = [
    {"latitude": "51.7", "longitude": "-0.3"},
    {"latitude": "51.8", "longitude": "-0.2"},
]
# long enough that the connector POSTs the polygon instead of putting it in the URL
LONG_BOUNDARY = [{"latitude": f"51.{i:06d}", "longitude": f"-0.{i:06d}"} for i in range(400)]
SHARED = crime(3, "robbery", outcome="Investigation complete; no suspect identified")


class PoliceApi(BaseHTTPRequestHandler):
    requests: list[tuple[str, str]] = []  # noqa: RUF012 - one server per test module
    throttle_next = 1

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        self._route(urllib.parse.parse_qs(self.rfile.read(length).decode()))

    def do_GET(self) -> None:
        self._route(urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query))

    def _route(self, params: dict[str, list[str]]) -> None:
        path = urllib.parse.urlsplit(self.path).path.removeprefix("/api")
        type(self).requests.append((self.command, path))
        param = {k: v[0] for k, v in params.items()}
        if path.startswith("/forces/"):
            force = path.split("/")[2]
            if force == "hertfordshire":
                return self._answer(200, {"id": force, "name": "Hertfordshire Constabulary"})
            if force == "failing":
                return self._answer(200, {"id": force, "name": "Failing Police"})
            return self._answer(404, {"error": "not found"})
        if path == "/hertfordshire/neighbourhoods":
            return self._answer(200, [{"id": "N1", "name": "One"}, {"id": "N2", "name": "Two"}])
        if path == "/failing/neighbourhoods":
            return self._answer(200, [{"id": "F1", "name": "F"}])
        if path == "/hertfordshire/N1/boundary" or path == "/failing/F1/boundary":
            return self._answer(200, SHORT_BOUNDARY)
        if path == "/hertfordshire/N2/boundary":
            return self._answer(200, LONG_BOUNDARY)
        if path == "/crimes-street/all-crime":
            if type(self).throttle_next:
                type(self).throttle_next -= 1
                return self._answer(429, {"error": "slow down"}, {"Retry-After": "0"})
            if param.get("date") != "2024-01":
                return self._answer(200, [])
            if param.get("poly", "").startswith("51.7,-0.3"):
                return self._answer(
                    200,
                    [
                        crime(1, "violent-crime", outcome="Under investigation"),
                        crime(2, "anti-social-behaviour"),
                        SHARED,
                    ],
                )
            return self._answer(200, [SHARED, crime(4, "criminal-damage-arson")])
        if path == "/crimes-no-location":
            if param.get("force") == "failing":
                return self._answer(503, {})
            if param.get("date") != "2024-01":
                return self._answer(200, [])
            return self._answer(200, [crime(5, "bicycle-theft", located=False)])
        return self._answer(404, {"error": "unknown"})


@pytest.fixture(scope="module")
def police_api() -> Iterator[str]:
    server = ThreadingHTTPServer((HOST, 0), PoliceApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_port}/api"
    finally:
        server.shutdown()
        server.server_close()


def test_police_api_to_street_csv_loads_cleanly(
    police_api: str, settings: Settings, make_database: Callable[[str], str]
) -> None:
    PoliceApi.requests.clear()
    PoliceApi.throttle_next = 1

    path = fetch_police_api("hertfordshire", "2024-01", settings, police_api, backoff_s=0.01)

    assert path == settings.landing_dir / "police_uk_street" / "2024-01-hertfordshire-street.csv"
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
    lines = path.read_text().splitlines()
    assert lines[0] + "\n" == HEADER
    assert len(lines) == 1 + 5  # the crime on the shared edge once
    hertfordshire = "Hertfordshire Constabulary,Hertfordshire Constabulary"
    assert lines[1] == (
        f"{hashlib.sha256(b'1').hexdigest()},2024-01,{hertfordshire},-0.330001,51.750001,"
        "On or near Street 1,,,Violence and sexual offences,Under investigation,"
    )
    assert lines[2].startswith(f",2024-01,{hertfordshire},") and "Anti-social behaviour" in lines[2]
    assert lines[-1].endswith(",,,No Location,,,Bicycle theft,,")
    crime_calls = [r for r in PoliceApi.requests if r[1] == "/crimes-street/all-crime"]
    assert crime_calls == [("GET", crime_calls[0][1])] * 2 + [("POST", crime_calls[0][1])]

    with psycopg.connect(make_database("conn")) as conn:
        result = load_file(conn, path, get_contract("police_uk_street"))
        assert result.status == "loaded", result.error
        assert (result.rows_loaded, result.rows_quarantined) == (5, 0)
        types = conn.execute(
            "select crime_type, count(*) from raw.police_uk__street_crimes group by 1 order by 1"
        ).fetchall()
    assert types == [
        ("Anti-social behaviour", 1),
        ("Bicycle theft", 1),
        ("Criminal damage and arson", 1),
        ("Robbery", 1),
        ("Violence and sexual offences", 1),
    ]


def test_police_api_errors_name_the_source(police_api: str, settings: Settings) -> None:
    PoliceApi.throttle_next = 0
    started = time.monotonic()
    with pytest.raises(ConnectorError, match=r"police\.uk API .*crimes-no-location.*503.*3 att"):
        fetch_police_api("failing", "2024-01", settings, police_api, attempts=3, backoff_s=0.01)
    assert time.monotonic() - started < 5
    with pytest.raises(ConnectorError, match=r"forces/nowhere: HTTP 404.*next: check the force"):
        fetch_police_api("nowhere", "2024-01", settings, police_api)
    with pytest.raises(ConnectorError, match=r"no crimes returned.*crimes-street-dates"):
        fetch_police_api("hertfordshire", "2031-01", settings, police_api)
    with pytest.raises(ConnectorError, match="YYYY-MM"):
        fetch_police_api("hertfordshire", "2024-1", settings, police_api)
    with pytest.raises(ConnectorError, match=r"police\.uk API .*network error"):
        fetch_police_api(
            "hertfordshire",
            "2024-01",
            settings,
            f"http://{HOST}:{free_port()}/api",
            attempts=2,
            backoff_s=0.01,
        )
    assert not list((settings.landing_dir / "police_uk_street").glob("*"))


def test_police_api_base_url_from_environment(
    police_api: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    PoliceApi.throttle_next = 0
    monkeypatch.setenv("SVDW_POLICE_API_URL", police_api)
    monkeypatch.setenv("SVDW_POLICE_API_POLY_HERTFORDSHIRE", "51.7,-0.3:51.8,-0.2:51.9,-0.1")
    path = fetch_police_api("hertfordshire", "2024-01", settings)
    assert len(path.read_text().splitlines()) == 1 + 4  # one area plus no-location
    assert os.environ["SVDW_POLICE_API_URL"].startswith(f"http://{HOST}:")
