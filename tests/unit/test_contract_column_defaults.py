"""Columns added to a contract after its first deliveries (`default:`): an older file without
them is still read as the contract, with the default in their place; any other missing column
still rejects the file."""

from __future__ import annotations

from svdw.contracts import get_contract
from svdw.loader import _defaults_filler, header_problem

FLAGS = ["County Lines Flag", "CCE Flag", "CSE Flag", "Cuckooing Flag"]


def test_force_extract_without_exploitation_flags_is_accepted() -> None:
    contract = get_contract("police_force_crimes")
    headers = list(contract.headers)
    older = [h for h in headers if h not in FLAGS]
    assert headers[-4:] == FLAGS
    assert contract.accepts_header(headers)
    assert contract.accepts_header(older)
    assert header_problem(older, contract) is None
    assert contract.accepts_header([*older, "County Lines Flag"])  # part of them, in order


def test_a_column_without_default_is_still_required_in_the_header() -> None:
    contract = get_contract("police_force_crimes")
    without_drug_flag = [h for h in contract.headers if h != "Drug Flag"]
    assert not contract.accepts_header(without_drug_flag)
    problem = header_problem(without_drug_flag, contract)
    assert problem is not None and "Drug Flag" in problem and "County Lines" not in problem


def test_defaulted_columns_out_of_order_are_refused() -> None:
    contract = get_contract("police_force_crimes")
    base = [h for h in contract.headers if h not in FLAGS]
    assert not contract.accepts_header([*base, "CSE Flag", "County Lines Flag"])


def test_an_older_record_gets_the_defaults_in_contract_order() -> None:
    contract = get_contract("police_force_crimes")
    older = [h for h in contract.headers if h not in ("CCE Flag", "Cuckooing Flag")]
    fill = _defaults_filler(contract, older)
    assert fill is not None
    record = [f"v{i}" for i in range(len(older))]
    filled = fill(record)
    assert len(filled) == len(contract.columns)
    by_header = dict(zip(contract.headers, filled, strict=True))
    assert by_header["County Lines Flag"] == record[older.index("County Lines Flag")]
    assert by_header["CCE Flag"] == "" and by_header["Cuckooing Flag"] == ""
    assert by_header["Crime Reference"] == "v0"


def test_a_complete_header_needs_no_filling() -> None:
    contract = get_contract("police_force_crimes")
    assert _defaults_filler(contract, list(contract.headers)) is None
