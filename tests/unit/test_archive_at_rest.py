"""Identifiable data at rest, without a database: archived and rejected files are written only
age-encrypted in owner-only folders; a misaligned identifiable row keeps nothing of its text;
the key fingerprint reveals nothing of the key; a contract's retention has a default."""

from __future__ import annotations

import hashlib
import hmac
import importlib.util
import os
import stat
from pathlib import Path

import pyrage
import pytest
from pyrage import x25519

from svdw.archive import (
    ArchiveKeyError,
    clear_size,
    encrypted_name,
    opened,
    original_file,
    private_dir,
    seal_clear_files,
    store_encrypted,
)
from svdw.config import REPO_DIR, Settings
from svdw.contracts import Contract, get_contract
from svdw.ingest import file_away
from svdw.key_fingerprint import FINGERPRINT_LABEL, fingerprint
from svdw.loader import LoadResult, file_digest
from svdw.pseudonymise import WITHHELD_ROW, Pseudonymiser

CLEAR = "Crime Reference,Victim ID,NHS Number\n41/0000001/24,V-4857773456,4857773456\n"
IDENTIFIER = b"4857773456"


def settings_with(tmp_path: Path, identity: x25519.Identity | None) -> Settings:
    return Settings(
        "postgresql://unused@127.0.0.1:1/unused",
        tmp_path / "landing",
        tmp_path / "archive",
        archive_age_identity=str(identity) if identity else "",
    )


def landed(tmp_path: Path, name: str = "force-crimes-2024-04.csv") -> Path:
    folder = tmp_path / "landing" / "police_force_crimes"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(CLEAR)
    return path


def result_for(path: Path, status: str = "loaded") -> LoadResult:
    sha256, _ = file_digest(path)
    error = f"{path.name}: wrong delimiter" if status == "rejected" else None
    return LoadResult(path, "police_force_crimes", status, sha256, error=error)  # type: ignore[arg-type]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_an_archived_file_is_only_ever_written_encrypted(tmp_path: Path) -> None:
    identity = x25519.Identity.generate()
    settings = settings_with(tmp_path, identity)
    source = landed(tmp_path)
    os.utime(source, (1_700_000_000, 1_700_000_000))

    stored = file_away(result_for(source), settings, move=True)

    assert not source.exists()
    sealed = stored.read_bytes()
    assert stored.name.endswith("__force-crimes-2024-04.csv.age")
    assert sealed != CLEAR.encode() and IDENTIFIER not in sealed
    assert pyrage.decrypt(sealed, [identity]) == CLEAR.encode()
    # nothing else was left behind: no clear copy, no temporary part
    assert [p.name for p in stored.parent.iterdir()] == [stored.name]
    assert mode(settings.archive_dir) == mode(stored.parent) == 0o700
    assert mode(stored) == 0o600
    # the connectors see the partner's name, size and mtime, so they do not fetch it again
    assert original_file(stored, in_archive=True) == (source.name, len(CLEAR))
    assert int(stored.stat().st_mtime) == 1_700_000_000


def test_a_rejected_file_is_set_aside_encrypted_beside_its_reason(tmp_path: Path) -> None:
    identity = x25519.Identity.generate()
    source = landed(tmp_path, "semicolons.csv")

    stored = file_away(result_for(source, "rejected"), settings_with(tmp_path, identity), move=True)

    assert stored == source.parent / "rejected" / "semicolons.csv.age"
    assert IDENTIFIER not in stored.read_bytes()
    assert pyrage.decrypt(stored.read_bytes(), [identity]) == CLEAR.encode()
    assert sorted(p.name for p in stored.parent.iterdir()) == [
        "semicolons.csv.age",
        "semicolons.csv.reason.txt",
    ]
    assert mode(stored.parent) == 0o700
    assert original_file(stored, in_archive=False) == ("semicolons.csv", len(CLEAR))


def test_without_a_key_nothing_is_filed_away(tmp_path: Path) -> None:
    source = landed(tmp_path)
    with pytest.raises(ArchiveKeyError, match="SVDW_ARCHIVE_AGE_RECIPIENT"):
        file_away(result_for(source), settings_with(tmp_path, None), move=True)
    assert source.read_text() == CLEAR
    assert not list((tmp_path / "archive").rglob("*.*"))


def test_a_recipient_alone_encrypts_and_only_its_identity_decrypts(tmp_path: Path) -> None:
    identity, stranger = x25519.Identity.generate(), x25519.Identity.generate()
    loader_settings = Settings(
        "postgresql://unused@127.0.0.1:1/unused",
        tmp_path / "landing",
        tmp_path / "archive",
        archive_age_recipients=(str(identity.to_public()),),
    )
    source = landed(tmp_path)
    target = private_dir(tmp_path / "archive" / "x") / "file.csv"
    stored = store_encrypted(source, target, loader_settings, move=False, replace=False)
    workdir = private_dir(tmp_path / "work")
    with (
        pytest.raises(ArchiveKeyError, match="SVDW_ARCHIVE_AGE_IDENTITY is not set"),
        opened(stored, workdir, loader_settings),
    ):
        pass
    with (
        pytest.raises(pyrage.DecryptError),
        opened(stored, workdir, settings_with(tmp_path, stranger)),
    ):
        pass
    with opened(stored, workdir, settings_with(tmp_path, identity)) as clear:
        assert clear.read_text() == CLEAR
        assert mode(clear) == 0o600
    assert not clear.exists()
    assert list(workdir.iterdir()) == []


