"""The partner page shows every rule the loader enforces on a date and every check made on a
delivery, in words a partner reads."""

from __future__ import annotations

from svdw.contract_docs import render
from svdw.contracts import Contract, load_contracts


def _row(page: str, header: str) -> str:
    return next(
        line for line in page.splitlines() if line.startswith("| ") and f" {header} |" in line
    )


def test_date_bounds_and_order_are_on_the_page() -> None:
    page = render(load_contracts()["youth_justice_offences_outcomes"])
    born = _row(page, "Date of Birth")
    assert "not before 1900-01-01" in born and "not after the day of loading" in born
    assert "not after 'Offence Date' of the row" in born
    assert "not before 'Offence Date' of the row" in _row(page, "Outcome Date")


def test_the_checks_block_is_on_the_page_in_words() -> None:
    page = render(load_contracts()["youth_justice_offences_outcomes"])
    checks = page.split("## Checks on each delivery", 1)[1]
    assert "at least 50% of the mean number of rows of your last 3 deliveries" in checks
    assert "'Offence ID' is unique within a delivery (critical" in checks
    assert "**No dates in the future:** 'Offence Date', 'Outcome Date'" in checks
    assert "at most 30% of the values are placeholders (`Not known`) (warning" in checks
    assert "**Mix of values in 'Outcome Tier':**" in checks


def test_a_null_rate_check_and_a_known_list_read_as_limits() -> None:
    checks = render(load_contracts()["police_uk_outcomes"]).split("## Checks", 1)[1]
    assert "no value is outside the partnership's list of known values (`Action to be" in checks
    assert "rises by at most 10 percentage points over its mean in your last 3" in checks


def test_a_sender_compared_with_its_own_files_is_told_to_keep_the_name() -> None:
    contracts = load_contracts()
    force = render(contracts["police_force_crimes"]).split("## Checks", 1)[1]
    assert "compared with your earlier files of the same name" in force
    youth = render(contracts["youth_justice_offences_outcomes"]).split("## Checks", 1)[1]
    assert "**Your deliveries:**" not in youth


def test_a_column_bounded_by_today_has_no_future_date_check() -> None:
    # One home for each rule: the loader's `maximum: today` makes the batch check redundant.
    contract = Contract.model_validate(
        {
            "name": "events", "title": "t", "partner": "p", "description": "d",
            "table": "raw.p__events", "cadence": "monthly", "period_column": None,
            "replace_scope": [],
            "columns": [
                {"header": "Bounded", "name": "bounded", "type": "date", "maximum": "today"},
                {"header": "Open", "name": "open", "type": "date"},
            ],
        }
    )  # fmt: skip
    page = render(contract)
    assert "**No dates in the future:** 'Open' (critical" in page
    assert "not after the day of loading" in _row(page, "Bounded")


def test_an_optional_feed_says_so() -> None:
    assert "**Optional:**" in render(load_contracts()["health_ed_attendances_identifiable"])
    assert "**Optional:**" not in render(load_contracts()["health_ed_assault_attendances"])
