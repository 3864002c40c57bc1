from datetime import date
from pathlib import Path

import pytest

from svdw.contracts import CONTRACTS_DIR, ContractError, load_contracts, read_contract

CONTRACT_FILES = sorted(CONTRACTS_DIR.glob("*.yml"))


@pytest.mark.parametrize("path", CONTRACT_FILES, ids=lambda p: p.stem)
def test_every_contract_file_is_valid(path: Path) -> None:
    contract = read_contract(path)
    assert contract.name == path.stem
    assert contract.table.startswith("raw.")
    assert all(column.description for column in contract.columns), "document every column"


def test_contracts_have_distinct_headers_and_tables() -> None:
    contracts = list(load_contracts().values())
    assert len({c.headers for c in contracts}) == len(contracts)
    assert len({c.table for c in contracts}) == len(contracts)


def test_police_contract_has_the_twelve_published_columns() -> None:
    police = load_contracts()["police_uk_street"]
    assert police.headers == (
        "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
        "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context",
    )  # fmt: skip


def test_a_broken_contract_names_its_file_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "broken.yml"
    bad.write_text(
        "name: broken\ntitle: t\npartner: police\ndescription: d\ntable: raw.police__x\n"
        "cadence: fortnightly\nperiod_column: null\nreplace_scope: []\n"
        "columns: [{header: A, name: a}]\n"
    )
    with pytest.raises(ContractError, match=r"broken\.yml.*cadence"):
        read_contract(bad)


def test_replace_scope_must_name_a_column(tmp_path: Path) -> None:
    bad = tmp_path / "scoped.yml"
    bad.write_text(
        "name: scoped\ntitle: t\npartner: police\ndescription: d\ntable: raw.police__x\n"
        "cadence: monthly\nperiod_column: null\nreplace_scope: [month]\n"
        "columns: [{header: A, name: a}]\n"
    )
    with pytest.raises(ContractError, match="unknown column"):
        read_contract(bad)


def _captured(tmp_path: Path, capture: str, columns: str) -> Path:
    path = tmp_path / "captured.yml"
    path.write_text(
        "name: captured\ntitle: t\npartner: police\ndescription: d\ntable: raw.police__x\n"
        f"cadence: monthly\nperiod_column: null\nreplace_scope: [a, {capture}]\n"
        f"columns: [{{header: A, name: a}}, {columns}]\n"
    )
    return path


REFERENCE = "{header: Ref, name: ref, required: true}"


def test_a_scope_capture_reads_the_group_of_its_pattern_from_a_named_column(
    tmp_path: Path,
) -> None:
    contract = read_contract(
        _captured(tmp_path, '{column: ref, pattern: "^([0-9]{2})/", as: force_code}', REFERENCE)
    )
    assert contract.scope_columns == ("a",)
    (capture,) = contract.scope_captures
    assert (capture.column, capture.pattern, capture.name) == ("ref", "^([0-9]{2})/", "force_code")


@pytest.mark.parametrize(
    ("capture", "columns", "problem"),
    [
        ('{column: ref, pattern: "^[0-9]{2}/", as: f}', REFERENCE, "exactly one group"),
        ('{column: ref, pattern: "^(.)(.)", as: f}', REFERENCE, "exactly one group"),
        ('{column: ref, pattern: "^([0-9]{2}", as: f}', REFERENCE, "not a regular expression"),
        ('{column: other, pattern: "(.)", as: f}', REFERENCE, "unknown column"),
        ('{column: ref, pattern: "(.)", as: f}', "{header: Ref, name: ref, type: integer}", "text"),
        (
            '{column: ref, pattern: "(.)", as: f}',
            "{header: Ref, name: ref, pseudonymise: hmac, privacy: direct_identifier}",
            "not pseudonymised",
        ),
    ],
)
def test_a_scope_capture_needs_one_group_and_a_text_column_stored_as_delivered(
    tmp_path: Path, capture: str, columns: str, problem: str
) -> None:
    with pytest.raises(ContractError, match=problem):
        read_contract(_captured(tmp_path, capture, columns))


