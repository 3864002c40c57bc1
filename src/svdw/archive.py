"""Archived and rejected partner files: written only encrypted, kept no longer than needed.

A loaded file is archived as `archive/<contract>/<sha256 prefix>__<name>.age`, a rejected one
set aside as `landing/<contract>/rejected/<name>.age` (beside its clear `.reason.txt`, which
names no value): both still hold the partner's direct identifiers, so they are encrypted with
age (pyrage, X25519) to the recipients in SVDW_ARCHIVE_AGE_RECIPIENT, or to the public key of
SVDW_ARCHIVE_AGE_IDENTITY when no recipient is set. Without either the loader refuses to file
anything away rather than keep a clear copy. The ciphertext is streamed into a hidden temporary
file beside the target and renamed when complete: no clear temporary copy is ever written, and
the folders are 0700. Each file keeps its original modification time (the partner connectors
compare name, size and mtime to skip files they fetched before; `original_file` gives them the
clear name and size).

`svdw backfill` decrypts an archived file into a private temporary folder only while it
loads (`opened`). svdw.archive_retention deletes the files past their contract's retention.
Files archived in the clear before encryption are still read.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pyrage
from pyrage import x25519

from svdw.config import Settings

AGE_SUFFIX = ".age"
REASON_SUFFIX = ".reason.txt"
PRIVATE_DIR_MODE = 0o700
# archive/<contract>/<first 16 hex of the sha256>__<original name>[.age]
ARCHIVED_NAME = re.compile(r"^(?P<sha>[0-9a-f]{16})__(?P<name>.+)$")
# age v1 payload (age-encryption.org/v1): a 16-byte nonce, then STREAM chunks of 64 KiB of
# plaintext, each followed by a 16-byte Poly1305 tag; the last chunk may be shorter.
AGE_NONCE_BYTES = 16
AGE_CHUNK_BYTES = 64 * 1024
AGE_TAG_BYTES = 16
AGE_HEADER_END = b"\n--- "


class ArchiveKeyError(RuntimeError):
    """No usable age key: nothing is filed away in the clear instead."""


def recipients(settings: Settings) -> list[x25519.Recipient]:
    """Who archived files are encrypted to (checked before anything is loaded)."""
    keys = settings.archive_age_recipients
    if not keys and settings.archive_age_identity:
        return [_identities(settings.archive_age_identity)[0].to_public()]
    if not keys:
        raise ArchiveKeyError(
            "SVDW_ARCHIVE_AGE_RECIPIENT (or SVDW_ARCHIVE_AGE_IDENTITY) is not set: archived and"
            " rejected files hold direct identifiers and are written only encrypted. `make env`"
            " generates a local identity into .env; in a deployment give the loader the public"
            " recipient (age1...) and keep the identity where backfills run. `svdw load"
            " --no-archive` loads without keeping a copy."
        )
    try:
        return [x25519.Recipient.from_str(key) for key in keys]
    except pyrage.RecipientError as exc:
        raise ArchiveKeyError(
            f"SVDW_ARCHIVE_AGE_RECIPIENT holds a value that is not an age X25519 recipient"
            f" (age1...): {exc}"
        ) from exc


def identities(settings: Settings) -> list[x25519.Identity]:
    """The secret keys that decrypt archived files (only backfills need them): comma-separated,
    the current one first, so files encrypted before an archive key change still open."""
    if not settings.archive_age_identity:
        raise ArchiveKeyError(
            "SVDW_ARCHIVE_AGE_IDENTITY is not set: archived files are encrypted, and a backfill"
            " needs the identity (AGE-SECRET-KEY-1...) to read them. Run the backfill where the"
            " identity is kept."
        )
    return _identities(settings.archive_age_identity)


def _identities(text: str) -> list[x25519.Identity]:
    try:
        return [x25519.Identity.from_str(key.strip()) for key in text.split(",") if key.strip()]
    except pyrage.IdentityError as exc:
        raise ArchiveKeyError(
            "SVDW_ARCHIVE_AGE_IDENTITY is not an age X25519 identity (AGE-SECRET-KEY-1...)"
        ) from exc


def private_dir(path: Path) -> Path:
    """Create the folder if needed and make it owner-only (mkdir's mode is cut by the umask,
    and a folder made earlier may be wider)."""
    path.mkdir(parents=True, exist_ok=True)
    if stat.S_IMODE(path.stat().st_mode) != PRIVATE_DIR_MODE:
        try:
            path.chmod(PRIVATE_DIR_MODE)
        except PermissionError as exc:
            raise PermissionError(
                f"{path} must be owner-only (0700) to hold partner files, and this user cannot"
                " change it: create it owned by the service user, mode 0700"
            ) from exc
    return path


def encrypted_name(path: Path) -> Path:
    return path.with_name(path.name + AGE_SUFFIX)


def store_encrypted(
    source: Path, target: Path, settings: Settings, *, move: bool, replace: bool
) -> Path:
    """Write `source` encrypted as `target`.age (an existing one is kept unless `replace`),
    then delete `source` when `move`. Returns the encrypted file."""
    to = recipients(settings)
    stored = encrypted_name(target)
    if replace or not stored.exists():
        _encrypt(source, stored, to)
    if move:
        source.unlink()
    return stored


def _encrypt(source: Path, target: Path, to: list[x25519.Recipient]) -> None:
    # mkstemp makes the file 0600; its name starts with a dot and ends in .part, so nothing
    # reads it as an archived or landed file before the rename.
    handle, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with source.open("rb") as clear, os.fdopen(handle, "wb") as sealed:
            pyrage.encrypt_io(clear, sealed, to)
            sealed.flush()
            os.fsync(sealed.fileno())
        stat = source.stat()
        os.utime(partial, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def opened(stored: Path, workdir: Path, settings: Settings) -> Iterator[Path]:
    """The clear file behind an archived one, for the length of the block: decrypted into
    `workdir` (a private temporary folder) under its archived name without `.age`, and deleted
    after. A file archived in the clear before encryption is given as it is."""
    if stored.suffix != AGE_SUFFIX:
        yield stored
        return
    clear = workdir / stored.name.removesuffix(AGE_SUFFIX)
    keys = identities(settings)
    try:
        with stored.open("rb") as sealed, clear.open("xb") as out:
            os.fchmod(out.fileno(), 0o600)
            pyrage.decrypt_io(sealed, out, keys)
        yield clear
    finally:
        clear.unlink(missing_ok=True)


def archived_file(plain_target: Path) -> Path | None:
    """The archived file for an archive path without `.age`: the encrypted one, else a clear
    one archived before encryption, else None."""
    for candidate in (encrypted_name(plain_target), plain_target):
        if candidate.is_file():
            return candidate
    return None


def clear_size(path: Path) -> int:
    """The plaintext size of an age file, from its size and its header's length (see the
    constants above): the connectors compare it with the remote file's size."""
    with path.open("rb") as handle:
        head = handle.read(AGE_CHUNK_BYTES)
    end = head.find(AGE_HEADER_END)
    line_end = head.find(b"\n", end + 1) if end >= 0 else -1
    if line_end < 0:
        raise ValueError(f"{path.name}: not an age file (no header MAC line)")
    payload = path.stat().st_size - (line_end + 1) - AGE_NONCE_BYTES
    full_chunk = AGE_CHUNK_BYTES + AGE_TAG_BYTES
    chunks = max(1, -(-payload // full_chunk))
    return payload - chunks * AGE_TAG_BYTES


def original_file(path: Path, *, in_archive: bool) -> tuple[str, int] | None:
    """(name, size) of the partner's file a stored file keeps: the archive's sha256 prefix and
    `.age` removed, the plaintext size. None for what is not a kept file (a reason, a
    temporary part, another name in the archive)."""
    name = path.name
    if name.startswith(".") or name.endswith(REASON_SUFFIX):
        return None
    if in_archive:
        match = ARCHIVED_NAME.match(name)
        if not match:
            return None
        name = match["name"]
    if name.endswith(AGE_SUFFIX):
        return name.removesuffix(AGE_SUFFIX), clear_size(path)
    return name, path.stat().st_size


def seal_clear_files(settings: Settings, contract_names: list[str]) -> list[Path]:
    """Encrypt the archived and rejected files kept in the clear before encryption (a
    deployment that archived before this module), in place: each becomes `<name>.age` with
    the same mtime, and the clear file is deleted. Returns the encrypted files."""
    recipients(settings)
    sealed = []
    for name in contract_names:
        folders = [
            (settings.archive_dir / name, True),
            (settings.landing_dir / name / "rejected", False),
        ]
        for folder, in_archive in folders:
            if not folder.is_dir():
                continue
            private_dir(folder)
            for path in sorted(folder.iterdir()):
                if not path.is_file() or path.suffix == AGE_SUFFIX:
                    continue
                if original_file(path, in_archive=in_archive) is None:
                    continue  # a reason file, a temporary part, something not ours
                sealed.append(store_encrypted(path, path, settings, move=True, replace=True))
    return sealed
