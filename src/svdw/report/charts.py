"""Charts as static images rendered offline: a Vega-Lite spec per chart, turned into PNG by
vl-convert (Vega's own renderer compiled into the wheel: no browser, no network) and embedded as
a data URI, so the HTML stays one self-contained file and WeasyPrint needs to fetch nothing.
Every chart has alt text and the Table its data came from (printed in the appendix)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import vl_convert

from svdw.report.tables import Table

# Wide enough for an A4 column at 96 dpi; rendered at twice the pixels so print stays sharp.
WIDTH = 560
HEIGHT = 220
FONT = "DejaVu Sans"
PALETTE = "tableau10"


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    alt: str
    spec: dict[str, Any]
    table: Table
    plotted: str  # the field the chart draws the size of (bar length, colour)

    @property
    def has_values(self) -> bool:
        """False when every value is withheld or missing: Vega cannot size an empty chart, and
        the document says so instead (the table still goes to the appendix)."""
        return any(point.get(self.plotted) is not None for point in self.values)

    def data_uri(self) -> str:
        png = vl_convert.vegalite_to_png(vl_spec=json.dumps(self.spec, default=str), scale=2)
        return "data:image/png;base64," + base64.b64encode(png).decode("ascii")

    @property
    def values(self) -> list[dict[str, Any]]:
        """The data points the chart draws (a withheld value is null, so never drawn)."""
        values = self.spec.get("data", {}).get("values", [])
        if isinstance(values, dict):  # a map: GeoJSON features, the data in their properties
            return [feature["properties"] for feature in values.get("features", [])]
        return list(values)


def _base(values: list[dict[str, Any]], title: str) -> dict[str, Any]:
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": {"text": title, "anchor": "start", "fontSize": 13},
        "width": WIDTH,
        "height": HEIGHT,
        "data": {"values": values},
        "config": {
            "font": FONT,
            "view": {"stroke": None},
            "axis": {"labelLimit": 260},
            "range": {"category": {"scheme": PALETTE}},
        },
    }


def plot_values(table: Table, fields: list[str]) -> list[dict[str, Any]]:
    """The table's rows reduced to the fields a chart plots, JSON-ready: decimals as floats,
    dates as ISO text, a withheld value as null."""
    return [{name: _json_value(row.get(name)) for name in fields} for row in table.rows]


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def line_chart(
    key: str, title: str, alt: str, table: Table, x: str, y: str, colour: str, y_title: str
) -> Chart:
    spec = _base(plot_values(table, [x, y, colour]), title)
    spec |= {
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": x, "type": "temporal", "title": None, "timeUnit": "yearmonth"},
            "y": {"field": y, "type": "quantitative", "title": y_title},
            "color": {"field": colour, "type": "nominal", "title": None},
        },
    }
    return Chart(key, title, alt, spec, table, y)


def bar_chart(
    key: str,
    title: str,
    alt: str,
    table: Table,
    category: str,
    value: str,
    value_title: str,
    colour: str | None = None,
    interval: tuple[str, str] | None = None,
) -> Chart:
    """Horizontal bars (long labels stay readable), optionally grouped by colour and with the
    95% interval as a rule over each bar."""
    fields = [category, value] + ([colour] if colour else []) + list(interval or ())
    spec = _base(plot_values(table, fields), title)
    bars: dict[str, Any] = {
        "mark": {"type": "bar"},
        "encoding": {
            "y": {
                "field": category,
                "type": "nominal",
                "title": None,
                "sort": None,
                "axis": {"labelLimit": 260},
            },
            "x": {"field": value, "type": "quantitative", "title": value_title},
        },
    }
    if colour:
        bars["encoding"]["color"] = {"field": colour, "type": "nominal", "title": None}
        bars["encoding"]["yOffset"] = {"field": colour}
    layers = [bars]
    if interval:
        rule: dict[str, Any] = {
            "mark": {"type": "rule", "color": "#222"},
            "encoding": {
                "y": {"field": category, "type": "nominal", "sort": None},
                "x": {"field": interval[0], "type": "quantitative"},
                "x2": {"field": interval[1]},
            },
        }
        if colour:
            rule["encoding"]["yOffset"] = {"field": colour}
        layers.append(rule)
    spec["layer"] = layers
    spec["height"] = {"step": 14 if colour else 18}
    return Chart(key, title, alt, spec, table, value)


def heatmap(
    key: str,
    title: str,
    alt: str,
    table: Table,
    rows: list[dict[str, Any]],
    x: tuple[str, str],
    y: tuple[str, str],
    value: str,
    value_title: str,
) -> Chart:
    """Cells of `rows` (long format) at x and y, each given as (label field, sort field)."""
    spec = _base(
        [{name: _json_value(row.get(name)) for name in (*x, *y, value)} for row in rows], title
    )
    spec |= {
        "mark": {"type": "rect"},
        "encoding": {
            "x": {
                "field": x[0],
                "type": "ordinal",
                "title": "Hour of day",
                "sort": {"field": x[1]},
            },
            "y": {"field": y[0], "type": "ordinal", "title": None, "sort": {"field": y[1]}},
            "color": {
                "field": value,
                "type": "quantitative",
                "title": value_title,
                "scale": {"scheme": "orangered"},
            },
        },
    }
    return Chart(key, title, alt, spec, table, value)
