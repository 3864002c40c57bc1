"""The SNA document's narrative rules: a change is called significant only when its 95%
interval excludes no change, a withheld value is never written, and table cells say [c]."""

from __future__ import annotations

from decimal import Decimal

from svdw.report.narrative import (
    Change,
    Figure,
    Source,
    biggest_changes,
    change_sentence,
    count_sentence,
)
from svdw.report.numbers import TOO_FEW
from svdw.report.tables import Column

KNIFE = "Knife or sharp-object enabled serious violence"
SOURCE = Source("sna_core_measures", "previous_12_months_rate_ratio", {"measure": "knife"})


def change(ratio: str | None, lower: str | None, upper: str | None, name: str = KNIFE) -> Change:
    def number(text: str | None) -> Decimal | None:
        return None if text is None else Decimal(text)

    return Change(name, "2024/25", number(ratio), number(lower), number(upper), SOURCE)


def test_a_rise_whose_interval_excludes_no_change_is_a_significant_increase() -> None:
    sentence = change_sentence(change("1.16", "1.09", "1.24"))
    assert sentence.text == (
        f"{KNIFE} rose by 16% (95% CI 9% to 24%) against 2024/25, a significant increase."
    )


def test_a_fall_whose_interval_excludes_no_change_is_a_significant_decrease() -> None:
    sentence = change_sentence(change("0.80", "0.70", "0.91"))
    assert sentence.text == (
        f"{KNIFE} fell by 20% (95% CI -30% to -9%) against 2024/25, a significant decrease."
    )


def test_an_interval_that_includes_no_change_is_no_significant_change() -> None:
    assert change_sentence(change("1.16", "0.98", "1.37")).text == (
        f"{KNIFE} changed by 16% (95% CI -2% to 37%) against 2024/25: no significant change."
    )
    # touching 1 is not excluding it
    assert "no significant change" in change_sentence(change("1.30", "1.00", "1.69")).text


def test_a_withheld_comparison_is_too_few_to_publish_and_writes_no_number() -> None:
    sentence = change_sentence(change(None, None, None))
    assert TOO_FEW in sentence.text
    assert not any(ch.isdigit() for ch in sentence.text.replace("2024/25", ""))
    assert not any(isinstance(f, Figure) for f in sentence.fragments)


def test_each_number_of_a_change_names_its_sna_column() -> None:
    figures = [
        f
        for f in change_sentence(change("1.16", "1.09", "1.24")).fragments
        if isinstance(f, Figure)
    ]
    assert [f.source.column for f in figures] == [
        "previous_12_months_rate_ratio",
        "previous_12_months_rate_ratio_lower_95",
        "previous_12_months_rate_ratio_upper_95",
    ]
    assert [f.value for f in figures] == [Decimal("1.16"), Decimal("1.09"), Decimal("1.24")]


def test_biggest_changes_put_significant_ones_first_then_by_size() -> None:
    small = change("1.10", "1.02", "1.19", "small significant")
    halving = change("0.50", "0.30", "0.83", "halving")
    unsure = change("2.50", "0.90", "6.90", "big but unsure")
    withheld = change(None, None, None, "withheld")
    ranked = biggest_changes([withheld, small, unsure, halving])
    assert [c.measure_name for c in ranked] == ["halving", "small significant", "big but unsure"]


def test_a_withheld_count_is_too_few_to_publish() -> None:
    source = Source("sna_core_measures", "event_count")
    assert count_sentence("Homicide in Castleton", None, source).text == (
        f"Homicide in Castleton: {TOO_FEW}."
    )
    rate = Source("sna_core_measures", "event_rate_per_100k")
    written = count_sentence(
        "Knife crime", 98, source, Decimal("34.6"), rate, (Decimal("28.1"), Decimal("42.2"))
    )
    assert written.text == "Knife crime: 98 (34.6 per 100,000 residents, 95% CI 28.1 to 42.2)."


def test_a_withheld_cell_is_c_and_a_missing_one_x() -> None:
    count = Column("event_count", "Count", "count", "police", "is_suppressed")
    assert count.cell({"event_count": None, "is_suppressed": True}) == "[c]"
    assert count.cell({"event_count": None, "is_suppressed": False}) == "[x]"
    assert count.cell({"event_count": 1234, "is_suppressed": False}) == "1,234"
