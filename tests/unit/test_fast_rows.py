"""The loader's fast path (svdw.fast_rows) decides every field as the row validator does: for
each column of every contract and awkward values, it accepts exactly what the contract's field
type accepts, and writes text PostgreSQL reads as the validator's typed value."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from svdw.contracts import Column, load_contracts
from svdw.fast_rows import NULL, column_converter, copy_line, copy_text
from svdw.validation import _field_type

TODAY = date(2026, 11, 30)
AWKWARD = [
    "", " ", "0", "007", "-0", "+5", "1,514", "1_000", " 12 ", "12.0", "12.", ".5", "1e3", "NaN",
    "inf", "0.5", "-0.2", "-180", "180", "180.000001", "-90.5", "95.1", "1" * 25, "2018-10",
    "0000-10", "2018-1", "2018-13", " 2018-10 ", "\u0663\u0660", "Y", "N", "y", "Yes", "No", "X",
    "01/02/2020", "1/2/2020", "31/02/2020", "29/02/2019", "12:30", "24:00", "2020-01-01",
    "00/01/2020", "01/13/2020", "01/02/0000", "29/02/2024", "31/12/1899", "01/01/1900",
    "31/12/2999", "15/09/2025 19:42", "15/09/2025 24:00", "15/09/2025 7:05", "15/09/2025  19:42",
    "15/09/2025 19:60", "15/09/2025 19:42:00", "15/9/2025 19:42", " 5/09/2025", "09:05", "9:05",
    "23:59", "12:3", "12:30:00",
    "E01023987", "e01023987", "E01023987 ", "W01000001", "Anti-social behaviour",
    "anti-social behaviour", "0" * 64, "c656b990527ef323f85f5b0ed10832599bf4fc2c5e453f7f3c95b60"
    "14e3ea7c0",
    "caf\u00e9", "8N", " 8n", "AL1 1AA", "a@b.cd", "REF-12345", "485 777 3456", "4857773456",
    "20/21", "2020-21 Q1", "mid-2019", "S21.1", "RWH01", "U", "M", "F",
]  # fmt: skip


# What decides a field's validity (order rules and pseudonymisation act on the row).
RULES = {"type", "required", "pattern", "allowed", "allowed_from", "minimum", "maximum", "format"}
RULES |= {"true_values", "false_values"}


def _columns() -> list[Column]:
    """One column of each kind of rule across the contracts (names and descriptions aside)."""
    kinds = {
        column.model_dump_json(include=RULES): column
        for contract in load_contracts().values()
        for column in contract.columns
    }
    return list(kinds.values())


def _same_value(column: Column, text: str, typed: Any) -> bool:
    """Whether PostgreSQL reads `text` as the value psycopg writes for `typed`."""
    if column.type == "integer":
        return int(text) == typed
    if column.type == "decimal":
        return (
            Decimal(text) == typed
            and Decimal(text).as_tuple().exponent == typed.as_tuple().exponent
        )
    return text == copy_text(typed)


@pytest.mark.parametrize("column", _columns(), ids=lambda c: f"{c.name}:{c.type}")
def test_each_field_is_decided_as_the_validator_decides(column: Column) -> None:
    convert, _ = column_converter(column, TODAY)
    exact: TypeAdapter[Any] = TypeAdapter(_field_type(column, TODAY))
    for raw in AWKWARD + list(column.allowed or ()) + list(column.true_values or ()):
        text = convert(raw)
        if not raw.strip():
            assert text == (None if column.required else NULL), raw
            continue
        try:
            typed = exact.validate_python(raw if column.type == "text" else raw.strip())
        except ValidationError:
            assert text is None, f"{column.name} accepted {raw!r}, which the validator rejects"
            continue
        assert text is not None, f"{column.name} sent {raw!r} to the validator, which accepts it"
        assert _same_value(column, text, typed), (column.name, raw, text, typed)


def test_copy_text_writes_what_psycopg_writes() -> None:
    row = (None, True, False, "a\tb\\c\nd", Decimal("0.50"), date(2018, 10, 1), 7)
    assert copy_line(row) == "\\N\tt\tf\ta\\tb\\\\c\\nd\t0.50\t2018-10-01\t7"


POLICE_LINES = [
    ",2018-10,Kent Police,Kent Police,0.964269,51.258117,On or near X,E01023987,Ashford 001B,"
    "Anti-social behaviour,,",
    "c656b990527ef323f85f5b0ed10832599bf4fc2c5e453f7f3c95b6014e3ea7c0,2018-10,Kent Police,"
    "Kent Police,,,No location,,,Drugs,Under investigation,",
]
VARIANTS = [
    (1, "2018-13"), (1, "0000-10"), (1, " 2018-10"), (2, ""), (2, "  "), (4, "180"), (4, "-180.5"),
    (4, "007.50"), (4, "1e1"), (4, " 1"), (5, "90.0000000001"), (5, "-0"), (6, "  "),
    (6, " padded "), (7, "e01023987"), (7, "E01023987 "), (9, "Murder"), (9, "Drugs "),
    (0, "C656B990527EF323F85F5B0ED10832599BF4FC2C5E453F7F3C95B6014E3EA7C0"), (11, "caf\u00e9"),
]  # fmt: skip


def _copy_fields(text: str) -> list[str | None]:
    return [None if field == "" else field for field in text.split("\t")]


@pytest.mark.parametrize("name", ["police_uk_street", "police_uk_outcomes"])
def test_a_line_the_pattern_takes_is_one_the_validator_takes(name: str) -> None:
    from svdw.contracts import get_contract
    from svdw.line_pattern import line_pattern
    from svdw.validation import RowValidator

    contract = get_contract(name)
    pattern = line_pattern(contract, TODAY)
    validator = RowValidator(contract, TODAY)
    assert pattern is not None
    taken = 0
    for base in POLICE_LINES:
        record = base.split(",")[: len(contract.columns)]
        for index, value in [(None, ""), *VARIANTS]:
            fields = [*record]
            if index is not None and index < len(fields):
                fields[index] = value
            text = pattern.copy_text(",".join(fields))
            values, reason = validator.validate(fields)
            if text is None:
                continue
            taken += 1
            assert values is not None, f"the pattern took {fields}, the validator says {reason}"
            for column, written, typed in zip(
                contract.columns, _copy_fields(text), values, strict=True
            ):
                assert (written is None) == (typed is None), (column.name, fields)
                if written is not None:
                    assert _same_value(column, written, typed), (column.name, written, typed)
    assert taken >= 5  # the plain variants do take the fast path


# Contracts whose stored rows differ from their fields only by keyed hashes, birth years and ISO
# dates: their whole-line pattern substitutes those columns (svdw.fast_rows._substitutes).
SUBSTITUTED = {
    "education_attendance": (
        "2025/26,Autumn,W723200016000,213896,9,36,0,1,21/11/2011,M",
        [(2, "w723200016000"), (2, ""), (8, "1/11/2011"), (8, "31/02/2011"), (8, "21/11/1899"),
         (8, "21/11/2099"), (8, "29/02/2012"), (8, ""), (5, "-1"), (9, ""), (5, "200"),
         (5, "201"), (6, "007"), (7, "99999999999999999999")],
    ),
    "provider_sessions_attendance": (
        "S250900003,Kickstart Football Nights,Ivybridge Heath Leisure Centre,03/09/2025,19:00,"
        "618 940 0183,Yes",
        [(5, "6189400183"), (5, ""), (3, "3/09/2025"), (3, "31/09/2025"), (4, "24:00"),
         (4, "9:05"), (4, ""), (6, "No"), (6, "maybe"), (1, "")],
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(SUBSTITUTED))
def test_a_substituted_line_is_what_the_validator_and_pseudonymiser_store(name: str) -> None:
    from svdw.contracts import get_contract
    from svdw.fast_rows import FastRows
    from svdw.line_pattern import PG_FALSE, PG_TRUE
    from svdw.pseudonymise import Pseudonymiser
    from svdw.validation import RowValidator

    contract = get_contract(name)
    pseudonymiser = Pseudonymiser(contract, b"k" * 32, None)
    validator = RowValidator(contract, TODAY)
    fast = FastRows(contract, validator, pseudonymiser)
    assert fast.pattern is not None and fast.null == ""
    base, variants = SUBSTITUTED[name]
    taken = 0
    for index, value in [(None, ""), *variants]:
        fields = base.split(",")
        if index is not None:
            fields[index] = value
        text = fast.pattern.copy_text(",".join(fields))
        values, reason = validator.validate(fields)
        if text is None:
            continue
        taken += 1
        assert values is not None, f"the pattern took {fields}, the validator says {reason}"
        stored = pseudonymiser.apply(values)
        # a flag as the file spells it: PostgreSQL reads "Yes" as true (svdw.line_pattern)
        flags = {v: "t" for v in PG_TRUE} | {v: "f" for v in PG_FALSE}
        for column, field, typed in zip(contract.columns, text.split("\t"), stored, strict=True):
            assert (field == "") == (typed is None), (column.name, fields)
            if column.type == "boolean":
                field = flags.get(field.lower(), field)
            if typed is not None:
                assert _same_value(column, field, typed), (column.name, field, typed)
    assert taken >= 3  # the valid variants do take the fast path
