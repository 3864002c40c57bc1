"""Faults injected into the real loader (a real `svdw` subprocess, the real PostgreSQL): killed
mid-COPY, run twice at once, a file still being written, hostile input, and a backfill over
same-name re-deliveries. Each leaves nothing half-loaded and says clearly what happened."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from age_keys import IDENTITY
from db import rows, scalar
from test_connectors import HOST, SftpServer, sftp, street_csv, trust_sftp_server  # noqa: F401 (fixture)
from test_loader import police_row, write_police

from svdw.backfill import backfill
from svdw.config import Settings
from svdw.connectors import ConnectorError, fetch_new_files
from svdw.contracts import get_contract
from svdw.ingest import file_away, ingest_landing
from svdw.input_limits import NOT_HASHED, InputLimits
from svdw.landing import REDELIVERED
from svdw.loader import load_file

pytestmark = pytest.mark.integration

POLICE = get_contract("police_uk_street")
SVDW = Path(sys.executable).parent / "svdw"
# A correctness bound, not a timing: the loader streams, so a hostile file must not grow it.
PEAK_RSS_BOUND = 300 * 1024 * 1024
WAIT_S = 120.0  # the longest any poll below waits for the database before failing


def env_for(warehouse_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "WAREHOUSE_URL": warehouse_url,
        "SVDW_LANDING_DIR": str(tmp_path / "landing"),
        "SVDW_ARCHIVE_DIR": str(tmp_path / "archive"),
        "SVDW_ARCHIVE_AGE_IDENTITY": IDENTITY,
        # The faults here are the loader's, not its role's: it connects as WAREHOUSE_URL's
        # owner (a fresh test database has no `svdw setup` for svdw_loader; .env names one).
        "LOADER_DATABASE_URL": "",
        "TRANSFORMER_DATABASE_URL": "",
    }


def start(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(SVDW), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    """Wait for the process: (exit code, its stdout and stderr on one line)."""
    out, err = process.communicate()
    return process.returncode, " ".join((out + err).split())


# Runs a command and reports its peak RSS. Why a launcher: Linux keeps a forked child's high-water
# RSS across exec, so a child forked from this (large) pytest process reports pytest's size as
# its peak. The launcher is small when it forks, so its child's peak is the command's own.
PEAK_RSS_LAUNCHER = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:])
_, status, usage = os.wait4(child.pid, 0)
print(f"peak-rss-kib={usage.ru_maxrss}", file=sys.stderr)
sys.exit(os.waitstatus_to_exitcode(status) & 0xFF)
"""


