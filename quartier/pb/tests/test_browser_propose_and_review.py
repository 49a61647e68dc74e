"""A coordinator opens a quarter budget, a resident proposes a project, the coordinator
reviews it, and everyone sees it on the budget page. Every page passes axe."""

import pytest
from playwright.sync_api import expect

from conftest import TUEBINGEN, make_org, make_quarter, make_user
from quartier.pb.models import Budget, Proposal
from quartier.places import geo
from quartier.places.models import Place
from quartier.testing.browser import check_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture
def people(places_loaded):
    tuebingen = Place.objects.get(ags=TUEBINGEN)
    town = make_org("Universitätsstadt Tübingen", "kommune", TUEBINGEN)
    return {
        "quarter": make_quarter(tuebingen, name="Lustnau"),
        "coordinator": make_user("koordination@example.org", "municipal_coordinator", town),
        "resident": make_user("anwohnerin@example.org", "resident", town),
    }


def test_a_budget_is_opened_a_project_proposed_and_reviewed(page, sign_in, people):
    quarter = people["quarter"]
    sign_in(people["coordinator"])
    page.goto(quarter.get_absolute_url())
    page.get_by_role("link", name="Quartiersbudget anlegen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Neues Quartiersbudget")
    check_axe(page)

    page.get_by_label("Titel").fill("Bürgerbudget Lustnau")
    page.get_by_label("Betrag in Euro").fill("0")
    page.get_by_label("Vorschläge ab").fill("2020-01-01T10:00")
    page.get_by_label("Vorschläge bis").fill("2099-01-01T10:00")
    page.get_by_label("Abstimmung ab").fill("2099-02-01T10:00")
    page.get_by_label("Abstimmung bis").fill("2099-01-15T10:00")
    page.get_by_label("Methode der gleichen Anteile").check()
    page.get_by_role("button", name="Quartiersbudget anlegen").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Das muss nach „Abstimmung ab“ liegen.")
    check_axe(page)
    assert not Budget.objects.exists()

    page.get_by_label("Betrag in Euro").fill("40000")
    page.get_by_label("Abstimmung bis").fill("2099-03-01T10:00")
    page.get_by_role("button", name="Quartiersbudget anlegen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bürgerbudget Lustnau")
    expect(page.get_by_text("Das Quartiersbudget ist angelegt.")).to_be_visible()
    expect(page.get_by_text("40.000 €")).to_be_visible()
    check_axe(page)
    budget = Budget.objects.get()
    page.get_by_role("link", name="Einstellungen bearbeiten").click()
    expect(page.get_by_label("Betrag in Euro")).to_have_value("40000")
    check_axe(page)

    # The resident proposes, first without a cost, then with a place typed as a point.
    sign_in(people["resident"])
    page.goto("/quarter-budgets/")
    check_axe(page)
    page.get_by_role("link", name="Bürgerbudget Lustnau").click()
    page.get_by_role("link", name="Projekt vorschlagen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Projekt vorschlagen")
    check_axe(page)
    page.get_by_label("Titel").fill("Bank <b>am</b> Spielplatz")
    page.get_by_label("Was soll gemacht werden, und für wen?").fill("Zum Ausruhen für alle.")
    page.get_by_label("Wo?").fill("Spielplatz Dorfstraße")
    page.get_by_role("button", name="Vorschlag einreichen").click()
    expect(page.get_by_role("alert")).to_contain_text("Geschätzte Kosten in Euro")
    check_axe(page)
    page.get_by_label("Geschätzte Kosten in Euro").fill("900")
    page.locator(".map-picker").click()  # a click on the map fills the point
    expect(page.get_by_label("Breitengrad")).not_to_have_value("")
    lon, lat = geo.utm_to_lonlat(quarter.x + 40, quarter.y)
    page.get_by_label("Breitengrad").fill(f"{lat:.6f}")
    page.get_by_label("Längengrad").fill(f"{lon:.6f}")
    page.get_by_role("button", name="Vorschlag einreichen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bank <b>am</b> Spielplatz")
    expect(page.get_by_text("sobald die Kommune ihn geprüft hat")).to_be_visible()
    check_axe(page)
    proposal = Proposal.objects.get()
    assert proposal.ref == "1" and proposal.x is not None

    # The public does not see it before the review.
    page.context.clear_cookies()
    page.goto(budget.get_absolute_url())
    expect(page.get_by_text("Noch keine Projekte.")).to_be_visible()

    sign_in(people["coordinator"])
    page.goto(budget.get_absolute_url())
    page.get_by_role("link", name="Vorschläge prüfen").click()
    check_axe(page)
    page.get_by_role("link", name="Prüfen Bank <b>am</b> Spielplatz").click()
    check_axe(page)
    page.get_by_label("Nicht umsetzbar").check()
    page.get_by_role("button", name="Entscheidung speichern").click()
    expect(page.get_by_role("alert")).to_contain_text("Geben Sie eine Begründung an")
    check_axe(page)
    page.get_by_label("Umsetzbar: auf den Stimmzettel").check()
    page.get_by_label("Kosten nach Prüfung in Euro").fill("1200")
    page.get_by_role("button", name="Entscheidung speichern").click()
    expect(page.get_by_text("Die Entscheidung zu „Bank <b>am</b> Spielplatz“ ist gespeichert."))\
        .to_be_visible()

    page.context.clear_cookies()
    page.goto(budget.get_absolute_url())
    row = page.get_by_role("row", name="Bank <b>am</b> Spielplatz")
    expect(row).to_contain_text("1.200 €")
    expect(row).to_contain_text("Umsetzbar, auf dem Stimmzettel")
    expect(page.locator("[data-pb-map] path.leaflet-interactive")).to_have_count(2)
    check_axe(page)
