"""Where: choropleth maps from the same boundaries the dashboards draw (sna_violence_map: each
ward's or LSOA's polygons with its published violence rate), rendered by Vega-Lite's geoshape
through vl-convert like every other chart."""

from __future__ import annotations

import json
from itertools import pairwise
from typing import Any

from svdw.report.charts import WIDTH, Chart, _base, plot_values
from svdw.report.tables import Table

MAP_HEIGHT = 380


def exterior_ring_clockwise(ring: list[list[float]]) -> list[list[float]]:
    """d3-geo (Vega's projection) takes a clockwise exterior ring; GeoJSON's right-hand rule is
    anticlockwise, which d3 reads as the whole globe minus the polygon. Rewind when needed."""
    area = sum((x2 - x1) * (y2 + y1) for (x1, y1), (x2, y2) in pairwise(ring))
    return ring if area > 0 else list(reversed(ring))


def features(polygons: list[dict[str, Any]], fields: list[str]) -> list[dict[str, Any]]:
    """One GeoJSON Feature per polygon row (the ring as sna stores it), the fields as properties."""
    found = []
    for row, properties in zip(polygons, plot_values(_rows_table(polygons), fields), strict=True):
        ring = json.loads(row["polygon"])
        found.append(
            {
                "type": "Feature",
                "properties": properties,
                "geometry": {"type": "Polygon", "coordinates": [exterior_ring_clockwise(ring)]},
            }
        )
    return found


def _rows_table(rows: list[dict[str, Any]]) -> Table:
    return Table("polygons", "", (), rows)


def rate_map(key: str, title: str, alt: str, polygons: list[dict[str, Any]], table: Table) -> Chart:
    """Areas coloured by violence_rate_per_1000; a withheld rate is drawn grey, unlabelled."""
    fields = ["area_name", "violence_rate_per_1000"]
    spec = _base(features(polygons, fields), title)
    spec["data"] = {
        "values": {"type": "FeatureCollection", "features": spec["data"]["values"]},
        "format": {"type": "json", "property": "features"},
    }
    spec |= {
        "width": WIDTH,
        "height": MAP_HEIGHT,
        "projection": {"type": "mercator"},
        "mark": {"type": "geoshape", "stroke": "white", "strokeWidth": 0.4},
        "encoding": {
            "color": {
                "field": "properties.violence_rate_per_1000",
                "type": "quantitative",
                "title": "per 1,000",
                "scale": {"scheme": "orangered"},
            }
        },
    }
    return Chart(key, title, alt, spec, table, "violence_rate_per_1000")
