"""quartier.places.geo: parsing boundaries people give us, and the coordinate helpers.

geo is pure (shapely, pyproj), so these tests need no database.
"""

import json
import math

import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from quartier.places import geo

MAX_BYTES = 2 * 1024 * 1024
# A square of about 740 m × 1110 m in Tübingen.
SQUARE = [[[9.05, 48.52], [9.06, 48.52], [9.06, 48.53], [9.05, 48.53], [9.05, 48.52]]]
# A second square in Stuttgart, apart from the first.
STUTTGART = [[[9.17, 48.77], [9.18, 48.77], [9.18, 48.78], [9.17, 48.78], [9.17, 48.77]]]
STUTTGART_LONLAT = (9.1829, 48.7758)
PARIS_LONLAT = (2.3522, 48.8566)
# The state's bounding box in WGS84, slightly inside (7.51–10.49° E, 47.53–49.79° N).
BW_LON = (7.6, 10.4)
BW_LAT = (47.6, 49.7)


def parse(data, max_bytes=MAX_BYTES):
    text = data if isinstance(data, str) else json.dumps(data)
    return geo.parse_area_geojson(text, max_bytes=max_bytes)


def polygon(rings):
    return {"type": "Polygon", "coordinates": rings}


def rejection(data, **kwargs) -> geo.GeometryError:
    with pytest.raises(geo.GeometryError) as caught:
        parse(data, **kwargs)
    return caught.value


# Accepted shapes -------------------------------------------------------------------------


def test_it_accepts_a_polygon_and_returns_it_in_utm_metres():
    area = parse(polygon(SQUARE))
    assert area.geom_type == "Polygon"
    assert area.is_valid
    # 0.01° × 0.01° at 48.5° N is about 740 m × 1112 m.
    assert 0.78e6 < area.area < 0.86e6
    minx, miny, maxx, maxy = area.bounds
    assert 495_000 < minx < maxx < 510_000
    assert 5_370_000 < miny < maxy < 5_380_000


def test_it_accepts_a_multipolygon():
    area = parse({"type": "MultiPolygon", "coordinates": [SQUARE, STUTTGART]})
    assert area.geom_type == "MultiPolygon"
    assert len(area.geoms) == 2


def test_it_accepts_a_feature():
    area = parse({"type": "Feature", "properties": {"name": "Südstadt"},
                  "geometry": polygon(SQUARE)})
    assert area.equals(parse(polygon(SQUARE)))


def test_it_accepts_a_feature_collection_with_one_feature():
    feature = {"type": "Feature", "properties": {}, "geometry": polygon(SQUARE)}
    area = parse({"type": "FeatureCollection", "features": [feature]})
    assert area.equals(parse(polygon(SQUARE)))


def test_it_accepts_a_polygon_with_a_hole():
    hole = [[9.054, 48.524], [9.056, 48.524], [9.056, 48.526], [9.054, 48.526], [9.054, 48.524]]
    area = parse(polygon([SQUARE[0], hole]))
    assert len(area.interiors) == 1
    assert area.area < parse(polygon(SQUARE)).area


def test_it_accepts_a_utf8_text_exactly_at_the_size_limit():
    text = json.dumps(polygon(SQUARE))
    assert parse(text, max_bytes=len(text.encode("utf-8"))).is_valid


# Rejected input --------------------------------------------------------------------------


def test_it_rejects_a_text_larger_than_max_bytes():
    text = json.dumps(polygon(SQUARE))
    error = rejection(text, max_bytes=len(text) - 1)
    assert error.code == "too_large"


def test_it_counts_the_size_limit_in_utf8_bytes_not_characters():
    feature = {"type": "Feature", "properties": {"name": "ü" * 100}, "geometry": polygon(SQUARE)}
    text = json.dumps(feature, ensure_ascii=False)
    error = rejection(text, max_bytes=len(text) + 50)
    assert error.code == "too_large"


