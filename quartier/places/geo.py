"""Geometry helpers: EPSG:25832 (ETRS89 / UTM 32N) inside, WGS84 GeoJSON outside.

Pure functions over shapely and pyproj; no Django imports.
"""

import json
from functools import lru_cache
from pathlib import Path

import shapely
from pyproj import Transformer
from shapely.geometry import mapping, shape
from shapely.validation import explain_validity

DATA_DIR = Path(__file__).parent / "data" / "bw"
# Tolerance around the simplified Kreis outlines (the island Reichenau lies 2.3 km out).
BW_TOLERANCE_M = 5_000

_to_utm = Transformer.from_crs(4326, 25832, always_xy=True)
_to_wgs84 = Transformer.from_crs(25832, 4326, always_xy=True)


class GeometryError(ValueError):
    """A geometry a person gave us that we cannot accept.

    `code` names the reason (see places.services.GEOMETRY_MESSAGES for the text a person
    reads); `params` fill its placeholders.
    """

    def __init__(self, code: str, **params):
        super().__init__(code, params)
        self.code = code
        self.params = params


def lonlat_to_utm(lon: float, lat: float) -> tuple[float, float]:
    return _to_utm.transform(lon, lat)


def utm_to_lonlat(x: float, y: float) -> tuple[float, float]:
    return _to_wgs84.transform(x, y)


def to_utm(geometry):
    return shapely.transform(geometry, lambda xy: _stack(_to_utm.transform(xy[:, 0], xy[:, 1])))


def to_wgs84(geometry, precision: int = 6):
    out = shapely.transform(
        geometry, lambda xy: _stack(_to_wgs84.transform(xy[:, 0], xy[:, 1]))
    )
    return shapely.set_precision(out, 10**-precision) if precision else out


def _stack(pair):
    import numpy as np

    return np.column_stack(pair)


def dumps(geometry) -> str:
    """Store a geometry (EPSG:25832) as GeoJSON text, to the centimetre."""
    return json.dumps(mapping(shapely.set_precision(geometry, 0.01)), separators=(",", ":"))


def loads(text: str):
    return shape(json.loads(text))


def geojson_wgs84(text: str) -> dict | None:
    """A stored EPSG:25832 geometry as a WGS84 GeoJSON geometry dict."""
    if not text:
        return None
    return mapping(to_wgs84(loads(text)))


@lru_cache(maxsize=1)
def bw_outline():
    """The state's outline in EPSG:25832, from the shipped Kreis boundaries, with tolerance."""
    with open(DATA_DIR / "kreise.geojson", encoding="utf-8") as f:
        features = json.load(f)["features"]
    union = shapely.union_all([to_utm(shape(f["geometry"])) for f in features])
    outline = union.buffer(BW_TOLERANCE_M)
    shapely.prepare(outline)
    return outline


def in_bw(x: float, y: float) -> bool:
    return bw_outline().contains(shapely.Point(x, y))


def parse_area_geojson(text: str, *, max_bytes: int):
    """Parse a WGS84 GeoJSON boundary (Polygon/MultiPolygon, or a Feature or a
    FeatureCollection holding exactly one) into a valid EPSG:25832 geometry.

    Raises GeometryError naming the reason.
    """
    if len(text.encode("utf-8")) > max_bytes:
        raise GeometryError("too_large", max_kb=max_bytes // 1024)
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise GeometryError("not_json") from None
    if not isinstance(data, dict):
        raise GeometryError("not_object")
    if data.get("type") == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list) or len(features) != 1:
            raise GeometryError("not_one_feature")
        data = features[0]
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, dict) or data.get("type") not in ("Polygon", "MultiPolygon"):
        got = data.get("type") if isinstance(data, dict) else type(data).__name__
        raise GeometryError("not_polygon", got=str(got))
    try:
        geometry = shape(data)
    except Exception:
        raise GeometryError("unreadable") from None
    if geometry.is_empty:
        raise GeometryError("empty")
    minx, miny, maxx, maxy = geometry.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise GeometryError("not_wgs84")
    if not geometry.is_valid:
        reason = explain_validity(geometry)
        if "Self-intersection" in reason:
            raise GeometryError("self_intersection")
        raise GeometryError("invalid", reason=reason)
    utm = to_utm(geometry)
    if utm.area < 100:
        raise GeometryError("too_small")
    if not bw_outline().contains(utm):
        raise GeometryError("outside_bw")
    return utm


def inner_point(geometry) -> tuple[float, float]:
    point = geometry.representative_point()
    return point.x, point.y
