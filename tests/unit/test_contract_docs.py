"""The partner page says what the loader accepts: a partner who follows it has no row
quarantined for the form of a date, a flag or an identifier."""

from __future__ import annotations

from svdw.contract_docs import render, written_form
from svdw.contracts import Column, Contract, load_contracts


def _row(page: str, header: str) -> str:
    rows = [line for line in page.splitlines() if line.startswith("| ")]
    return next(line for line in rows if f" {header} |" in line)


def test_a_date_with_a_format_is_documented_in_that_form() -> None:
    page = render(load_contracts()["youth_justice_offences_outcomes"])
    offence_date = _row(page, "Offence Date")
    assert "`DD/MM/YYYY`" in offence_date
    assert "YYYY-MM-DD" not in offence_date


def test_an_iso_date_is_documented_as_iso() -> None:
    page = render(load_contracts()["health_hospital_admissions"])
    assert "date written `YYYY-MM-DD`" in _row(page, "Admission Date")


def test_written_form_spells_each_strptime_directive() -> None:
    assert written_form("%d/%m/%Y %H:%M") == "DD/MM/YYYY HH:MM"
    assert written_form("%Y%m%d") == "YYYYMMDD"


def test_identifiers_are_described_by_what_replaces_them() -> None:
    page = render(load_contracts()["youth_justice_offences_outcomes"])
    assert "keyed hash" in _row(page, "Child ID")
    birth = _row(page, "Date of Birth")
    postcode = _row(page, "Postcode")
    assert "keyed hash" not in birth and "birth year" in birth
    assert "keyed hash" not in postcode and "LSOA" in postcode


def test_a_boolean_lists_the_values_it_accepts() -> None:
    flag = _row(render(load_contracts()["youth_justice_offences_outcomes"]), "Knife/Weapon Flag")
    assert "true as `Y`" in flag and "false as `N`" in flag
    default = Column(header="Flag", name="flag", type="boolean")
    contract = Contract(
        name="flags", title="t", partner="p", description="d", table="raw.p__flags",
        cadence="monthly", period_column=None, replace_scope=(), columns=(default,),
    )  # fmt: skip
    assert "`Yes`" in _row(render(contract), "Flag") and "`No`" in _row(render(contract), "Flag")


def test_one_sided_ranges_read_as_limits() -> None:
    minimum_only = Column(header="Count", name="count", type="integer", minimum=0)
    contract = Contract(
        name="counts", title="t", partner="p", description="d", table="raw.p__counts",
        cadence="monthly", period_column=None, replace_scope=(), columns=(minimum_only,),
    )  # fmt: skip
    assert "integer; at least 0 |" in _row(render(contract), "Count")
