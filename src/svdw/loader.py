"""Load partner files into raw tables: validate each row against its contract, COPY the good
rows, quarantine the rest with a reason, and account for every file in audit.load_batch.

Nothing is lost (rows read = rows loaded + rows quarantined, checked by the database), nothing
is duplicated (the same file twice is a no-op; a re-delivery of a period replaces that period,
and the replaced rows move to history.<table>), and files are streamed, never read whole.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import io
import itertools
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

import psycopg
from psycopg import sql

from svdw.contracts import Contract, contract_for_headers, load_contracts
from svdw.fast_rows import NULL, FastRows, copy_line
from svdw.geojson_reader import (
    GEOMETRY,
    GeoJsonFileError,
    feature_rows,
    property_names,
    read_features,
)
from svdw.input_limits import (
    NOT_HASHED,
    InputLimits,
    RecordTooLong,
    file_too_large,
    record_too_long,
    truncated,
    unterminated_quote,
)
from svdw.key_fingerprint import check_key, record_fingerprint
from svdw.landing import arrival_key
from svdw.postcode_lookup import postcode_lookup
from svdw.pseudonymise import PseudonymisationError, Pseudonymiser, pseudonym_key
from svdw.replace_scope import legacy_scopes, scope_values
from svdw.schema import ensure_audit_schema, ensure_raw_table
from svdw.validation import RowValidator

Status = Literal["loaded", "duplicate", "rejected"]
SNIFF_BYTES = 64 * 1024
# What a landing folder's extracts are named (a directory load picks these up).
EXTRACT_SUFFIXES = (".csv", ".geojson")
COPY_CHUNK_ROWS = 5000
COPY_BLOCK_CHARS = 1 << 20  # COPY text sent at a time
# Real free-text fields can be long; the csv module's default cap (128 KiB) is too tight.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


class FileRejected(Exception):
    """The file cannot be read as its contract; nothing of it was loaded."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path.name}: {problem}")
        self.path = path
        self.problem = problem


@dataclass(frozen=True)
class LoadResult:
    path: Path
    contract: str | None
    status: Status
    sha256: str
    batch_id: int | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_superseded: int = 0
    postcodes_unmatched: int = 0
    error: str | None = None