def test_it_names_the_limit_in_kilobytes():
    error = rejection(json.dumps(polygon(SQUARE)), max_bytes=10)
    assert error.params == {"max_kb": 0}
    error = rejection("x" * 5000, max_bytes=4096)
    assert error.params == {"max_kb": 4}


@pytest.mark.parametrize("text", ["", "not json", "{'type': 'Polygon'}", '{"type": "Polygon",'])
def test_it_rejects_text_that_is_not_json(text):
    assert rejection(text).code == "not_json"


def test_it_rejects_deeply_nested_json_without_crashing():
    text = '{"type": "Polygon", "coordinates": ' + "[" * 100_000 + "]" * 100_000 + "}"
    assert rejection(text, max_bytes=len(text)).code == "not_json"


@pytest.mark.parametrize("text", ["[]", "[1, 2]", '"Polygon"', "42", "null", "true"])
def test_it_rejects_json_that_is_not_an_object(text):
    assert rejection(text).code == "not_object"


@pytest.mark.parametrize("features", [[], "nope", None])
def test_it_rejects_a_feature_collection_without_exactly_one_feature(features):
    assert rejection({"type": "FeatureCollection", "features": features}).code == (
        "not_one_feature"
    )


def test_it_rejects_a_feature_collection_with_two_features():
    features = [{"type": "Feature", "properties": {}, "geometry": polygon(rings)}
                for rings in (SQUARE, STUTTGART)]
    error = rejection({"type": "FeatureCollection", "features": features})
    assert error.code == "not_one_feature"


@pytest.mark.parametrize(
    "geometry, got",
    [
        ({"type": "LineString", "coordinates": [[9.05, 48.52], [9.06, 48.53]]}, "LineString"),
        ({"type": "Point", "coordinates": [9.05, 48.52]}, "Point"),
        ({"type": "MultiPoint", "coordinates": [[9.05, 48.52]]}, "MultiPoint"),
        ({"type": "GeometryCollection", "geometries": [polygon(SQUARE)]}, "GeometryCollection"),
        ({"coordinates": SQUARE}, "None"),
    ],
)
def test_it_rejects_geometries_that_are_not_areas(geometry, got):
    error = rejection(geometry)
    assert error.code == "not_polygon"
    assert error.params == {"got": got}


def test_it_rejects_a_feature_without_geometry():
    error = rejection({"type": "Feature", "properties": {}, "geometry": None})
    assert error.code == "not_polygon"


def test_it_rejects_a_feature_collection_holding_something_else_than_a_feature():
    assert rejection({"type": "FeatureCollection", "features": [42]}).code == "not_polygon"


@pytest.mark.parametrize(
    "coordinates",
    [
        "abc",
        [[1, 2]],
        [[[9.05, 48.52], [9.06]]],
        [[["a", "b"], [9.06, 48.52], [9.06, 48.53], [9.05, 48.52]]],
    ],
)
def test_it_rejects_unreadable_coordinates(coordinates):
    assert rejection({"type": "Polygon", "coordinates": coordinates}).code == "unreadable"


def test_it_rejects_a_polygon_without_the_coordinates_member():
    assert rejection({"type": "Polygon"}).code == "unreadable"


def test_it_rejects_not_a_number_coordinates():
    # Python's json reads the non-standard NaN token.
    text = '{"type": "Polygon", "coordinates": [[[NaN, 48.5], [9, 48.5], [9, 48.6], [NaN, 48.5]]]}'
    assert rejection(text).code in ("unreadable", "not_wgs84")


@pytest.mark.parametrize("geometry_type", ["Polygon", "MultiPolygon"])
@pytest.mark.parametrize("coordinates", [[], None])
def test_it_rejects_an_empty_geometry(geometry_type, coordinates):
    assert rejection({"type": geometry_type, "coordinates": coordinates}).code == "empty"


