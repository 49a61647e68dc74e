"""A provider registers a place in the browser; programme staff review and publish it."""

import re

import pytest
from playwright.sync_api import expect

from conftest import TUEBINGEN, make_org, make_user
from quartier.anchors.models import Anchor
from quartier.anchors.tests.support import seed_kinds
from quartier.testing.browser import check_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_a_provider_registers_a_place_and_staff_publish_it(page, sign_in, live_server):
    seed_kinds()
    organisation = make_org("Familienzentrum Lustnau e. V.", "provider")
    provider = make_user("traeger@example.org", "member", organisation)
    staff = make_user("team@example.org", "programme_staff", make_org("Ministerium", "land"),
                      second_factor=True)
    sign_in(provider)

    page.goto("/anchors/")
    page.get_by_role("link", name="Ort eintragen").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ort eintragen")
    check_axe(page)

    page.locator("#id_kind").select_option("kinder-und-familienzentrum")
    page.locator("#id_name").fill("Familienzentrum Lustnau")
    page.locator("#id_gemeinde").select_option(TUEBINGEN)
    page.locator("#id_street").fill("Dorfstraße 5")
    page.locator("#id_postcode").fill("72074")
    # A click on the map fills the coordinates; the exact point is then typed.
    page.locator(".map-picker").click()
    expect(page.locator("#id_lat")).not_to_have_value("")
    page.locator("#id_lat").fill("48.5315")
    page.locator("#id_lon").fill("9.0800")
    page.locator("#id_opening_hours").fill("Mo-Fr 09:00-25:00")
    page.get_by_label("Stufenloser Eingang").check()
    page.get_by_label("Barrierefreie Toilette").check()
    page.get_by_label("Türkisch").check()
    page.locator("#id_offers-0-category").select_option("childcare")
    page.locator("#id_offers-0-title").fill("Krabbelgruppe <b>für alle</b>")
    page.locator("#id_offers-0-target_groups_2").check()  # Familien
    page.get_by_role("button", name="Speichern").click()

    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("25:00 ist keine Uhrzeit")
    check_axe(page)
    assert not Anchor.objects.exists()

    page.locator("#id_opening_hours").fill("Mo-Fr 09:00-17:00; Sa 10:00-13:00")
    page.get_by_role("button", name="Speichern").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Familienzentrum Lustnau")
    expect(page.get_by_text("sobald das Programmteam ihn geprüft hat")).to_be_visible()
    expect(page.get_by_text("Krabbelgruppe <b>für alle</b>")).to_be_visible()
    check_axe(page)
    anchor = Anchor.objects.get()
    assert anchor.status == "pending"
    assert page.evaluate("fetch(location.pathname).then(r => r.status)") == 200

    page.context.clear_cookies()
    page.goto(f"/anchors/{anchor.pk}/")
    expect(page.get_by_role("heading", level=1)).not_to_contain_text("Familienzentrum")

    sign_in(staff)
    page.goto("/anchors/review/")
    check_axe(page)
    page.get_by_role("link", name="Familienzentrum Lustnau").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("prüfen")
    check_axe(page)
    page.get_by_label("Veröffentlichen").check()
    page.get_by_role("button", name="Entscheidung speichern").click()
    expect(page.get_by_text("Nichts wartet auf Prüfung.")).to_be_visible()
    check_axe(page)

    page.context.clear_cookies()
    page.goto(f"/anchors/{anchor.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Familienzentrum Lustnau")
    expect(page).to_have_url(re.compile(rf"/anchors/{anchor.pk}/$"))
