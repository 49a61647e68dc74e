"""Two clerks type paper ballots; a disagreement is resolved; the coordinator counts, reads
the result, decides differently for one project with a reason, exports the election and
imports another. Every page passes axe."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import TUEBINGEN, make_org, make_quarter, make_user
from quartier.pb import services
from quartier.pb.engine.pabulib import parse_pabulib
from quartier.pb.models import Ballot, Budget, Deviation
from quartier.pb.tests.support import DATA, make_budget, make_proposals, set_phase
from quartier.places.models import Place
from quartier.testing.browser import check_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture
def town(places_loaded):
    town = make_org("Universitätsstadt Tübingen", "kommune", TUEBINGEN)
    return {
        "quarter": make_quarter(Place.objects.get(ags=TUEBINGEN), name="Waldhäuser Ost"),
        "coordinator": make_user("koordination@example.org", "municipal_coordinator", town),
        "clerk": make_user("buergeramt@example.org", "member", town),
    }


def type_ballot(page, sheet, projects):
    page.get_by_label("Stimmzettelnummer").fill(sheet)
    page.get_by_label("Projekte", exact=True).fill(projects)
    page.keyboard.press("Enter")


def test_paper_ballots_are_typed_twice_and_the_result_is_published(page, sign_in, town,
                                                                   tmp_path):
    budget = make_budget(town["quarter"], "voting", title="Bürgerbudget WHO",
                         access="codes", amount_cents=10_000_00, max_projects=2)
    make_proposals(budget, {"Sitzbänke": 3000, "Spielplatz": 6000, "Hochbeete": 2500})
    codes = services.generate_codes(budget, 6, actor=None)
    for n, (_serial, code) in enumerate(codes):
        refs = ["1", "2"] if n < 4 else ["3"]
        services.cast_ballot(budget, {p.pk: 1 for p in budget.proposals.filter(ref__in=refs)},
                             code=services.find_code(budget, code))

    sign_in(town["clerk"])
    page.goto(budget.get_absolute_url())
    page.get_by_role("link", name="Papierstimmzettel erfassen").click()
    expect(page.get_by_label("Stimmzettelnummer")).to_be_focused()
    check_axe(page)
    type_ballot(page, "A-1", "3 1")
    expect(page.get_by_text("Stimmzettel A-1: erste Erfassung gespeichert.")).to_be_visible()
    expect(page.get_by_label("Stimmzettelnummer")).to_be_focused()
    type_ballot(page, "A-2", "3")
    type_ballot(page, "A-3", "1 2 3")
    expect(page.get_by_role("alert")).to_contain_text("Wählen Sie höchstens 2 Projekte")
    check_axe(page)

    sign_in(town["coordinator"])
    page.goto(f"/quarter-budgets/{budget.pk}/paper/")
    type_ballot(page, "A-1", "1 3")
    expect(page.get_by_text("Stimmzettel A-1 zählt: Beide Erfassungen stimmen überein."))\
        .to_be_visible()
    type_ballot(page, "A-2", "2")
    expect(page.get_by_text("Stimmzettel A-2: Die Erfassungen weichen ab.")).to_be_visible()
    expect(page.get_by_role("heading", name="Abweichende Erfassungen")).to_be_visible()
    check_axe(page)
    # The paper says 3: the coordinator discards the own entry; the clerk's entry stays.
    page.get_by_label("Grund für das Verwerfen der Erfassung von koordination@example.org")\
        .fill("Tippfehler, mit dem Zettel verglichen")
    page.get_by_role("button", name="Verwerfen").nth(1).click()
    expect(page.get_by_text("Die Erfassung von Stimmzettel A-2 ist verworfen.")).to_be_visible()
    type_ballot(page, "A-2", "3")
    expect(page.get_by_text("Stimmzettel A-2 zählt")).to_be_visible()
    csv = tmp_path / "zettel.csv"
    csv.write_text("ballot;projects\nB-1;2\nB-2;9\n", encoding="utf-8")
    page.get_by_label("CSV-Datei").set_input_files(str(csv))
    page.get_by_role("button", name="Importieren").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Zeile 3: Projekt 9 steht nicht zur Wahl.")
    check_axe(page)
    assert Ballot.objects.filter(channel="paper").count() == 2

    # Voting closes; the coordinator counts.
    set_phase(budget, "result")
    page.goto(budget.get_absolute_url())
    page.get_by_role("button", name="Stimmen auszählen und Ergebnis veröffentlichen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ergebnis")
    expect(page.get_by_text("Die Stimmen sind ausgezählt; das Ergebnis ist veröffentlicht."))\
        .to_be_visible()
    figures = page.locator(".figures")
    expect(figures).to_contain_text("Online6")
    expect(figures).to_contain_text("Auf Papier2")
    check_axe(page)
    funded = page.get_by_role("table").first
    expect(funded).to_contain_text("Sitzbänke")
    expect(funded).to_contain_text("Spielplatz")
    not_funded = page.get_by_role("row", name="Hochbeete")
    expect(not_funded).to_contain_text("waren nur noch 1.000 € übrig; es kostet 2.500 €.")

    page.get_by_role("link", name="Für ein Projekt anders entscheiden").click()
    check_axe(page)
    page.get_by_role("combobox", name="Projekt").select_option(label="3. Hochbeete")
    page.get_by_label("Geld für das Projekt in Euro").fill("1000")
    page.get_by_role("button", name="Entscheidung speichern").click()
    expect(page.get_by_role("alert")).to_contain_text("Begründung")
    check_axe(page)
    page.get_by_label("Begründung").fill("Der Förderverein übernimmt den Rest.")
    page.get_by_role("button", name="Entscheidung speichern").click()
    expect(page.get_by_text("Der Förderverein übernimmt den Rest.")).to_be_visible()
    assert Deviation.objects.get().amount_cents == 1000_00

    # Anyone reads the result and downloads the election.
    page.context.clear_cookies()
    page.goto(f"/quarter-budgets/{budget.pk}/result/")
    expect(page.get_by_text("Der Förderverein übernimmt den Rest.")).to_be_visible()
    check_axe(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Abstimmung herunterladen (Pabulib .pb)").click()
    path = Path(download.value.path())
    election = parse_pabulib(path.read_text(encoding="utf-8"))
    assert election.num_voters == 8
    assert election.vote_fields["channel"].count("paper") == 2


def test_the_coordinator_imports_an_election_from_a_file(page, sign_in, town, tmp_path):
    sign_in(town["coordinator"])
    page.goto(town["quarter"].get_absolute_url())
    page.get_by_role("link", name="Abgeschlossene Abstimmung importieren (.pb)").click()
    check_axe(page)
    bad = tmp_path / "kaputt.pb"
    bad.write_text((DATA / "Netherlands_Assen_2024.pb").read_text().replace(
        "num_votes;84", "num_votes;85"), encoding="utf-8")
    page.get_by_label("Pabulib-Datei (.pb)").set_input_files(str(bad))
    page.get_by_role("button", name="Importieren und auszählen").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "num_votes gibt 85 an, die Datei hat aber 84 Stimmen")
    check_axe(page)
    assert not Budget.objects.exists()
    page.get_by_label("Pabulib-Datei (.pb)").set_input_files(
        str(DATA / "Netherlands_Assen_2024.pb"))
    page.get_by_role("button", name="Importieren und auszählen").click()
    expect(page.get_by_text("Die Abstimmung ist importiert und ausgezählt.")).to_be_visible()
    expect(page.locator(".figures")).to_contain_text("Importiert84")
    check_axe(page)
