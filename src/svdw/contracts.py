"""Data contracts: one YAML file per partner extract, validated against a schema on load.

A contract says what a partner's file looks like (headers exactly as published, types, rules),
which raw table it lands in, and which earlier rows a new delivery replaces.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

CONTRACTS_DIR = Path(__file__).resolve().parent / "contracts"
IDENTIFIER = r"^[a-z][a-z0-9_]*$"

ColumnType = Literal["text", "integer", "decimal", "month", "date", "datetime", "time", "boolean"]
# How a direct identifier is replaced at load, before any row reaches a table:
#   hmac: keyed hash (HMAC-SHA256, key SVD_PSEUDONYM_KEY) of the normalised value; the same
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


class ContractError(ValueError):
    """A contract file is malformed; the message names the file and the problem."""


class Column(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    header: str = Field(min_length=1, description="Column header exactly as the partner sends it")
    name: str = Field(pattern=IDENTIFIER, description="Column name in the raw table")
    type: ColumnType = "text"
    required: bool = False
    pattern: str | None = None
    allowed: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    privacy: Literal["none", "quasi_identifier", "direct_identifier"] = "none"
    pseudonymise: Pseudonymise | None = None
    age_at: str | None = Field(
        default=None, description="birth_year only: date column to compute age_at_event from"
    )
    format: str | None = Field(
        default=None, description="strptime format for date/datetime/time when not ISO 8601"
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
        return self

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


class Contract(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=IDENTIFIER)
    title: str
    partner: str = Field(pattern=IDENTIFIER)
    description: str
    table: str = Field(pattern=r"^raw\.[a-z][a-z0-9_]*__[a-z][a-z0-9_]*$")
    cadence: Literal["daily", "weekly", "monthly", "quarterly", "termly", "yearly"]
    file_glob: str = "*.csv"
    encoding: str = "utf-8-sig"
    delimiter: str = Field(default=",", min_length=1, max_length=1)
    period_column: str | None = Field(
        description="Column that says which period a row belongs to; null for a snapshot"
    )
    replace_scope: tuple[str, ...] = Field(
        description="Columns whose values a new delivery replaces; empty = a full snapshot"
    )
    columns: tuple[Column, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _names_consistent(self) -> Contract:
        names = [c.name for c in self.columns]
        headers = [c.header for c in self.columns]
        for label, values in (("column name", names), ("header", headers)):
            dupes = sorted({v for v in values if values.count(v) > 1})
            if dupes:
                raise ValueError(f"duplicate {label}(s): {', '.join(dupes)}")
        referenced = (*self.replace_scope, self.period_column, *(c.age_at for c in self.columns))
        unknown = [c for c in referenced if c and c not in names]
        if unknown:
            raise ValueError(
                f"replace_scope/period_column/age_at name unknown column(s): {unknown}"
            )
        if sum(c.age_at is not None for c in self.columns) > 1:
            raise ValueError("only one column may derive age_at_event")
        return self

    @property
    def stored_columns(self) -> list[tuple[str, str]]:
        """(name, SQL type) of the raw table's data columns, after pseudonymisation."""
        stored = [(c.name, c.sql_type) for c in self.columns]
        if any(c.age_at for c in self.columns):
            stored.append(("age_at_event", "integer"))
        return stored

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)

    @property
    def schema_name(self) -> str:
        return self.table.split(".", 1)[0]

    @property
    def table_name(self) -> str:
        return self.table.split(".", 1)[1]

    @property
    def has_direct_identifiers(self) -> bool:
        return any(c.privacy == "direct_identifier" for c in self.columns)


def read_contract(path: Path) -> Contract:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
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
    from svdw.config import Settings

    return _read_contracts((directory or Settings.from_env().contracts_dir).resolve())


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
    """The contract whose headers match exactly (order included), if exactly one does."""
    matches = [c for c in load_contracts().values() if list(c.headers) == headers]
    return matches[0] if len(matches) == 1 else None
