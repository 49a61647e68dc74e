"""The open data API under /api/: places of Baden-Württemberg and published quarters."""

import json

import pytest

from conftest import TUEBINGEN, make_quarter
from quartier.places.models import Place, Quarter

pytestmark = pytest.mark.django_db

Kind = Place.Kind
KREIS_TUEBINGEN = "08416"
# The state in WGS84, with a margin.
LON = (7.4, 10.6)
LAT = (47.4, 49.9)


def get_json(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def positions(geometry):
    """Every [lon, lat] pair of a GeoJSON geometry."""
    coordinates = geometry["coordinates"]
    depth = {"Point": 0, "Polygon": 2, "MultiPolygon": 3}[geometry["type"]]
    items = [coordinates]
    for _level in range(depth):
        items = [inner for outer in items for inner in outer]
    return items


def assert_wgs84(collection):
    assert collection["type"] == "FeatureCollection"
    for feature in collection["features"]:
        assert feature["type"] == "Feature"
        for lon, lat in positions(feature["geometry"]):
            assert LON[0] < lon < LON[1] and LAT[0] < lat < LAT[1], (lon, lat)


# Places -----------------------------------------------------------------------------------


def test_it_lists_the_four_regierungsbezirke(client):
    items = get_json(client, "/api/regierungsbezirke")

    assert [p["ags"] for p in items] == ["081", "082", "083", "084"]
    assert {p["kind"] for p in items} == {Kind.REGIERUNGSBEZIRK}
    assert {p["parent_ags"] for p in items} == {"08"}
    assert sum(p["population"] for p in items) == 11_124_642
    assert items[3]["url"] == "/places/084/"


def test_it_lists_the_44_kreise_on_one_default_page(client):
    page = get_json(client, "/api/kreise")

    assert page["count"] == 44
    assert len(page["items"]) == 44
    assert len({p["ags"] for p in page["items"]}) == 44
    assert all(len(p["ags"]) == 5 and p["kind"] == Kind.KREIS for p in page["items"])


def test_it_pages_the_kreise_with_limit_and_offset(client):
    pages = [get_json(client, f"/api/kreise?limit=10&offset={offset}")
             for offset in range(0, 50, 10)]

    assert [len(p["items"]) for p in pages] == [10, 10, 10, 10, 4]
    assert {p["count"] for p in pages} == {44}
    ags = [place["ags"] for page in pages for place in page["items"]]
    assert len(set(ags)) == 44


def test_an_offset_past_the_end_gives_an_empty_page(client):
    page = get_json(client, "/api/kreise?offset=44")

    assert page == {"items": [], "count": 44}


def test_it_filters_the_kreise_of_a_regierungsbezirk(client):
    page = get_json(client, "/api/kreise?regierungsbezirk=084")

    expected = Place.objects.filter(kind=Kind.KREIS, parent__ags="084").count()
    assert page["count"] == expected == len(page["items"])
    assert {p["parent_ags"] for p in page["items"]} == {"084"}


def test_it_lists_the_gemeinden_of_landkreis_tuebingen(client):
    page = get_json(client, f"/api/gemeinden?kreis={KREIS_TUEBINGEN}")

    assert page["count"] == 15
    assert page["count"] == Place.objects.filter(parent__ags=KREIS_TUEBINGEN).count()
    assert len(page["items"]) == 15
    assert {p["parent_ags"] for p in page["items"]} == {KREIS_TUEBINGEN}
    assert TUEBINGEN in {p["ags"] for p in page["items"]}


def test_it_pages_all_gemeinden(client):
    page = get_json(client, "/api/gemeinden?limit=500&offset=1000")

    assert page["count"] == 1103
    assert len(page["items"]) == 103


@pytest.mark.parametrize("query", ["tuebingen", "Tübingen", "TUBINGEN", "übingen"])
def test_it_finds_gemeinden_by_name_forgiving_umlauts_and_case(client, query):
    page = get_json(client, f"/api/gemeinden?q={query}")

    assert TUEBINGEN in {p["ags"] for p in page["items"]}
    assert all("bingen" in p["name"] for p in page["items"])


def test_it_combines_search_and_kreis(client):
    page = get_json(client, f"/api/gemeinden?q=tuebingen&kreis={KREIS_TUEBINGEN}")

    assert [p["ags"] for p in page["items"]] == [TUEBINGEN]


def test_it_filters_gemeinden_by_minimum_population(client):
    page = get_json(client, "/api/gemeinden?min_population=100000")

    expected = Place.objects.filter(kind=Kind.GEMEINDE, population__gte=100_000).count()
    assert page["count"] == expected == len(page["items"])
    assert 5 < expected < 20
    assert all(p["population"] >= 100_000 for p in page["items"])
    assert get_json(client, "/api/gemeinden?min_population=0")["count"] == 1103


def test_a_minimum_population_larger_than_any_gives_nothing(client):
    page = get_json(client, "/api/gemeinden?min_population=99999999999999999999")

    assert page == {"items": [], "count": 0}


def test_it_shows_one_place_by_ags(client):
    place = get_json(client, f"/api/places/{TUEBINGEN}")

    assert place == {
        "ags": TUEBINGEN,
        "name": "Tübingen, Universitätsstadt",
        "kind": "gemeinde",
        "parent_ags": KREIS_TUEBINGEN,
        "population": 91877,
        "area_km2": 108.06,
        "postcode": "72070",
        "url": f"/places/{TUEBINGEN}/",
    }


def test_the_land_has_no_parent(client):
    land = get_json(client, "/api/places/08")

    assert land["kind"] == Kind.LAND
    assert land["parent_ags"] is None


@pytest.mark.parametrize("ags", ["08999999", "09162000"])
def test_an_unknown_ags_is_not_found(client, ags):
    body = get_json(client, f"/api/places/{ags}", status=404)

    assert "detail" in body


@pytest.mark.parametrize("ags", ["x", "0" * 300, "%00", "08%00"])
def test_a_malformed_ags_is_refused_with_a_clear_error(client, ags):
    body = get_json(client, f"/api/places/{ags}", status=422)

    assert "detail" in body
    assert client.get(f"/api/places/{ags}.geojson").status_code == 422
    assert client.get(f"/places/{ags}/").status_code == 404


def test_an_unknown_ags_has_no_geojson_either(client):
    assert client.get("/api/places/08999999.geojson").status_code == 404


# Quarters ---------------------------------------------------------------------------------


def test_it_lists_published_quarters_only(client, quarter, draft_quarter):
    page = get_json(client, "/api/quarters")

    assert page["count"] == 1
    assert [q["id"] for q in page["items"]] == [quarter.pk]
    item = page["items"][0]
    assert item["name"] == "Südstadt"
    assert item["gemeinde_ags"] == TUEBINGEN
    assert item["population"] == 1600
    assert item["households"] == 800
    assert item["disability_share_pct"] == 9
    assert item["is_demo"] is False
    assert item["url"] == f"/quarters/{quarter.pk}/"


def test_it_shows_a_published_quarter(client, quarter):
    item = get_json(client, f"/api/quarters/{quarter.pk}")

    assert item["id"] == quarter.pk
    assert item["age_0_5"] == 100 and item["age_80_plus"] == 100


def test_a_draft_quarter_is_not_found(client, draft_quarter):
    get_json(client, f"/api/quarters/{draft_quarter.pk}", status=404)


@pytest.mark.parametrize("quarter_id", ["0", "-1", "99999999999999999999"])
def test_an_unknown_quarter_is_not_found(client, quarter_id):
    get_json(client, f"/api/quarters/{quarter_id}", status=404)


def test_a_quarter_id_that_is_not_a_number_is_refused(client):
    get_json(client, "/api/quarters/abc", status=422)


def test_it_filters_quarters_by_gemeinde_kreis_and_type(client, tuebingen, ulm):
    make_quarter(tuebingen, name="Altstadt", type="kiez")
    make_quarter(tuebingen, name="Lustnau")
    make_quarter(ulm, name="Söflingen")

    def ids(url):
        return sorted(q["name"] for q in get_json(client, url)["items"])

    assert ids(f"/api/quarters?gemeinde={TUEBINGEN}") == ["Altstadt", "Lustnau"]
    assert ids(f"/api/quarters?kreis={KREIS_TUEBINGEN}") == ["Altstadt", "Lustnau"]
    assert ids("/api/quarters?kreis=08421") == ["Söflingen"]
    assert ids("/api/quarters?type=kiez") == ["Altstadt"]
    assert ids(f"/api/quarters?type=stadtteil&gemeinde={TUEBINGEN}") == ["Lustnau"]
    assert ids("/api/quarters?type=dorf") == []


def test_it_pages_quarters(client, tuebingen):
    for number in range(5):
        make_quarter(tuebingen, name=f"Viertel {number}")

    first = get_json(client, "/api/quarters?limit=2")
    last = get_json(client, "/api/quarters?limit=2&offset=4")

    assert first["count"] == last["count"] == 5
    assert len(first["items"]) == 2 and len(last["items"]) == 1


# GeoJSON ----------------------------------------------------------------------------------


def test_quarters_geojson_holds_published_quarters_in_wgs84(client, quarter, draft_quarter):
    collection = get_json(client, "/api/quarters.geojson")

    assert_wgs84(collection)
    assert collection["count"] == 1
    [feature] = collection["features"]
    assert feature["properties"]["id"] == quarter.pk
    assert feature["geometry"]["type"] == "Polygon"
    # The fixture's square lies around Tübingen's point (9.05° E, 48.52° N).
    for lon, lat in positions(feature["geometry"]):
        assert lon == pytest.approx(9.0546, abs=0.01)
        assert lat == pytest.approx(48.5209, abs=0.01)


def test_quarters_geojson_is_paged_and_filtered(client, tuebingen, ulm):
    for number in range(3):
        make_quarter(tuebingen, name=f"Viertel {number}")
    make_quarter(ulm, name="Söflingen")

    page = get_json(client, f"/api/quarters.geojson?gemeinde={TUEBINGEN}&limit=2")

    assert page["count"] == 3
    assert len(page["features"]) == 2


def test_a_gemeinde_without_boundary_is_a_point(client):
    collection = get_json(client, f"/api/places/{TUEBINGEN}.geojson")

    assert_wgs84(collection)
    [feature] = collection["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [9.054572, 48.520863]}
    assert feature["properties"]["ags"] == TUEBINGEN


def test_a_kreis_has_its_boundary_in_wgs84(client):
    collection = get_json(client, f"/api/places/{KREIS_TUEBINGEN}.geojson")

    assert_wgs84(collection)
    [feature] = collection["features"]
    assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
    lons = [lon for lon, _lat in positions(feature["geometry"])]
    assert 8.7 < min(lons) < max(lons) < 9.3


def test_regierungsbezirke_geojson_has_four_areas(client):
    collection = get_json(client, "/api/regierungsbezirke.geojson")

    assert_wgs84(collection)
    assert len(collection["features"]) == 4
    assert {f["geometry"]["type"] for f in collection["features"]} <= {"Polygon", "MultiPolygon"}


def test_kreise_geojson_filters_by_regierungsbezirk(client):
    collection = get_json(client, "/api/kreise.geojson?regierungsbezirk=084&limit=500")

    assert_wgs84(collection)
    expected = Place.objects.filter(kind=Kind.KREIS, parent__ags="084").count()
    assert collection["count"] == len(collection["features"]) == expected
    assert all(f["properties"]["ags"].startswith("084") for f in collection["features"])


def test_gemeinden_geojson_of_a_kreis_are_points(client):
    collection = get_json(client, f"/api/gemeinden.geojson?kreis={KREIS_TUEBINGEN}")

    assert_wgs84(collection)
    assert collection["count"] == 15
    assert {f["geometry"]["type"] for f in collection["features"]} == {"Point"}


# Bad and hostile input -------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/kreise?limit=0",
        "/api/kreise?limit=100000",
        "/api/kreise?limit=-5",
        "/api/kreise?limit=abc",
        "/api/kreise?offset=-1",
        "/api/kreise?offset=99999999999999999999",
        "/api/kreise.geojson?offset=99999999999999999999",
        "/api/gemeinden?limit=501",
        "/api/gemeinden.geojson?limit=0",
        "/api/quarters?offset=-1",
        "/api/quarters.geojson?limit=100000",
        "/api/gemeinden?kreis=abc",
        "/api/gemeinden?kreis=0841",
        "/api/gemeinden?kreis=084160",
        "/api/gemeinden?regierungsbezirk=84",
        "/api/gemeinden?min_population=-1",
        "/api/gemeinden?min_population=viele",
        "/api/quarters?type=unknown",
        "/api/quarters?gemeinde=tuebingen",
        "/api/quarters?kreis=08416%0A",
        "/api/quarters.geojson?type=quartier",
        "/api/gemeinden?q=" + "a" * 101,
    ],
)
def test_it_refuses_bad_input_with_a_json_error(client, url):
    body = get_json(client, url, status=422)

    assert body["detail"]
    assert all("loc" in error and "msg" in error for error in body["detail"])


