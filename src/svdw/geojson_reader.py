"""Read a GeoJSON FeatureCollection (RFC 7946) as rows for a contract of format `geojson`.

Each feature is one row: the contract's columns are read from the feature's properties by
name, and the column whose header is `geometry` gets the feature's geometry as compact GeoJSON
text. Values are handed to the row validator as text, as a CSV field would be, so the contract's
row rules apply unchanged. A feature that cannot be read (not a Feature, a geometry that is not
well-formed GeoJSON or not of the contract's types) is reported with its number and field, for
the loader to quarantine; a file that is not a FeatureCollection, or not in longitude/latitude,
is rejected whole.

Boundary files are a few MB, so a file is parsed whole (json.load); the rows still stream to
the database one by one.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

GEOMETRY = "geometry"
# Longitude/latitude on WGS 84, as RFC 7946 requires; older files name it in a `crs` member.
LONLAT_CRS = {
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "urn:ogc:def:crs:OGC::CRS84",
    "urn:ogc:def:crs:EPSG::4326",
    "EPSG:4326",
}
# Nesting depth of a position inside each geometry type's `coordinates`.
POSITION_DEPTH = {
    "Point": 0,
    "MultiPoint": 1,
    "LineString": 1,
    "MultiLineString": 2,
    "Polygon": 2,
    "MultiPolygon": 3,
}


class GeoJsonFileError(ValueError):
    """The file as a whole is not a FeatureCollection this reader can take."""


@dataclass(frozen=True, slots=True)
class FeatureRow:
    number: int  # 1-based position of the feature in the file's `features`
    raw_text: str  # the feature as compact JSON (what quarantine keeps)
    record: list[str] | None  # the contract's fields as text, in header order
    problem: str | None  # why the feature cannot be read, naming the field


def read_features(path: Path, encoding: str = "utf-8") -> list[Any]:
    """The features of the FeatureCollection at path; GeoJsonFileError if it is not one."""
    try:
        with path.open(encoding=encoding) as handle:
            document = json.load(handle)
    except UnicodeDecodeError as exc:
        raise GeoJsonFileError(f"not valid {encoding} ({exc.reason})") from exc
    except json.JSONDecodeError as exc:
        raise GeoJsonFileError(f"not JSON: {exc.msg} at line {exc.lineno}") from exc
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise GeoJsonFileError("not a GeoJSON FeatureCollection (its `type` must say so)")
    features = document.get("features")
    if not isinstance(features, list):
        raise GeoJsonFileError("the FeatureCollection has no `features` list")
    crs = document.get("crs")
    if crs is not None:
        name = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
        if name not in LONLAT_CRS:
            raise GeoJsonFileError(
                f"coordinates are in {name!r}, not longitude/latitude (CRS84 / EPSG:4326):"
                " reproject the file (e.g. ogr2ogr -t_srs EPSG:4326) before delivery"
            )
    return features


def property_names(features: Sequence[Any]) -> set[str]:
    """Every property name any feature carries."""
    names: set[str] = set()
    for feature in features:
        if isinstance(feature, dict) and isinstance(feature.get("properties"), dict):
            names.update(feature["properties"])
    return names


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _is_position(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) in (2, 3)
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
        and all(math.isfinite(v) for v in value)
        and -180 <= value[0] <= 180
        and -90 <= value[1] <= 90
    )


def _positions_problem(value: Any, depth: int, kind: str) -> str | None:
    if depth == 0:
        return None if _is_position(value) else f"{value!r:.60} is not a [longitude, latitude]"
    if not isinstance(value, list) or not value:
        return "coordinates are empty or not nested as a " + kind
    for part in value:
        if problem := _positions_problem(part, depth - 1, kind):
            return problem
    is_ring = kind in ("Polygon", "MultiPolygon") and depth == 1
    if is_ring and (len(value) < 4 or value[0] != value[-1]):
        return "a ring must have 4 or more positions and end where it starts"
    return None


def geometry_problem(geometry: Any, types: Sequence[str]) -> str | None:
    """Why `geometry` is not a well-formed GeoJSON geometry of one of `types` (None if it is);
    a missing geometry is left to the contract's `required`."""
    if geometry is None:
        return None
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind not in POSITION_DEPTH:
        return f"not a GeoJSON geometry (type {kind!r})"
    if types and kind not in types:
        return f"a {kind}, expected {' or '.join(types)}"
    return _positions_problem(geometry.get("coordinates"), POSITION_DEPTH[kind], kind)


def feature_rows(
    features: Sequence[Any], headers: Sequence[str], geometry_types: Sequence[str] = ()
) -> Iterator[FeatureRow]:
    """One FeatureRow per feature: the fields of `headers` (property names, and `geometry`)."""
    for number, feature in enumerate(features, start=1):
        raw_text = json.dumps(feature, separators=(",", ":"), ensure_ascii=False)
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            yield FeatureRow(number, raw_text, None, "not a GeoJSON Feature")
            continue
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            yield FeatureRow(number, raw_text, None, "field 'properties': not an object")
            continue
        geometry = feature.get(GEOMETRY)
        if problem := geometry_problem(geometry, geometry_types):
            yield FeatureRow(number, raw_text, None, f"field {GEOMETRY!r}: {problem}")
            continue
        record = [
            _as_text(geometry if header == GEOMETRY else properties.get(header))
            for header in headers
        ]
        yield FeatureRow(number, raw_text, record, None)
