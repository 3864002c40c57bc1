"""The GeoJSON FeatureCollection reader: one row per feature, properties by name, geometry as
GeoJSON text; an unreadable feature is reported with its number and field, a file that is not a
FeatureCollection in longitude/latitude is refused whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from svdw.contracts import get_contract
from svdw.geojson_reader import GeoJsonFileError, feature_rows, read_features
from svdw.validation import RowValidator

SQUARE = [[[-0.3, 51.7], [-0.29, 51.7], [-0.29, 51.71], [-0.3, 51.71], [-0.3, 51.7]]]


def _feature(code: str, geometry: object, **extra: object) -> dict[str, object]:
    properties = {"LSOA11CD": code, "LSOA11NM": f"Area {code[-3:]}", "FID": 7, **extra}
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def _write(path: Path, features: list[object], crs: str | None = None) -> Path:
    document: dict[str, object] = {"type": "FeatureCollection", "features": features}
    if crs:
        document["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_each_feature_is_a_row_of_its_properties_and_geometry_text(tmp_path: Path) -> None:
    contract = get_contract("ons_lsoa11_boundaries")
    polygon = {"type": "Polygon", "coordinates": SQUARE}
    path = _write(
        tmp_path / "a.geojson",
        [_feature("E01023289", polygon), _feature("E01023290", polygon)],
        crs="urn:ogc:def:crs:OGC:1.3:CRS84",
    )
    rows = list(feature_rows(read_features(path), contract.headers, contract.geometry_types))
    assert [r.number for r in rows] == [1, 2]
    assert rows[0].problem is None
    code, name, geometry = rows[0].record or []
    assert (code, name) == ("E01023289", "Area 289")
    assert json.loads(geometry) == polygon  # extra properties (FID) are not read
    values, reason = RowValidator(contract).validate(rows[1].record or [])
    assert reason is None and values is not None


@pytest.mark.parametrize(
    ("geometry", "problem"),
    [
        (
            {"type": "Point", "coordinates": [-0.3, 51.7]},
            "a Point, expected Polygon or MultiPolygon",
        ),
        ({"type": "Polygon", "coordinates": [SQUARE[0][:-1]]}, "end where it starts"),
        (
            {"type": "Polygon", "coordinates": [[[535590, 206877]] * 4]},
            "not a [longitude, latitude]",
        ),
        ({"type": "Circle", "coordinates": []}, "not a GeoJSON geometry"),
    ],
)
def test_a_bad_geometry_is_reported_with_its_feature_and_field(
    tmp_path: Path, geometry: object, problem: str
) -> None:
    contract = get_contract("ons_lsoa11_boundaries")
    good = _feature("E01023289", {"type": "Polygon", "coordinates": SQUARE})
    path = _write(tmp_path / "b.geojson", [good, _feature("E01023290", geometry)])
    first, second = feature_rows(read_features(path), contract.headers, contract.geometry_types)
    assert first.problem is None
    assert second.number == 2 and second.record is None
    assert second.problem is not None
    assert second.problem.startswith("field 'geometry': ") and problem in second.problem
    assert "E01023290" in second.raw_text  # quarantine keeps the feature as it came


def test_a_missing_geometry_or_property_is_left_to_the_contracts_required_rule(
    tmp_path: Path,
) -> None:
    contract = get_contract("ons_lsoa11_boundaries")
    no_name = {"type": "Feature", "properties": {"LSOA11CD": "E01023289"}, "geometry": None}
    path = _write(tmp_path / "c.geojson", [no_name, {"type": "Topology"}])
    first, second = feature_rows(read_features(path), contract.headers, contract.geometry_types)
    _, reason = RowValidator(contract).validate(first.record or [])
    assert reason is not None
    assert "field 'LSOA11NM': required value is empty" in reason
    assert "field 'geometry': required value is empty" in reason
    assert second.problem == "not a GeoJSON Feature"


def test_a_file_in_british_national_grid_or_not_a_collection_is_refused(tmp_path: Path) -> None:
    bng = _write(tmp_path / "bng.geojson", [], crs="urn:ogc:def:crs:EPSG::27700")
    with pytest.raises(GeoJsonFileError, match="not longitude/latitude"):
        read_features(bng)
    single = tmp_path / "one.geojson"
    single.write_text(json.dumps(_feature("E01023289", None)), encoding="utf-8")
    with pytest.raises(GeoJsonFileError, match="not a GeoJSON FeatureCollection"):
        read_features(single)
    broken = tmp_path / "broken.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    with pytest.raises(GeoJsonFileError, match="not JSON"):
        read_features(broken)
