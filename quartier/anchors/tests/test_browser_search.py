"""A resident searches without an account: by place, distance, accessibility and position."""

import pytest
from playwright.sync_api import expect

from conftest import TUEBINGEN, ULM
from quartier.anchors.tests.support import make_anchor, offer, seed_kinds
from quartier.places.models import Place
from quartier.testing.browser import check_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture
def anchors(places_loaded):
    seed_kinds()
    tuebingen = Place.objects.get(ags=TUEBINGEN)
    make_anchor(tuebingen, name="Treff mit Stufe", dx=100, opening_hours="")
    make_anchor(tuebingen, name="Barrierefreies Zentrum", dx=800, step_free_entrance=True,
                accessible_toilet=True, offers=[offer(title="Sprachcafé",
                                                      category="language_cafe")])
    make_anchor(Place.objects.get(ags=ULM), name="Ulmer Treff", step_free_entrance=True,
                accessible_toilet=True, postcode="89073")


def result_names(page):
    return page.locator(".anchor-item h3")


def test_a_resident_finds_a_barrier_free_place_near_a_gemeinde(page, anchors):
    page.goto("/anchors/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Anker und Angebote in Ihrer Nähe")
    expect(result_names(page)).to_have_count(3)
    check_axe(page)

    page.get_by_label("In der Nähe von (Gemeinde, Quartier oder Postleitzahl)").fill("Tübingen")
    page.get_by_label("Stufenloser Eingang").check()
    page.get_by_label("Barrierefreie Toilette").check()
    page.get_by_role("button", name="Suche", exact=True).click()

    expect(result_names(page)).to_have_count(1)
    expect(result_names(page)).to_have_text(["Barrierefreies Zentrum"])
    expect(page.locator(".anchor-item")).to_contain_text("1,0 km Fußweg")
    expect(page.locator("[data-results-status]")).to_have_text("1 Ort gefunden")
    expect(page.locator(".results-layout .map path.leaflet-interactive")).to_have_count(1)
    assert "near=T%C3%BCbingen" in page.url or "near=Tübingen" in page.url
    check_axe(page)

    page.get_by_role("link", name="Barrierefreies Zentrum").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Barrierefreies Zentrum")
    expect(page.get_by_text("Stufenloser Eingang: ja")).to_be_visible()
    expect(page.get_by_role("heading", name="Sprachcafé")).to_be_visible()
    assert page.locator('script[type="application/ld+json"]').count() == 1
    check_axe(page)


def test_a_resident_searches_from_the_own_position(page, anchors):
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 48.3994, "longitude": 9.9916})  # Ulm
    page.goto("/anchors/")

    page.get_by_role("button", name="Meinen Standort verwenden").click()

    expect(result_names(page)).to_have_text(["Ulmer Treff"])
    expect(page.get_by_text("von Ihrem Standort aus")).to_be_visible()
    check_axe(page)


def test_filters_apply_as_they_change_and_the_map_follows(page, anchors):
    page.goto("/anchors/?near=Tübingen&radius=5000")
    expect(result_names(page)).to_have_count(2)

    page.get_by_label("Angebot").select_option("language_cafe")

    expect(result_names(page)).to_have_text(["Barrierefreies Zentrum"])
    expect(page.locator(".results-layout .map path.leaflet-interactive")).to_have_count(1)
    check_axe(page)
