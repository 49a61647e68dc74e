"""The whole journey in the browser: staff set a call up, a Kommune applies, staff check it
and assign the jury, a juror scores, staff compute the allocation and decide, and everyone
sees the results — axe-core finds no WCAG 2.1 AA violation on any page."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import TUEBINGEN, make_org, make_quarter, make_user
from quartier.budget.models import BudgetLine
from quartier.budget.tests.support import make_line
from quartier.calls.models import Application, Call, Decision
from quartier.calls.tests.support import PDF
from quartier.places.models import Place
from quartier.testing.browser import check_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_a_call_runs_from_set_up_to_public_results(page, sign_in, live_server):
    line = make_line()
    staff = make_user("team@example.org", "programme_staff", make_org("Ministerium", "land"),
                      second_factor=True)
    tuebingen_org = make_org("Stadt Tübingen", "kommune", TUEBINGEN)
    coordinator = make_user("koordination@example.org", "municipal_coordinator", tuebingen_org)
    juror = make_user("jury@example.org", "jury_member", make_org("Fachjury e. V.",
                                                                  "association"),
                      second_factor=True)
    make_quarter(Place.objects.get(ags=TUEBINGEN), name="Südstadt")

    # Programme staff set the call up and publish it.
    sign_in(staff)
    page.goto("/calls/")
    check_axe(page)
    page.get_by_role("link", name="Neue Ausschreibung").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Neue Ausschreibung")
    check_axe(page)
    page.locator("#id_title").fill("Quartiersimpulse 2026")
    page.locator("#id_summary").fill("Projekte für generationengerechte Quartiere.")
    page.locator("#id_text").fill("Gefördert werden Treffpunkte.")
    page.get_by_label("Kommune", exact=True).check()
    now = timezone.now()
    page.locator("#id_opens_at").fill(local(now - timedelta(days=1)))
    page.locator("#id_closes_at").fill(local(now + timedelta(days=30)))
    page.locator("#id_budget_line").select_option(str(line.pk))
    page.locator("#id_pot_cents").fill("100.000")
    page.locator("#id_min_award_cents").fill("5.000")
    page.locator("#id_max_award_cents").fill("50.000")
    page.locator("#id_reviews_per_application").fill("1")
    page.locator("#id_criteria-0-name").fill("Quartiersbezug")
    page.locator("#id_criteria-0-weight").fill("2")
    page.locator("#id_criteria-1-name").fill("Beteiligung")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Die Ausschreibung ist als Entwurf gespeichert.")).to_be_visible()
    check_axe(page)
    page.get_by_role("button", name="Ausschreibung veröffentlichen").click()
    expect(page.get_by_text("Die Ausschreibung ist veröffentlicht.")).to_be_visible()
    call = Call.objects.get()

    # The Kommune drafts, is told what is wrong, submits and gets its receipt.
    sign_in(coordinator)
    page.goto(f"/calls/{call.pk}/")
    check_axe(page)
    page.get_by_role("link", name="Antrag beginnen").click()
    check_axe(page)
    page.get_by_role("button", name="Antrag beginnen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Antrag zu Quartiersimpulse")
    check_axe(page)
    page.get_by_label("Titel des Projekts").fill("Generationentreff Südstadt")
    expect(page.locator("#autosave-status")).to_contain_text("Entwurf gespeichert um",
                                                             timeout=15_000)
    page.get_by_label("Südstadt").check()
    page.get_by_label("Idee in Kürze").fill("Ein offener Treffpunkt für Jung und Alt.")
    page.get_by_label("Idee und Konzept").fill("Im alten Bahnhof entsteht ein Treff.")
    page.get_by_label("Kinder", exact=True).check()
    page.get_by_label("Ältere Menschen").check()
    page.get_by_label("Partner im Quartier").fill("Kirchengemeinde\nSportverein")
    page.get_by_label("Arbeitsplan").fill("03/2026 Auftakt")
    page.get_by_label("Beantragter Betrag (Euro)").fill("20.000")
    page.get_by_label("Kostenposition 1", exact=True).fill("Personal")
    page.get_by_label("Betrag der Kostenposition 1 (Euro)").fill("15.000")
    page.get_by_label("Kostenposition 2", exact=True).fill("Sachkosten")
    page.get_by_label("Betrag der Kostenposition 2 (Euro)").fill("4.000")
    expect(page.locator("[data-cost-sum]")).to_contain_text("beantragt sind")
    page.get_by_role("button", name="Antrag einreichen").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("ergeben 19.000,00 €")
    check_axe(page)
    assert Application.objects.get().is_draft()
    page.get_by_label("Betrag der Kostenposition 2 (Euro)").fill("5.000")
    page.get_by_label("PDF-Datei").set_input_files(
        {"name": "konzept.pdf", "mimeType": "application/pdf", "buffer": PDF})
    page.get_by_role("button", name="Anhängen").click()
    expect(page.get_by_text("Die Datei ist angehängt.")).to_be_visible()
    page.get_by_role("button", name="Antrag einreichen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Eingangsbestätigung")
    application = Application.objects.get()
    expect(page.get_by_text(application.content_sha256)).to_be_visible()
    check_axe(page)
    page.goto("/calls/mine/")
    check_axe(page)

    # Staff find it eligible and put the juror on the jury; after the deadline they assign.
    sign_in(staff)
    page.goto(f"/calls/{call.pk}/manage/")
    page.get_by_role("link", name="Generationentreff Südstadt").click()
    check_axe(page)
    page.get_by_label("Förderfähig", exact=True).check()
    page.get_by_role("button", name="Förderfähigkeit festhalten").click()
    expect(page.get_by_text("Die Förderfähigkeit ist festgehalten.")).to_be_visible()
    page.goto(f"/calls/{call.pk}/jury/")
    page.get_by_label("jury@example.org").check()
    page.get_by_role("button", name="Jury speichern").click()
    expect(page.get_by_text("Die Jury ist gespeichert.")).to_be_visible()
    check_axe(page)
    # Time passes: the deadline is reached.
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    page.goto(f"/calls/{call.pk}/jury/")
    page.get_by_role("button", name="Jurymitglieder automatisch zuteilen").click()
    expect(page.get_by_text("1 Gutachten zugeteilt.")).to_be_visible()
    check_axe(page)

    # The juror sees only the assignment and scores it.
    sign_in(juror)
    page.goto("/calls/reviews/")
    check_axe(page)
    page.get_by_role("link", name="Generationentreff Südstadt").click()
    check_axe(page)
    page.get_by_label("Punkte für „Quartiersbezug“").fill("11")
    page.get_by_label("Begründung zu „Quartiersbezug“").fill("Klarer Quartiersbezug.")
    page.get_by_label("Punkte für „Beteiligung“").fill("6")
    page.get_by_label("Begründung zu „Beteiligung“").fill("Partner benannt.")
    page.get_by_role("button", name="Meine Punkte speichern").click()
    expect(page.get_by_role("alert")).to_contain_text("ganze Zahl von 0 bis 10")
    check_axe(page)
    page.get_by_label("Punkte für „Quartiersbezug“").fill("8")
    page.get_by_role("button", name="Meine Punkte speichern").click()
    expect(page.get_by_text("Ihre Punkte sind gespeichert.")).to_be_visible()
    page.goto(f"/calls/{call.pk}/conflicts/")
    check_axe(page)

    # Staff close the jury, compute the allocation and decide.
    sign_in(staff)
    page.goto(f"/calls/{call.pk}/manage/")
    page.get_by_role("button", name="Jury abschließen").click()
    expect(page.get_by_text("Die Jury ist abgeschlossen.")).to_be_visible()
    page.get_by_role("link", name="Rangliste").click()
    expect(page.get_by_role("cell", name="7,33").first).to_be_visible()
    check_axe(page)
    page.get_by_role("link", name="Verteilung", exact=True).click()
    page.get_by_role("button", name="Verteilung berechnen").click()
    expect(page.get_by_text("Vom Solver als optimal nachgewiesen")).to_be_visible()
    check_axe(page)
    page.get_by_role("link", name="Auf Grundlage der optimalen Verteilung entscheiden").click()
    check_axe(page)
    page.get_by_role("button", name="Entscheiden, Mittel binden").click()
    expect(page.get_by_text("1 Kommune, 20.000,00 €")).to_be_visible()
    check_axe(page)
    assert BudgetLine.objects.get(pk=line.pk).committed_cents == 20_000_00
    assert Decision.objects.get().commitment.amount_cents == 20_000_00

    # The Kommune sees the decision in its list and on its application.
    sign_in(coordinator)
    page.goto("/calls/mine/")
    expect(page.get_by_role("row", name=re.compile("Generationentreff"))).to_contain_text(
        "Gefördert mit 20.000,00 €")
    page.get_by_role("link", name="Generationentreff Südstadt").click()
    expect(page.get_by_role("heading", name="Entscheidung")).to_be_visible()
    check_axe(page)

    # The public sees the results on a map and as a table.
    page.context.clear_cookies()
    page.goto(f"/calls/{call.pk}/results/")
    expect(page.get_by_role("row", name=re.compile("Stadt Tübingen"))).to_contain_text(
        "20.000,00 €")
    # The 44 Kreis outlines and one point per award.
    expect(page.locator(".leaflet-interactive")).to_have_count(44 + 1)
    check_axe(page)
    assert page.evaluate(
        f"fetch('/calls/{call.pk}/results.csv').then(r => r.text())").startswith("organisation")
