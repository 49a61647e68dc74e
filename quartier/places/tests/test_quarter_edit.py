"""The quarter form for an existing quarter (/quarters/<pk>/edit/) and who sees drafts."""

import json

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict
from django.utils.html import escape

from conftest import TUEBINGEN, make_quarter
from quartier.places import geo
from quartier.places.models import Quarter

# Roles are looked up by name, so pytest-django cannot see that these tests use the
# database; the mark keeps them before the transactional browser tests, which empty it.
pytestmark = pytest.mark.django_db

FORBIDDEN = ["resident", "member", "other_coordinator", "moderator", "juror", "consultant"]
# About 150 m × 220 m around lon 9.05, lat 48.52 (Tübingen), in WGS84.
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[9.049, 48.519], [9.051, 48.519], [9.051, 48.521], [9.049, 48.521],
                     [9.049, 48.519]]],
}



@pytest.fixture
def client(client):
    # Messages are checked in English, the msgid language.
    client.cookies["django_language"] = "en"
    return client


def edit_url(quarter):
    return f"/quarters/{quarter.pk}/edit/"


def form_data(quarter, **overrides):
    """The form as the page shows it for quarter, with overrides; None drops a field."""
    data = {
        "name": quarter.name, "type": quarter.type, "status": quarter.status,
        "age_0_5": quarter.age_0_5, "age_6_17": quarter.age_6_17,
        "age_18_29": quarter.age_18_29, "age_30_49": quarter.age_30_49,
        "age_50_64": quarter.age_50_64, "age_65_79": quarter.age_65_79,
        "age_80_plus": quarter.age_80_plus, "households": quarter.households,
        "disability_share_pct": quarter.disability_share_pct,
        "migration_share_pct": quarter.migration_share_pct,
        "boundary_geojson": "",
    }
    data.update(overrides)
    return {k: v if hasattr(v, "read") else str(v) for k, v in data.items() if v is not None}


def snapshot(quarter):
    quarter = Quarter.objects.get(pk=quarter.pk)
    return {**model_to_dict(quarter), "x": quarter.x, "y": quarter.y,
            "updated_at": quarter.updated_at}


def assert_field_error(response, field, message):
    assert response.status_code == 400
    assert message in response.context["form"].errors[field]
    html = response.content.decode()
    assert f'<p class="error" id="id_{field}_error">{escape(message)}</p>' in html


# Permissions ---------------------------------------------------------------------------


