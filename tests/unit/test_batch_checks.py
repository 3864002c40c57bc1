"""Contract -> Great Expectations suite (svdw.batch_checks, svdw.gx_project): batch plausibility
only, nothing the loader already enforces row by row."""

from __future__ import annotations

import json
from pathlib import Path
from statistics import NormalDist
from typing import Any

import pytest
from scipy import stats

from svdw.batch_checks import (
    CHANCE_LEVEL,
    MIN_ROWS,
    NOW,
    TODAY,
    ExpectationSpec,
    chance_minimum,
    min_non_null_parameter,
    parameter_names,
    partition_parameter,
    suite_expectations,
)
from svdw.contracts import Contract, load_contracts
from svdw.gx_project import FINGERPRINT_FILE, ensure_project, fingerprint, suites


def contract(columns: list[dict[str, Any]], checks: dict[str, Any] | None = None) -> Contract:
    data: dict[str, Any] = {
        "name": "probation_caseload",
        "title": "Probation caseload",
        "partner": "probation",
        "description": "A test extract.",
        "table": "raw.probation__caseload",
        "cadence": "monthly",
        "period_column": None,
        "replace_scope": [],
        "columns": columns,
    }
    if checks is not None:
        data["checks"] = checks
    return Contract.model_validate(data)


def by_type(specs: list[ExpectationSpec], type_: str) -> list[ExpectationSpec]:
    return [s for s in specs if s.type == type_]


COLUMNS = [
    {"header": "Case", "name": "case_id", "required": True, "pattern": "^C[0-9]+$"},
    {"header": "Start", "name": "start_date", "type": "date", "required": True},
    {"header": "Review", "name": "review_at", "type": "datetime"},
    {"header": "Next", "name": "next_review", "type": "date"},
    {"header": "Month", "name": "month", "type": "month"},
    {"header": "Tier", "name": "tier", "allowed": ["A", "B", "C"]},
    {"header": "Risk", "name": "risk", "type": "integer", "minimum": 0, "maximum": 10},
    {"header": "Born", "name": "birth_year", "type": "date", "privacy": "direct_identifier",
     "pseudonymise": "birth_year"},
    {"header": "LSOA", "name": "lsoa_code"},
]  # fmt: skip


def test_row_rules_of_the_contract_are_not_restated() -> None:
    """required, allowed, pattern and ranges are the loader's: no not_null, in-set, regex or
    between-bounds expectation comes from them."""
    specs = suite_expectations(contract(COLUMNS))
    types = {s.type for s in specs}
    assert "ExpectColumnValuesToNotBeNull" not in types
    assert "ExpectColumnValuesToBeInSet" not in types
    assert "ExpectColumnValuesToMatchRegex" not in types
    between = by_type(specs, "ExpectColumnValuesToBeBetween")
    assert all("min_value" not in s.kwargs for s in between)
    assert {s.column for s in specs} <= {None, "start_date", "review_at", "next_review", "month"}


def test_each_stored_date_column_gets_a_future_date_check() -> None:
    specs = by_type(suite_expectations(contract(COLUMNS)), "ExpectColumnValuesToBeBetween")
    limits = {s.column: s.kwargs["max_value"] for s in specs}
    # A date of birth is stored as a year: not a date any more.
    assert limits == {
        "start_date": {"$PARAMETER": TODAY},
        "review_at": {"$PARAMETER": NOW},
        "next_review": {"$PARAMETER": TODAY},
        "month": {"$PARAMETER": TODAY},
    }
    assert {s.kwargs["severity"] for s in specs} == {"critical"}


def test_a_contract_may_allow_future_dates_in_a_column() -> None:
    specs = suite_expectations(contract(COLUMNS, {"future_dates_allowed": ["next_review"]}))
    assert "next_review" not in {s.column for s in specs}


def test_every_contract_gets_the_row_count_check_unless_it_opts_out() -> None:
    (count,) = by_type(suite_expectations(contract(COLUMNS)), "ExpectTableRowCountToBeBetween")
    assert count.kwargs == {"min_value": {"$PARAMETER": MIN_ROWS}, "severity": "critical"}
    warned = suite_expectations(contract(COLUMNS, {"row_count": {"severity": "warning"}}))
    assert by_type(warned, "ExpectTableRowCountToBeBetween")[0].kwargs["severity"] == "warning"
    none = suite_expectations(contract(COLUMNS, {"row_count": None}))
    assert not by_type(none, "ExpectTableRowCountToBeBetween")


def test_keys_become_uniqueness_within_the_batch() -> None:
    one = suite_expectations(contract(COLUMNS, {"key": ["case_id"]}))
    assert by_type(one, "ExpectColumnValuesToBeUnique")[0].kwargs == {
        "column": "case_id",
        "severity": "critical",
    }
    two = suite_expectations(
        contract(COLUMNS, {"key": ["case_id", "start_date"], "key_severity": "warning"})
    )
    (compound,) = by_type(two, "ExpectCompoundColumnsToBeUnique")
    assert compound.kwargs == {"column_list": ["case_id", "start_date"], "severity": "warning"}


