"""The other consulting pages in the browser, each checked with axe: the catalogue, a
question and its answer, assigning by hand with a reason, consultants and a profile."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import make_org, make_quarter, make_user
from quartier.consulting import services
from quartier.consulting.models import Case, ConsultantProfile, Format
from quartier.consulting.tests.support import make_format, make_line, make_profile, seed_topics
from quartier.places.models import Place
from quartier.testing.browser import check_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture
def people(places_loaded):
    staff = make_user("team@example.org", "programme_staff", make_org("Ministerium", "land"),
                      second_factor=True)
    coordinator = make_user("kommune@example.org", "municipal_coordinator",
                            make_org("Stadt Tübingen", "kommune", "08416041"))
    firm = make_org("Quartiersberatung Süd", "consulting_firm")
    consultant = make_user("bea@example.org", "consultant", firm, second_factor=True)
    return staff, coordinator, consultant


def test_staff_keep_the_catalogue(page, sign_in, people):
    staff, _coordinator, _consultant = people
    seed_topics()
    page.set_default_navigation_timeout(30_000)
    sign_in(staff)
    page.goto("/consulting/catalogue/")
    check_axe(page)
    page.get_by_role("link", name="Neues Format").click()
    check_axe(page)
    page.locator("#id_name_de").fill("Zukunftswerkstatt")
    page.locator("#id_slug").fill("zukunftswerkstatt")
    page.locator("#id_kind").select_option("process")
    page.locator("#id_description_de").fill("Eine Werkstatt für alle im Quartier.")
    page.locator("#id_usual_days").fill("2")
    page.locator("#id_delivery").select_option("on_site")
    page.locator("#id_day_rate").fill("abc")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("alert")).to_contain_text("Betrag")
    check_axe(page)
    page.locator("#id_day_rate").fill("950,00")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("link", name="Zukunftswerkstatt")).to_be_visible()
    assert Format.objects.get(slug="zukunftswerkstatt").day_rate_cents == 95_000
    page.get_by_role("link", name="Neues Thema").click()
    check_axe(page)
    page.locator("#id_name_de").fill("Digitale Teilhabe")
    page.locator("#id_slug").fill("digital")
    page.locator("#id_kind").select_option("expert")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("link", name="Digitale Teilhabe")).to_be_visible()
    check_axe(page)


def test_a_question_is_answered_and_staff_assign_by_hand_with_a_reason(page, sign_in, people):
    staff, coordinator, consultant = people
    today = timezone.localdate()
    quarter = make_quarter(Place.objects.get(ags="08416041"), name="Südstadt")
    topics = seed_topics()
    make_line(first_year=today.year, last_year=today.year + 1, code="heute")
    near = make_profile(consultant, name="Bea Berater")
    far = make_profile(make_user("ulf@example.org", "consultant", make_org("Nord GmbH",
                                                                          "consulting_firm"),
                                 second_factor=True), home="08421000", name="Ulf Ulm")
    request = services.submit_request(
        organisation=coordinator.memberships.get().organisation, quarters=[quarter],
        topic=topics["participation"], format=make_format(), mode="on_site",
        goals="Beteiligung planen.", people="Stadtverwaltung",
        earliest=today + timedelta(days=10), latest=today + timedelta(days=80),
        actor=coordinator)

    sign_in(staff)
    page.goto(request.get_absolute_url())
    page.get_by_label("Rückfrage stellen").check()
    page.get_by_role("button", name="Entscheidung speichern").click()
    expect(page.get_by_role("alert")).to_contain_text("Rückfrage")
    check_axe(page)
    page.locator("#id_message").fill("Wie viele Personen nehmen teil?")
    page.get_by_role("button", name="Entscheidung speichern").click()
    expect(page.locator(".current-state")).to_contain_text("Rückfrage des Programmteams")

    sign_in(coordinator)
    page.goto("/consulting/requests/")
    check_axe(page)
    page.get_by_role("link", name=f"Anfrage {request.pk}").click()
    expect(page.get_by_text("Wie viele Personen nehmen teil?")).to_be_visible()
    page.locator("#id_answer").fill("Etwa zwanzig.")
    page.get_by_role("button", name="Antwort senden").click()
    expect(page.locator(".current-state")).to_contain_text("Eingereicht")
    check_axe(page)

    sign_in(staff)
    page.goto(request.get_absolute_url())
    page.get_by_label("Annehmen").check()
    page.get_by_role("button", name="Entscheidung speichern").click()
    page.goto("/consulting/matching/")
    page.get_by_role("button", name="Vorschlag berechnen").click()
    expect(page.locator("table.proposal-table")).to_contain_text("Bea Berater")
    page.get_by_role("link", name=re.compile("annehmen oder ändern")).click()
    check_axe(page)
    page.locator("#id_consultant").select_option(str(far.pk))
    page.get_by_role("button", name="Zuteilen").click()
    expect(page.get_by_role("alert")).to_contain_text("Begründung")
    check_axe(page)
    page.locator("#id_reason").fill("Frau Berater ist im Mai in Elternzeit.")
    page.get_by_role("button", name="Zuteilen").click()
    expect(page.get_by_text("vorgeschlagen war Bea Berater")).to_be_visible()
    check_axe(page)
    case = Case.objects.get()
    assert case.consultant == far and case.proposed_consultant == near
    page.goto("/consulting/consultants/")
    expect(page.get_by_role("link", name="Ulf Ulm")).to_be_visible()
    check_axe(page)


def test_a_consultant_keeps_their_profile_absences_and_calendar(page, sign_in, people):
    _staff, _coordinator, consultant = people
    seed_topics()
    page.set_default_navigation_timeout(30_000)
    sign_in(consultant)
    page.goto("/consulting/")
    expect(page.get_by_text("noch kein Beratungsprofil")).to_be_visible()
    page.get_by_role("link", name="Profil anlegen").click()
    check_axe(page)
    page.locator("#id_name").fill("Bea Berater")
    page.locator("#id_home_base").select_option("08416041")
    page.locator("#id_capacity").fill("6")
    page.get_by_role("button", name="Profil speichern").click()
    expect(page.get_by_role("alert")).to_contain_text("mindestens ein Thema")
    check_axe(page)
    page.get_by_label("Beteiligungsmethoden").select_option("3")
    page.get_by_label("Englisch").check()
    kreis = Place.objects.get(ags="08416")
    page.locator(f"input[name=region][value='{kreis.pk}']").check()
    page.get_by_role("button", name="Profil speichern").click()
    expect(page.get_by_text("Das Profil ist gespeichert.")).to_be_visible()
    profile = ConsultantProfile.objects.get()
    assert profile.languages == ["de", "en"] and profile.region.get().ags == "08416"
    check_axe(page)
    start = timezone.localdate() + timedelta(days=30)
    page.locator("#id_start").fill(start.isoformat())
    page.locator("#id_end").fill((start - timedelta(days=2)).isoformat())
    page.get_by_role("button", name="Abwesenheit eintragen").click()
    expect(page.get_by_role("alert")).to_contain_text("Das Ende darf nicht vor")
    check_axe(page)
    page.locator("#id_end").fill((start + timedelta(days=5)).isoformat())
    page.get_by_role("button", name="Abwesenheit eintragen").click()
    expect(page.get_by_text("Die Abwesenheit ist gespeichert.")).to_be_visible()
    address = page.locator("#calendar-url").input_value()
    assert address.endswith(f"/consulting/calendar/{profile.calendar_token}.ics")
    page.get_by_role("button", name=re.compile("Neue Adresse")).click()
    expect(page.locator("#calendar-url")).not_to_have_value(address)
    check_axe(page)


def test_refusals_on_the_case_page_stand_at_their_fields(page, sign_in, people):
    from datetime import date

    from quartier.consulting.tests.support import make_case

    staff, coordinator, consultant = people
    page.set_default_navigation_timeout(30_000)
    profile = make_profile(consultant, name="Bea Berater")
    case = make_case(coordinator, staff, profile, line=make_line())
    services.log_session(case, date=date(2031, 4, 8), half_days=2, mode="online",
                         participants=6, topics=[case.request.topic], actor=consultant)

    # The consultant adds a file that is no PDF to the session: refused at the field.
    sign_in(consultant)
    page.goto(case.get_absolute_url())
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "notiz.pdf", "mimeType": "application/pdf",
                "buffer": b"<html>kein PDF</html>"}])
    page.get_by_role("button", name="Hochladen").click()
    expect(page.locator(".document-form .error")).to_contain_text("nur PDF-Dokumente")
    check_axe(page)
    page.get_by_role("link", name="Fall abschließen").click()
    check_axe(page)

    # Staff cancel without a reason: the message stands at the reason, the case runs on.
    sign_in(staff)
    page.goto(case.get_absolute_url())
    page.get_by_text("Fall abbrechen").first.click()
    page.get_by_role("button", name="Fall abbrechen").click()
    expect(page.locator("#id_reason_error")).to_be_visible()
    check_axe(page)
    case.refresh_from_db()
    assert case.state == Case.State.ACTIVE

    # Staff open a consultant's profile from the list.
    page.goto("/consulting/consultants/")
    page.get_by_role("link", name="Bea Berater").click()
    expect(page.locator("#id_name")).to_have_value("Bea Berater")
    check_axe(page)
