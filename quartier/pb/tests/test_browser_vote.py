"""A household votes with the code from its letter, hears the running cost of its choice,
and changes the vote with the same code; without JavaScript the cost is shown on request.
The coordinator prints the letters. Every page passes axe."""

import pytest
from playwright.sync_api import expect

from conftest import TUEBINGEN, make_org, make_quarter, make_user
from quartier.pb import services
from quartier.pb.models import Ballot, VotingCode
from quartier.pb.tests.support import make_budget, make_proposals
from quartier.places.models import Place
from quartier.testing.browser import check_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture
def budget(places_loaded):
    quarter = make_quarter(Place.objects.get(ags=TUEBINGEN), name="Derendingen")
    budget = make_budget(quarter, "voting", title="Quartiersbudget Derendingen",
                         access="codes", amount_cents=10_000_00, max_projects=2, min_age=14)
    make_proposals(budget, {"Trinkbrunnen": 4000, "Sitzbänke": 3500, "Kletterwand": 7000})
    return budget


def test_a_household_votes_with_its_code_and_changes_the_vote(page, budget):
    (_serial, code), = services.generate_codes(budget, 1, actor=None)
    page.goto(budget.get_absolute_url())
    check_axe(page)
    page.get_by_role("link", name="Mit dem Code aus Ihrem Brief abstimmen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mit Ihrem Code abstimmen")
    check_axe(page)
    page.get_by_label("Abstimmungscode").fill("ABCD-EFGH-JKMN")
    page.get_by_role("button", name="Weiter zum Stimmzettel").click()
    expect(page.get_by_role("alert")).to_contain_text("Dieser Code gilt nicht")
    check_axe(page)
    page.get_by_label("Abstimmungscode").fill(code.lower())
    page.get_by_role("button", name="Weiter zum Stimmzettel").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Ihre Stimme")
    total = page.locator("[data-ballot-total]")
    expect(total).to_have_attribute("aria-live", "polite")
    expect(total).to_have_text("Sie haben noch kein Projekt gewählt.")
    expect(page.get_by_role("button", name="Kosten meiner Wahl anzeigen")).to_be_hidden()
    check_axe(page)
    # Keyboard only: tab to the first project and tick it with the space bar.
    page.get_by_label("1. Trinkbrunnen").focus()
    page.keyboard.press("Space")
    expect(total).to_have_text("Sie haben 1 Projekt gewählt; es kostet 4.000 € der 10.000 €.")
    page.get_by_label("3. Kletterwand").check()
    expect(total).to_contain_text("zusammen kosten sie 11.000 € der 10.000 €")
    expect(total).to_contain_text("Nicht alle können gefördert werden.")
    page.get_by_label("2. Sitzbänke").check()
    page.get_by_role("button", name="Stimme abgeben").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Wählen Sie höchstens 2 Projekte; Sie haben 3 gewählt.")
    expect(summary).to_contain_text("Abstimmen dürfen nur Menschen ab 14 Jahren.")
    check_axe(page)
    assert not Ballot.objects.exists()

    page.get_by_label("3. Kletterwand").uncheck()
    page.get_by_label("Ich bin mindestens 14 Jahre alt.").check()
    page.get_by_role("button", name="Stimme abgeben").click()
    expect(page.get_by_text("Vielen Dank, Ihre Stimme ist gespeichert.")).to_be_visible()
    check_axe(page)
    ballot = Ballot.objects.get()
    assert sorted(p.title for p in budget.proposals.filter(choices__ballot=ballot)) == [
        "Sitzbänke", "Trinkbrunnen"]

    # Later, the same code again: the stored vote is shown and replaced.
    page.get_by_role("link", name="Mit dem Code aus Ihrem Brief abstimmen").click()
    page.get_by_label("Abstimmungscode").fill(code)
    page.get_by_role("button", name="Weiter zum Stimmzettel").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Stimme ändern")
    expect(page.get_by_label("1. Trinkbrunnen")).to_be_checked()
    page.get_by_label("1. Trinkbrunnen").uncheck()
    page.get_by_label("2. Sitzbänke").uncheck()
    page.get_by_label("3. Kletterwand").check()
    page.get_by_label("Ich bin mindestens 14 Jahre alt.").check()
    page.get_by_role("button", name="Geänderte Stimme speichern").click()
    expect(page.get_by_text("Vielen Dank, Ihre Stimme ist gespeichert.")).to_be_visible()
    assert Ballot.objects.count() == 1
    assert [p.title for p in budget.proposals.filter(choices__ballot__isnull=False)] == [
        "Kletterwand"]