def test_unknown_codes_are_a_share_of_the_batch() -> None:
    specs = suite_expectations(
        contract(
            COLUMNS,
            {
                "unknown_codes": [
                    {"column": "lsoa_code", "codes": ["Z99"], "max_share": 0.2},
                    {"column": "tier", "known": ["A", "B"], "max_share": 0, "severity": "critical"},
                ]
            },
        )
    )
    (placeholder,) = by_type(specs, "ExpectColumnValuesToNotBeInSet")
    assert placeholder.kwargs == {
        "column": "lsoa_code",
        "value_set": ["Z99"],
        "mostly": 0.8,
        "severity": "warning",
    }
    (known,) = by_type(specs, "ExpectColumnValuesToBeInSet")
    assert known.kwargs == {"column": "tier", "value_set": ["A", "B"], "severity": "critical"}


def test_null_rate_and_distribution_shifts_take_their_limits_from_suite_parameters() -> None:
    specs = suite_expectations(
        contract(
            COLUMNS,
            {"null_rate": [{"column": "lsoa_code"}], "distribution": [{"column": "tier"}]},
        )
    )
    (nulls,) = by_type(specs, "ExpectColumnProportionOfNonNullValuesToBeBetween")
    assert nulls.kwargs["min_value"] == {"$PARAMETER": min_non_null_parameter("lsoa_code")}
    (shift,) = by_type(specs, "ExpectColumnKLDivergenceToBeLessThan")
    assert shift.kwargs["partition_object"] == {"$PARAMETER": partition_parameter("tier")}
    assert shift.kwargs["threshold"] == 0.5
    assert parameter_names(specs) == {
        MIN_ROWS,
        TODAY,
        NOW,
        min_non_null_parameter("lsoa_code"),
        partition_parameter("tier"),
    }


@pytest.mark.parametrize(
    "checks, message",
    [
        ({"key": ["nope"]}, "unknown column"),
        ({"distribution": [{"column": "risk"}]}, "text"),
        ({"unknown_codes": [{"column": "tier", "max_share": 0.1}]}, "either codes or known"),
        ({"unknown_codes": [{"column": "tier", "codes": ["X"], "max_share": 1}]}, "less than 1"),
    ],
)
def test_malformed_checks_are_refused(checks: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        contract(COLUMNS, checks)


def test_every_generated_expectation_is_a_valid_gx_expectation() -> None:
    """GX's own models accept every spec of every contract (imports GX: a few seconds)."""
    from great_expectations import expectations as gxe

    for table, specs in suites().items():
        for spec in specs:
            getattr(gxe, spec.type)(**spec.kwargs)
        assert specs, f"{table} has no batch checks"


def test_the_project_fingerprint_follows_the_checks() -> None:
    contracts = load_contracts()
    before = fingerprint(suites(contracts))
    police = contracts["police_force_crimes"]
    changed = police.model_copy(update={"checks": police.checks.model_copy(update={"key": ()})})
    assert fingerprint(suites({**contracts, police.name: changed})) != before
    assert fingerprint(suites(contracts)) == before


def test_the_project_is_generated_without_a_secret_and_rebuilt_only_on_change(
    tmp_path: Path,
) -> None:
    probation = contract(COLUMNS, {"key": ["case_id"]})
    table_suites = suites({probation.name: probation})
    gx_dir = ensure_project(tmp_path, table_suites)
    config = (gx_dir / "great_expectations.yml").read_text()
    assert "connection_string: ${WAREHOUSE_URL}" in config and "postgresql://" not in config
    assert (gx_dir / "checkpoints" / "raw.probation__caseload.json").is_file()
    suite = json.loads((gx_dir / "expectations" / "raw" / "probation__caseload.json").read_text())
    assert "expect_column_values_to_be_unique" in {e["type"] for e in suite["expectations"]}

    stamp = (gx_dir / FINGERPRINT_FILE).stat().st_mtime_ns
    assert ensure_project(tmp_path, table_suites) == gx_dir
    assert (gx_dir / FINGERPRINT_FILE).stat().st_mtime_ns == stamp  # up to date: untouched
    unkeyed = contract(COLUMNS)
    ensure_project(tmp_path, suites({unkeyed.name: unkeyed}))
    suite = json.loads((gx_dir / "expectations" / "raw" / "probation__caseload.json").read_text())
    assert "expect_column_values_to_be_unique" not in {e["type"] for e in suite["expectations"]}
    assert sorted(p.name for p in tmp_path.iterdir()) == [".gx.lock", "gx"]  # no leftovers


@pytest.mark.parametrize("mean", [50, 100, 300, 1000, 5000])
def test_the_chance_minimum_is_the_poisson_lower_limit_at_dispersion_1(mean: int) -> None:
    """At dispersion 1 the limit is the 0.1% quantile of a Poisson count (scipy's exact one),
    to within the normal approximation's error."""
    exact = float(stats.poisson.ppf(CHANCE_LEVEL, mean))
    assert abs(chance_minimum(mean, 1.0) - exact) <= 0.02 * mean + 2


def test_the_chance_minimum_widens_with_dispersion_and_only_binds_small_sources() -> None:
    # Spiegelhalter's over-dispersed limit: the Poisson SD times sqrt(dispersion).
    assert chance_minimum(100, 4.0) == pytest.approx(100 - 2 * NormalDist().inv_cdf(0.999) * 10)
    assert chance_minimum(29, 3.0) < 1  # ten rows after 29 is chance: only an empty file fails
    assert chance_minimum(10_000, 3.0) > 0.5 * 10_000  # a halving of a large source is not