@pytest.mark.parametrize(
    "query",
    [
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        '"; DROP TABLE places_place; --',
        "%",
        "_",
        "\\",
        "%00",
        "\u202e",
        "😀" * 25,
        "שלום",
        "x" * 100,
        "Tü" * 5000,
    ],
)
def test_hostile_search_text_is_refused_or_finds_nothing(client, query):
    response = client.get("/api/gemeinden", {"q": query})

    assert response.status_code in (200, 422), response.content[:500]
    if response.status_code == 200:
        assert response.json() == {"items": [], "count": 0}
    assert Place.objects.filter(kind=Kind.GEMEINDE).count() == 1103


@pytest.mark.parametrize("query", ["\x00", "a\x00", "\x00" * 100])
def test_a_null_character_in_the_search_never_fails(client, query):
    # PostgreSQL refuses NUL in text parameters; it must not reach the database.
    response = client.get("/api/gemeinden", {"q": query})

    assert response.status_code in (200, 422), response.content[:500]


def test_search_text_is_escaped_not_a_pattern(client):
    # % and _ would match everything in a LIKE pattern.
    assert get_json(client, "/api/gemeinden?q=%25%25")["count"] == 0
    assert get_json(client, "/api/gemeinden?q=__")["count"] == 0


def test_the_api_is_read_only(client, quarter):
    assert client.post("/api/kreise", {}).status_code == 405
    assert client.delete(f"/api/quarters/{quarter.pk}").status_code == 405
    assert Quarter.objects.filter(pk=quarter.pk).exists()