def test_without_javascript_the_ballot_shows_the_cost_on_request(browser, live_server, budget):
    (_serial, code), = services.generate_codes(budget, 1, actor=None)
    context = browser.new_context(base_url=live_server.url, locale="de-DE",
                                  java_script_enabled=False)
    page = context.new_page()
    page.goto(f"/quarter-budgets/{budget.pk}/code/")
    page.get_by_label("Abstimmungscode").fill(code)
    page.get_by_role("button", name="Weiter zum Stimmzettel").click()
    page.get_by_label("2. Sitzbänke").check()
    page.get_by_label("3. Kletterwand").check()
    page.get_by_role("button", name="Kosten meiner Wahl anzeigen").click()
    expect(page.locator("[data-ballot-total]")).to_contain_text(
        "Sie haben 2 Projekte gewählt; zusammen kosten sie 10.500 € der 10.000 €.")
    expect(page.get_by_label("2. Sitzbänke")).to_be_checked()
    assert not Ballot.objects.exists()
    page.get_by_label("Ich bin mindestens 14 Jahre alt.").check()
    page.get_by_role("button", name="Stimme abgeben").click()
    expect(page.get_by_text("Vielen Dank, Ihre Stimme ist gespeichert.")).to_be_visible()
    assert Ballot.objects.count() == 1
    context.close()


def test_the_coordinator_prints_letters_and_voids_a_lost_one(page, sign_in, budget):
    town = make_org("Universitätsstadt Tübingen", "kommune", TUEBINGEN)
    sign_in(make_user("koordination@example.org", "municipal_coordinator", town))
    page.goto(budget.get_absolute_url())
    page.get_by_role("link", name="Abstimmungscodes").click()
    expect(page.get_by_text("Es wurden noch keine Codes erzeugt.")).to_be_visible()
    check_axe(page)
    page.get_by_label("Anzahl der Codes").fill("300")
    page.get_by_role("button", name="Erzeugen und herunterladen").click()
    expect(page.get_by_role("alert")).to_contain_text("Briefe gibt es höchstens 200 auf einmal")
    check_axe(page)
    page.get_by_label("Anzahl der Codes").fill("3")
    with page.expect_download() as download:
        page.get_by_role("button", name="Erzeugen und herunterladen").click()
    assert download.value.suggested_filename == f"voting-codes-{budget.pk}-1-3.pdf"
    assert VotingCode.objects.count() == 3
    page.reload()
    expect(page.get_by_role("row", name="1 1–3 3 0 0")).to_be_visible()
    page.get_by_label("Nummern der Codes").fill("2")
    page.get_by_label("Begründung").fill("Brief kam zurück")
    page.get_by_role("button", name="Diese Codes sperren").click()
    expect(page.get_by_text("1 Code ist gesperrt.")).to_be_visible()
    page.get_by_label("Nummern der Codes").fill("9-7")
    page.get_by_label("Begründung").fill("x")
    page.get_by_role("button", name="Diese Codes sperren").click()
    expect(page.get_by_role("alert")).to_contain_text("Der Bereich 9-7 ist ungültig.")
    check_axe(page)
    assert VotingCode.objects.filter(is_void=True).count() == 1
