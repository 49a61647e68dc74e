"""Staff edit a draft call in the browser: the form comes filled in, a mistake is shown at the
field, the change is saved — axe-core finds no WCAG 2.1 AA violation."""

import pytest
from playwright.sync_api import expect

from conftest import make_org, make_user
from quartier.calls.models import Call
from quartier.calls.tests.support import make_call
from quartier.testing.browser import check_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_staff_edit_a_draft_call(page, sign_in):
    call = make_call(phase="draft", title="Quartiersimpulse")
    staff = make_user("team@example.org", "programme_staff", make_org("Ministerium", "land"),
                      second_factor=True)
    sign_in(staff)
    page.goto(f"/calls/{call.pk}/manage/")
    page.get_by_role("link", name="Ausschreibung bearbeiten").click()
    expect(page.locator("#id_title")).to_have_value("Quartiersimpulse")
    check_axe(page)
    page.locator("#id_max_award_cents").fill("1.000")
    page.get_by_role("button", name="Speichern", exact=True).click()
    expect(page.locator("#id_max_award_cents")).to_have_attribute("aria-invalid", "true")
    check_axe(page)
    page.locator("#id_max_award_cents").fill("40.000")
    page.locator("#id_title").fill("Quartiersimpulse 2027")
    page.get_by_role("button", name="Speichern", exact=True).click()
    expect(page.get_by_text("Die Ausschreibung ist gespeichert.")).to_be_visible()
    call.refresh_from_db()
    assert call.title == "Quartiersimpulse 2027" and call.max_award_cents == 40_000_00
    assert Call.objects.get().phase == "draft"
