"""A resident with an account votes on a cumulative, a ranking and a choose-one ballot by
keyboard, hears the running cost (and the points given), is told what breaks the rules, and
changes the vote. Every ballot passes axe."""

import pytest
from playwright.sync_api import expect

from conftest import TUEBINGEN, make_org, make_quarter, make_user
from quartier.pb import services
from quartier.pb.models import Ballot
from quartier.pb.tests.support import make_budget, make_proposals
from quartier.places.models import Place
from quartier.testing.browser import check_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PROJECTS = {"Trinkbrunnen": 4000, "Sitzbänke": 3500, "Kletterwand": 7000}


@pytest.fixture
def voter(places_loaded, sign_in):
    town = make_org("Universitätsstadt Tübingen", "kommune", TUEBINGEN)
    resident = make_user("anwohnerin@example.org", "resident", town)
    sign_in(resident)
    return resident


def ballot_of(kind, **fields):
    quarter = make_quarter(Place.objects.get(ags=TUEBINGEN), name="Südstadt")
    budget = make_budget(quarter, "voting", title="Quartiersbudget Südstadt", ballot_type=kind,
                         access="accounts", residents_only=True, amount_cents=10_000_00,
                         **fields)
    make_proposals(budget, PROJECTS)
    return budget


def open_ballot(page, budget):
    page.goto(budget.get_absolute_url())
    page.get_by_role("link", name="Jetzt abstimmen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ihre Stimme")
    check_axe(page)


def test_points_are_shared_out_by_keyboard_and_the_vote_is_changed(page, voter):
    budget = ballot_of("cumulative", points_total=10, min_age=0)
    open_ballot(page, budget)
    total = page.locator("[data-ballot-total]")
    expect(total).to_contain_text("Vergebene Punkte: 0 von 10.")
    for label, points in (("1. Trinkbrunnen", "6"), ("2. Sitzbänke", "5")):
        page.get_by_label(label).focus()  # the field holds 0: select it and type over it
        page.keyboard.press("Control+A")
        page.keyboard.type(points)
    expect(total).to_contain_text("zusammen kosten sie 7.500 € der 10.000 €.")
    expect(total).to_contain_text("Vergebene Punkte: 11 von 10.")
    page.get_by_role("button", name="Stimme abgeben").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Sie können insgesamt 10 Punkte vergeben; Sie haben 11 vergeben.")
    check_axe(page)
    assert not Ballot.objects.exists()

    page.get_by_label("2. Sitzbänke").fill("4")
    page.get_by_role("button", name="Stimme abgeben").click()
    expect(page.get_by_text("Vielen Dank, Ihre Stimme ist gespeichert.")).to_be_visible()
    expect(page.get_by_role("link", name="Meine Stimme ändern")).to_be_visible()
    check_axe(page)
    assert sorted(services.selection_of(Ballot.objects.get()).values()) == [4, 6]

    page.get_by_role("link", name="Meine Stimme ändern").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Stimme ändern")
    expect(page.get_by_label("1. Trinkbrunnen")).to_have_value("6")
    page.get_by_label("1. Trinkbrunnen").fill("0")
    page.get_by_label("3. Kletterwand").fill("6")
    page.get_by_role("button", name="Geänderte Stimme speichern").click()
    expect(page.get_by_text("Vielen Dank, Ihre Stimme ist gespeichert.")).to_be_visible()
    assert Ballot.objects.count() == 1
    ballot = Ballot.objects.get()
    assert {c.proposal.title: c.value for c in ballot.choices.select_related("proposal")} == {
        "Sitzbänke": 4, "Kletterwand": 6}


def test_projects_are_ranked_with_the_keyboard_without_gaps(page, voter):
    budget = ballot_of("ranking", max_ranks=3)
    open_ballot(page, budget)
    total = page.locator("[data-ballot-total]")
    first = page.get_by_label("3. Kletterwand")
    first.focus()
    page.keyboard.press("ArrowDown")  # a closed select moves to the next option: rank 1
    expect(first).to_have_value("1")
    page.get_by_label("1. Trinkbrunnen").select_option("3")
    expect(total).to_contain_text("Sie haben 2 Projekte gewählt; zusammen kosten sie 11.000 €")
    expect(total).to_contain_text("Nicht alle können gefördert werden.")
    page.get_by_label("Ich bin mindestens 14 Jahre alt.").check()
    page.get_by_role("button", name="Stimme abgeben").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Vergeben Sie jeden Rang einmal, beginnend mit 1 und ohne Lücken")
    check_axe(page)
    assert not Ballot.objects.exists()

    page.get_by_label("1. Trinkbrunnen").select_option("2")
    page.get_by_label("Ich bin mindestens 14 Jahre alt.").check()
    page.get_by_role("button", name="Stimme abgeben").click()
    expect(page.get_by_text("Vielen Dank, Ihre Stimme ist gespeichert.")).to_be_visible()
    ballot = Ballot.objects.get()
    assert {c.proposal.title: c.value for c in ballot.choices.select_related("proposal")} == {
        "Kletterwand": 1, "Trinkbrunnen": 2}


def test_one_project_is_chosen_with_the_arrow_keys(page, voter):
    budget = ballot_of("choose_one", min_age=0)
    open_ballot(page, budget)
    total = page.locator("[data-ballot-total]")
    page.get_by_role("button", name="Stimme abgeben").click()
    expect(page.get_by_role("alert")).to_contain_text("Wählen Sie genau ein Projekt")
    check_axe(page)
    page.get_by_role("radio", name="1. Trinkbrunnen").focus()
    page.keyboard.press("Space")
    expect(total).to_have_text("Sie haben 1 Projekt gewählt; es kostet 4.000 € der 10.000 €.")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name="2. Sitzbänke")).to_be_checked()
    expect(total).to_have_text("Sie haben 1 Projekt gewählt; es kostet 3.500 € der 10.000 €.")
    page.get_by_role("button", name="Stimme abgeben").click()
    expect(page.get_by_text("Vielen Dank, Ihre Stimme ist gespeichert.")).to_be_visible()
    ballot = Ballot.objects.get()
    assert [c.proposal.title for c in ballot.choices.select_related("proposal")] == [
        "Sitzbänke"]
