"""The official code lists (dbt/seeds/code_lists/): the names the Home Office Counting Rules give
the codes the definitions rest on, and the loader quarantining a force offence code that is not
in the list."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from svdw.contracts import code_list_path, get_contract
from svdw.validation import RowValidator

# As written in the Home Office Counting Rules for Recorded Crime (Violence against the Person
# and Possession of Weapons, April 2018 onwards: classification pages and the subgroup indexes).
COUNTING_RULES_NAMES = {
    "1/1": "Murder - of persons aged 1 year or over",
    "1/2": "Murder - of persons under 1 year of age",
    "2": "Attempted murder",
    "3A": "Conspiracy to murder",
    "3B": "Threats to kill",
    "4/1": "Manslaughter",
    "4/2": "Infanticide",
    "4/10": "Corporate manslaughter",
    "10A": "Possession of firearms with intent",
    "10C": "Possession of other weapons",
    "10D": "Possession of article with blade or point",
}
# Homicide as the Home Office counts it (Counting Rules, Homicide subgroup).
HOMICIDE = {"1/1", "1/2", "4/1", "4/2", "4/10"}
# ONS/Home Office offences involving a knife or sharp instrument: homicide, attempted murder,
# threats to kill, assault with injury and with intent to cause serious harm, robbery, rape and
# sexual assault.
KNIFE_SELECTED = HOMICIDE | {
    "2", "3B", "5D", "8N", "8P", "8S", "34A", "34B",
    "19C", "19D", "19E", "19F", "19G", "19H", "17A", "17B", "20A", "20B",
}  # fmt: skip


def _rows(name: str) -> list[dict[str, str]]:
    with code_list_path(name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_codes_the_definitions_name_carry_their_counting_rules_names() -> None:
    rows = _rows("home_office_offence_classifications")
    names = {row["code"]: row["offence_name"] for row in rows}
    for code, official in COUNTING_RULES_NAMES.items():
        assert code in names, f"{code} missing from the official list"
        assert names[code].casefold() == official.casefold(), f"{code} is {official!r}"


def test_the_measures_count_the_official_codes() -> None:
    codes: dict[str, set[str]] = {}
    for row in _rows("home_office_measure_codes"):
        codes.setdefault(row["measure"], set()).add(row["code"])
    assert codes["homicide"] == HOMICIDE
    assert codes["knife_enabled_serious_violence"] == KNIFE_SELECTED
    assert codes["blade_or_point_possession"] == {"10D"}
    assert codes["sharp_object_admissions"] == {"X99"}


def test_every_icd10_assault_code_is_in_x85_to_y09() -> None:
    codes = [row["code"] for row in _rows("icd10_assault_codes")]
    expected = [f"X{n}" for n in range(85, 100)] + [f"Y0{n}" for n in range(10)]
    assert codes == expected


def _force_row(code: str) -> list[str]:
    return [
        "41/0912345/25", "03/05/2025", "02/05/2025 23:10", code, "Assault with injury",
        "Violence and sexual offences", "E01023316", "N", "N", "N", "Y", "N",
        "NOM123", "01/02/1999", "M", "", "", "", "",
        "", "", "", "",  # exploitation flags: not recorded
    ]  # fmt: skip


@pytest.fixture(scope="module")
def force_crimes() -> RowValidator:
    return RowValidator(get_contract("police_force_crimes"))


@pytest.mark.parametrize("code", ["8N", "4/10", "10D", "105A", " 8n"])
def test_an_official_offence_code_is_loaded(force_crimes: RowValidator, code: str) -> None:
    values, reason = force_crimes.validate(_force_row(code))
    assert reason is None and values is not None


@pytest.mark.parametrize("code", ["99Z", "1", "10", "3"])
def test_an_unknown_offence_code_is_quarantined_naming_it(
    force_crimes: RowValidator, code: str
) -> None:
    values, reason = force_crimes.validate(_force_row(code))
    assert values is None
    assert reason == (
        "field 'HO Offence Code': code not in the official code list"
        f" home_office_offence_classifications (got {code!r})"
    )


def test_the_contract_and_dbt_read_the_same_file() -> None:
    source = get_contract("police_force_crimes").columns[3].allowed_from
    assert source is not None
    seeds = Path(__file__).resolve().parents[2] / "dbt" / "seeds"
    assert source.path == seeds / "code_lists" / "home_office_offence_classifications.csv"


def test_the_generator_writes_only_official_codes_with_their_official_names() -> None:
    from svdw.synthetic.incidents import OFFENCES

    rows = _rows("home_office_offence_classifications")
    official = {row["code"]: (row["offence_name"], row["police_uk_crime_type"]) for row in rows}
    for offence in OFFENCES:
        assert official.get(offence.code) == (offence.description, offence.police_uk), offence.code
