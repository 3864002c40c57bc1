"""The batch plausibility checks of a contract, as Great Expectations expectations (pure data).

Row rules (types, required, allowed values, patterns, ranges) are the contract's columns and the
loader enforces them row by row; nothing here restates them. A suite holds only what one row
cannot show, judged on one load batch (a delivery):

- row count: at least `min_share_of_mean` of the mean rows of the partner's previous deliveries,
  or the lower chance limit of a count of that mean where that is lower (small sources)
  (ExpectTableRowCountToBeBetween; the minimum is the suite parameter `min_rows`, computed from
  audit.load_batch at each run, 1 for a first delivery);
- dates in the future: every date, month and datetime column the contract stores, unless named
  in `checks.future_dates_allowed` or bounded row by row with `maximum: today`
  (ExpectColumnValuesToBeBetween up to `today` / `now`);
- duplicate keys within the batch: `checks.key` (ExpectColumnValuesToBeUnique, or
  ExpectCompoundColumnsToBeUnique for several columns);
- share of unknown or default codes: `checks.unknown_codes` (ExpectColumnValuesToNotBeInSet for
  placeholder `codes`, ExpectColumnValuesToBeInSet for a `known` list, with `mostly`);
- null-rate shift: `checks.null_rate` (ExpectColumnProportionOfNonNullValuesToBeBetween, minimum
  from the last deliveries);
- distribution shift: `checks.distribution` (ExpectColumnKLDivergenceToBeLessThan against the
  value shares of the last deliveries).

The history-based values are suite parameters (GX `$PARAMETER`), filled per batch by
svdw.quality; `parameter_names` lists the ones a suite needs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

from svdw.contracts import TODAY as TODAY_BOUND
from svdw.contracts import Column, Contract

TODAY = "today"
NOW = "now"
MIN_ROWS = "min_rows"
# A value the last deliveries never had gets this share of the expected distribution, so a new
# category raises the divergence instead of making it infinite.
TAIL_WEIGHT_HOLDOUT = 0.01
DATE_TYPES = {"date": TODAY, "month": TODAY, "datetime": NOW}


def min_non_null_parameter(column: str) -> str:
    return f"min_non_null_share__{column}"


def partition_parameter(column: str) -> str:
    return f"expected_partition__{column}"


def parameter(name: str) -> dict[str, str]:
    return {"$PARAMETER": name}


@dataclass(frozen=True)
class ExpectationSpec:
    """One expectation: the GX class name (great_expectations.expectations) and its arguments."""

    type: str
    kwargs: dict[str, Any]

    @property
    def column(self) -> str | None:
        column = self.kwargs.get("column")
        return str(column) if column is not None else None


def row_count(contract: Contract) -> list[ExpectationSpec]:
    check = contract.checks.row_count
    if check is None:
        return []
    return [
        ExpectationSpec(
            "ExpectTableRowCountToBeBetween",
            {"min_value": parameter(MIN_ROWS), "severity": check.severity},
        )
    ]


def future_dates(contract: Contract) -> list[ExpectationSpec]:
    """Stored date/month/datetime columns (a date of birth is stored as a year: not one)."""
    return [
        ExpectationSpec(
            "ExpectColumnValuesToBeBetween",
            {
                "column": column.name,
                "max_value": parameter(DATE_TYPES[column.type]),
                "severity": contract.checks.future_dates_severity,
            },
        )
        for column in future_date_columns(contract)
    ]


def future_date_columns(contract: Contract) -> list[Column]:
    """The columns the future-date check covers: stored dates, unless the contract allows them
    future dates or already bounds every row by `maximum: today` (the loader's row rule: one
    home for each rule)."""
    allowed = set(contract.checks.future_dates_allowed)
    return [
        column
        for column in contract.columns
        if column.type in DATE_TYPES
        and column.pseudonymise is None
        and column.name not in allowed
        and column.maximum != TODAY_BOUND
    ]


def duplicate_keys(contract: Contract) -> list[ExpectationSpec]:
    key, severity = contract.checks.key, contract.checks.key_severity
    if not key:
        return []
    if len(key) == 1:
        return [
            ExpectationSpec(
                "ExpectColumnValuesToBeUnique", {"column": key[0], "severity": severity}
            )
        ]
    return [
        ExpectationSpec(
            "ExpectCompoundColumnsToBeUnique", {"column_list": list(key), "severity": severity}
        )
    ]


def unknown_codes(contract: Contract) -> list[ExpectationSpec]:
    specs = []
    for check in contract.checks.unknown_codes:
        kwargs: dict[str, Any] = {"column": check.column, "severity": check.severity}
        if check.max_share > 0:
            kwargs["mostly"] = round(1 - check.max_share, 6)
        if check.codes:
            specs.append(
                ExpectationSpec(
                    "ExpectColumnValuesToNotBeInSet", {**kwargs, "value_set": list(check.codes)}
                )
            )
        else:
            specs.append(
                ExpectationSpec(
                    "ExpectColumnValuesToBeInSet", {**kwargs, "value_set": list(check.known)}
                )
            )
    return specs


def null_rates(contract: Contract) -> list[ExpectationSpec]:
    return [
        ExpectationSpec(
            "ExpectColumnProportionOfNonNullValuesToBeBetween",
            {
                "column": check.column,
                "min_value": parameter(min_non_null_parameter(check.column)),
                "severity": check.severity,
            },
        )
        for check in contract.checks.null_rate
    ]


def distributions(contract: Contract) -> list[ExpectationSpec]:
    return [
        ExpectationSpec(
            "ExpectColumnKLDivergenceToBeLessThan",
            {
                "column": check.column,
                "partition_object": parameter(partition_parameter(check.column)),
                "threshold": check.max_divergence,
                "tail_weight_holdout": TAIL_WEIGHT_HOLDOUT,
                # categorical: without history (partition None) GX takes the batch's own shares
                "bucketize_data": False,
                "severity": check.severity,
            },
        )
        for check in contract.checks.distribution
    ]


def suite_expectations(contract: Contract) -> list[ExpectationSpec]:
    """Every batch check of the contract, in a stable order."""
    return [
        *row_count(contract),
        *duplicate_keys(contract),
        *future_dates(contract),
        *unknown_codes(contract),
        *null_rates(contract),
        *distributions(contract),
    ]


def parameter_names(specs: list[ExpectationSpec]) -> set[str]:
    """The suite parameters the expectations refer to."""
    return {
        value["$PARAMETER"]
        for spec in specs
        for value in spec.kwargs.values()
        if isinstance(value, dict) and "$PARAMETER" in value
    }


# One delivery in a thousand from a source with a steady rate falls below the chance minimum.
CHANCE_LEVEL = 0.001


def chance_minimum(mean: float, dispersion: float) -> float:
    """The lower control limit of a count with this mean: mean - z * sqrt(dispersion * mean),
    z the normal quantile at CHANCE_LEVEL. Spiegelhalter's funnel-plot limits for counts
    (docs/definitions.md [B7]): Poisson variance, inflated by `dispersion` for sources that vary
    more than a Poisson count month to month; below 0 for small means (then only an empty
    delivery fails)."""
    z = NormalDist().inv_cdf(1 - CHANCE_LEVEL)
    return mean - z * math.sqrt(dispersion * mean)
