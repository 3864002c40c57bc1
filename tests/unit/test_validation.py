from datetime import date
from decimal import Decimal

import pytest

from svdw.contracts import Contract, get_contract
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


# Date rules: bounds (an ISO date, or `today`, the load day) and the order of two dates of a row.
LOAD_DAY = date(2025, 6, 30)


def dated_contract(**rules: object) -> Contract:
    """A contract with an offence date (date and time), an outcome date and a date of birth,
    each with the rules given as `<column>__<rule>=value`."""
    columns: dict[str, dict[str, object]] = {
        "offence_at": {"header": "Offence Date", "type": "datetime", "format": "%d/%m/%Y %H:%M"},
        "outcome_date": {"header": "Outcome Date", "type": "date", "format": "%d/%m/%Y"},
        "birth_year": {
            "header": "Date of Birth", "type": "date", "format": "%d/%m/%Y",
            "privacy": "direct_identifier", "pseudonymise": "birth_year",
        },
    }  # fmt: skip
    for key, value in rules.items():
        name, rule = key.split("__")
        columns[name][rule] = value
    return Contract.model_validate(
        {
            "name": "dated", "title": "t", "partner": "youth_justice", "description": "d",
            "table": "raw.youth_justice__dated", "cadence": "monthly", "period_column": None,
            "replace_scope": [], "columns": [{"name": n, **c} for n, c in columns.items()],
        }
    )  # fmt: skip


def check(contract: Contract, offence: str, outcome: str, born: str) -> str | None:
    return RowValidator(contract, today=LOAD_DAY).validate([offence, outcome, born])[1]


@pytest.mark.parametrize(
    ("rules", "row", "reason"),
    [
        (
            {"birth_year__minimum": date(1900, 1, 1)},
            ("", "", "31/12/1899"),
            "field 'Date of Birth': before 1900-01-01, the earliest date the contract allows"
            " (value withheld: a direct identifier)",
        ),
        (
            {"birth_year__maximum": "today"},
            ("", "", "01/07/2025"),
            "field 'Date of Birth': after 2025-06-30, the latest date the contract allows"
            " (value withheld: a direct identifier)",
        ),
        (
            {"outcome_date__maximum": "2025-01-31"},
            ("", "01/02/2025", ""),
            "field 'Outcome Date': after 2025-01-31, the latest date the contract allows"
            " (got '01/02/2025')",
        ),
        (
            {"offence_at__maximum": "today"},
            ("01/07/2025 00:05", "", ""),
            "field 'Offence Date': after 2025-06-30, the latest date the contract allows",
        ),
        (
            {"outcome_date__not_before": "offence_at"},
            ("01/02/2024 10:00", "03/01/2024", ""),
            "field 'Outcome Date': 2024-01-03 is before 'Offence Date' 2024-02-01 10:00:00",
        ),
        (
            {"birth_year__not_after": "offence_at"},
            ("01/02/2024 10:00", "", "02/02/2024"),
            "field 'Date of Birth': (withheld) is after 'Offence Date' 2024-02-01 10:00:00",
        ),
    ],
)
def test_a_date_out_of_its_rule_is_named_with_its_values(
    rules: dict[str, object], row: tuple[str, str, str], reason: str
) -> None:
    found = check(dated_contract(**rules), *row)
    assert found is not None and reason in found
    assert check(dated_contract(), *row) is None  # the same row passes without the rule


@pytest.mark.parametrize(
    ("rules", "row"),
    [
        ({"birth_year__minimum": date(1900, 1, 1)}, ("", "", "01/01/1900")),
        ({"birth_year__maximum": "today"}, ("", "", "30/06/2025")),
        ({"offence_at__maximum": "today"}, ("30/06/2025 23:59", "", "")),
        # a datetime is compared by its day: an outcome the same day as the offence is in order
        ({"outcome_date__not_before": "offence_at"}, ("01/02/2024 10:00", "01/02/2024", "")),
        ({"birth_year__not_after": "offence_at"}, ("01/02/2024 10:00", "", "01/02/2024")),
        # an empty optional date has no order to break
        ({"outcome_date__not_before": "offence_at"}, ("", "03/01/2024", "")),
        ({"outcome_date__not_before": "offence_at"}, ("01/02/2024 10:00", "", "")),
    ],
)
def test_a_date_within_its_rule_loads(rules: dict[str, object], row: tuple[str, str, str]) -> None:
    assert check(dated_contract(**rules), *row) is None


def test_today_is_the_load_day_of_the_validator() -> None:
    contract = dated_contract(birth_year__maximum="today")
    row = ["", "", "01/07/2025"]
    assert RowValidator(contract, today=LOAD_DAY).validate(row)[1] is not None
    assert RowValidator(contract, today=date(2025, 7, 1)).validate(row)[1] is None


def test_every_broken_date_order_is_reported() -> None:
    contract = dated_contract(
        outcome_date__not_before="offence_at", birth_year__not_after="outcome_date"
    )
    reason = str(check(contract, "01/02/2024 10:00", "03/01/2024", "04/01/2024"))
    assert "'Outcome Date': 2024-01-03 is before 'Offence Date'" in reason
    assert "'Date of Birth': (withheld) is after 'Outcome Date' 2024-01-03" in reason


def test_contract_dates_of_birth_are_bounded_before_they_become_years() -> None:
    # The declared rule of a real contract, on the date of birth as delivered (the loader
    # coarsens it to a year only after the row passed).
    youth_justice = RowValidator(get_contract("youth_justice_offences_outcomes"), today=LOAD_DAY)
    row = [
        "2024-25 Q1", "C1", "", "", "15/03/1899", "Male", "White", "OFF-000001", "01/05/2024",
        "Assault", "Violence against the person", "3", "N", "20/05/2024", "Youth Caution",
        "Pre-court", "",
    ]  # fmt: skip
    assert "field 'Date of Birth': before 1900-01-01" in str(youth_justice.validate(row)[1])
    row[4] = "15/03/2009"
    assert youth_justice.validate(row)[1] is None
    row[13] = "30/04/2024"
    assert youth_justice.validate(row)[1] == (
        "field 'Outcome Date': 2024-04-30 is before 'Offence Date' 2024-05-01"
    )


@pytest.mark.parametrize(
    ("age_from", "age_to", "reason"),
    [
        ("16", "11", "field 'Age To': 11 is below 'Age From' 16"),
        ("11", "16", None),
        ("11", "11", None),
    ],
)
def test_a_number_may_be_held_at_least_another_of_the_row(
    age_from: str, age_to: str, reason: str | None
) -> None:
    audit = RowValidator(get_contract("provider_provision_audit"))
    row = [
        "31/03/2025", "Org", "Mentoring", "Youth Centre", "AL1 3AB", "Boxing", "Y", "Primary",
        age_from, age_to, "20", "Tue 18:00-20:00",
    ]  # fmt: skip
    assert audit.validate(row)[1] == reason


def test_at_most_is_broken_by_a_greater_value() -> None:
    contract = Contract.model_validate(
        {
            "name": "ranges", "title": "t", "partner": "p", "description": "d",
            "table": "raw.p__ranges", "cadence": "monthly", "period_column": None,
            "replace_scope": [],
            "columns": [
                {"header": "Low", "name": "low", "type": "integer", "at_most": "high"},
                {"header": "High", "name": "high", "type": "decimal"},
            ],
        }
    )  # fmt: skip
    ranges = RowValidator(contract)
    assert ranges.validate(["5", "4.5"])[1] == "field 'Low': 5 is above 'High' 4.5"
    assert ranges.validate(["4", "4.5"])[1] is None
    assert ranges.validate(["5", ""])[1] is None