def file_digest(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _check_readable(path: Path, contract: Contract | None) -> list[str]:
    """File-level checks before any row is read; returns the parsed header."""
    if not path.is_file():
        raise FileRejected(path, "not a file")
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if not head.strip():
        raise FileRejected(path, "the file is empty; expected a header line and data rows")
    if b"\x00" in head:
        raise FileRejected(path, "the file is binary (it contains NUL bytes), not delimited text")
    encoding = contract.encoding if contract else "utf-8-sig"
    first_line = head.split(b"\n", 1)[0]
    try:
        text = codecs.getincrementaldecoder(encoding)().decode(first_line, final=False)
    except UnicodeDecodeError as exc:
        raise FileRejected(path, f"line 1 is not valid {encoding} ({exc.reason})") from exc
    delimiter = contract.delimiter if contract else ","
    return next(csv.reader([text.rstrip("\r\n")], delimiter=delimiter), [])


def header_problem(header: list[str], contract: Contract) -> str | None:
    expected = list(contract.headers)
    if contract.accepts_header(header):
        return None
    if len(header) == 1 and len(expected) > 1:
        for other in (";", "\t", "|"):
            if other != contract.delimiter and other in header[0]:
                return (
                    f"wrong delimiter: the header looks {other!r}-separated; contract "
                    f"{contract.name} expects {contract.delimiter!r}"
                )
    defaulted = {c.header for c in contract.columns if c.default is not None}
    missing = [h for h in expected if h not in header and h not in defaulted]
    extra = [h for h in header if h not in expected]
    parts = []
    if missing:
        parts.append(f"missing column(s) {missing}")
    if extra:
        parts.append(f"unexpected column(s) {extra}")
    if not parts:
        parts.append(f"columns out of order: expected {expected}")
    return f"header does not match contract {contract.name}: " + "; ".join(parts)


def detect_contract(path: Path) -> Contract:
    """The contract whose header matches the file's header exactly (for a GeoJSON file: the
    one geojson contract whose properties its features carry)."""
    if path.suffix.lower() in (".geojson", ".json"):
        return _detect_geojson_contract(path)
    header = _check_readable(path, None)
    contract = contract_for_headers(header)
    if contract is not None:
        return contract
    known = load_contracts().values()
    closest = max(known, key=lambda c: len(set(c.headers) & set(header)))
    hint = header_problem(header, closest) if set(closest.headers) & set(header) else None
    raise FileRejected(
        path,
        "its header matches no contract"
        + (
            f" (closest: {hint})"
            if hint
            else f"; known contracts: {', '.join(c.name for c in known)}"
        )
        + "; use --contract NAME to name one",
    )


def _detect_geojson_contract(path: Path) -> Contract:
    try:
        names = property_names(read_features(path))
    except GeoJsonFileError as exc:
        raise FileRejected(path, str(exc)) from exc
    matches = [
        c
        for c in load_contracts().values()
        if c.format == "geojson" and all(h == GEOMETRY or h in names for h in c.headers)
    ]
    if len(matches) != 1:
        found = "several: " + ", ".join(c.name for c in matches) if matches else "none"
        raise FileRejected(
            path,
            f"its features' properties match {found} of the GeoJSON contracts; use --contract NAME",
        )
    return matches[0]


def loading_order(paths: list[Path]) -> list[Path]:
    """Reference files first (other extracts need them: postcodes become LSOAs), then by
    name, so monthly files load oldest first. Unreadable files keep their place at the end
    and are rejected with their reason when loaded."""

    def key(path: Path) -> tuple[int, tuple[str, str, int]]:
        try:
            return (0 if detect_contract(path).partner == "reference" else 1, arrival_key(path))
        except FileRejected:
            return (2, arrival_key(path))

    return sorted(paths, key=key)


class _LineTap:
    """Feeds csv.reader line by line and remembers the physical lines of the current record,
    so a quarantined row keeps its exact raw text and first line number."""

    def __init__(self, handle: IO[str], max_record_chars: int) -> None:
        self._handle = handle
        self.lines_read = 0
        self.chars_read = 0
        self.current: list[str] = []
        # A line is read at most up to the record's cap, so a hostile line never fills memory.
        self.max_record_chars = max_record_chars
        self.current_chars = 0
        self.at_end = False

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = self._handle.readline(self.max_record_chars - self.current_chars + 1)
        if not line:
            self.at_end = True
            raise StopIteration
        self.lines_read += 1
        self.chars_read += len(line)
        self.current.append(line)
        self.current_chars += len(line)
        if self.current_chars > self.max_record_chars:
            raise RecordTooLong
        return line

    @property
    def first_line(self) -> int:
        return self.lines_read - len(self.current) + 1

    def take(self) -> tuple[int, str]:
        first_line = self.first_line
        text = "".join(self.current)
        self.current = []
        self.current_chars = 0
        return first_line, text.removesuffix("\n").removesuffix("\r")


@dataclass(frozen=True, slots=True)
class _Row:
    number: int  # line number (CSV) or feature number (GeoJSON): audit.quarantine.line_number
    raw_text: str
    record: list[str] | None  # the fields in header order; None when unreadable
    problem: str | None  # why an unreadable row cannot be read
    chars_read: int  # progress through the file


@dataclass(frozen=True, slots=True)
class _Block:
    """Consecutive valid rows as COPY text (the fast path, svdw.fast_rows)."""

    text: str
    rows: int
    chars_read: int  # progress through the file


FAST_BLOCK_ROWS = 2000


def _rows(
    path: Path, contract: Contract, fast: FastRows | None = None, tail: str = ""
) -> Iterator[_Row | _Block]:
    """The file's data rows in its contract's format; FileRejected if it cannot be read. With
    `fast`, the rows it turns into COPY text come in blocks (each line ending in `tail` and the
    line number); the others, and every row of a file that lacks defaulted columns, one by one."""
    if contract.format == "geojson":
        features = _geojson_features(path, contract)
        for feature in feature_rows(features, contract.headers, contract.geometry_types):
            yield _Row(feature.number, feature.raw_text, feature.record, feature.problem, 0)
        return
    with path.open(encoding=contract.encoding, newline="", errors="strict") as handle:
        tap = _LineTap(handle, contract.limits.max_record_chars)
        reader = csv.reader(tap, delimiter=contract.delimiter)
        try:
            header = next(reader)  # checked already
            tap.take()
            fill = _defaults_filler(contract, header)
            if fast is not None and fill is None:
                yield from _fast_rows(path, contract, tap, len(header), fast, tail)
                return
            for record in reader:
                if row := _record_row(path, contract, tap, record, len(header), fill):
                    yield row
        except UnicodeDecodeError as exc:
            raise FileRejected(
                path,
                f"undecodable bytes after line {tap.lines_read}: not valid {contract.encoding}"
                f" ({exc.reason})",
            ) from exc
        except csv.Error as exc:
            raise FileRejected(path, f"line {tap.lines_read}: unreadable CSV ({exc})") from exc
        except RecordTooLong as exc:
            problem = record_too_long(
                tap.first_line,
                "".join(tap.current),
                contract.headers,
                contract.delimiter,
                contract.limits.max_record_chars,
            )
            raise FileRejected(path, problem) from exc


def _record_row(
    path: Path,
    contract: Contract,
    tap: _LineTap,
    record: list[str],
    width: int,
    fill: Callable[[list[str]], list[str]] | None,
) -> _Row | None:
    """The row of one record the csv module read through `tap`; None for a blank line."""
    if tap.at_end and len(tap.current) > 1 and _quote_left_open(tap, contract):
        problem = unterminated_quote(tap.first_line, tap.lines_read, record, contract.headers)
        raise FileRejected(path, problem)
    line_number, raw_text = tap.take()
    if not record or (len(record) == 1 and not record[0].strip()):
        return None  # a blank line is not a row
    if len(record) != width:  # which field is which cannot be known
        problem = f"expected {width} fields, found {len(record)}"
        return _Row(line_number, raw_text, None, problem, tap.chars_read)
    if fill:
        record = fill(record)
    return _Row(line_number, raw_text, record, None, tap.chars_read)


def _fast_rows(
    path: Path, contract: Contract, tap: _LineTap, width: int, fast: FastRows, tail: str
) -> Iterator[_Row | _Block]:
    """The data rows after the header. A line with nothing the csv module would treat
    specially (no quote, no backslash, tab or NUL; not longer than a field may be) is read
    without it: the contract's line pattern takes it whole when it can, else it is split on the
    delimiter (what the csv module gives for it) and `fast` makes its COPY line field by field;
    any other line starts a record the csv module reads through `tap`, as _rows does."""
    readline = tap._handle.readline
    cap = contract.limits.max_record_chars
    simple = min(cap, contract.limits.max_field_chars)
    delimiter = contract.delimiter
    tabs_allowed = delimiter == "\t"
    pattern = fast.pattern.copy_text if fast.pattern else None
    number, chars = tap.lines_read, tap.chars_read
    lines: list[str] = []
    while True:
        try:
            line = readline(cap + 1)
        except UnicodeDecodeError:
            tap.lines_read = number
            raise
        if not line:
            tap.at_end = True
            break
        if len(line) <= simple and pattern is not None:
            text = pattern(line.rstrip("\r\n"))  # the commonest case: a plain valid line
            if text is not None:
                number += 1
                chars += len(line)
                lines.append(f"{text}\t{tail}{number}\n")
                if len(lines) >= FAST_BLOCK_ROWS:
                    yield _Block("".join(lines), len(lines), chars)
                    lines = []
                continue
        if (
            len(line) <= simple
            and '"' not in line
            and "\\" not in line
            and "\x00" not in line
            and (tabs_allowed or "\t" not in line)
        ):
            number += 1
            chars += len(line)
            body = line.rstrip("\r\n")
            if delimiter not in body and not body.strip():
                continue  # a blank line is not a row
            if (text := fast.line(body)) is not None:
                lines.append(f"{text}\t{tail}{number}\n")
                if len(lines) >= FAST_BLOCK_ROWS:
                    yield _Block("".join(lines), len(lines), chars)
                    lines = []
                continue
            record = body.split(delimiter)
            if lines:
                yield _Block("".join(lines), len(lines), chars - len(line))
                lines = []
            if len(record) == width:  # the row validator says why
                yield _Row(number, body, record, None, chars)
            else:
                problem = f"expected {width} fields, found {len(record)}"
                yield _Row(number, body, None, problem, chars)
            continue
        if lines:
            yield _Block("".join(lines), len(lines), chars)
            lines = []
        # The csv module reads this record (a quoted field may span lines).
        tap.lines_read, tap.chars_read = number + 1, chars + len(line)
        tap.current, tap.current_chars = [line], len(line)
        if tap.current_chars > cap:
            raise RecordTooLong
        record = next(csv.reader(itertools.chain([line], tap), delimiter=delimiter))
        if row := _record_row(path, contract, tap, record, width, None):
            yield row
        number, chars = tap.lines_read, tap.chars_read
        if tap.at_end:
            break
    if lines:
        yield _Block("".join(lines), len(lines), chars)


def _quote_left_open(tap: _LineTap, contract: Contract) -> bool:
    """Whether the file's last record ends inside a quoted field (the csv module, lenient,
    ends the field at the end of the file without a word)."""
    strict = csv.reader(
        io.StringIO("".join(tap.current), newline=""), delimiter=contract.delimiter, strict=True
    )
    try:
        list(strict)
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def _geojson_features(path: Path, contract: Contract) -> list[Any]:
    """The features of a GeoJSON file, checked to carry every property the contract reads."""
    try:
        features = read_features(path, contract.encoding)
    except GeoJsonFileError as exc:
        raise FileRejected(path, str(exc)) from exc
    carried = property_names(features)
    missing = [h for h in contract.headers if h != GEOMETRY and h not in carried]
    if features and missing:
        raise FileRejected(
            path,
            f"no feature has the propert{'y' if len(missing) == 1 else 'ies'} {missing} that"
            f" contract {contract.name} reads",
        )
    return features


def load_file(
    conn: psycopg.Connection,
    path: Path,
    contract: Contract | None = None,
    *,
    loaded_by: str = "svdw",
    on_progress: Callable[..., object] | None = None,
    force: bool = False,
) -> LoadResult:
    """Load one file in one transaction. A file-level problem is recorded as a rejected batch
    and returned (status "rejected"); the caller decides how loudly to fail. A file loaded
    before is a no-op unless `force` (a backfill): then it loads again and replaces its period."""
    path = Path(path)
    if too_large := _size_problem(path, contract):
        ensure_audit_schema(conn)
        conn.commit()
        size = path.stat().st_size
        return _record_rejection(conn, path, contract, NOT_HASHED, size, loaded_by, too_large)
    sha256, size = file_digest(path)
    ensure_audit_schema(conn)
    conn.commit()
    try:
        contract = contract or detect_contract(path)
        # A GeoJSON file is parsed once, by _rows, whose file-level problems reject it the same way.
        if contract.format != "geojson":
            header = _check_readable(path, contract)
            problem = header_problem(header, contract)
            if problem:
                raise FileRejected(path, problem)
        named = contract.file_name_column
        if named and named.value_from(path.name) is None:
            raise FileRejected(
                path,
                f"contract {contract.name} reads {named.name} from the file name, and the name"
                f" does not match {named.pattern!r}",
            )
        pseudonymiser = make_pseudonymiser(conn, contract)
        ensure_raw_table(conn, contract)
        conn.commit()  # a short DDL transaction: the load below runs beside other loaders
        with conn.transaction():
            conn.execute(
                "select pg_advisory_xact_lock(hashtext(%s))", (f"svdw.load.{contract.name}",)
            )
            previous = conn.execute(
                "select batch_id from audit.load_batch where contract = %s and sha256 = %s"
                " and status = 'loaded' order by batch_id desc limit 1",
                (contract.name, sha256),
            ).fetchone()
            if previous and not force:
                return LoadResult(path, contract.name, "duplicate", sha256, batch_id=previous[0])
            return _load_rows(
                conn, path, contract, pseudonymiser, sha256, size, loaded_by, on_progress
            )
    except FileRejected as exc:
        return _record_rejection(conn, path, contract, sha256, size, loaded_by, exc.problem)


def _size_problem(path: Path, contract: Contract | None) -> str | None:
    """Why a file is too large to read, before a byte of it is hashed or parsed (the
    contract's max_file_bytes; the default cap when its contract cannot be told)."""
    if not path.is_file():
        return None
    size = path.stat().st_size
    if contract is None and file_too_large(size, InputLimits()):
        with contextlib.suppress(FileRejected):
            contract = detect_contract(path)  # reads the header only
    return file_too_large(size, contract.limits if contract else InputLimits())


def _record_rejection(
    conn: psycopg.Connection,
    path: Path,
    contract: Contract | None,
    sha256: str,
    size: int,
    loaded_by: str,
    problem: str,
) -> LoadResult:
    name = contract.name if contract else "(unknown)"
    with conn.transaction():
        row = conn.execute(
            "insert into audit.load_batch (contract, target_table, file_name, file_path, sha256,"
            " file_bytes, status, quality_status, error, loaded_by, finished_at)"
            " values (%s, %s, %s, %s, %s, %s, 'rejected', 'rejected', %s, %s, now())"
            " returning batch_id",
            (
                name,
                contract.table if contract else "",
                path.name,
                str(path),
                sha256,
                size,
                f"{path.name}: {problem}",
                loaded_by,
            ),
        ).fetchone()
        batch_id = row[0] if row else None
        record_status_event(
            conn, batch_id, "rejected", f"file rejected at load: {problem}", loaded_by
        )
    return LoadResult(
        path, name, "rejected", sha256, batch_id=batch_id, error=f"{path.name}: {problem}"
    )


def make_pseudonymiser(conn: psycopg.Connection, contract: Contract) -> Pseudonymiser:
    """Check, before reading a row, that every identifier can be replaced."""
    key = pseudonym_key() if contract.has_direct_identifiers else None
    if key is not None:
        check_key(conn, key)  # one key for every batch, or people no longer link
    lookup: dict[str, str] | None = None
    if any(c.pseudonymise == "postcode_to_lsoa" for c in contract.columns):
        exists = conn.execute("select to_regclass('raw.ons__postcode_lsoa_lookup')").fetchone()
        if not exists or exists[0] is None:
            raise PseudonymisationError(
                f"contract {contract.name} turns postcodes into LSOAs, but no postcode lookup is "
                "loaded: load the ONS postcode lookup (contract ons_postcode_lsoa_lookup) first"
            )
        lookup = postcode_lookup(conn)  # read once per version of the lookup
        conn.commit()
    return Pseudonymiser(contract, key, lookup)


def _defaults_filler(
    contract: Contract, header: list[str]
) -> Callable[[list[str]], list[str]] | None:
    """For a file that lacks columns with a default (an older delivery), a function that puts
    a record's fields in contract order with the defaults in the gaps; None when nothing is
    missing (the record is already in contract order)."""
    positions = contract.field_positions(header)
    if all(position is not None for position in positions):
        return None
    defaults = [c.default or "" for c in contract.columns]

    def fill(record: list[str]) -> list[str]:
        return [
            record[position] if position is not None else default
            for position, default in zip(positions, defaults, strict=True)
        ]

    return fill


def _load_rows(
    conn: psycopg.Connection,
    path: Path,
    contract: Contract,
    pseudonymiser: Pseudonymiser,
    sha256: str,
    size: int,
    loaded_by: str,
    on_progress: Callable[..., object] | None,
) -> LoadResult:
    batch_id = conn.execute(
        "insert into audit.load_batch (contract, target_table, file_name, file_path, sha256,"
        " file_bytes, status, loaded_by) values (%s, %s, %s, %s, %s, %s, 'loaded', %s)"
        " returning batch_id",
        (contract.name, contract.table, path.name, str(path), sha256, size, loaded_by),
    ).fetchone()[0]  # type: ignore[index]
    record_status_event(
        conn, batch_id, "pending", "loaded; waits for the next build's gate", loaded_by
    )
    record_fingerprint(conn, batch_id, pseudonymiser.key)
    validator = RowValidator(contract)
    named = contract.file_name_column
    from_name = (named.value_from(path.name),) if named else ()
    names = [name for name, _ in contract.stored_columns] + ["_batch_id", "_line_number"]
    copy_sql = sql.SQL("copy {} ({}) from stdin").format(
        sql.Identifier(contract.schema_name, contract.table_name),
        sql.SQL(", ").join(map(sql.Identifier, names)),
    )
    rows_read = rows_loaded = 0
    # The lineage columns after a row's own: (file-name value,) batch id, then line number.
    fast = FastRows(contract, validator, pseudonymiser, from_name)
    tail = copy_line((*from_name, batch_id), fast.null) + "\t"
    if fast.null != NULL:
        copy_sql = sql.SQL("{} with (null {})").format(copy_sql, sql.Literal(fast.null))
    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as rejects:
        reject_writer = csv.writer(rejects)
        rows_quarantined = 0
        with conn.cursor().copy(copy_sql) as copy:
            out: list[str] = []  # COPY text, written in large blocks
            out_chars = 0
            for row in _rows(path, contract, fast, tail):
                before = rows_read
                if isinstance(row, _Block):
                    out.append(row.text)
                    out_chars += len(row.text)
                    rows_read += row.rows
                    rows_loaded += row.rows
                else:
                    rows_read += 1
                    if row.record is None:
                        values, reason = None, row.problem
                    else:
                        values, reason = validator.validate(row.record)
                    if values is None:
                        # never keep an identifier, even in quarantine
                        raw_text = pseudonymiser.quarantine_text(row.record, row.raw_text)
                        cap = contract.limits.max_quarantined_chars  # a hostile row stays small
                        reject_writer.writerow(
                            (row.number, truncated(raw_text, cap), truncated(str(reason), cap))
                        )
                        rows_quarantined += 1
                    else:
                        stored = (*pseudonymiser.apply(values), *from_name, batch_id, row.number)
                        out.append(copy_line(stored, fast.null) + "\n")
                        out_chars += len(out[-1])
                        rows_loaded += 1
                if out_chars >= COPY_BLOCK_CHARS:
                    copy.write("".join(out))
                    out, out_chars = [], 0
                if on_progress and rows_read // COPY_CHUNK_ROWS > before // COPY_CHUNK_ROWS:
                    on_progress(completed=row.chars_read)
            if out:
                copy.write("".join(out))
        if rows_quarantined:
            rejects.seek(0)
            with conn.cursor().copy(
                "copy audit.quarantine (line_number, raw_text, reason, batch_id) from stdin"
            ) as copy:
                for line_text, raw_text, reason in csv.reader(rejects):
                    copy.write_row((int(line_text), raw_text, reason, batch_id))
    periods = None
    if contract.period_column:
        periods = conn.execute(
            sql.SQL(
                "select array_agg(distinct {}::text order by {}::text) from {} where _batch_id = %s"
            ).format(
                sql.Identifier(contract.period_column),
                sql.Identifier(contract.period_column),
                sql.Identifier(contract.schema_name, contract.table_name),
            ),
            (batch_id,),
        ).fetchone()[0]  # type: ignore[index]
    superseded = _supersede(conn, contract, batch_id, periods)
    conn.execute(
        "update audit.load_batch set rows_read = %s, rows_loaded = %s, rows_quarantined = %s,"
        " rows_superseded = %s, periods = %s, postcodes_unmatched = %s, finished_at = now()"
        " where batch_id = %s",
        (
            rows_read,
            rows_loaded,
            rows_quarantined,
            superseded,
            periods,
            pseudonymiser.postcodes_unmatched,
            batch_id,
        ),
    )
    if on_progress:
        on_progress(completed=size)
    return LoadResult(
        path,
        contract.name,
        "loaded",
        sha256,
        batch_id=batch_id,
        rows_read=rows_read,
        rows_loaded=rows_loaded,
        rows_quarantined=rows_quarantined,
        rows_superseded=superseded,
        postcodes_unmatched=pseudonymiser.postcodes_unmatched,
    )


def record_status_event(
    conn: psycopg.Connection,
    batch_id: int | None,
    status: str,
    reason: str,
    decided_by: str,
    build_id: int | None = None,
) -> None:
    """Keep one change of a batch's quality status in audit.batch_status_event."""
    if batch_id is None:
        return
    conn.execute(
        "insert into audit.batch_status_event (batch_id, status, reason, decided_by, build_id)"
        " values (%s, %s, %s, %s, %s)",
        (batch_id, status, reason, decided_by, build_id),
    )


def _supersede(
    conn: psycopg.Connection, contract: Contract, batch_id: int, periods: list[str] | None
) -> int:
    """Move rows of earlier batches that this batch replaces into history.<table>, and add this
    batch to the superseders of rows already there in its scope.

    The rows are not gone for the warehouse: a build that has not admitted this batch (it is
    pending, failed or rejected) still reads them, and a build that admitted none of a row's
    superseders too. So each history row keeps every batch that replaced it (a bad re-delivery
    followed by a good one: the old rows are out once the good one is admitted)."""
    raw = sql.Identifier(contract.schema_name, contract.table_name)
    history = sql.Identifier("history", contract.table_name)
    columns = sql.SQL(", ").join(
        map(sql.Identifier, [n for n, _ in contract.stored_columns] + ["_batch_id", "_line_number"])
    )
    params: dict[str, Any] = {"b": batch_id}
    condition: sql.Composable = sql.SQL("")
    if contract.replace_scope:
        scope = scope_values(contract)
        condition = sql.SQL(
            "and ({scope}) in (select distinct {scope} from {raw} where _batch_id = %(b)s)"
        ).format(scope=scope, raw=raw)
        # Only an earlier batch that delivered rows in this batch's scope holds rows to
        # replace: found through audit.load_batch.scopes and the _batch_id index, not by
        # reading every row already loaded.
        params["earlier"] = _batches_in_scope(conn, contract, batch_id, periods)
        condition = sql.SQL("and _batch_id = any(%(earlier)s) {}").format(condition)
    conn.execute(
        sql.SQL(
            "update {history} set _superseded_by_batches = _superseded_by_batches || %(b)s::bigint"
            " where _batch_id <> %(b)s and not (%(b)s = any(_superseded_by_batches)) {condition}"
        ).format(history=history, condition=condition),
        params,
    )
    moved = conn.execute(
        sql.SQL(
            "with moved as (delete from {raw} where _batch_id <> %(b)s {condition}"
            " returning {columns})"
            " insert into {history} ({columns}, _superseded_by_batch, _superseded_at,"
            " _superseded_by_batches)"
            " select {columns}, %(b)s, now(), array[%(b)s::bigint] from moved"
        ).format(raw=raw, condition=condition, columns=columns, history=history),
        params,
    )
    return moved.rowcount


def _batches_in_scope(
    conn: psycopg.Connection, contract: Contract, batch_id: int, periods: list[str] | None
) -> list[int]:
    """Records this batch's scopes; returns the other batches into its table that delivered
    any of them (or recorded them in the scope's earlier shape, svdw.replace_scope), or whose
    scopes were not recorded (of its periods, where the scope holds the period column)."""
    raw = sql.Identifier(contract.schema_name, contract.table_name)
    scope = scope_values(contract)
    scopes = conn.execute(
        sql.SQL(
            "update audit.load_batch set scopes = (select array_agg(distinct row({scope})::text)"
            " from {raw} where _batch_id = %(b)s) where batch_id = %(b)s returning scopes"
        ).format(scope=scope, raw=raw),
        {"b": batch_id},
    ).fetchone()[0]  # type: ignore[index]
    unrecorded = (
        "(periods is null or periods && %(periods)s::text[])"
        if contract.period_column in contract.scope_columns
        else "true"
    )
    return [
        row[0]
        for row in conn.execute(
            "select batch_id from audit.load_batch where target_table = %(table)s"
            " and batch_id <> %(b)s and (scopes && %(scopes)s::text[]"
            " or scopes && %(legacy)s::text[]"
            f" or (scopes is null and {unrecorded}))",
            {
                "table": contract.table,
                "b": batch_id,
                "scopes": scopes or [],
                "legacy": legacy_scopes(conn, contract, batch_id),
                "periods": periods or [],
            },
        )
    ]


def connect(url: str) -> psycopg.Connection:
    try:
        return psycopg.connect(url, application_name="svdw")
    except psycopg.OperationalError as exc:
        raise ConnectionError(
            f"cannot connect to the warehouse ({exc}). Is PostgreSQL running? Try `make pg`, "
            "and check WAREHOUSE_URL in .env"
        ) from exc