def test_it_rejects_projected_coordinates_such_as_utm_metres():
    utm = [[[500_000, 5_400_000], [501_000, 5_400_000], [501_000, 5_401_000],
            [500_000, 5_400_000]]]
    assert rejection(polygon(utm)).code == "not_wgs84"


def test_it_rejects_latitude_longitude_in_the_wrong_order_when_out_of_range():
    swapped = [[[48.52, 190.0], [48.53, 190.0], [48.53, 191.0], [48.52, 190.0]]]
    assert rejection(polygon(swapped)).code == "not_wgs84"


def test_it_rejects_a_self_intersecting_bow_tie():
    bow_tie = [[[9.05, 48.52], [9.06, 48.53], [9.06, 48.52], [9.05, 48.53], [9.05, 48.52]]]
    assert rejection(polygon(bow_tie)).code == "self_intersection"


def test_it_rejects_overlapping_parts_of_a_multipolygon():
    shifted = [[[x + 0.005, y] for x, y in SQUARE[0]]]
    error = rejection({"type": "MultiPolygon", "coordinates": [SQUARE, shifted]})
    assert error.code in ("self_intersection", "invalid")


def test_it_rejects_a_ring_with_too_few_points_as_invalid_with_a_reason():
    degenerate = [[[9.05, 48.52], [9.06, 48.52], [9.05, 48.52], [9.05, 48.52]]]
    error = rejection(polygon(degenerate))
    assert error.code == "invalid"
    assert error.params["reason"]


def test_it_rejects_an_area_under_100_square_metres():
    # About 7 m × 11 m.
    tiny = [[[9.05, 48.52], [9.0501, 48.52], [9.0501, 48.5201], [9.05, 48.5201], [9.05, 48.52]]]
    assert rejection(polygon(tiny)).code == "too_small"


def test_it_accepts_an_area_just_over_100_square_metres():
    # About 15 m × 11 m ≈ 165 m².
    small = [[[9.05, 48.52], [9.0502, 48.52], [9.0502, 48.5201], [9.05, 48.5201], [9.05, 48.52]]]
    assert 100 < parse(polygon(small)).area < 250


def test_it_rejects_an_area_around_munich():
    munich = [[[11.5, 48.1], [11.6, 48.1], [11.6, 48.2], [11.5, 48.2], [11.5, 48.1]]]
    assert rejection(polygon(munich)).code == "outside_bw"


def test_it_rejects_an_area_reaching_across_the_rhine_into_france():
    # Kehl (BW) to Strasbourg (FR).
    across = [[[7.70, 48.56], [7.85, 48.56], [7.85, 48.60], [7.70, 48.60], [7.70, 48.56]]]
    assert rejection(polygon(across)).code == "outside_bw"


def test_it_rejects_a_multipolygon_with_one_part_outside():
    munich = [[[11.5, 48.1], [11.6, 48.1], [11.6, 48.2], [11.5, 48.2], [11.5, 48.1]]]
    error = rejection({"type": "MultiPolygon", "coordinates": [SQUARE, munich]})
    assert error.code == "outside_bw"


def test_every_error_code_has_a_message_for_people():
    from quartier.places.services import GEOMETRY_MESSAGES

    codes = {"too_large", "not_json", "not_object", "not_one_feature", "not_polygon",
             "unreadable", "empty", "not_wgs84", "self_intersection", "invalid", "too_small",
             "outside_bw"}
    assert codes <= GEOMETRY_MESSAGES.keys()


# Coordinates ------------------------------------------------------------------------------


def test_lonlat_to_utm_and_back_round_trips_stuttgart():
    x, y = geo.lonlat_to_utm(*STUTTGART_LONLAT)
    # Stuttgart lies near easting 513 km, northing 5402 km in zone 32N.
    assert 510_000 < x < 516_000
    assert 5_400_000 < y < 5_405_000
    lon, lat = geo.utm_to_lonlat(x, y)
    assert lon == pytest.approx(STUTTGART_LONLAT[0], abs=1e-6)
    assert lat == pytest.approx(STUTTGART_LONLAT[1], abs=1e-6)


