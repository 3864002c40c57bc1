"""The real Hertfordshire boundaries of reference/ load through their GeoJSON contracts, one row
per feature; a bad feature is quarantined (file, feature number, field) and the rest load."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from db import rows, scalar

from svdw.loader import load_file
from svdw.synthetic import REFERENCE_DIR

pytestmark = pytest.mark.integration
BOUNDARIES = REFERENCE_DIR / "boundaries_herts"


def test_reference_boundaries_load_one_row_per_feature(
    make_database: Callable[[str], str],
) -> None:
    url = make_database("bounds")
    expected = {
        "lsoa11_E10000015_hertfordshire.geojson": ("ons_lsoa11_boundaries", 690),
        "lsoa_E10000015_hertfordshire.geojson": ("ons_lsoa21_boundaries", 713),
        "ward19_E10000015_hertfordshire_from_lsoa11.geojson": ("ons_ward_boundaries", 179),
    }
    with psycopg.connect(url) as conn:
        for name, (contract, count) in expected.items():
            result = load_file(conn, BOUNDARIES / name)  # the contract found by its properties
            assert (result.status, result.contract) == ("loaded", contract), result.error
            assert (result.rows_loaded, result.rows_quarantined) == (count, 0)
    # Geometry is GeoJSON text Postgres reads as json; the codes are those of the ward lookup.
    kinds = rows(
        url, "select geometry::jsonb ->> 'type', count(*) from raw.ons__ward_boundaries group by 1"
    )
    assert dict(kinds) == {"Polygon": 176, "MultiPolygon": 3}
    lookup = REFERENCE_DIR / "lookups" / "LSOA11_to_WD19_LAD19_lookup_hertfordshire.csv"
    wards = {line.split(",")[3] for line in lookup.read_text(encoding="utf-8-sig").splitlines()[1:]}
    loaded = {r[0] for r in rows(url, "select ward_code from raw.ons__ward_boundaries")}
    assert loaded == wards
    broxbourne = rows(
        url,
        "select lsoa_name, geometry::jsonb -> 'coordinates' -> 0 -> 0"
        " from raw.ons__lsoa11_boundaries where lsoa_code = 'E01023289'",
    )
    assert broxbourne[0][0] == "Broxbourne 004A"
    lon, lat = broxbourne[0][1]
    assert -0.05 < lon < -0.02 and 51.73 < lat < 51.76  # Hoddesdon, in lon/lat


def test_a_bad_feature_is_quarantined_with_its_file_feature_and_field(
    make_database: Callable[[str], str], tmp_path: Path
) -> None:
    url = make_database("badfeature")
    source = json.loads((BOUNDARIES / "lsoa11_E10000015_hertfordshire.geojson").read_text())
    features = source["features"][:3]
    features[1]["geometry"]["coordinates"][0].pop()  # the ring no longer closes
    del features[2]["properties"]["LSOA11NM"]
    path = tmp_path / "lsoa11_three.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    with psycopg.connect(url) as conn:
        result = load_file(conn, path)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (3, 1, 2)
    quarantined = rows(
        url,
        "select b.file_name, q.line_number, q.reason from audit.quarantine q"
        " join audit.load_batch b using (batch_id) order by q.line_number",
    )
    assert [(f, n) for f, n, _ in quarantined] == [(path.name, 2), (path.name, 3)]
    assert quarantined[0][2].startswith("field 'geometry': a ring must have 4 or more positions")
    assert quarantined[1][2] == "field 'LSOA11NM': required value is empty"
    assert scalar(url, "select count(*) from raw.ons__lsoa11_boundaries") == 1


def test_a_file_in_british_national_grid_is_rejected_whole(
    make_database: Callable[[str], str], tmp_path: Path
) -> None:
    url = make_database("bng")
    path = tmp_path / "lsoa11_bng.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
                "features": [],
            }
        )
    )
    with psycopg.connect(url) as conn:
        result = load_file(conn, path, contract=None)
    assert result.status == "rejected"
    assert "not longitude/latitude" in (result.error or "")
