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


@pytest.mark.parametrize("path", CONTRACT_FILES, ids=lambda p: p.stem)
def test_partner_docs_are_generated_from_the_contract(path: Path) -> None:
    from svdw.config import REPO_DIR
    from svdw.contract_docs import render

    page = REPO_DIR / "docs" / "partners" / f"{path.stem}.md"
    assert page.exists(), "run `svdw contracts --docs docs/partners`"
    assert page.read_text() == render(read_contract(path)), (
        "run `svdw contracts --docs docs/partners`"
    )


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
