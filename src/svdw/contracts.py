"""Data contracts: one YAML file per partner extract, validated against a schema on load.

A contract says what a partner's file looks like (headers exactly as published, types, rules),
which raw table it lands in, and which earlier rows a new delivery replaces.
"""

from __future__ import annotations

import csv
import re
from datetime import date
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from svdw.input_limits import InputLimits

CONTRACTS_DIR = Path(__file__).resolve().parent / "contracts"
IDENTIFIER = r"^[a-z][a-z0-9_]*$"

ColumnType = Literal["text", "integer", "decimal", "month", "date", "datetime", "time", "boolean"]
# How a direct identifier is replaced at load, before any row reaches a table:
#   hmac: keyed hash (HMAC-SHA256, key SVDW_PSEUDONYM_KEY) of the normalised value; the same
#         person gets the same key in every source, so cohorts link across agencies;
#   birth_year: a date of birth becomes its year (and, with age_at, the age at the event);
#   postcode_to_lsoa: a postcode becomes its LSOA (via the loaded ONS postcode lookup).
Pseudonymise = Literal["hmac", "birth_year", "postcode_to_lsoa"]
SQL_TYPES: dict[str, str] = {
    "text": "text",
    "integer": "bigint",
    "decimal": "numeric",
    "month": "date",
    "date": "date",
    "datetime": "timestamp",
    "time": "time",
    "boolean": "boolean",
}
STORED_TYPES: dict[str, str] = {"hmac": "text", "birth_year": "integer", "postcode_to_lsoa": "text"}
NUMERIC_TYPES = ("integer", "decimal")
# Types a date bound (ISO date or `today`) and not_before/not_after apply to; a datetime is
# compared by its day, so "not after today" holds all day long.
DATED_TYPES = ("date", "datetime", "month")
TODAY = "today"
# A bound: a number for integer/decimal columns; an ISO date, or `today` (the day of the load),
# for date/datetime/month columns. YAML reads an unquoted 1900-01-01 as a date already.
Bound = float | date | Literal["today"]


class ContractError(ValueError):
    """A contract file is malformed; the message names the file and the problem."""


class CodeListRef(BaseModel):
    """An official code list that a column's values must come from: one CSV, kept once as a dbt
    seed under dbt/seeds/code_lists/, read by the loader's row validator and seeded by dbt."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code_list: str = Field(pattern=IDENTIFIER, description="Seed name (file name without .csv)")
    column: str = Field(pattern=IDENTIFIER, description="The seed's column holding the codes")

    @property
    def path(self) -> Path:
        return code_list_path(self.code_list)


def code_list_path(name: str) -> Path:
    """The official code list's CSV: <dbt project>/seeds/code_lists/<name>.csv."""
    from svdw.transform import dbt_project_dir  # lazy: transform imports the database driver

    return dbt_project_dir() / "seeds" / "code_lists" / f"{name}.csv"


@cache
def read_code_list(name: str, column: str) -> frozenset[str]:
    """The codes of one official code list (cached: code lists are read-only reference data)."""
    path = code_list_path(name)
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise ContractError(f"code list {name!r}: cannot read {path}: {exc}") from exc
    if rows and column not in rows[0]:
        raise ContractError(f"code list {name!r} ({path}) has no column {column!r}")
    return frozenset(row[column].strip() for row in rows if row[column].strip())