# Documentation ----------------------------------------------------------------------------


def test_the_openapi_schema_lists_every_endpoint(client):
    schema = get_json(client, "/api/openapi.json")

    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Quartier API"
    assert set(schema["paths"]) == {
        "/api/regierungsbezirke", "/api/regierungsbezirke.geojson",
        "/api/kreise", "/api/kreise.geojson",
        "/api/gemeinden", "/api/gemeinden.geojson",
        "/api/places/{ags}", "/api/places/{ags}.geojson",
        "/api/quarters", "/api/quarters.geojson", "/api/quarters/{quarter_id}",
        "/api/anchor-kinds", "/api/anchors", "/api/anchors.geojson", "/api/anchors.csv",
        "/api/anchors/{anchor_id}",
        "/api/calls", "/api/calls/{call_id}/results", "/api/calls/{call_id}/results.geojson",
        "/api/budget-lines", "/api/budget-kreise",
    }
    for path, operations in schema["paths"].items():
        assert set(operations) == {"get"}, path
        assert "200" in operations["get"]["responses"], path
    parameters = {p["name"] for p in schema["paths"]["/api/gemeinden"]["get"]["parameters"]}
    assert {"kreis", "regierungsbezirk", "min_population", "q", "limit", "offset"} <= parameters


def test_every_reference_in_the_openapi_schema_resolves(client):
    schema = get_json(client, "/api/openapi.json")
    text = json.dumps(schema)
    components = schema.get("components", {}).get("schemas", {})
    for ref in {part.split('"')[0] for part in text.split('"$ref": "')[1:]}:
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.removeprefix("#/components/schemas/") in components, ref


def test_the_api_documentation_page_loads(client):
    response = client.get("/api/docs")

    assert response.status_code == 200
    assert b"openapi.json" in response.content
