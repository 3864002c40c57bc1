"""Caps on what one partner file may hold, so hostile or broken input fails fast, clearly and in
bounded memory: a file too large, a physical record too long (an unterminated quote swallowing
the rest of the file), a field too long, and how much of a bad row quarantine keeps.

A contract may raise or lower them in its `limits:` block; the defaults suit every extract we
know (the largest, the ONS postcode lookup, is well under a gigabyte).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

MIB = 1 << 20
GIB = 1 << 30


class InputLimits(BaseModel):
    """Per-contract caps the loader enforces before and while it reads a file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_file_bytes: int = Field(
        default=2 * GIB, ge=1, description="A larger file is rejected before it is read"
    )
    max_record_chars: int = Field(
        default=4 * MIB,
        ge=1,
        description=(
            "Characters one record may span, across all its lines; a longer one (often an"
            " unterminated quote) rejects the file"
        ),
    )
    max_field_chars: int = Field(
        default=1 * MIB,
        ge=1,
        description="Characters one field may hold; a row with a longer field is quarantined",
    )
    max_quarantined_chars: int = Field(
        default=4096,
        ge=64,
        description="Characters of a bad row's text (and reason) kept in audit.quarantine",
    )


def size_words(count: float, unit: str = "B") -> str:
    """1610612736 -> '1.5 GiB': a size a partner can read."""
    for prefix in ("", "Ki", "Mi", "Gi"):
        if count < 1024 or prefix == "Gi":
            return f"{count:.0f} {unit}" if not prefix else f"{count:.1f} {prefix}{unit}"
        count /= 1024
    raise AssertionError("unreachable")


def file_too_large(size: int, limits: InputLimits) -> str | None:
    if size <= limits.max_file_bytes:
        return None
    return (
        f"the file is {size:,} bytes ({size_words(size)}), more than this contract's"
        f" max_file_bytes {limits.max_file_bytes:,} ({size_words(limits.max_file_bytes)});"
        " nothing was read"
    )


def field_label(headers: Sequence[str], index: int) -> str:
    """A field by header and column, e.g. "field 'Location' (column 7)"."""
    if index < len(headers):
        return f"field {headers[index]!r} (column {index + 1})"
    return f"field in column {index + 1} (the header has {len(headers)})"


def open_field_index(partial_record: str, delimiter: str) -> int:
    """Which field (0-based) a record's text had reached: the field that never ended."""
    reader = csv.reader(io.StringIO(partial_record, newline=""), delimiter=delimiter)
    try:
        fields = next(reader)
    except (StopIteration, csv.Error):
        return 0
    return max(0, len(fields) - 1)


def record_too_long(
    first_line: int, partial_record: str, headers: Sequence[str], delimiter: str, limit: int
) -> str:
    """The problem of a record that ran past max_record_chars, naming its line and field."""
    field = field_label(headers, open_field_index(partial_record, delimiter))
    lines = partial_record.count("\n") + 1
    quote = (
        " It spans several lines: a quote that is never closed swallows the lines after it."
        if lines > 1
        else ""
    )
    return (
        f"line {first_line}, {field}: the record is longer than {limit:,} characters, this"
        f" contract's max_record_chars; reading stopped there and nothing was loaded.{quote}"
    )


def unterminated_quote(
    first_line: int, last_line: int, record: Sequence[str], headers: Sequence[str]
) -> str:
    """The problem of a record whose quoted field runs to the end of the file."""
    field = field_label(headers, max(0, len(record) - 1))
    return (
        f"line {first_line}, {field}: a quoted field opens here and is never closed, so it"
        f" swallows lines {first_line + 1}-{last_line} to the end of the file; close the quote"
        " (a quote inside a quoted field is written twice) and send the file again"
    )


def long_field(record: Sequence[str], headers: Sequence[str], limit: int) -> str | None:
    """The reason a row is bad when one of its fields is longer than max_field_chars."""
    for index, value in enumerate(record):
        if len(value) > limit:
            return (
                f"{field_label(headers, index)}: {len(value):,} characters, more than this"
                f" contract's max_field_chars {limit:,}"
            )
    return None


def truncated(text: str, limit: int) -> str:
    """The text cut to `limit` characters with a note saying how much was left out."""
    if len(text) <= limit:
        return text
    note = f" [... truncated: {len(text) - limit:,} more characters of {len(text):,} not kept]"
    return text[:limit] + note


class RecordTooLong(Exception):
    """A record ran past max_record_chars while it was being read."""


# What audit.load_batch.sha256 holds for a file rejected for its size before it was read.
NOT_HASHED = "(not hashed: larger than max_file_bytes)"