class Column(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    header: str = Field(min_length=1, description="Column header exactly as the partner sends it")
    name: str = Field(pattern=IDENTIFIER, description="Column name in the raw table")
    type: ColumnType = "text"
    required: bool = False
    pattern: str | None = None
    allowed: tuple[str, ...] | None = None
    allowed_from: CodeListRef | None = Field(
        default=None, description="text only: values must be codes of this official code list"
    )
    minimum: Bound | None = Field(
        default=None, description="Lowest value: a number, or for dates an ISO date or `today`"
    )
    maximum: Bound | None = Field(
        default=None, description="Highest value: a number, or for dates an ISO date or `today`"
    )
    not_before: str | None = Field(
        default=None, description="dates: a column of the same row this value may not precede"
    )
    not_after: str | None = Field(
        default=None, description="dates: a column of the same row this value may not follow"
    )
    at_least: str | None = Field(
        default=None, description="numbers: a column of the same row this value may not be below"
    )
    at_most: str | None = Field(
        default=None, description="numbers: a column of the same row this value may not exceed"
    )
    privacy: Literal["none", "quasi_identifier", "direct_identifier"] = "none"
    pseudonymise: Pseudonymise | None = None
    age_at: str | None = Field(
        default=None, description="birth_year only: date column to compute age_at_event from"
    )
    format: str | None = Field(
        default=None, description="strptime format for date/datetime/time when not ISO 8601"
    )
    default: str | None = Field(
        default=None,
        description=(
            "Value (as the file would hold it; empty for none) of a column that older deliveries"
            " do not have: its header may then be missing from a file"
        ),
    )
    true_values: tuple[str, ...] = ("Y", "Yes", "TRUE", "True", "true", "1")
    false_values: tuple[str, ...] = ("N", "No", "FALSE", "False", "false", "0")
    description: str = ""

    @model_validator(mode="after")
    def _identifiers_are_replaced(self) -> Column:
        if (self.privacy == "direct_identifier") != (self.pseudonymise is not None):
            raise ValueError(
                f"{self.name!r}: a direct_identifier must say how it is pseudonymised, and only"
                " a direct_identifier may be"
            )
        if self.age_at and self.pseudonymise != "birth_year":
            raise ValueError(f"{self.name!r}: age_at goes with pseudonymise: birth_year")
        if self.pseudonymise == "birth_year" and self.type != "date":
            raise ValueError(f"{self.name!r}: a date of birth must have type date")
        if self.allowed_from and (self.type != "text" or self.allowed):
            raise ValueError(f"{self.name!r}: allowed_from is for text columns without allowed")
        return self

    @model_validator(mode="after")
    def _bounds_fit_the_type(self) -> Column:
        for label, bound in (("minimum", self.minimum), ("maximum", self.maximum)):
            if bound is None:
                continue
            if self.type in NUMERIC_TYPES and isinstance(bound, date | str):
                raise ValueError(
                    f"{self.name!r}: {label} of this {self.type} column must be a number"
                )
            if self.type in DATED_TYPES and not isinstance(bound, date | str):
                raise ValueError(
                    f"{self.name!r}: {label} of a {self.type} column is an ISO date"
                    f" (YYYY-MM-DD) or {TODAY!r}, not {bound!r}"
                )
            if self.type not in (*NUMERIC_TYPES, *DATED_TYPES):
                raise ValueError(f"{self.name!r}: a {self.type} column takes no {label}")
        low, high = self.minimum, self.maximum
        if isinstance(low, date) and isinstance(high, date) and low > high:
            raise ValueError(f"{self.name!r}: minimum {low} is after maximum {high}")
        if (self.not_before or self.not_after) and self.type not in DATED_TYPES:
            raise ValueError(f"{self.name!r}: not_before/not_after are for date columns")
        if (self.at_least or self.at_most) and self.type not in NUMERIC_TYPES:
            raise ValueError(f"{self.name!r}: at_least/at_most are for integer and decimal columns")
        if self.name in (self.not_before, self.not_after, self.at_least, self.at_most):
            raise ValueError(f"{self.name!r}: a row rule names the column itself")
        return self

    @property
    def order_rules(self) -> list[tuple[str, str]]:
        """(rule, other column) of each comparison with another column of the same row."""
        rules = {
            "not_before": self.not_before,
            "not_after": self.not_after,
            "at_least": self.at_least,
            "at_most": self.at_most,
        }
        return [(rule, other) for rule, other in rules.items() if other is not None]

    @property
    def date_bounds(self) -> tuple[date | str | None, date | str | None]:
        """(minimum, maximum) of a dated column: a date, `today` or None."""
        if self.type not in DATED_TYPES:
            return None, None
        low, high = self.minimum, self.maximum
        return (
            low if isinstance(low, date | str) else None,
            high if isinstance(high, date | str) else None,
        )

    @property
    def number_bounds(self) -> tuple[float | None, float | None]:
        """(minimum, maximum) of a numeric column."""
        if self.type not in NUMERIC_TYPES:
            return None, None
        low, high = self.minimum, self.maximum
        return (
            low if isinstance(low, float | int) else None,
            high if isinstance(high, float | int) else None,
        )

    @property
    def sql_type(self) -> str:
        return STORED_TYPES[self.pseudonymise] if self.pseudonymise else SQL_TYPES[self.type]

    @model_validator(mode="after")
    def _pattern_compiles(self) -> Column:
        if self.pattern is not None:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValueError(
                    f"pattern for {self.name!r} is not a regular expression: {exc}"
                ) from exc
        return self


Severity = Literal["critical", "warning", "info"]
Share = Field(ge=0, lt=1)


class RowCountCheck(BaseModel):
    """A delivery's row count against the partner's previous deliveries (audit.load_batch)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    previous_deliveries: int = Field(default=3, ge=1, description="How many earlier batches")
    min_share_of_mean: float = Field(
        default=0.5, gt=0, le=1, description="Fewer rows than this share of their mean fails"
    )
    # A small source's count moves by half from month to month by chance alone (ten rows where
    # there were thirty): the minimum is never above what chance allows
    # (svdw.batch_checks.chance_minimum), so only a shortfall chance cannot explain holds a
    # delivery back.
    dispersion: float = Field(
        default=3.0,
        ge=1,
        description="How many times a Poisson count's variance the row count varies by",
    )
    severity: Severity = "critical"


class UnknownCodesCheck(BaseModel):
    """At most `max_share` of a column's values are unknown: one of `codes` (placeholders such
    as "Not known"), or not in `known` (the partnership's list of codes it understands)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    column: str
    codes: tuple[str, ...] = ()
    known: tuple[str, ...] = ()
    max_share: float = Share
    severity: Severity = "warning"

    @model_validator(mode="after")
    def _one_list(self) -> UnknownCodesCheck:
        if bool(self.codes) == bool(self.known):
            raise ValueError(f"unknown_codes on {self.column!r}: give either codes or known")
        return self


class NullRateCheck(BaseModel):
    """The share of empty values must not rise by more than `max_increase` over the mean
    share of the last deliveries."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    column: str
    max_increase: float = Field(default=0.1, gt=0, le=1)
    severity: Severity = "warning"


class DistributionCheck(BaseModel):
    """A categorical column's value shares must stay close to those of the last deliveries
    (Kullback-Leibler divergence at most `max_divergence`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    column: str
    max_divergence: float = Field(default=0.5, gt=0)
    severity: Severity = "warning"


class Checks(BaseModel):
    """Batch plausibility that row validation cannot see, run by Great Expectations on each
    load batch (src/svdw/batch_checks.py builds the suite). Without a `checks:` block a contract
    still gets the row count check and a future-date check on each date/datetime/month column."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: tuple[str, ...] = Field(default=(), description="Columns unique within one delivery")
    key_severity: Severity = "critical"
    row_count: RowCountCheck | None = RowCountCheck()
    future_dates_allowed: tuple[str, ...] = Field(
        default=(), description="Date columns that may hold future dates (e.g. a target date)"
    )
    future_dates_severity: Severity = "critical"
    unknown_codes: tuple[UnknownCodesCheck, ...] = ()
    null_rate: tuple[NullRateCheck, ...] = ()
    distribution: tuple[DistributionCheck, ...] = ()
    previous_deliveries: int = Field(
        default=3, ge=1, description="Deliveries the null-rate and distribution checks compare with"
    )
    same_file_name: bool = Field(
        default=False,
        description=(
            "Compare a delivery only with earlier deliveries whose file name is the same once its"
            " digits are removed (police.uk publishes one file per force and month: a small"
            " force's month is compared with that force's earlier months, not a large force's)"
        ),
    )

    @property
    def columns(self) -> list[str]:
        """Every column the checks name."""
        return [
            *self.key,
            *self.future_dates_allowed,
            *(c.column for c in self.unknown_codes),
            *(c.column for c in self.null_rate),
            *(c.column for c in self.distribution),
        ]


class FileNameColumn(BaseModel):
    """A value the publisher puts in the file name, not in a column (ONS publishes one sheet per
    mid-year with no year column): the loader stores it on every row of the file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=IDENTIFIER, description="Column name in the raw table")
    type: Literal["text", "integer"] = "text"
    pattern: str = Field(
        description="Regular expression searched in the file name; group 1 is the value"
    )
    description: str = ""

    @model_validator(mode="after")
    def _one_group(self) -> FileNameColumn:
        try:
            groups = re.compile(self.pattern).groups
        except re.error as exc:
            raise ValueError(
                f"file_name_column pattern is not a regular expression: {exc}"
            ) from exc
        if groups < 1:
            raise ValueError("file_name_column pattern needs a group for the value")
        return self

    def value_from(self, file_name: str) -> str | None:
        match = re.search(self.pattern, file_name)
        return match.group(1) if match else None


class ScopeCapture(BaseModel):
    """A replace-scope value that is part of a text column: the one group of `pattern` (a
    PostgreSQL regular expression, `substring(column from pattern)`; empty where it does not
    match). A force's crime extract names the force only in its crime references ("41/..."), and
    a force's re-delivery must replace that force's rows, not every force's of the same dates."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    column: str = Field(pattern=IDENTIFIER, description="Text column the value is taken from")
    pattern: str = Field(description="Regular expression with one group: the value")
    name: str = Field(
        alias="as", pattern=IDENTIFIER, description="What the value is, e.g. force_code"
    )

    @model_validator(mode="after")
    def _one_group(self) -> ScopeCapture:
        try:
            groups = re.compile(self.pattern).groups
        except re.error as exc:
            raise ValueError(
                f"replace_scope {self.name!r}: pattern is not a regular expression: {exc}"
            ) from exc
        if groups != 1:
            raise ValueError(
                f"replace_scope {self.name!r}: pattern needs exactly one group (has {groups})"
            )
        return self


ScopeItem = str | ScopeCapture


class Retention(BaseModel):
    """How long a delivery's file is kept, encrypted, after it was loaded or rejected; then
    `svdw archive purge` (and the daily archive_purge DAG) deletes it (svdw.archive). The rows
    stay in the warehouse, pseudonymised: only the file with its clear identifiers goes. A
    data-sharing agreement may ask for less; a backfill needs the files of the periods it
    reloads, so keep them as long as a period may need reloading."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    archive_days: int = Field(
        default=365,
        ge=1,
        description="Days an archived (loaded) file is kept, counted from its first load",
    )
    rejected_days: int = Field(
        default=30,
        ge=1,
        description=(
            "Days a rejected file is kept in landing/<contract>/rejected/ (time to read why and"
            " ask the partner for a corrected delivery), counted from the rejection"
        ),
    )


