"""A civil-society actor chooses the Gemeinde of its project; the quarters of that Gemeinde
appear without reloading the page, and the choice is saved as a draft."""

import pytest
from playwright.sync_api import expect

from conftest import ULM, make_org, make_quarter, make_user
from quartier.calls.models import Application
from quartier.calls.tests.support import make_call
from quartier.places.models import Place
from quartier.testing.browser import check_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_a_provider_chooses_a_gemeinde_and_its_quarters(page, sign_in):
    call = make_call(title="Quartiersimpulse")
    provider = make_org("Nachbarschaftshilfe Ulm e. V.", "association")
    member = make_user("verein@example.org", "member", provider)
    make_quarter(Place.objects.get(ags=ULM), name="Weststadt")
    sign_in(member)
    page.goto(f"/calls/{call.pk}/apply/")
    page.get_by_role("button", name="Antrag beginnen").click()
    expect(page.get_by_text("Wählen Sie zuerst die Gemeinde")).to_be_visible()
    check_axe(page)
    page.get_by_label("Gemeinde", exact=True).select_option(ULM)
    expect(page.get_by_label("Weststadt")).to_be_visible()
    page.get_by_label("Weststadt").check()
    expect(page.locator("#autosave-status")).to_contain_text("Entwurf gespeichert um",
                                                             timeout=15_000)
    check_axe(page)
    application = Application.objects.get()
    assert application.gemeinde.ags == ULM
    expect(page.locator("#autosave-status")).to_contain_text("Entwurf gespeichert um")
    page.get_by_role("button", name="Entwurf speichern").click()
    expect(page.get_by_text("Ihr Entwurf ist gespeichert.")).to_be_visible()
    assert [q.name for q in Application.objects.get().quarters.all()] == ["Weststadt"]
