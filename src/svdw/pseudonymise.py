"""Replace direct identifiers before any row reaches a table.

NHS numbers, UPNs, PNC ids and names become HMAC-SHA256 keys (key from SVDW_PSEUDONYM_KEY, never
in the repo), so one person has one key in every source and cohorts link across agencies;
dates of birth become a birth year (and the age at the event); postcodes become their LSOA.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from svdw.config import PSEUDONYM_KEY_VARIABLE, Settings
from svdw.contracts import Contract

KEY_VARIABLE = PSEUDONYM_KEY_VARIABLE
MIN_KEY_LENGTH = 32
WHITESPACE = re.compile(r"\s+")
# audit.quarantine.raw_text of a row of an identifiable extract whose fields cannot be aligned
WITHHELD_ROW = "(withheld: the row's fields could not be aligned with the contract's columns)"


class PseudonymisationError(RuntimeError):
    """The loader cannot pseudonymise (no key, no postcode lookup): nothing was loaded."""


def pseudonym_key() -> bytes:
    key = Settings.from_env().pseudonym_key
    if len(key) < MIN_KEY_LENGTH:
        raise PseudonymisationError(
            f"{KEY_VARIABLE} is {'too short' if key else 'not set'}: this extract holds direct "
            f"identifiers, which are replaced by keyed hashes at load. Set {KEY_VARIABLE} to a "
            f"secret of {MIN_KEY_LENGTH}+ characters (`make env` generates one into .env); use "
            "the same key for every load so that people link across sources."
        )
    return key.encode()


def normalise_identifier(value: str) -> str:
    """One spelling per identifier: '485 777 3456' and '4857773456' hash alike."""
    return WHITESPACE.sub("", value).upper()


def keyed_hash(key: bytes, value: str) -> str:
    # hmac.digest: the one-call C path (a national month hashes ~700,000 identifiers).
    return hmac.digest(key, normalise_identifier(value).encode(), hashlib.sha256).hex()


def age_on(born: date, on: date | datetime) -> int:
    day = on.date() if isinstance(on, datetime) else on
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class Pseudonymiser:
    """Maps a validated row (one value per contract column) to the stored row."""

    def __init__(
        self, contract: Contract, key: bytes | None, postcode_lsoa: Mapping[str, str] | None
    ) -> None:
        self.contract = contract
        self.key = key
        self.postcode_lsoa = postcode_lsoa or {}
        names = [c.name for c in contract.columns]
        self.age = next(
            ((names.index(c.name), names.index(c.age_at)) for c in contract.columns if c.age_at),
            None,
        )
        self.steps = [(i, c.pseudonymise) for i, c in enumerate(contract.columns) if c.pseudonymise]
        # Postcodes given but not in the lookup: stored as no LSOA, counted for the load result.
        self.postcodes_unmatched = 0

    def apply(self, values: tuple[Any, ...]) -> tuple[Any, ...]:
        if not self.steps:
            return values
        stored = list(values)
        for index, method in self.steps:
            value = values[index]
            if value is None:
                continue
            if method == "hmac":
                assert self.key is not None
                stored[index] = keyed_hash(self.key, value)
            elif method == "birth_year":
                stored[index] = value.year
            else:  # postcode_to_lsoa: an unknown postcode gives no LSOA, never the postcode
                stored[index] = self.postcode_lsoa.get(normalise_identifier(value))
                self.postcodes_unmatched += stored[index] is None
        if self.age is not None:
            born, event = values[self.age[0]], values[self.age[1]]
            stored.append(age_on(born, event) if born and event else None)
        return tuple(stored)

    def quarantine_text(self, record: list[str] | None, raw_text: str) -> str:
        """What audit.quarantine keeps of a row: the raw text when the contract has no direct
        identifiers; else the row with its identifiers redacted by position, and nothing of it
        when its fields could not be told apart (a wrong field count: an identifier may sit in
        any position, so redaction by position cannot be trusted)."""
        if not self.steps:
            return raw_text
        if record is None or len(record) != len(self.contract.columns):
            return WITHHELD_ROW
        return _csv_line(self.redact(record))

    def redact(self, record: list[str]) -> list[str]:
        """A quarantined record with its direct identifiers hashed or removed, so quarantine
        keeps enough to trace the row but never the identifier itself."""
        redacted = list(record)
        for index, method in self.steps:
            if index < len(redacted) and redacted[index].strip():
                if method == "hmac" and self.key is not None:
                    redacted[index] = f"[hmac {keyed_hash(self.key, redacted[index])[:16]}]"
                else:
                    redacted[index] = "[redacted]"
        return redacted


def _csv_line(fields: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(fields)
    return buffer.getvalue()
