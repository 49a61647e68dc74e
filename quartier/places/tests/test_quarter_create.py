"""The quarter form for a new quarter: /places/<ags>/quarters/new/."""

import json

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import escape

from conftest import TUEBINGEN, make_quarter
from quartier.places import geo
from quartier.places.models import AGE_BANDS, Quarter

# Roles are looked up by name, so pytest-django cannot see that these tests use the
# database; the mark keeps them before the transactional browser tests, which empty it.
pytestmark = pytest.mark.django_db

URL = f"/places/{TUEBINGEN}/quarters/new/"
# About 150 m × 220 m around lon 9.05, lat 48.52 (Tübingen), in WGS84.
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[9.049, 48.519], [9.051, 48.519], [9.051, 48.521], [9.049, 48.521],
                     [9.049, 48.519]]],
}
FORBIDDEN = ["resident", "member", "other_coordinator", "moderator", "juror", "consultant"]



@pytest.fixture
def client(client):
    # Messages are checked in English, the msgid language.
    client.cookies["django_language"] = "en"
    return client


def form_data(**overrides):
    data = {
        "name": "Weststadt", "type": "stadtteil", "status": "published",
        "age_0_5": "50", "age_6_17": "120", "age_18_29": "300", "age_30_49": "400",
        "age_50_64": "250", "age_65_79": "150", "age_80_plus": "30",
        "households": "600", "disability_share_pct": "8.5", "migration_share_pct": "27",
        "boundary_geojson": json.dumps(SQUARE),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def assert_field_error(response, field, message):
    assert response.status_code == 400
    assert message in response.context["form"].errors[field]
    html = response.content.decode()
    assert f'<p class="error" id="id_{field}_error">{escape(message)}</p>' in html


def assert_in_tuebingen_utm(quarter):
    boundary = geo.loads(quarter.boundary)
    minx, miny, maxx, maxy = boundary.bounds
    assert 495_000 < minx < maxx < 510_000
    assert 5.365e6 < miny < maxy < 5.380e6
    assert boundary.contains(geo.shapely.Point(quarter.x, quarter.y))


# Permissions ---------------------------------------------------------------------------


def test_it_sends_anonymous_visitors_to_the_login(client, tuebingen):
    response = client.post(URL, form_data())
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert not Quarter.objects.filter(name="Weststadt").exists()


@pytest.mark.parametrize("role", FORBIDDEN)
def test_it_forbids_roles_that_do_not_coordinate_tuebingen(client, request, role, tuebingen):
    client.force_login(request.getfixturevalue(role))
    assert client.get(URL).status_code == 403
    assert client.post(URL, form_data()).status_code == 403
    assert not Quarter.objects.filter(name="Weststadt").exists()


@pytest.mark.parametrize("role", ["coordinator", "county_coordinator", "staff"])
def test_it_shows_the_form_to_staff_and_tuebingens_coordinators(client, request, role, tuebingen):
    client.force_login(request.getfixturevalue(role))
    response = client.get(URL)
    assert response.status_code == 200
    assert 'name="boundary_geojson"' in response.content.decode()


def test_it_finds_no_form_for_a_kreis_or_an_unknown_ags(client, coordinator):
    client.force_login(coordinator)
    assert client.get("/places/08416/quarters/new/").status_code == 404
    assert client.get("/places/08999999/quarters/new/").status_code == 404


# Happy path ----------------------------------------------------------------------------


def test_it_creates_a_quarter_from_pasted_geojson(client, coordinator):
    client.force_login(coordinator)
    response = client.post(URL, form_data())
    quarter = Quarter.objects.get(name="Weststadt")
    assert response.status_code == 302
    assert response["Location"] == f"/quarters/{quarter.pk}/"
    assert quarter.gemeinde.ags == TUEBINGEN
    assert quarter.status == "published"
    assert quarter.population == 50 + 120 + 300 + 400 + 250 + 150 + 30
    assert quarter.households == 600
    assert str(quarter.disability_share_pct) == "8.50"
    assert_in_tuebingen_utm(quarter)
    # 0.002° × 0.002° at 48.5° N: about 148 m × 222 m.
    assert 30_000 < geo.loads(quarter.boundary).area < 36_000


def test_it_creates_a_quarter_from_an_uploaded_geojson_file(client, coordinator):
    client.force_login(coordinator)
    feature = {"type": "Feature", "properties": {"name": "x"}, "geometry": SQUARE}
    upload = SimpleUploadedFile(
        "weststadt.geojson", json.dumps(feature).encode(), content_type="application/geo+json"
    )
    response = client.post(URL, form_data(boundary_geojson="", boundary_file=upload))
    assert response.status_code == 302
    assert_in_tuebingen_utm(Quarter.objects.get(name="Weststadt"))


def test_it_accepts_a_utf8_file_with_byte_order_mark(client, coordinator):
    client.force_login(coordinator)
    upload = SimpleUploadedFile("w.geojson", b"\xef\xbb\xbf" + json.dumps(SQUARE).encode())
    response = client.post(URL, form_data(boundary_geojson="", boundary_file=upload))
    assert response.status_code == 302
    assert Quarter.objects.filter(name="Weststadt").exists()


def test_it_lets_a_county_coordinator_create_a_draft(client, county_coordinator):
    client.force_login(county_coordinator)
    response = client.post(URL, form_data(status="draft"))
    assert response.status_code == 302
    assert Quarter.objects.get(name="Weststadt").status == "draft"


# Bad input ------------------------------------------------------------------------------


@pytest.fixture
def as_coordinator(client, coordinator):
    client.force_login(coordinator)
    return client


def post_rejected(client, data, field, message):
    count = Quarter.objects.count()
    response = client.post(URL, data)
    assert_field_error(response, field, message)
    assert Quarter.objects.count() == count
    return response


def test_it_rejects_text_that_is_not_json(as_coordinator):
    post_rejected(as_coordinator, form_data(boundary_geojson="{type: Polygon"),
                  "boundary_geojson", "The boundary is not valid JSON.")


def test_it_rejects_a_point(as_coordinator):
    point = {"type": "Point", "coordinates": [9.05, 48.52]}
    post_rejected(as_coordinator, form_data(boundary_geojson=json.dumps(point)),
                  "boundary_geojson", "The boundary must be a Polygon or MultiPolygon, not Point.")


def test_it_rejects_a_self_intersecting_bow_tie(as_coordinator):
    bow_tie = {"type": "Polygon", "coordinates": [[[9.049, 48.519], [9.051, 48.521],
                                                   [9.051, 48.519], [9.049, 48.521],
                                                   [9.049, 48.519]]]}
    post_rejected(as_coordinator, form_data(boundary_geojson=json.dumps(bow_tie)),
                  "boundary_geojson", "The boundary crosses itself; redraw it without crossings.")


def test_it_rejects_a_polygon_outside_baden_wuerttemberg(as_coordinator):
    munich = {"type": "Polygon", "coordinates": [[[11.57, 48.13], [11.59, 48.13],
                                                  [11.59, 48.15], [11.57, 48.15],
                                                  [11.57, 48.13]]]}
    post_rejected(as_coordinator, form_data(boundary_geojson=json.dumps(munich)),
                  "boundary_geojson", "The boundary lies (partly) outside Baden-Württemberg.")


def test_it_rejects_a_polygon_given_in_metres_instead_of_degrees(as_coordinator):
    metres = {"type": "Polygon", "coordinates": [[[503000, 5374000], [503100, 5374000],
                                                  [503100, 5374100], [503000, 5374000]]]}
    post_rejected(as_coordinator, form_data(boundary_geojson=json.dumps(metres)),
                  "boundary_geojson",
                  "The coordinates are not longitude/latitude (WGS84, EPSG:4326).")


def test_it_rejects_a_file_over_the_upload_limit(as_coordinator):
    # Valid GeoJSON padded with whitespace to one byte over the limit.
    text = json.dumps(SQUARE).encode()
    payload = text + b" " * (settings.UPLOAD_MAX_BYTES + 1 - len(text))
    upload = SimpleUploadedFile("big.geojson", payload)
    mb = settings.UPLOAD_MAX_BYTES >> 20
    post_rejected(as_coordinator, form_data(boundary_geojson="", boundary_file=upload),
                  "boundary_file", f"The file is larger than {mb} MB.")


def test_it_rejects_a_file_that_is_not_utf8(as_coordinator):
    latin1 = json.dumps({**SQUARE, "name": "Südstadt"}, ensure_ascii=False).encode("latin-1")
    upload = SimpleUploadedFile("latin1.geojson", latin1)
    post_rejected(as_coordinator, form_data(boundary_geojson="", boundary_file=upload),
                  "boundary_file", "The file is not UTF-8 text.")


def test_it_names_the_file_when_an_uploaded_geometry_is_bad(as_coordinator):
    point = json.dumps({"type": "Point", "coordinates": [9.05, 48.52]}).encode()
    upload = SimpleUploadedFile("point.geojson", point)
    post_rejected(as_coordinator, form_data(boundary_geojson="", boundary_file=upload),
                  "boundary_file", "The boundary must be a Polygon or MultiPolygon, not Point.")


def test_it_rejects_a_negative_age_band(as_coordinator):
    post_rejected(as_coordinator, form_data(age_65_79="-5"),
                  "age_65_79", "Ensure this value is greater than or equal to 0.")


def test_it_rejects_an_age_band_over_a_million(as_coordinator):
    post_rejected(as_coordinator, form_data(age_30_49="1000001"),
                  "age_30_49", "Ensure this value is less than or equal to 1000000.")


def test_it_rejects_bands_whose_sum_would_overflow_the_population_column(as_coordinator):
    # Each fits PostgreSQL's integer; their sum in the generated column would not.
    bands = {f: "400000000" for f, _label in AGE_BANDS}
    count = Quarter.objects.count()
    response = as_coordinator.post(URL, form_data(**bands))
    assert response.status_code == 400
    assert {f for f, _label in AGE_BANDS} <= set(response.context["form"].errors)
    assert Quarter.objects.count() == count


@pytest.mark.parametrize("field", ["disability_share_pct", "migration_share_pct"])
def test_it_rejects_a_share_over_100_percent(as_coordinator, field):
    post_rejected(as_coordinator, form_data(**{field: "100.5"}),
                  field, "Ensure this value is less than or equal to 100.")


def test_it_rejects_more_households_than_residents(as_coordinator):
    post_rejected(as_coordinator, form_data(households="1301"),
                  "households", "There are more households (1301) than residents (1300).")


def test_it_rejects_no_households_for_residents(as_coordinator):
    post_rejected(as_coordinator, form_data(households="0"),
                  "households", "A quarter with residents has at least one household.")


def test_it_rejects_a_name_the_gemeinde_already_has(as_coordinator, quarter):
    post_rejected(as_coordinator, form_data(name=quarter.name),
                  "name", "This Gemeinde already has a quarter of this name.")


def test_it_allows_a_name_another_gemeinde_already_has(as_coordinator, ulm):
    make_quarter(ulm, name="Weststadt")
    assert as_coordinator.post(URL, form_data()).status_code == 302
    assert Quarter.objects.filter(name="Weststadt").count() == 2


def test_it_asks_for_a_boundary(as_coordinator):
    post_rejected(as_coordinator, form_data(boundary_geojson=""),
                  "boundary_geojson", "Draw the boundary on the map or upload a GeoJSON file.")


def test_it_asks_for_a_boundary_when_only_whitespace_is_pasted(as_coordinator):
    post_rejected(as_coordinator, form_data(boundary_geojson="  \n "),
                  "boundary_geojson", "Draw the boundary on the map or upload a GeoJSON file.")


def test_it_lists_every_error_in_the_summary(as_coordinator):
    response = as_coordinator.post(URL, form_data(boundary_geojson="", age_0_5="-1"))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert 'href="#id_boundary_geojson"' in html
    assert 'href="#id_age_0_5"' in html


def test_it_saves_markup_in_a_name_as_text_and_shows_it_escaped(as_coordinator, client):
    name = "<script>alert(1)</script>"
    response = as_coordinator.post(URL, form_data(name=name))
    quarter = Quarter.objects.get(name=name)
    for url in (response["Location"], f"/places/{TUEBINGEN}/", f"/quarters/{quarter.pk}/edit/"):
        html = client.get(url).content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
        assert "<script>alert" not in html, url


def test_it_escapes_markup_in_a_rejected_name(as_coordinator):
    response = as_coordinator.post(
        URL, form_data(name='"><script>alert(1)</script>', boundary_geojson="")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert not Quarter.objects.filter(name__contains="script").exists()
