"""The public search /anchors/ and its HTMX fragment: no account needed, bad input is a
message, the list carries everything the map shows."""

import json
import re

import pytest

from conftest import make_quarter
from quartier.anchors.tests.support import make_anchor, offer

pytestmark = pytest.mark.django_db


def listed(response) -> list[str]:
    return [hit.anchor.name for hit in response.context["result"].hits]


def test_anyone_searches_without_an_account(client, tuebingen):
    make_anchor(tuebingen, name="Stadtteiltreff")
    response = client.get("/anchors/")
    assert response.status_code == 200
    assert listed(response) == ["Stadtteiltreff"]
    assert "Anker und Angebote" in response.content.decode()


def test_it_searches_near_a_gemeinde_or_postcode_by_walking_distance(client, tuebingen, ulm):
    make_anchor(tuebingen, name="Fern", dx=2000)
    make_anchor(tuebingen, name="Nah", dx=200)
    make_anchor(ulm, name="In Ulm", postcode="89073")

    by_name = client.get("/anchors/", {"near": "Tübingen", "radius": "5000"})
    by_postcode = client.get("/anchors/", {"near": "72070", "radius": "5000"})

    assert listed(by_name) == listed(by_postcode) == ["Nah", "Fern"]
    html = by_name.content.decode()
    assert "260 m" in html and "2,6 km" in html
    assert "Tübingen, Universitätsstadt" in html


def test_it_searches_near_a_quarter_and_the_browsers_position(client, tuebingen):
    quarter = make_quarter(tuebingen)
    make_anchor(tuebingen, name="Im Viertel")
    make_anchor(tuebingen, name="Weit weg", dx=20_000)
    lon, lat = 9.054572, 48.520863

    assert listed(client.get("/anchors/", {"quarter": quarter.pk})) == ["Im Viertel"]
    assert listed(client.get("/anchors/", {"lat": lat, "lon": lon})) == ["Im Viertel"]


def test_a_typed_place_wins_over_a_position_left_in_the_form(client, tuebingen, ulm):
    make_anchor(ulm, name="In Ulm", postcode="89073")
    make_anchor(tuebingen, name="In Tübingen")
    response = client.get("/anchors/", {"near": "Ulm", "lat": "48.52", "lon": "9.05"})
    assert listed(response) == ["In Ulm"]


def test_it_filters_by_what_a_person_needs(client, tuebingen):
    make_anchor(tuebingen, name="Passt", step_free_entrance=True, accessible_toilet=True,
                languages=["de", "ar"], kind="beratungsstelle",
                offers=[offer(category="counselling", target_groups=["families"])])
    make_anchor(tuebingen, name="Ohne Toilette", step_free_entrance=True, languages=["de", "ar"],
                kind="beratungsstelle",
                offers=[offer(category="counselling", target_groups=["families"])])

    response = client.get("/anchors/", {
        "kind": "beratungsstelle", "category": "counselling", "target_group": "families",
        "language": "ar", "needs": ["step_free_entrance", "accessible_toilet"],
    })

    assert listed(response) == ["Passt"]


def test_the_htmx_request_gets_only_the_results(client, tuebingen):
    make_anchor(tuebingen, name="Treff")
    response = client.get("/anchors/", {"near": "Tübingen"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "Treff" in html
    assert 'id="anchor-features"' in html


def test_the_map_shows_the_same_places_as_the_list(client, tuebingen):
    for number in range(3):
        make_anchor(tuebingen, name=f"Ort {number}", dx=number * 100)
    html = client.get("/anchors/", {"near": "Tübingen"}).content.decode()
    features = json.loads(re.search(
        r'<script id="anchor-features" type="application/json">(.*?)</script>', html).group(1))
    names = [f["properties"]["name"] for f in features["features"]]
    assert names == ["Ort 0", "Ort 1", "Ort 2"]
    for name in names:
        assert f">{name}</a></h3>" in html


@pytest.mark.parametrize("params, message", [
    ({"near": "Atlantis"}, "Keine Gemeinde"),
    ({"lat": "52.52", "lon": "13.40"}, "außerhalb von Baden-Württemberg"),
    ({"radius": "123"}, "gültige"),
    ({"kind": "schloss"}, "gültige"),
    ({"needs": ["fly"]}, "gültige"),
    ({"lat": "abc", "lon": "9"}, "Zahl"),
    ({"page": "-3"}, "größer oder gleich"),
    ({"quarter": "99999999"}, "nicht bekannt"),
    ({"near": "x" * 500}, "höchstens"),
])
def test_bad_search_input_gives_a_message_not_an_error(client, params, message):
    response = client.get("/anchors/", params)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["result"] is None


def test_text_with_nul_bytes_is_a_message_too(client):
    response = client.get("/anchors/", {"near": "Tü\x00bingen"})
    assert response.status_code == 200


def test_the_page_links_the_open_data_downloads(client):
    html = client.get("/anchors/").content.decode()
    assert 'href="/api/anchors.csv"' in html and 'href="/api/anchors.geojson"' in html
