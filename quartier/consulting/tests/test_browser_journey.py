"""The whole journey in the browser: a coordinator requests consulting, staff triage and
match it, the consultant logs a session with a PDF and completes, the coordinator gives
feedback, staff close, and the public coverage map shows the Kreis reached."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import make_org, make_quarter, make_user
from quartier.consulting.models import Case, ConsultingRequest
from quartier.consulting.tests.support import PDF, make_format, make_line, make_profile
from quartier.places.models import Place
from quartier.testing.browser import check_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def weekday_after(day, days):
    day = day + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def test_request_triage_matching_sessions_feedback_and_coverage(page, sign_in, live_server):
    today = timezone.localdate()
    tuebingen = Place.objects.get(ags="08416041")
    make_quarter(tuebingen, name="Südstadt")
    make_format()
    make_line(first_year=today.year, last_year=today.year + 1, code="beratung-heute")
    coordinator = make_user("kommune@example.org", "municipal_coordinator",
                            make_org("Stadt Tübingen", "kommune", "08416041"))
    staff = make_user("team@example.org", "programme_staff", make_org("Ministerium", "land"),
                      second_factor=True)
    consultant = make_user("bea@example.org", "consultant",
                           make_org("Quartiersberatung Süd", "consulting_firm"),
                           second_factor=True)
    profile = make_profile(consultant, name="Bea Berater")
    earliest, latest = today + timedelta(days=7), today + timedelta(days=90)

    # The coordinator requests consulting; hostile text is refused at its field.
    sign_in(coordinator)
    page.goto("/consulting/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Kostenlose Fach- und Prozessberatung")
    check_axe(page)
    page.get_by_role("link", name="Beratung anfragen").first.click()
    check_axe(page)
    page.get_by_label(re.compile("Südstadt")).check()
    page.locator("#id_topic").select_option(label="Beteiligungsmethoden (Fachberatung)")
    page.get_by_label("Vor Ort").check()
    page.locator("#id_goals").fill("<script>alert(1)</script>")
    page.locator("#id_people").fill("Sozialamt, Seniorenrat, Familienzentrum")
    page.locator("#id_earliest").fill(earliest.isoformat())
    page.locator("#id_latest").fill(latest.isoformat())
    page.get_by_role("button", name="Anfrage einreichen").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("reinen Text")
    check_axe(page)
    assert not ConsultingRequest.objects.exists()
    page.locator("#id_goals").fill("Ein Treffpunkt für alle Generationen in der Südstadt.")
    page.get_by_role("button", name="Anfrage einreichen").click()
    expect(page.locator(".current-state")).to_contain_text("Eingereicht, wird geprüft")
    check_axe(page)
    request = ConsultingRequest.objects.get()

    # Staff accept it and let the platform propose a consultant.
    sign_in(staff)
    page.goto("/consulting/requests/")
    check_axe(page)
    page.get_by_role("link", name=f"Anfrage {request.pk}").first.click()
    page.get_by_label("Annehmen").check()
    page.get_by_role("button", name="Entscheidung speichern").click()
    expect(page.locator(".current-state")).to_contain_text("Angenommen")
    check_axe(page)
    page.goto("/consulting/matching/")
    check_axe(page)
    # While it computes, the page says so and the button takes no second click (here the
    # submission is held back to see it).
    page.evaluate("document.querySelector('form[data-matching]')"
                  ".addEventListener('submit', (e) => e.preventDefault())")
    page.get_by_role("button", name="Vorschlag berechnen").click()
    expect(page.get_by_role("status")).to_contain_text("wird für alle angenommenen Anfragen")
    expect(page.get_by_role("button", name="Vorschlag berechnen")).to_be_disabled()
    page.reload()
    page.get_by_role("button", name="Vorschlag berechnen").click()
    table = page.locator("table.proposal-table")
    expect(table).to_contain_text("Bea Berater")
    expect(page.get_by_text("Der Vorschlag ist nachweislich optimal.")).to_be_visible()
    check_axe(page)
    page.get_by_role("button", name="Alle Vorschläge annehmen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Beratungsfälle")
    check_axe(page)
    case = Case.objects.get()
    assert case.consultant == profile and case.commitment is not None

    # The consultant logs a session with a PDF, then completes the case.
    sign_in(consultant)
    page.goto(f"/consulting/cases/{case.pk}/")
    check_axe(page)
    page.get_by_role("link", name="Termin erfassen").click()
    check_axe(page)
    page.locator("#id_date").fill(weekday_after(earliest, 1).isoformat())
    page.locator("#id_half_days").select_option("2")
    page.locator("#id_participants").fill("14")
    page.locator("#id_protocol").fill("Bestandsaufnahme, drei Arbeitsgruppen gebildet.")
    page.locator("#id_document").set_input_files(
        files=[{"name": "ergebnisse.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.get_by_role("button", name="Termin erfassen").click()
    expect(page.get_by_text("drei Arbeitsgruppen gebildet")).to_be_visible()
    expect(page.get_by_role("link", name="ergebnisse.pdf")).to_be_visible()
    check_axe(page)
    page.get_by_role("link", name="Fall abschließen").click()
    page.locator("#id_outcome").fill("Arbeitsplan für das kommende Jahr steht.")
    page.get_by_role("button", name="Fall abschließen").click()
    expect(page.locator(".current-state")).to_contain_text("Abgeschlossen")
    check_axe(page)

    # The coordinator gives feedback; staff close the case.
    sign_in(coordinator)
    page.goto(f"/consulting/cases/{case.pk}/")
    page.get_by_role("link", name="Rückmeldung geben").click()
    check_axe(page)
    page.locator("label[for=id_satisfaction_4]").click()
    page.get_by_label("Teilweise").check()
    page.locator("label[for=id_would_recommend_0]").click()
    page.get_by_role("button", name="Rückmeldung senden").click()
    expect(page.get_by_text("Vielen Dank für Ihre Rückmeldung.")).to_be_visible()
    check_axe(page)
    sign_in(staff)
    page.goto(f"/consulting/cases/{case.pk}/")
    page.get_by_role("button", name="Fall beenden").click()
    expect(page.locator(".current-state")).to_contain_text("Beendet")
    check_axe(page)

    # Anyone sees the coverage: the map and the table with the same figures.
    page.context.clear_cookies()
    page.goto(f"/consulting/coverage/?year={case.start.year}")
    expect(page.locator(".map .leaflet-interactive").first).to_be_attached()
    row = page.locator("#kreise-table tr", has_text="Tübingen").first
    expect(row).to_contain_text("1")
    expect(page.get_by_role("heading", name="Weiße Flecken")).to_be_visible()
    check_axe(page)
    page.goto("/consulting/reports/?by=kreis")
    expect(page.locator("table.data")).to_contain_text("Tübingen")
    check_axe(page)
