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

ColumnType = Literal["text", "integer", "decimal", "month", "date"]
SQL_TYPES: dict[str, str] = {
    "text": "text",
    "integer": "bigint",
    "decimal": "numeric",
    "month": "date",
    "date": "date",
}


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
    description: str = ""

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
    period_column: str | None = None
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
        unknown = [c for c in (*self.replace_scope, self.period_column) if c and c not in names]
        if unknown:
            raise ValueError(f"replace_scope/period_column name unknown column(s): {unknown}")
        return self

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


@cache
def load_contracts(directory: Path = CONTRACTS_DIR) -> dict[str, Contract]:
    """Every contract in the directory, by name (cached: contracts are read-only data)."""
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
