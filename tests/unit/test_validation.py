from datetime import date
from decimal import Decimal

import pytest

from svdw.contracts import get_contract
from svdw.validation import RowValidator

GOOD = [
    "", "2018-10", "Hertfordshire Constabulary", "Hertfordshire Constabulary", "-0.2", "51.8",
    "On or near High Street", "E01023316", "Broxbourne 001A", "Anti-social behaviour", "", "",
]  # fmt: skip


@pytest.fixture(scope="module")
def police() -> RowValidator:
    return RowValidator(get_contract("police_uk_street"))


def test_a_published_row_is_typed(police: RowValidator) -> None:
    values, reason = police.validate(GOOD)
    assert reason is None and values is not None
    assert values[1] == date(2018, 10, 1)
    assert values[4] == Decimal("-0.2")
    assert values[0] is None  # empty Crime ID (anti-social behaviour) is allowed


def test_no_location_is_allowed(police: RowValidator) -> None:
    row = [*GOOD]
    row[4:9] = ["", "", "No location", "", ""]
    assert police.validate(row)[1] is None


@pytest.mark.parametrize(
    ("index", "value", "expected"),
    [
        (1, "2018-13", "field 'Month': expected a month as YYYY-MM (got '2018-13')"),
        (1, "", "field 'Month': required value is empty"),
        (9, "Murder", "field 'Crime type': not one of the values the contract allows"),
        (7, "X0102", "field 'LSOA code': String should match pattern"),
        (5, "95.1", "field 'Latitude': Input should be less than or equal to 90"),
        (0, "not-a-hash", "field 'Crime ID': String should match pattern"),
    ],
)
def test_each_rule_names_its_field(
    police: RowValidator, index: int, value: str, expected: str
) -> None:
    row = [*GOOD]
    row[index] = value
    values, reason = police.validate(row)
    assert values is None
    assert reason is not None and expected in reason


def test_wrong_field_count_is_a_row_problem(police: RowValidator) -> None:
    assert police.validate(GOOD[:-1]) == (None, "expected 12 fields, found 11")


def test_text_is_kept_verbatim(police: RowValidator) -> None:
    row = [*GOOD]
    row[6] = '  =HYPERLINK("x");DROP TABLE raw --  '
    values, _ = police.validate(row)
    assert values is not None and values[6] == row[6]


def test_thousands_separators_in_published_counts() -> None:
    population = RowValidator(get_contract("imd_population_denominators"))
    row = [
        "E01023289",
        "Broxbourne 004A",
        "E07000095",
        "Broxbourne",
        "1,514",
        "288",
        "850",
        "376",
        "843",
    ]
    values, reason = population.validate(row)
    assert reason is None and values is not None and values[4] == 1514
    row[4] = "1,5144"
    assert "Total population" in str(population.validate(row)[1])
