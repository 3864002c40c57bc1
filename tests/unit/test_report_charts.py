"""Charts of the SNA document render offline to PNG, and a chart whose every value was withheld
is reported as such rather than drawn (Vega cannot size an empty chart)."""

from __future__ import annotations

import base64

from svdw.report.charts import bar_chart
from svdw.report.tables import Column, Table


def table(values: list[float | None]) -> Table:
    rows = [{"district_name": f"D{i}", "rate": value} for i, value in enumerate(values)]
    return Table("t", "Rates", [Column("district_name", "District"), Column("rate", "Rate")], rows)


def test_a_chart_renders_to_an_embedded_png() -> None:
    chart = bar_chart(
        "t", "Rates", "Bar chart of rates", table([1.5, None, 3.0]), "district_name", "rate", "Rate"
    )
    assert chart.has_values
    uri = chart.data_uri()
    assert uri.startswith("data:image/png;base64,")
    assert base64.b64decode(uri.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    assert [point["rate"] for point in chart.values] == [1.5, None, 3.0]


def test_a_chart_whose_values_are_all_withheld_has_nothing_to_draw() -> None:
    chart = bar_chart(
        "t", "Rates", "Bar chart of rates", table([None, None]), "district_name", "rate", "Rate"
    )
    assert not chart.has_values
