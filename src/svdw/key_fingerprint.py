"""Which pseudonymisation key a batch was loaded with, and a refusal to mix keys.

Person keys are HMAC-SHA256 of the identifier under SVDW_PSEUDONYM_KEY (svdw.pseudonymise): two
batches loaded with different keys give one person two unrelated keys, and nothing can join
them afterwards. So each batch whose direct identifiers were replaced records the key's
fingerprint in audit.load_batch.pseudonym_key_fingerprint, and a load whose key's fingerprint
differs from an earlier batch's is refused before a row is read. The first key used is also
the warehouse's key (audit.pseudonym_key, one row), checked again inside each load's
transaction: two first loads running at once with different keys cannot both get in.

The fingerprint is an HMAC of a fixed label under the key (first 16 hex digits), never the key
or a plain hash of it: a plain SHA-256 of the key is what any other tool given the same secret
would compute, so it would tie this key to its other uses; the labelled HMAC is specific to this
purpose, and the key (32+ random characters) cannot be recovered from it. 64 bits are plenty to
tell a handful of keys apart. docs/runbook.md, "Rotating the pseudonymisation key", says what to do
when the key must change.
"""

from __future__ import annotations

import hashlib
import hmac

import psycopg

from svdw.pseudonymise import PseudonymisationError

FINGERPRINT_LABEL = b"svdw pseudonymisation key fingerprint v1"
FINGERPRINT_HEX_DIGITS = 16


class KeyMismatchError(PseudonymisationError):
    """The key differs from the one earlier batches were loaded with: nothing was loaded."""


def fingerprint(key: bytes) -> str:
    return hmac.new(key, FINGERPRINT_LABEL, hashlib.sha256).hexdigest()[:FINGERPRINT_HEX_DIGITS]


def check_key(conn: psycopg.Connection, key: bytes) -> str:
    """The key's fingerprint, once no loaded batch is known to have used another key (checked
    before a row is read; record_fingerprint checks again, race-free, in the load's
    transaction)."""
    current = fingerprint(key)
    others = conn.execute(
        "select pseudonym_key_fingerprint, count(*), min(batch_id), max(batch_id)"
        " from audit.load_batch where status = 'loaded' and pseudonym_key_fingerprint <> %s"
        " group by 1 order by 2 desc",
        (current,),
    ).fetchall()
    if others:
        earlier, batches, first, last = others[0]
        raise _mismatch(
            current, earlier, f"{batches} batch(es) of this warehouse (ids {first}..{last})"
        )
    return current


def record_fingerprint(conn: psycopg.Connection, batch_id: int, key: bytes | None) -> None:
    """Keep the fingerprint on the batch (no key: the batch held no direct identifiers), after
    checking it against the warehouse's key in audit.pseudonym_key (the first key used becomes
    it). Raises KeyMismatchError inside the load's transaction, which then loads nothing."""
    if key is None:
        return
    current = fingerprint(key)
    conn.execute(
        "insert into audit.pseudonym_key (fingerprint, first_batch_id) values (%s, %s)"
        " on conflict do nothing",
        (current, batch_id),
    )
    row = conn.execute("select fingerprint, first_batch_id from audit.pseudonym_key").fetchone()
    if row and row[0] != current:
        raise _mismatch(current, row[0], f"this warehouse (since batch {row[1]})")
    conn.execute(
        "update audit.load_batch set pseudonym_key_fingerprint = %s where batch_id = %s",
        (current, batch_id),
    )


def _mismatch(current: str, earlier: str, whose: str) -> KeyMismatchError:
    return KeyMismatchError(
        f"SVDW_PSEUDONYM_KEY has fingerprint {current}, but {whose} used the key of"
        f" fingerprint {earlier}: person keys made with different keys never match, so"
        " loading would split every person in two. If the key changed by mistake, restore the"
        " key the warehouse was loaded with. To rotate it on purpose, reload the archive with"
        " the new key into a fresh warehouse (docs/runbook.md, 'Rotating the pseudonymisation"
        " key')."
    )
