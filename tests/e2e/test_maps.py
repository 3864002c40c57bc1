"""The Hotspots choropleths in Superset: each map chart answers one polygon per row, drawn from
the real Hertfordshire boundaries of reference/ (the dashboard warehouse is generated on them),
and the browser draws them (tests/e2e/test_dashboards_browser.py opens the dashboard)."""

from __future__ import annotations

import json

import pytest
import yaml
from superset_fixtures import ASSETS, Superset

pytestmark = pytest.mark.e2e
MAPS = {
    # chart file -> (area type, fewest and most areas drawn: Hertfordshire has 690 LSOAs and
    # 179 wards, most with a published rate; priority areas are its top 15% of LSOAs by score)
    "Violence_rate_by_neighbourhood_map": ("lsoa", 400, 690),
    "Violence_by_ward_map": ("ward", 120, 179),
    "Priority_areas_map": ("lsoa", 20, 150),
}
HERTS_BOX = (-0.75, 51.59, 0.20, 52.09)  # west, south, east, north


@pytest.mark.parametrize("name", MAPS)
def test_map_chart_answers_real_boundaries_shaded_by_rate(superset: Superset, name: str) -> None:
    area_type, fewest, most = MAPS[name]
    asset = yaml.safe_load((ASSETS / "charts" / f"{name}.yaml").read_text())
    assert asset["viz_type"] == "deck_polygon"
    session = superset.api()
    listed = session.get(
        f"{superset.url}/api/v1/chart/", params={"q": "(page_size:100)"}, timeout=30
    ).json()["result"]
    (chart,) = [c for c in listed if c["slice_name"] == asset["slice_name"]]
    response = session.get(f"{superset.url}/api/v1/chart/{chart['id']}/data/", timeout=60)
    assert response.status_code == 200, response.text
    (result,) = response.json()["result"]
    rows = result["data"]
    west, south, east, north = HERTS_BOX
    names = {row["area_name"] for row in rows}
    assert fewest <= len(names) <= most
    for row in rows:
        ring = json.loads(row["polygon"])
        assert ring[0] == ring[-1] and len(ring) >= 4
        assert all(west < lon < east and south < lat < north for lon, lat in ring)
        assert row[asset["params"]["metric"]] > 0  # the rate or score that shades it
    if area_type == "ward":
        assert "Adeyfield East" in names  # a real Dacorum ward