@pytest.mark.parametrize("path", CONTRACT_FILES, ids=lambda p: p.stem)
def test_partner_docs_are_generated_from_the_contract(path: Path) -> None:
    from svdw.config import REPO_DIR
    from svdw.contract_docs import render

    page = REPO_DIR / "docs" / "partners" / f"{path.stem}.md"
    assert page.exists(), "run `svdw contracts --docs docs/partners`"
    assert page.read_text() == render(read_contract(path)), (
        "run `svdw contracts --docs docs/partners`"
    )


def _dated(tmp_path: Path, columns: str) -> Path:
    path = tmp_path / "dated.yml"
    path.write_text(
        "name: dated\ntitle: t\npartner: youth_justice\ndescription: d\n"
        "table: raw.youth_justice__dated\ncadence: monthly\nperiod_column: null\n"
        f"replace_scope: []\ncolumns:\n{columns}"
    )
    return path


OFFENCE = "  - {header: Offence Date, name: offence_date, type: date}\n"


def test_not_before_must_name_a_column_of_the_contract(tmp_path: Path) -> None:
    bad = _dated(
        tmp_path,
        OFFENCE + "  - {header: Outcome Date, name: outcome_date, type: date,"
        " not_before: offence_dat}\n",
    )
    with pytest.raises(
        ContractError,
        match=r"dated\.yml.*column 'outcome_date': not_before: 'offence_dat' is no column of"
        r" this contract; date columns: offence_date, outcome_date",
    ):
        read_contract(bad)


def test_not_after_must_name_a_date_column(tmp_path: Path) -> None:
    bad = _dated(
        tmp_path,
        OFFENCE + "  - {header: Outcome, name: outcome, type: text}\n"
        "  - {header: Born, name: born, type: date, not_after: outcome}\n",
    )
    with pytest.raises(ContractError, match="'outcome' is a column that is not a date"):
        read_contract(bad)


@pytest.mark.parametrize(
    ("column", "problem"),
    [
        (
            "{header: A, name: a, type: integer, maximum: today}",
            "of this integer column must be a number",
        ),
        ("{header: A, name: a, type: date, maximum: 120}", "is an ISO date"),
        ("{header: A, name: a, type: date, minimum: 1900-13-01}", "month must be in 1..12"),
        ("{header: A, name: a, type: date, maximum: tomorrow}", "maximum"),
        ("{header: A, name: a, type: text, not_before: offence_date}", "are for date columns"),
        ("{header: A, name: a, type: date, minimum: 2025-01-01, maximum: 2024-01-01}", "after"),
    ],
)
def test_bounds_must_fit_the_column_type(tmp_path: Path, column: str, problem: str) -> None:
    with pytest.raises(ContractError, match=problem):
        read_contract(_dated(tmp_path, OFFENCE + f"  - {column}\n"))


def test_date_bounds_read_from_yaml(tmp_path: Path) -> None:
    contract = read_contract(
        _dated(
            tmp_path,
            OFFENCE + "  - {header: Born, name: born, type: date, minimum: 1900-01-01,"
            " maximum: today, not_after: offence_date}\n",
        )
    )
    born = contract.columns[1]
    assert (born.minimum, born.maximum, born.not_after) == (
        date(1900, 1, 1),
        "today",
        "offence_date",
    )
    assert contract.optional is False


def test_only_the_identifiable_ed_feed_is_optional() -> None:
    # A partnership may never have it (its own legal basis); every other feed is expected.
    assert [c.name for c in load_contracts().values() if c.optional] == [
        "health_ed_attendances_identifiable"
    ]


def test_at_least_must_name_a_number_column(tmp_path: Path) -> None:
    bad = _dated(
        tmp_path,
        OFFENCE + "  - {header: Age, name: age, type: integer, at_least: offence_date}\n",
    )
    with pytest.raises(
        ContractError, match="at_least: 'offence_date' is a column that is not a number"
    ):
        read_contract(bad)


def test_contracts_are_read_from_the_directory_the_environment_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "probation_caseload.yml").write_text(
        "name: probation_caseload\ntitle: t\npartner: probation\ndescription: d\n"
        "table: raw.probation__caseload\ncadence: monthly\nperiod_column: null\n"
        "replace_scope: []\ncolumns: [{header: A, name: a}]\n"
    )
    monkeypatch.setenv("SVDW_CONTRACTS_DIR", str(tmp_path))
    assert list(load_contracts()) == ["probation_caseload"]
    monkeypatch.delenv("SVDW_CONTRACTS_DIR")
    assert "police_uk_street" in load_contracts()
