"""The demo's ideas competition in the browser: public results on a map and in a table, the
open call, and the staff's allocation page — with axe on every page."""

import pytest
from playwright.sync_api import expect

from conftest import make_org, make_user
from quartier.calls import demo
from quartier.calls.models import Call
from quartier.testing.browser import check_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_the_ideas_competition_shows_53_municipalities_and_2_7_million_euros(page, sign_in):
    demo.create_demo_calls()
    competition = Call.objects.get(title=demo.COMPETITION_TITLE)
    page.goto("/calls/")
    expect(page.get_by_role("link", name=demo.OPEN_CALL_TITLE)).to_be_visible()
    check_axe(page)
    page.get_by_role("link", name=demo.COMPETITION_TITLE, exact=True).click()
    expect(page.get_by_text("Demodaten").first).to_be_visible()
    check_axe(page)
    page.get_by_role("link", name="Zu den Ergebnissen").click()
    expect(page.get_by_text("53 Kommunen, 2.700.000,00 €")).to_be_visible()
    # The 44 Kreis outlines and one point per award.
    expect(page.locator(".leaflet-interactive")).to_have_count(44 + 53)
    expect(page.locator("tbody tr")).to_have_count(53)
    check_axe(page)

    staff = make_user("team@example.org", "programme_staff", make_org("Ministerium", "land"),
                      second_factor=True)
    sign_in(staff)
    page.goto(f"/calls/{competition.pk}/allocation/")
    expect(page.get_by_text("Vom Solver als optimal nachgewiesen")).to_be_visible()
    check_axe(page)
    page.goto(f"/calls/{competition.pk}/ranking/")
    check_axe(page)
