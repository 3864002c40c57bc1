"""What the loader is compared with, on the same files: PostgreSQL's own `psql \\copy` into an
equivalent table (one text column per header: COPY with no conversion at all, the fastest a
file can land), and pandas `read_csv(...).to_sql(...)`, what an analyst would write."""

from __future__ import annotations

import csv
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from svdw.contracts import Contract

# Python codec -> PostgreSQL client encoding for COPY.
PG_ENCODINGS = {"utf-8": "UTF8", "utf-8-sig": "UTF8", "cp1252": "WIN1252", "latin-1": "LATIN1"}


def table_for(path: Path, contract: Contract, index: int) -> tuple[str, list[str]]:
    """The baseline table's name for a file and its columns (the file's own header)."""
    encoding = contract.encoding
    with path.open(encoding=encoding, newline="") as handle:
        header = next(csv.reader(handle, delimiter=contract.delimiter))
    columns = [f"c{i}_{name}"[:60] for i, name in enumerate(header)]
    return f"t{index}_{contract.table_name}"[:60], columns


def create_tables(url: str, schema: str, files: Sequence[tuple[Path, Contract]]) -> list[str]:
    """One text-column table per file in `schema` (created before any timing); their names."""
    names = []
    with psycopg.connect(url) as conn:
        conn.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(schema)))
        for index, (path, contract) in enumerate(files):
            table, columns = table_for(path, contract, index)
            conn.execute(
                sql.SQL("create table {} ({})").format(
                    sql.Identifier(schema, table),
                    sql.SQL(", ").join(
                        sql.SQL("{} text").format(sql.Identifier(c)) for c in columns
                    ),
                )
            )
            names.append(table)
    return names


def _psql_url(url: str) -> str:
    # psql reads a libpq URI; the SQLAlchemy-style "postgresql+psycopg" scheme is not one.
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme="postgresql"))


def psql_copy_seconds(url: str, files: Sequence[tuple[Path, Contract]]) -> float:
    """Seconds for one psql process to \\copy every file into its own new text table."""
    schema = "bench_copy"
    tables = create_tables(url, schema, files)
    lines = []
    for (path, contract), table in zip(files, tables, strict=True):
        encoding = PG_ENCODINGS.get(contract.encoding.lower(), "UTF8")
        delimiter = contract.delimiter.replace("'", "''")
        lines.append(
            f'\\copy "{schema}"."{table}" from \'{path}\' with (format csv, header true,'
            f" delimiter '{delimiter}', encoding '{encoding}')"
        )
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write("\n".join(lines) + "\n")
    started = time.perf_counter()
    subprocess.run(
        ["psql", _psql_url(url), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", script.name],
        check=True,
        capture_output=True,
    )
    seconds = time.perf_counter() - started
    Path(script.name).unlink()
    return seconds


def pandas_seconds(url: str, files: Sequence[tuple[Path, Contract]]) -> float:
    """Seconds for pandas to read each file and `to_sql` it into a new table (defaults: what an
    analyst would write, with every column read as text so no file fails on a type)."""
    import pandas as pd
    from sqlalchemy import create_engine

    engine = create_engine(urlunsplit(urlsplit(url)._replace(scheme="postgresql+psycopg")))
    with engine.begin() as conn:
        conn.exec_driver_sql("create schema if not exists bench_pandas")
    started = time.perf_counter()
    for index, (path, contract) in enumerate(files):
        frame = pd.read_csv(
            path,
            dtype=str,
            encoding=contract.encoding,
            sep=contract.delimiter,
            keep_default_na=False,
        )
        frame.to_sql(
            f"t{index}_{contract.table_name}"[:60],
            engine,
            schema="bench_pandas",
            if_exists="replace",
            index=False,
        )
    seconds = time.perf_counter() - started
    engine.dispose()
    return seconds