def test_it_sends_anonymous_visitors_to_the_login(client, quarter):
    before = snapshot(quarter)
    response = client.post(edit_url(quarter), form_data(quarter, name="Umbenannt"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert snapshot(quarter) == before


@pytest.mark.parametrize("role", FORBIDDEN)
def test_it_forbids_roles_that_do_not_coordinate_tuebingen(client, request, role, quarter):
    client.force_login(request.getfixturevalue(role))
    before = snapshot(quarter)
    assert client.get(edit_url(quarter)).status_code == 403
    response = client.post(edit_url(quarter), form_data(quarter, name="Umbenannt"))
    assert response.status_code == 403
    assert snapshot(quarter) == before


@pytest.mark.parametrize("role", FORBIDDEN)
def test_it_hides_a_draft_from_roles_that_do_not_coordinate_tuebingen(
    client, request, role, draft_quarter
):
    client.force_login(request.getfixturevalue(role))
    before = snapshot(draft_quarter)
    assert client.get(f"/quarters/{draft_quarter.pk}/").status_code == 404
    assert client.get(edit_url(draft_quarter)).status_code == 404
    response = client.post(edit_url(draft_quarter), form_data(draft_quarter, name="Umbenannt"))
    assert response.status_code == 404
    assert snapshot(draft_quarter) == before


def test_it_hides_a_draft_from_anonymous_visitors(client, draft_quarter):
    assert client.get(f"/quarters/{draft_quarter.pk}/").status_code == 404
    html = client.get(f"/places/{TUEBINGEN}/").content.decode()
    assert draft_quarter.name not in html


def test_it_leaves_a_draft_off_the_gemeinde_page_for_another_gemeindes_coordinator(
    client, other_coordinator, quarter, draft_quarter
):
    client.force_login(other_coordinator)
    html = client.get(f"/places/{TUEBINGEN}/").content.decode()
    assert quarter.name in html
    assert draft_quarter.name not in html


@pytest.mark.parametrize("role", ["coordinator", "county_coordinator", "staff"])
def test_it_shows_a_draft_to_staff_and_tuebingens_coordinators(
    client, request, role, draft_quarter
):
    client.force_login(request.getfixturevalue(role))
    assert draft_quarter.name in client.get(f"/places/{TUEBINGEN}/").content.decode()
    detail = client.get(f"/quarters/{draft_quarter.pk}/")
    assert detail.status_code == 200
    assert edit_url(draft_quarter) in detail.content.decode()
    assert client.get(edit_url(draft_quarter)).status_code == 200


def test_it_offers_no_edit_link_to_people_who_may_not_edit(client, resident, quarter):
    client.force_login(resident)
    response = client.get(f"/quarters/{quarter.pk}/")
    assert response.status_code == 200
    assert edit_url(quarter) not in response.content.decode()


def test_it_keeps_ulms_coordinator_out_of_tuebingens_form_for_a_published_quarter(
    client, other_coordinator, quarter
):
    client.force_login(other_coordinator)
    assert client.get(f"/quarters/{quarter.pk}/").status_code == 200
    assert client.get(edit_url(quarter)).status_code == 403


def test_it_finds_no_unknown_quarter(client, coordinator):
    client.force_login(coordinator)
    assert client.get("/quarters/999999/edit/").status_code == 404


# Happy path ----------------------------------------------------------------------------


def test_it_changes_name_and_demographics_and_keeps_the_boundary(client, coordinator, quarter):
    client.force_login(coordinator)
    boundary, x, y = quarter.boundary, quarter.x, quarter.y
    response = client.post(edit_url(quarter), form_data(
        quarter, name="Südstadt-Ost", age_0_5=90, age_80_plus=250, households=900,
        disability_share_pct="12.25", migration_share_pct=0, status="draft",
    ))
    assert response.status_code == 302
    assert response["Location"] == f"/quarters/{quarter.pk}/"
    quarter.refresh_from_db()
    assert quarter.name == "Südstadt-Ost"
    assert quarter.status == "draft"
    assert (quarter.age_0_5, quarter.age_80_plus, quarter.households) == (90, 250, 900)
    assert quarter.population == 90 + 200 + 300 + 400 + 300 + 200 + 250
    assert str(quarter.disability_share_pct) == "12.25"
    assert quarter.migration_share_pct == 0
    assert (quarter.boundary, quarter.x, quarter.y) == (boundary, x, y)
    assert "Südstadt-Ost" in client.get(response["Location"]).content.decode()


def test_it_replaces_the_boundary_with_pasted_geojson(client, coordinator, quarter):
    client.force_login(coordinator)
    response = client.post(
        edit_url(quarter), form_data(quarter, boundary_geojson=json.dumps(SQUARE))
    )
    assert response.status_code == 302
    quarter.refresh_from_db()
    boundary = geo.loads(quarter.boundary)
    minx, miny, maxx, maxy = boundary.bounds
    # EPSG:25832 metres around lon 9.05, lat 48.52.
    assert 500_000 < minx < maxx < 506_000
    assert 5.370e6 < miny < maxy < 5.378e6
    assert 30_000 < boundary.area < 36_000
    assert boundary.contains(geo.shapely.Point(quarter.x, quarter.y))


def test_it_replaces_the_boundary_with_an_uploaded_file(client, county_coordinator, quarter):
    client.force_login(county_coordinator)
    collection = {"type": "FeatureCollection",
                  "features": [{"type": "Feature", "properties": {}, "geometry": SQUARE}]}
    upload = SimpleUploadedFile("q.geojson", json.dumps(collection).encode())
    response = client.post(edit_url(quarter), form_data(quarter, boundary_file=upload))
    assert response.status_code == 302
    quarter.refresh_from_db()
    assert 30_000 < geo.loads(quarter.boundary).area < 36_000


def test_it_lets_staff_edit_any_quarter(client, staff, ulm):
    ulm_quarter = make_quarter(ulm, name="Weststadt")
    client.force_login(staff)
    response = client.post(edit_url(ulm_quarter), form_data(ulm_quarter, households=801))
    assert response.status_code == 302
    ulm_quarter.refresh_from_db()
    assert ulm_quarter.households == 801


def test_it_keeps_the_name_when_it_is_saved_unchanged(client, coordinator, quarter):
    client.force_login(coordinator)
    response = client.post(edit_url(quarter), form_data(quarter))
    assert response.status_code == 302


# Bad input ------------------------------------------------------------------------------


@pytest.fixture
def as_coordinator(client, coordinator):
    client.force_login(coordinator)
    return client


def post_rejected(client, quarter, overrides, field, message):
    before = snapshot(quarter)
    response = client.post(edit_url(quarter), form_data(quarter, **overrides))
    assert_field_error(response, field, message)
    assert snapshot(quarter) == before
    return response


def test_it_rejects_text_that_is_not_json(as_coordinator, quarter):
    post_rejected(as_coordinator, quarter, {"boundary_geojson": "not json"},
                  "boundary_geojson", "The boundary is not valid JSON.")


def test_it_rejects_a_point(as_coordinator, quarter):
    point = json.dumps({"type": "Point", "coordinates": [9.05, 48.52]})
    post_rejected(as_coordinator, quarter, {"boundary_geojson": point},
                  "boundary_geojson", "The boundary must be a Polygon or MultiPolygon, not Point.")


def test_it_rejects_a_self_intersecting_bow_tie(as_coordinator, quarter):
    bow_tie = json.dumps({"type": "Polygon", "coordinates": [[
        [9.049, 48.519], [9.051, 48.521], [9.051, 48.519], [9.049, 48.521], [9.049, 48.519]]]})
    post_rejected(as_coordinator, quarter, {"boundary_geojson": bow_tie},
                  "boundary_geojson", "The boundary crosses itself; redraw it without crossings.")


def test_it_rejects_a_polygon_outside_baden_wuerttemberg(as_coordinator, quarter):
    munich = json.dumps({"type": "Polygon", "coordinates": [[
        [11.57, 48.13], [11.59, 48.13], [11.59, 48.15], [11.57, 48.15], [11.57, 48.13]]]})
    post_rejected(as_coordinator, quarter, {"boundary_geojson": munich},
                  "boundary_geojson", "The boundary lies (partly) outside Baden-Württemberg.")


def test_it_rejects_a_file_over_the_upload_limit(as_coordinator, quarter):
    text = json.dumps(SQUARE).encode()
    upload = SimpleUploadedFile(
        "big.geojson", text + b" " * (settings.UPLOAD_MAX_BYTES + 1 - len(text))
    )
    post_rejected(as_coordinator, quarter, {"boundary_file": upload},
                  "boundary_file", f"The file is larger than {settings.UPLOAD_MAX_BYTES >> 20} MB.")


def test_it_rejects_a_file_that_is_not_utf8(as_coordinator, quarter):
    upload = SimpleUploadedFile("u16.geojson", json.dumps(SQUARE).encode("utf-16"))
    post_rejected(as_coordinator, quarter, {"boundary_file": upload},
                  "boundary_file", "The file is not UTF-8 text.")


def test_it_rejects_a_negative_age_band(as_coordinator, quarter):
    post_rejected(as_coordinator, quarter, {"age_6_17": -1},
                  "age_6_17", "Ensure this value is greater than or equal to 0.")


def test_it_rejects_a_share_over_100_percent(as_coordinator, quarter):
    post_rejected(as_coordinator, quarter, {"migration_share_pct": 101},
                  "migration_share_pct", "Ensure this value is less than or equal to 100.")


def test_it_rejects_a_negative_share(as_coordinator, quarter):
    post_rejected(as_coordinator, quarter, {"disability_share_pct": "-0.5"},
                  "disability_share_pct", "Ensure this value is greater than or equal to 0.")


def test_it_rejects_more_households_than_residents(as_coordinator, quarter):
    post_rejected(as_coordinator, quarter, {"households": 1601},
                  "households", "There are more households (1601) than residents (1600).")


def test_it_rejects_the_name_of_another_quarter_of_the_gemeinde(
    as_coordinator, quarter, draft_quarter
):
    post_rejected(as_coordinator, quarter, {"name": draft_quarter.name},
                  "name", "This Gemeinde already has a quarter of this name.")


def test_it_rejects_an_empty_name(as_coordinator, quarter):
    post_rejected(as_coordinator, quarter, {"name": ""}, "name", "This field is required.")


def test_it_shows_the_stored_name_in_the_title_after_a_rejected_rename(as_coordinator, quarter):
    response = post_rejected(as_coordinator, quarter, {"name": "Neu", "households": 99999},
                             "households",
                             "There are more households (99999) than residents (1600).")
    html = response.content.decode()
    assert "<title>Edit Südstadt" in html
    assert 'value="Neu"' in html


def test_it_saves_markup_in_a_name_as_text_and_shows_it_escaped(as_coordinator, quarter):
    name = "<script>alert(1)</script>"
    response = as_coordinator.post(edit_url(quarter), form_data(quarter, name=name))
    assert response.status_code == 302
    quarter.refresh_from_db()
    assert quarter.name == name
    for url in (f"/quarters/{quarter.pk}/", f"/places/{TUEBINGEN}/", edit_url(quarter)):
        html = as_coordinator.get(url).content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
        assert "<script>alert" not in html, url
