"""Narrative rules: sentences made from numbers, never free text. Each rule is a pure function of
sna values (and their significance) that returns a Sentence: plain text fragments and Figures,
each Figure naming the sna table, column and row it came from, so the HTML can carry that
reference and the tests can read every quoted number back against the warehouse.

A change is called significant only when its 95% interval excludes no change (a rate ratio of 1);
a withheld value is never written: the sentence says it is too few to publish."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from svdw.report.numbers import (
    TOO_FEW,
    Number,
    count_text,
    decimal_text,
    percent_change,
    percent_text,
)


@dataclass(frozen=True)
class Source:
    """Where a figure comes from: sna.<table>.<column> on the row matching `key`; `transform`
    says how the text was made from the value (count, decimal1, percent_change)."""

    table: str
    column: str
    key: Mapping[str, str] = field(default_factory=dict)
    transform: str = "count"


@dataclass(frozen=True)
class Figure:
    text: str
    value: Number
    source: Source


Fragment = str | Figure


@dataclass(frozen=True)
class Sentence:
    fragments: tuple[Fragment, ...]

    @property
    def text(self) -> str:
        return "".join(f if isinstance(f, str) else f.text for f in self.fragments)


@dataclass(frozen=True)
class Change:
    """A rate compared with an earlier period: the sna rate ratio and its 95% interval (all None
    when sna withheld the comparison: too few events or a withheld count)."""

    measure_name: str
    comparison: str  # e.g. "2024/25" or "the previous 12 months"
    rate_ratio: Number | None
    lower: Number | None
    upper: Number | None
    source: Source  # the rate ratio's column; the bounds are <column>_lower_95/_upper_95


def significance(lower: Number, upper: Number) -> str:
    """'increase' / 'decrease' when the 95% interval of the rate ratio excludes 1, else 'none'."""
    if float(lower) > 1:
        return "increase"
    if float(upper) < 1:
        return "decrease"
    return "none"


def _bound(change: Change, bound: str, value: Number) -> Figure:
    source = Source(
        change.source.table,
        f"{change.source.column}_{bound}_95",
        change.source.key,
        "percent_change",
    )
    return Figure(percent_text(percent_change(value)), value, source)


def change_sentence(change: Change) -> Sentence:
    """'X rose by 16% (95% CI 9% to 24%) against 2024/25, a significant increase.' only when the
    interval excludes no change; otherwise '... changed by 3% ...: no significant change.'"""
    name, against = change.measure_name, change.comparison
    if change.rate_ratio is None or change.lower is None or change.upper is None:
        return Sentence((f"{name}: {TOO_FEW} to tell whether it changed against {against}.",))
    percent = percent_change(change.rate_ratio)
    size = Figure(f"{abs(percent)}%", change.rate_ratio, _as(change.source, "abs_percent_change"))
    interval = (
        " (95% CI ",
        _bound(change, "lower", change.lower),
        " to ",
        _bound(change, "upper", change.upper),
        f") against {against}",
    )
    verdict = significance(change.lower, change.upper)
    if verdict == "increase":
        return Sentence((f"{name} rose by ", size, *interval, ", a significant increase."))
    if verdict == "decrease":
        return Sentence((f"{name} fell by ", size, *interval, ", a significant decrease."))
    signed = Figure(percent_text(percent), change.rate_ratio, _as(change.source, "percent_change"))
    return Sentence((f"{name} changed by ", signed, *interval, ": no significant change."))


def biggest_changes(changes: list[Change], limit: int = 3) -> list[Change]:
    """The changes furthest from no change (by the size of the rate ratio on a log scale, so a
    halving ranks with a doubling), significant ones first; withheld comparisons last."""

    def rank(change: Change) -> tuple[int, float]:
        if change.rate_ratio is None or change.lower is None or change.upper is None:
            return (2, 0.0)
        significant = significance(change.lower, change.upper) != "none"
        size = abs(math.log(float(change.rate_ratio))) if float(change.rate_ratio) > 0 else 0.0
        return (0 if significant else 1, -size)

    return sorted(changes, key=rank)[:limit]


def count_sentence(
    what: str,
    count: Number | None,
    count_source: Source,
    rate: Number | None = None,
    rate_source: Source | None = None,
    interval: tuple[Number | None, Number | None] = (None, None),
    per: str = "100,000 residents",
) -> Sentence:
    """'<what>: 98 (34.6 per 100,000 residents, 95% CI 28.1 to 42.2).' A withheld count says
    too few to publish; a withheld rate (too few events for a rate) is left out."""
    if count is None:
        return Sentence((f"{what}: {TOO_FEW}.",))
    parts: list[Fragment] = [f"{what}: ", Figure(count_text(count), count, count_source)]
    lower, upper = interval
    if rate is not None and rate_source is not None:
        rate_figure = Figure(decimal_text(rate), rate, _as(rate_source, "decimal1"))
        parts += [" (", rate_figure, f" per {per}"]
        if lower is not None and upper is not None:
            parts += [
                ", 95% CI ",
                Figure(decimal_text(lower), lower, _bounded(rate_source, "lower")),
                " to ",
                Figure(decimal_text(upper), upper, _bounded(rate_source, "upper")),
            ]
        parts.append(")")
    parts.append(".")
    return Sentence(tuple(parts))


def _as(source: Source, transform: str) -> Source:
    return Source(source.table, source.column, source.key, transform)


def _bounded(source: Source, bound: str) -> Source:
    return Source(source.table, f"{source.column}_{bound}_95", source.key, "decimal1")
