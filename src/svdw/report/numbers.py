"""How numbers are written in the document: one home for rounding and for what a withheld value
says, so the narrative, the tables and the tests agree on every figure."""

from __future__ import annotations

from decimal import Decimal

# Written wherever a value was withheld by disclosure control; never the value itself.
TOO_FEW = "too few to publish"
# In tables: the GSS shorthand for a confidential (withheld) cell, and for one not available.
CELL_WITHHELD = "[c]"
CELL_NOT_AVAILABLE = "[x]"

Number = int | float | Decimal


def count_text(value: Number) -> str:
    """A count with thousands separators: 1,234."""
    return f"{int(value):,}"


def decimal_text(value: Number, places: int = 1) -> str:
    """A rate or index to a fixed number of decimals: 34.6."""
    return f"{float(value):,.{places}f}"


def percent_change(rate_ratio: Number) -> int:
    """A rate ratio as a whole percent change: 1.16 -> 16, 0.8 -> -20 (half away from zero)."""
    change = (Decimal(str(rate_ratio)) - 1) * 100
    return int(change.quantize(Decimal("1"), rounding="ROUND_HALF_UP"))


def percent_text(percent: int) -> str:
    """A signed whole percent for an interval bound: -5%, 24%."""
    return f"{percent}%"
