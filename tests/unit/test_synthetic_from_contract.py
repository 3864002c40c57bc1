"""Sample files generated from a contract alone pass that contract: the synthetic data of any
extract without a hand-written writer (a new partner's)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from svdw.contracts import Contract, load_contracts
from svdw.synthetic.from_contract import (
    bounded_repeats,
    sample_file_name,
    sample_from_contract,
    sample_rows,
)
from svdw.validation import RowValidator

CONTRACTS = load_contracts()


@pytest.mark.parametrize("name", sorted(CONTRACTS))
def test_every_sampled_row_passes_its_contract(name: str) -> None:
    contract = CONTRACTS[name]
    validator = RowValidator(contract)
    rows = sample_rows(contract, 300, seed=11)
    reasons = [reason for _, reason in map(validator.validate, rows) if reason]
    assert reasons == []
    # every allowed value and both flag values turn up, and optional fields are sometimes empty
    for index, column in enumerate(contract.columns):
        values = {row[index] for row in rows}
        if column.allowed and len(column.allowed) <= 10:
            assert set(column.allowed) <= values, column.name
        if column.type == "boolean":
            assert {column.true_values[0], column.false_values[0]} <= values, column.name
        if not column.required:
            assert "" in values, column.name


def test_the_same_seed_gives_the_same_rows() -> None:
    contract = CONTRACTS["youth_justice_offences_outcomes"]
    assert sample_rows(contract, 20, seed=3) == sample_rows(contract, 20, seed=3)
    assert sample_rows(contract, 20, seed=3) != sample_rows(contract, 20, seed=4)


def test_the_file_has_the_contracts_header_delimiter_and_encoding(tmp_path: Path) -> None:
    semicolons = Contract.model_validate(
        {
            "name": "probation_caseload", "title": "t", "partner": "probation",
            "description": "d", "table": "raw.probation__caseload", "cadence": "monthly",
            "file_glob": "caseload_??_*.txt", "encoding": "cp1252", "delimiter": ";",
            "period_column": None, "replace_scope": [],
            "columns": [
                {"header": "Case Ref", "name": "case_ref", "required": True,
                 "pattern": "^CRN[0-9]{6}$"},
                {"header": "Start Date", "name": "start_date", "type": "date",
                 "required": True, "format": "%d/%m/%Y"},
                {"header": "Tier", "name": "tier", "type": "integer", "required": True,
                 "minimum": 1, "maximum": 4},
            ],
        }
    )  # fmt: skip
    path = sample_from_contract(semicolons, tmp_path, rows=25, seed=1)
    assert path.parent == tmp_path / "probation_caseload"
    assert path.match(semicolons.file_glob)
    with path.open(encoding="cp1252", newline="") as handle:
        records = list(csv.reader(handle, delimiter=";"))
    assert tuple(records[0]) == semicolons.headers and len(records) == 26
    assert all(re.fullmatch(r"CRN\d{6}", r[0]) for r in records[1:])
    assert all(re.fullmatch(r"\d{2}/\d{2}/\d{4}", r[1]) for r in records[1:])
    validator = RowValidator(semicolons)
    assert all(validator.validate(r)[1] is None for r in records[1:])


def test_a_glob_with_a_set_still_names_a_matching_file() -> None:
    contract = CONTRACTS["police_uk_street"].model_copy(update={"file_glob": "*-[a-z]*.csv"})
    assert Path(sample_file_name(contract)).match("*-[a-z]*.csv")


@pytest.mark.parametrize(
    ("pattern", "bounded"),
    [
        ("^OFF-[0-9]{6,}$", "^OFF-[0-9]{6,12}$"),
        (r"^[^@\s]+@x\.[a-z]*$", r"^[^@\s]{1,7}@x\.[a-z]{0,6}$"),
        (r"^a\+[+*]b+$", r"^a\+[+*]b{1,7}$"),
        ("^[]+]+$", "^[]+]{1,7}$"),
    ],
)
def test_unbounded_repeats_are_bounded(pattern: str, bounded: str) -> None:
    assert bounded_repeats(pattern) == bounded