def test_in_bw_is_true_for_stuttgart_and_false_for_paris():
    assert geo.in_bw(*geo.lonlat_to_utm(*STUTTGART_LONLAT))
    assert not geo.in_bw(*geo.lonlat_to_utm(*PARIS_LONLAT))


def test_in_bw_holds_the_island_reichenau_but_not_augsburg():
    # Reichenau lies off the simplified Kreis outlines, within the tolerance.
    assert geo.in_bw(*geo.lonlat_to_utm(9.0556, 47.6986))
    assert not geo.in_bw(*geo.lonlat_to_utm(10.8978, 48.3705))


def test_dumps_and_loads_round_trip_to_the_centimetre():
    shape = shapely.Polygon([(500_000.123, 5_400_000.456), (500_100.789, 5_400_000),
                             (500_100, 5_400_100.001), (500_000.123, 5_400_000.456)])
    text = geo.dumps(shape)
    assert " " not in text  # compact
    assert json.loads(text)["type"] == "Polygon"
    back = geo.loads(text)
    # Vertices may come back in another order, each within a centimetre.
    assert shapely.hausdorff_distance(back, shape) < 0.01
    assert back.equals(shapely.set_precision(shape, 0.01))
    assert geo.loads(geo.dumps(back)).equals(back)


def test_geojson_wgs84_returns_lon_lat_rounded_to_six_places():
    area = parse(polygon(SQUARE))
    geometry = geo.geojson_wgs84(geo.dumps(area))
    assert geometry["type"] == "Polygon"
    for lon, lat in geometry["coordinates"][0]:
        assert 9.049 < lon < 9.061 and 48.519 < lat < 48.531
        assert round(lon, 6) == lon and round(lat, 6) == lat


def test_geojson_wgs84_of_nothing_is_none():
    assert geo.geojson_wgs84("") is None


def test_inner_point_lies_inside_even_a_ring_shaped_area():
    ring = shapely.Point(500_000, 5_400_000).buffer(1000).difference(
        shapely.Point(500_000, 5_400_000).buffer(900)
    )
    x, y = geo.inner_point(ring)
    assert ring.contains(shapely.Point(x, y))


@settings(max_examples=200, deadline=None)
@given(
    lon=st.floats(min_value=BW_LON[0], max_value=BW_LON[1], allow_nan=False),
    lat=st.floats(min_value=BW_LAT[0], max_value=BW_LAT[1], allow_nan=False),
)
def test_lonlat_to_utm_and_back_round_trips_anywhere_in_the_state_box(lon, lat):
    x, y = geo.lonlat_to_utm(lon, lat)
    assert math.isfinite(x) and math.isfinite(y)
    back_lon, back_lat = geo.utm_to_lonlat(x, y)
    assert back_lon == pytest.approx(lon, abs=1e-6)
    assert back_lat == pytest.approx(lat, abs=1e-6)


@settings(max_examples=50, deadline=None)
@given(
    lon=st.floats(min_value=8.5, max_value=9.8, allow_nan=False),
    lat=st.floats(min_value=48.0, max_value=49.0, allow_nan=False),
    size=st.floats(min_value=0.001, max_value=0.02, allow_nan=False),
)
def test_any_small_square_inside_the_state_is_accepted_with_its_area(lon, lat, size):
    # This inner box (8.5–9.8° E, 48–49° N) lies wholly inside Baden-Württemberg.
    square = [[[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size],
               [lon, lat]]]
    area = parse(polygon(square))
    metres_east = size * 111_320 * math.cos(math.radians(lat + size / 2))
    metres_north = size * 111_200
    assert area.area == pytest.approx(metres_east * metres_north, rel=0.02)
