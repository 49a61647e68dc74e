import re

import pytest
from playwright.sync_api import expect

from quartier.testing.browser import check_axe

pytestmark = pytest.mark.browser


def test_a_visitor_browses_from_the_state_to_a_quarter(page, tuebingen):
    from conftest import make_quarter

    make_quarter(tuebingen, name="Französisches Viertel")
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator(".map path.leaflet-interactive").first).to_be_attached()
    assert page.locator(".map path.leaflet-interactive").count() == 44
    check_axe(page)

    page.get_by_role("link", name="Reg.-Bez. Tübingen").click()
    expect(page).to_have_url(re.compile(r"/places/084/$"))
    check_axe(page)

    page.get_by_role("link", name="Tübingen", exact=True).click()
    expect(page).to_have_url(re.compile(r"/places/08416/$"))
    expect(page.locator("#children tbody tr")).to_have_count(15)
    check_axe(page)

    page.get_by_role("link", name="Tübingen, Universitätsstadt").click()
    expect(page).to_have_url(re.compile(r"/places/08416041/$"))
    expect(page.get_by_text("91.877")).to_be_visible()
    # The Gemeinde's point and its one quarter.
    expect(page.locator(".map path.leaflet-interactive")).to_have_count(2)
    check_axe(page)

    page.get_by_role("link", name="Französisches Viertel").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Französisches Viertel")
    expect(page.locator(".map path.leaflet-interactive")).to_have_count(1)
    check_axe(page)

    page.get_by_role("navigation", name="Brotkrumenpfad").get_by_role(
        "link", name="Baden-Württemberg"
    ).click()
    expect(page).to_have_url(re.compile(r"/places/08/$"))
    check_axe(page)


def test_the_search_finds_a_gemeinde_as_you_type_forgiving_umlauts(page):
    page.goto("/")
    page.get_by_label("Gemeinde, Quartier oder Postleitzahl").fill("tuebingen")
    result = page.locator("#search-results").get_by_role("link", name="Tübingen, Universitätsstadt")
    expect(result).to_be_visible()
    check_axe(page)
    page.get_by_label("Gemeinde, Quartier oder Postleitzahl").fill("72070")
    expect(result).to_be_visible()
    result.click()
    expect(page).to_have_url(re.compile(r"/places/08416041/$"))


def test_the_search_works_without_javascript_as_a_plain_form(browser, live_server, places_loaded):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False,
                                  locale="de-DE")
    page = context.new_page()
    page.goto("/search/?q=Ulm")
    expect(page.get_by_role("link", name="Ulm, Universitätsstadt")).to_be_visible()
    context.close()


def test_keyboard_users_skip_to_the_content(page):
    page.goto("/about-the-data/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Zum Inhalt springen")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    check_axe(page)


def test_every_page_switches_between_german_and_english(page):
    page.goto("/places/08416041/")
    expect(page.get_by_role("heading", name="Kennzahlen")).to_be_visible()
    page.get_by_role("button", name="English").click()
    expect(page).to_have_url(re.compile(r"/places/08416041/$"))
    expect(page.get_by_role("heading", name="Figures")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    check_axe(page)
    page.get_by_role("button", name="Deutsch").click()
    expect(page.get_by_role("heading", name="Kennzahlen")).to_be_visible()


def test_the_api_is_documented_interactively(page):
    page.goto("/")
    page.get_by_role("link", name="API und offene Daten").click()
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    expect(page.get_by_text("/api/gemeinden.geojson", exact=True)).to_be_visible()
    check_axe(page)


def test_an_unknown_place_gets_a_helpful_not_found_page(page):
    response = page.goto("/places/08999999/")
    assert response.status == 404
    expect(page.get_by_role("link", name="Zurück zur Startseite")).to_be_visible()
    check_axe(page)