@pytest.mark.parametrize("size", [0, 1, 65_535, 65_536, 65_537, 131_072, 200_000])
def test_the_clear_size_of_an_age_file(tmp_path: Path, size: int) -> None:
    path = tmp_path / "x.age"
    path.write_bytes(pyrage.encrypt(os.urandom(size), [x25519.Identity.generate().to_public()]))
    assert clear_size(path) == size


def test_make_env_generates_an_age_identity_pyrage_reads() -> None:
    spec = importlib.util.spec_from_file_location("make_env", REPO_DIR / "infra/local/make_env.py")
    assert spec and spec.loader
    make_env = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_env)
    values = make_env.render({"ID": make_env.AGE_IDENTITY}, {})
    identity = x25519.Identity.from_str(values["ID"])
    assert pyrage.decrypt(pyrage.encrypt(b"x", [identity.to_public()]), [identity]) == b"x"
    assert values["ID"] != make_env.render({"ID": make_env.AGE_IDENTITY}, {})["ID"]
    # BIP 173's own valid test vector: the checksum is Bech32's
    assert make_env.bech32("a", b"") == "a12uel5l"


def test_the_key_fingerprint_tells_keys_apart_and_is_neither_key_nor_its_hash() -> None:
    key, other = b"k" * 40, b"j" * 40
    shown = fingerprint(key)
    assert len(shown) == 16 and int(shown, 16) >= 0
    assert shown != fingerprint(other)
    assert shown == hmac.new(key, FINGERPRINT_LABEL, hashlib.sha256).hexdigest()[:16]
    assert shown not in key.hex() and not hashlib.sha256(key).hexdigest().startswith(shown)


def test_a_misaligned_identifiable_row_keeps_nothing_of_its_text() -> None:
    crimes = get_contract("police_force_crimes")
    pseudonymiser = Pseudonymiser(crimes, b"k" * 40, None)
    aligned = ["x"] * len(crimes.columns)
    victim = [c.name for c in crimes.columns].index("victim_key")
    aligned[victim] = "V4857773456"
    shifted = ["V4857773456", *aligned]  # one field too many: positions cannot be trusted
    kept = pseudonymiser.quarantine_text(aligned, ",".join(aligned))
    assert "V4857773456" not in kept and "[hmac " in kept
    assert pseudonymiser.quarantine_text(shifted, ",".join(shifted)) == WITHHELD_ROW
    assert pseudonymiser.quarantine_text(None, "V4857773456,{") == WITHHELD_ROW
    # without identifiers the raw text is kept as it came
    street = Pseudonymiser(get_contract("police_uk_street"), None, None)
    assert street.quarantine_text(["a", "b"], "a,b") == "a,b"


def test_retention_defaults_and_a_contract_may_set_its_own() -> None:
    data = get_contract("police_uk_street").model_dump()
    assert (data["retention"]["archive_days"], data["retention"]["rejected_days"]) == (365, 30)
    data["retention"] = {"archive_days": 90}
    shorter = Contract.model_validate(data)
    assert (shorter.retention.archive_days, shorter.retention.rejected_days) == (90, 30)
    with pytest.raises(ValueError, match="greater than or equal to 1"):
        Contract.model_validate({**data, "retention": {"archive_days": 0}})


def test_files_archived_in_the_clear_before_are_sealed_in_place(tmp_path: Path) -> None:
    identity = x25519.Identity.generate()
    settings = settings_with(tmp_path, identity)
    archived = tmp_path / "archive" / "police_force_crimes" / "0123456789abcdef__old.csv"
    rejected = tmp_path / "landing" / "police_force_crimes" / "rejected" / "bad.csv"
    for path in (archived, rejected):
        path.parent.mkdir(parents=True)
        path.write_text(CLEAR)
    reason = rejected.with_name("bad.csv.reason.txt")
    reason.write_text("bad.csv: wrong delimiter\n")

    sealed = seal_clear_files(settings, ["police_force_crimes", "police_uk_street"])

    assert sealed == [encrypted_name(archived), encrypted_name(rejected)]
    assert not archived.exists() and not rejected.exists() and reason.exists()
    for path in sealed:
        assert pyrage.decrypt(path.read_bytes(), [identity]) == CLEAR.encode()
        assert mode(path.parent) == 0o700
    assert seal_clear_files(settings, ["police_force_crimes"]) == []