class Contract(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=IDENTIFIER)
    title: str
    partner: str = Field(pattern=IDENTIFIER)
    description: str
    table: str = Field(pattern=r"^raw\.[a-z][a-z0-9_]*__[a-z][a-z0-9_]*$")
    cadence: Literal["daily", "weekly", "monthly", "quarterly", "termly", "yearly"]
    file_glob: str = "*.csv"
    format: Literal["csv", "geojson"] = Field(
        default="csv",
        description=(
            "csv: delimited text with a header line; geojson: a FeatureCollection, one row per"
            " feature, columns read from its properties by name and `geometry`"
            " (svdw.geojson_reader)"
        ),
    )
    geometry_types: tuple[str, ...] = Field(
        default=(), description="geojson only: the geometry types a feature may have (empty: any)"
    )
    encoding: str = "utf-8-sig"
    delimiter: str = Field(default=",", min_length=1, max_length=1)
    period_column: str | None = Field(
        description="Column that says which period a row belongs to; null for a snapshot"
    )
    replace_scope: tuple[ScopeItem, ...] = Field(
        description=(
            "Columns (or captured parts of text columns, ScopeCapture) whose values a new"
            " delivery replaces; empty = a full snapshot"
        )
    )
    columns: tuple[Column, ...] = Field(min_length=1)
    checks: Checks = Checks()
    file_name_column: FileNameColumn | None = None
    optional: bool = Field(
        default=False,
        description=(
            "A feed a partnership may never have (e.g. one that needs its own legal basis):"
            " never delivered, it is not overdue"
        ),
    )
    limits: InputLimits = Field(
        default=InputLimits(),
        description="Caps on file size, record and field length (svdw.input_limits)",
    )

    retention: Retention = Retention()

    @model_validator(mode="after")
    def _names_consistent(self) -> Contract:
        names = [c.name for c in self.columns]
        if self.file_name_column:
            names.append(self.file_name_column.name)
        headers = [c.header for c in self.columns]
        for label, values in (("column name", names), ("header", headers)):
            dupes = sorted({v for v in values if values.count(v) > 1})
            if dupes:
                raise ValueError(f"duplicate {label}(s): {', '.join(dupes)}")
        referenced = (
            *self.scope_columns,
            *(c.column for c in self.scope_captures),
            self.period_column,
            *(c.age_at for c in self.columns),
        )
        unknown = [c for c in referenced if c and c not in names]
        if unknown:
            raise ValueError(
                f"replace_scope/period_column/age_at name unknown column(s): {unknown}"
            )
        stored = [name for name, _type in self.stored_columns]
        hashed = {c.name for c in self.columns if c.pseudonymise}
        for capture in self.scope_captures:
            if dict(self.stored_columns)[capture.column] != "text" or capture.column in hashed:
                raise ValueError(
                    f"replace_scope {capture.name!r}: {capture.column!r} must be a text column"
                    " stored as delivered (not pseudonymised)"
                )
        unknown_checked = sorted({c for c in self.checks.columns if c not in stored})
        if unknown_checked:
            raise ValueError(f"checks name unknown column(s): {unknown_checked}")
        types = dict(self.stored_columns)
        not_text = [c.column for c in self.checks.distribution if types[c.column] != "text"]
        if not_text:
            raise ValueError(f"distribution checks need text (categorical) columns: {not_text}")
        geometry = [c for c in self.columns if c.header == "geometry"]
        if self.format == "geojson" and (len(geometry) != 1 or geometry[0].type != "text"):
            raise ValueError("a geojson contract needs one text column with header 'geometry'")
        if self.geometry_types and self.format != "geojson":
            raise ValueError("geometry_types applies to geojson contracts only")
        if sum(c.age_at is not None for c in self.columns) > 1:
            raise ValueError("only one column may derive age_at_event")
        comparable = {
            "date": {c.name for c in self.columns if c.type in DATED_TYPES},
            "number": {c.name for c in self.columns if c.type in NUMERIC_TYPES},
        }
        for column in self.columns:
            for rule, other in column.order_rules:
                kind = "date" if rule.startswith("not_") else "number"
                if other not in comparable[kind]:
                    known = f"a column that is not a {kind}" if other in names else "no column"
                    raise ValueError(
                        f"column {column.name!r}: {rule}: {other!r} is {known} of this contract;"
                        f" {kind} columns: {', '.join(sorted(comparable[kind]))}"
                    )
        return self

    @property
    def scope_columns(self) -> tuple[str, ...]:
        """The replace scope's plain columns."""
        return tuple(item for item in self.replace_scope if isinstance(item, str))

    @property
    def scope_captures(self) -> tuple[ScopeCapture, ...]:
        """The replace scope's values captured from parts of text columns."""
        return tuple(item for item in self.replace_scope if isinstance(item, ScopeCapture))

    @property
    def stored_columns(self) -> list[tuple[str, str]]:
        """(name, SQL type) of the raw table's data columns, after pseudonymisation."""
        stored = [(c.name, c.sql_type) for c in self.columns]
        if any(c.age_at for c in self.columns):
            stored.append(("age_at_event", "integer"))
        if self.file_name_column:
            stored.append((self.file_name_column.name, SQL_TYPES[self.file_name_column.type]))
        return stored

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)

    def accepts_header(self, header: list[str]) -> bool:
        """The file's header is this contract's, in order, where only columns with a `default`
        (added after older deliveries were made) may be missing."""
        return header == [c.header for c in self.columns if c.default is None or c.header in header]

    def field_positions(self, header: list[str]) -> list[int | None]:
        """For each contract column, its field's index in a file with this (accepted) header,
        or None where the file lacks the column and its default stands in."""
        where = {name: index for index, name in enumerate(header)}
        return [where.get(c.header) for c in self.columns]

    @property
    def schema_name(self) -> str:
        return self.table.split(".", 1)[0]

    @property
    def table_name(self) -> str:
        return self.table.split(".", 1)[1]

    @property
    def has_direct_identifiers(self) -> bool:
        return any(c.privacy == "direct_identifier" for c in self.columns)


SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_contract(path: Path) -> Contract:
    try:
        # libyaml's parser when PyYAML has it (the same safe constructor, ten times faster):
        # every Airflow task process reads all the contracts when it parses its DAG file.
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise ContractError(f"{path}: not valid YAML: {exc}") from exc
    except ValueError as exc:  # YAML reads 1900-13-01 as a date, and fails
        raise ContractError(f"{path}: not valid YAML: {exc}") from exc
    try:
        contract = Contract.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top level)'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ContractError(f"{path}: invalid contract: {problems}") from exc
    if contract.name != path.stem:
        raise ContractError(f"{path}: contract name {contract.name!r} must match the file name")
    return contract


def load_contracts(directory: Path | None = None) -> dict[str, Contract]:
    """Every contract in the directory (default: Settings.contracts_dir, $SVDW_CONTRACTS_DIR
    or the package's own contracts), by name."""
    from svdw.config import contracts_dir

    return _read_contracts((directory or contracts_dir()).resolve())


@cache
def _read_contracts(directory: Path) -> dict[str, Contract]:
    """Cached per directory: contracts are read-only data."""
    if not directory.is_dir():
        raise ContractError(f"{directory}: no such contracts directory (SVDW_CONTRACTS_DIR)")
    contracts = [read_contract(p) for p in sorted(directory.glob("*.yml"))]
    return {c.name: c for c in contracts}


def get_contract(name: str) -> Contract:
    contracts = load_contracts()
    if name not in contracts:
        raise ContractError(f"no contract named {name!r}; known: {', '.join(sorted(contracts))}")
    return contracts[name]


def contract_for_headers(headers: list[str]) -> Contract | None:
    """The contract whose headers match (order included; only columns with a default may be
    missing), if exactly one does."""
    matches = [c for c in load_contracts().values() if c.accepts_header(headers)]
    return matches[0] if len(matches) == 1 else None
