"""The open-data API of anchors: JSON pages, GeoJSON, CSV; bad parameters are 422, never 500."""

import csv
import io

import pytest

from quartier.anchors.tests.support import make_anchor, offer

pytestmark = pytest.mark.django_db


def get(client, url, status=200, **params):
    response = client.get(url, params)
    assert response.status_code == status, (url, params, response.content[:500])
    return response


def test_it_lists_published_anchors_with_offers(client, tuebingen):
    make_anchor(tuebingen, name="B", offers=[offer(title="Treff")])
    make_anchor(tuebingen, name="A")
    make_anchor(tuebingen, name="Geheim", status="pending")

    page = get(client, "/api/anchors").json()

    assert page["count"] == 2
    assert [item["name"] for item in page["items"]] == ["A", "B"]
    item = page["items"][1]
    assert item["offers"][0]["title"] == "Treff"
    assert item["gemeinde_ags"] == tuebingen.ags
    assert item["url"].startswith("/anchors/")
    assert 8.9 < item["lon"] < 9.2 and 48.4 < item["lat"] < 48.6


def test_it_searches_by_position_nearest_first_with_filters(client, tuebingen):
    make_anchor(tuebingen, name="Fern", dx=1500, lift=True)
    make_anchor(tuebingen, name="Nah", dx=100, lift=True)
    make_anchor(tuebingen, name="Ohne Aufzug", dx=50)

    items = get(client, "/api/anchors", lat=48.520863, lon=9.054572, radius_m=5000,
                needs=["lift"]).json()["items"]

    assert [i["name"] for i in items] == ["Nah", "Fern"]
    assert items[0]["walking_distance_m"] < items[1]["walking_distance_m"]


def test_it_pages(client, tuebingen):
    for number in range(5):
        make_anchor(tuebingen, name=f"Ort {number}")
    page = get(client, "/api/anchors", limit=2, offset=4).json()
    assert page["count"] == 5 and [i["name"] for i in page["items"]] == ["Ort 4"]
    assert get(client, "/api/anchors", limit=2, offset=10).json()["items"] == []


def test_it_lists_the_anchors_of_a_gemeinde(client, tuebingen, ulm):
    make_anchor(tuebingen, name="Tübinger Ort")
    make_anchor(ulm, name="Ulmer Ort", postcode="89073")
    page = get(client, "/api/anchors", gemeinde=ulm.ags).json()
    assert [i["name"] for i in page["items"]] == ["Ulmer Ort"]


def test_it_serves_one_published_anchor(client, tuebingen):
    anchor = make_anchor(tuebingen)
    hidden = make_anchor(tuebingen, status="pending")
    assert get(client, f"/api/anchors/{anchor.pk}").json()["name"] == anchor.name
    get(client, f"/api/anchors/{hidden.pk}", status=404)


def test_it_lists_the_kinds(client):
    kinds = get(client, "/api/anchor-kinds").json()
    assert {k["success_factor"] for k in kinds} == {
        "institutional_anchor", "barrier_free_space", "volunteer_coordination", "support_offer"}
    assert len(kinds) >= 10


def test_it_downloads_geojson_and_csv(client, tuebingen):
    make_anchor(tuebingen, name="Treff", offers=[offer(title="Sprachcafé")])
    make_anchor(tuebingen, name="Geheim", status="pending")

    collection = get(client, "/api/anchors.geojson").json()
    [feature] = collection["features"]
    assert feature["geometry"]["type"] == "Point"
    assert feature["properties"]["offers"][0]["title"] == "Sprachcafé"

    response = get(client, "/api/anchors.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["name"] for r in rows] == ["Treff"]


@pytest.mark.parametrize("params", [
    {"limit": 0}, {"limit": 100000}, {"offset": -1}, {"offset": 2**40}, {"offset": 3, "limit": 2},
    {"lat": 100, "lon": 9}, {"lat": 48.5}, {"lat": 52.52, "lon": 13.40}, {"lat": "x", "lon": 9},
    {"radius_m": 0}, {"radius_m": 10**9}, {"kind": "schloss"}, {"kind": "<script>"},
    {"category": "bar"}, {"target_group": "problem"}, {"language": "xx"}, {"needs": "fly"},
    {"open_now": "vielleicht"}, {"gemeinde": "123"}, {"gemeinde": "08416041\x00"},
])
def test_bad_parameters_are_refused_with_422(client, params):
    get(client, "/api/anchors", status=422, **params)


@pytest.mark.parametrize("url", [
    "/api/anchors/0", "/api/anchors/abc", f"/api/anchors/{2**40}",
    "/api/anchors.geojson?limit=0", "/api/anchors.geojson?gemeinde=x",
    "/api/anchors.csv?offset=-1",
])
def test_bad_paths_are_never_a_server_error(client, url):
    assert client.get(url).status_code in (404, 422)