def run_measuring_peak(args: list[str], env: dict[str, str]) -> tuple[int, str, int]:
    """Run svdw to the end: (exit code, its output on one line, its peak RSS in bytes)."""
    done = subprocess.run(
        [sys.executable, "-c", PEAK_RSS_LAUNCHER, str(SVDW), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output, _, peak = done.stderr.rpartition("peak-rss-kib=")
    assert peak, f"the launcher reported no peak RSS: {done.stderr[-2000:]}"
    return done.returncode, " ".join((done.stdout + output).split()), int(peak) * 1024


def poll(condition: Callable[[], object], what: str) -> object:
    """Poll the database until the condition holds (a state change we cannot be told of)."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def many_police_rows(path: Path, count: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(POLICE.headers)
        row = police_row()
        for number in range(count):
            row[6] = f"On or near Street {number}"
            writer.writerow(row)
    return path


# --- killed in the middle of a COPY ---------------------------------------------------------


def test_a_loader_killed_mid_copy_leaves_nothing_and_the_next_run_loads_once(
    warehouse_url: str, tmp_path: Path
) -> None:
    env = env_for(warehouse_url, tmp_path)
    landing = tmp_path / "landing" / "police_uk_street"
    landing.mkdir(parents=True)
    data_rows = 60_000
    path = many_police_rows(landing / "2024-05-big-street.csv", data_rows)
    process = start(["ingest", "police_uk_street"], env)
    with psycopg.connect(warehouse_url, autocommit=True) as watcher:

        def copying() -> int:
            if process.poll() is not None:  # it ended before we could kill it: say why
                raise AssertionError(f"the loader ended first: {finish(process)}")
            found = rows(
                watcher,
                "select p.tuples_processed from pg_stat_progress_copy p"
                " where p.datname = current_database() and p.pid <> pg_backend_pid()",
            )
            return int(found[0][0]) if found else 0

        streamed = poll(copying, "the loader's COPY to stream rows")
        os.kill(process.pid, signal.SIGKILL)
        code, _ = finish(process)
        assert code == -signal.SIGKILL
        assert 0 < int(str(streamed)) < data_rows  # it died mid-COPY
        poll(
            lambda: (
                not rows(
                    watcher,
                    "select 1 from pg_stat_activity where datname = current_database()"
                    " and application_name = 'svdw'",
                )
            ),
            "the killed loader's session to end",
        )
        assert scalar(watcher, "select count(*) from audit.load_batch") == 0
        assert scalar(watcher, "select count(*) from audit.batch_status_event") == 0
        assert scalar(watcher, "select count(*) from raw.police_uk__street_crimes") == 0
        assert path.exists(), "the file must stay in landing for the next run"

        code, output = finish(start(["ingest", "police_uk_street"], env))
        assert code == 0, output
        assert scalar(watcher, "select count(*) from raw.police_uk__street_crimes") == data_rows
        assert rows(watcher, "select status, rows_loaded from audit.load_batch") == [
            ("loaded", data_rows)
        ]
    assert not path.exists()
    assert len(list((tmp_path / "archive" / "police_uk_street").iterdir())) == 1


# --- two loads at the same moment -----------------------------------------------------------


def hold_contract_lock(conn: psycopg.Connection) -> None:
    """Take the loader's per-contract lock, so that processes started now meet at it."""
    conn.execute("select pg_advisory_lock(hashtext('svdw.load.police_uk_street'))")


def waiting_for_locks(conn: psycopg.Connection, count: int) -> bool:
    waiting = scalar(
        conn,
        "select count(*) from pg_locks l join pg_stat_activity a using (pid)"
        " where l.locktype = 'advisory' and not l.granted and a.datname = current_database()",
    )
    return waiting >= count


@pytest.mark.parametrize("command", ["ingest", "load"])
def test_the_same_file_twice_at_once_loads_once_and_neither_fails(
    warehouse_url: str, tmp_path: Path, command: str
) -> None:
    env = env_for(warehouse_url, tmp_path)
    landing = tmp_path / "landing" / "police_uk_street"
    landing.mkdir(parents=True)
    path = write_police(landing / "2024-05-x-street.csv", [police_row()] * 5)
    args = ["ingest", "police_uk_street"] if command == "ingest" else ["load", str(path)]
    with psycopg.connect(warehouse_url, autocommit=True) as gate:
        with psycopg.connect(warehouse_url) as setup:  # the audit schema the loaders meet in
            load_file(
                setup, write_police(tmp_path / "2024-01-y-street.csv", [police_row("2024-01")])
            )
        hold_contract_lock(gate)
        both = [start(args, env), start(args, env)]
        poll(lambda: waiting_for_locks(gate, 2), "both loaders to reach the lock")
        gate.execute("select pg_advisory_unlock_all()")
        results = [finish(process) for process in both]
        assert [code for code, _ in results] == [0, 0], results
        assert rows(
            gate,
            "select count(*), sum(rows_loaded) from audit.load_batch"
            " where file_name = '2024-05-x-street.csv'",
        ) == [(1, 5)]
        assert scalar(gate, "select count(*) from raw.police_uk__street_crimes") == 6
    outputs = " | ".join(output for _, output in results)
    assert outputs.count("loaded ") >= 1
    if command == "load":
        assert "already loaded as batch" in outputs
    else:
        assert "0 file(s)" in outputs or "1 already loaded" in outputs


def test_a_same_name_redelivery_waits_beside_the_first_and_loads_after_it(
    warehouse_url: str,
    tmp_path: Path,
    sftp: tuple[SftpServer, Path, Path],  # noqa: F811 (the fixture imported above)
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, remote, key_file = sftp
    trust_sftp_server(server, key_file, tmp_path, monkeypatch)
    settings = Settings(
        warehouse_url, tmp_path / "landing", tmp_path / "archive", archive_age_identity=IDENTITY
    )
    url = f"sftp://partner@{HOST}:{server.port}/outgoing/"
    name = "2024-01-hertfordshire-street.csv"
    (remote / name).write_bytes(street_csv("2024-01", 3))
    first = fetch_new_files(POLICE, settings, url)
    corrected = street_csv("2024-01", 2)
    (remote / name).write_bytes(corrected)  # re-delivered before the first was loaded
    second = fetch_new_files(POLICE, settings, url)
    landing = settings.landing_dir / "police_uk_street"
    assert first == [landing / name]
    assert second == [landing / REDELIVERED / "0001" / name]
    assert second[0].read_bytes() == corrected and first[0].read_bytes() != corrected

    summary = ingest_landing("police_uk_street", settings)

    assert [r.path for r in summary.results] == [*first, *second]
    assert [(r.status, r.rows_loaded) for r in summary.results] == [("loaded", 3), ("loaded", 2)]
    with psycopg.connect(warehouse_url) as conn:
        assert scalar(conn, "select count(*) from raw.police_uk__street_crimes") == 2
        assert scalar(conn, "select count(*) from history.police_uk__street_crimes") == 3
    assert len(list((settings.archive_dir / "police_uk_street").iterdir())) == 2


def test_unsafe_remote_names_are_refused_by_name_and_the_rest_fetched(
    tmp_path: Path,
    sftp: tuple[SftpServer, Path, Path],  # noqa: F811 (the fixture imported above)
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, remote, key_file = sftp
    trust_sftp_server(server, key_file, tmp_path, monkeypatch)
    settings = Settings(
        "postgresql://unused@127.0.0.1:1/x",
        tmp_path / "landing",
        tmp_path / "a",
        archive_age_identity=IDENTITY,
    )
    hostile = ["2024-02-x\n2024-03-forged-log-line-street.csv", "2024-04-\x1b[2J-street.csv"]
    for name in [*hostile, "2024-05-fine-street.csv"]:
        (remote / name).write_bytes(street_csv("2024-05", 1))
    url = f"sftp://partner@{HOST}:{server.port}/outgoing/"

    with pytest.raises(ConnectorError) as caught:
        fetch_new_files(POLICE, settings, url)

    message = str(caught.value)
    assert "refused 2 file name(s)" in message and "control or format characters" in message
    assert "'2024-02-x\\n2024-03-forged-log-line-street.csv'" in message  # escaped, one line
    assert "\n" not in message and "\x1b" not in message
    assert "the 1 other new file(s) were fetched" in message
    landing = settings.landing_dir / "police_uk_street"
    assert [p.name for p in landing.iterdir()] == ["2024-05-fine-street.csv"]


# --- a partner still writing ----------------------------------------------------------------


def test_a_file_still_being_written_is_picked_up_only_once_renamed(
    warehouse_url: str, tmp_path: Path
) -> None:
    """The landing rule (svdw.landing): a temporary name, a leading dot or `.part`, until the
    writer renames it. A dotted temporary name matches the contract's `*-street.csv` glob."""
    settings = Settings(
        warehouse_url, tmp_path / "landing", tmp_path / "archive", archive_age_identity=IDENTITY
    )
    landing = settings.landing_dir / "police_uk_street"
    landing.mkdir(parents=True)
    final = landing / "2024-05-x-street.csv"
    writing = [landing / ".2024-05-x-street.csv", landing / "2024-06-x-street.csv.part"]
    writer = subprocess.Popen(  # a partner's upload: a header and half the rows so far
        [
            sys.executable,
            "-c",
            "import sys\n"
            "header = sys.stdin.readline()\n"
            "files = [open(name, 'w') for name in sys.argv[1:]]\n"
            "for f in files:\n"
            "    f.write(header); f.flush()\n"
            "sys.stdin.read()\n",
            *map(str, writing),
        ],
        stdin=subprocess.PIPE,
        text=True,
    )
    assert writer.stdin is not None
    writer.stdin.write(",".join(POLICE.headers) + "\n")
    writer.stdin.flush()
    poll(lambda: all(p.exists() and p.stat().st_size > 0 for p in writing), "the partial files")

    assert ingest_landing("police_uk_street", settings).results == []

    writer.stdin.close()
    writer.wait(30)
    write_police(writing[0], [police_row()] * 4)  # the upload completes
    writing[0].rename(final)
    summary = ingest_landing("police_uk_street", settings)
    assert [(r.path, r.rows_loaded) for r in summary.results] == [(final, 4)]
    assert writing[1].exists()  # still unfinished: never touched


# --- hostile input --------------------------------------------------------------------------


def test_a_100_mb_field_is_rejected_naming_line_and_field_in_flat_memory(
    warehouse_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "2024-05-huge-street.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(POLICE.headers) + "\n" + ",".join(police_row()) + "\n")
        handle.write(",".join(police_row()[:6]) + ",")
        chunk = "x" * (1 << 20)
        for _ in range(100):  # streamed: the test itself never holds 100 MB
            handle.write(chunk)
        handle.write("," + ",".join(police_row()[7:]) + "\n")
        handle.write(",".join(police_row()) + "\n")
    code, output, peak = run_measuring_peak(["load", str(path)], env_for(warehouse_url, tmp_path))
    assert code == 1
    assert f"{path.name}: line 3, field 'Location' (column 7)" in output
    assert "max_record_chars" in output
    assert peak < PEAK_RSS_BOUND, f"peak RSS {peak / 2**20:.0f} MiB"
    assert rows(warehouse_url, "select status from audit.load_batch") == [("rejected",)]
    assert scalar(warehouse_url, "select count(*) from audit.quarantine") == 0


def test_a_5_gb_sparse_file_is_rejected_before_it_is_read(
    warehouse_url: str, tmp_path: Path
) -> None:
    path = write_police(tmp_path / "2024-05-vast-street.csv", [police_row()] * 1000)
    size = 5 * 2**30
    os.truncate(path, size)  # a hole: no disk used, but every byte reads as NUL
    assert path.stat().st_blocks * 512 < 2**30
    code, output, peak = run_measuring_peak(["load", str(path)], env_for(warehouse_url, tmp_path))
    assert code == 1
    assert f"{path.name}: the file is {size:,} bytes (5.0 GiB)" in output
    assert "max_file_bytes" in output
    assert peak < PEAK_RSS_BOUND, f"peak RSS {peak / 2**20:.0f} MiB"
    assert rows(warehouse_url, "select status, sha256, file_bytes from audit.load_batch") == [
        ("rejected", NOT_HASHED, size)
    ]


def test_an_unterminated_quote_rejects_the_file_naming_where_it_opened(
    warehouse_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "2024-05-quote-street.csv"
    lines = [",".join(POLICE.headers), ",".join(police_row())]
    broken = police_row()
    lines.append(",".join(broken[:6]) + ',"On or near the swallowing quote,' + ",".join(broken[7:]))
    lines += [",".join(police_row())] * 50
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with psycopg.connect(warehouse_url) as conn:
        result = load_file(conn, path)
        assert result.status == "rejected"
        assert result.error == (
            f"{path.name}: line 3, field 'Location' (column 7): a quoted field opens here and is"
            " never closed, so it swallows lines 4-53 to the end of the file; close the quote (a"
            " quote inside a quoted field is written twice) and send the file again"
        )
        # past the record cap, it stops reading there
        capped = POLICE.model_copy(update={"limits": InputLimits(max_record_chars=2000)})
        result = load_file(conn, path, capped)
        assert result.status == "rejected"
        assert "line 3, field 'Location' (column 7): the record is longer than 2,000" in str(
            result.error
        )
        assert "a quote that is never closed" in str(result.error)
        assert scalar(conn, "select count(*) from raw.police_uk__street_crimes") == 0


def test_a_long_field_is_quarantined_and_its_text_truncated_with_a_note(
    warehouse_url: str, tmp_path: Path
) -> None:
    limits = InputLimits(max_field_chars=500, max_quarantined_chars=100)
    contract = POLICE.model_copy(update={"limits": limits})
    path = write_police(
        tmp_path / "2024-05-long-street.csv",
        [police_row(), police_row(location="y" * 600), police_row()],
    )
    with psycopg.connect(warehouse_url) as conn:
        result = load_file(conn, path, contract)
        quarantined = rows(conn, "select line_number, reason, raw_text from audit.quarantine")
    assert (result.rows_loaded, result.rows_quarantined) == (2, 1)
    [(line, reason, raw_text)] = quarantined
    assert line == 3
    assert reason == (
        "field 'Location' (column 7): 600 characters, more than this contract's max_field_chars 500"
    )
    assert len(raw_text) < 200 and raw_text.startswith("a" * 64)
    kept = len(",".join(police_row(location="y" * 600)))
    assert raw_text.endswith(f"more characters of {kept} not kept]")


# --- backfill over same-name re-deliveries --------------------------------------------------


def test_backfill_reloads_only_the_live_batches_in_batch_order(
    warehouse_url: str, tmp_path: Path
) -> None:
    """Two deliveries named alike: the later one replaced the earlier; a backfill must load the
    later one again, not let the superseded one win (their sha256 order is arbitrary)."""
    settings = Settings(
        warehouse_url, tmp_path / "landing", tmp_path / "archive", archive_age_identity=IDENTITY
    )
    name = "2024-05-x-street.csv"
    deliveries = [
        [police_row(crime_type="Robbery")] * 3,
        [police_row(crime_type="Burglary")] * 2,
        [police_row(crime_type="Drugs")] * 4,  # the latest, and the one live
    ]
    with psycopg.connect(warehouse_url) as conn:
        batches = []
        for number, content in enumerate(deliveries):
            (tmp_path / str(number)).mkdir()
            path = write_police(tmp_path / str(number) / name, content)
            result = load_file(conn, path)
            file_away(result, settings, move=False)
            batches.append(result.batch_id)
        june = load_file(
            conn, write_police(tmp_path / "2024-06-x-street.csv", [police_row("2024-06")])
        )
        file_away(june, settings, move=False)

        def live() -> list[tuple[str, str, int]]:
            return rows(
                conn,
                "select month::text, crime_type, count(*)::int from raw.police_uk__street_crimes"
                " group by 1, 2 order by 1, 2",
            )

        before = live()
        assert before == [("2024-05-01", "Drugs", 4), ("2024-06-01", "Robbery", 1)]
        for _ in range(2):  # repeatable
            reloaded = backfill(conn, "police_uk_street", "2024-05", "2024-05", settings)
            assert [r.rows_loaded for r in reloaded] == [4]
            assert live() == before
