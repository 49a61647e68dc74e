"""The quarter check in the browser: a resident finds a quarter's check, switches groups,
downloads PDF and CSV, compares quarters and reads the map with its table; programme staff
start a recomputation, follow its progress and read the gap list. axe on every page."""

import re

import pytest
from playwright.sync_api import expect

from conftest import TUEBINGEN, ULM, make_org, make_quarter, make_user
from quartier.anchors.tests.support import seed_kinds
from quartier.places.models import Place
from quartier.quartierscheck import services
from quartier.quartierscheck.tests.support import full_world
from quartier.testing.browser import check_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture
def world(places_loaded):
    seed_kinds()
    tuebingen = Place.objects.get(ags=TUEBINGEN)
    quarter = make_quarter(tuebingen)
    make_quarter(Place.objects.get(ags=ULM), name="Weststadt")
    full_world(tuebingen)
    services.recompute()
    return quarter


def test_a_resident_reads_compares_maps_and_downloads_a_quarter_check(page, world):
    page.goto("/")
    page.locator(".nav").get_by_role("link", name="Quartierscheck").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Quartierscheck")
    expect(page.get_by_role("status")).to_contain_text("Kennzahlen vom")
    expect(page.get_by_role("table", name="Kennzahlen für das ganze Land")).to_be_visible()
    check_axe(page)

    page.get_by_label("Name des Quartiers oder der Gemeinde").fill("Südstadt")
    page.get_by_role("button", name="Suchen").click()
    page.get_by_role("link", name=re.compile("^Südstadt in Tübingen")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Quartierscheck: Südstadt")
    indicators = page.get_by_role("table", name=re.compile("Kennzahlen des Quartiers"))
    row = indicators.get_by_role("row", name=re.compile("institutionellen Anker in 500 m"))
    # The traffic light carries a word (and a shape), not colour alone.
    expect(row.get_by_role("cell").first).to_have_text(re.compile(r"25 %\s+Lücke"))
    expect(page.get_by_role("img", name="Einwohner:innen von Südstadt nach Altersgruppe")
           ).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("^Altenquotient"))).to_contain_text("30,0")
    check_axe(page)

    page.get_by_role("link", name="Einwohner:innen ab 80").click()
    expect(page.get_by_role("table", name=re.compile("^Einwohner:innen ab 80: Anteil"))
           ).to_be_visible()
    check_axe(page)

    with page.expect_download(timeout=60_000) as pdf:  # WeasyPrint takes seconds
        page.get_by_role("link", name="Bericht als PDF").click()
    assert open(pdf.value.path(), "rb").read(5) == b"%PDF-"
    assert pdf.value.suggested_filename.endswith("-sudstadt.pdf")
    with page.expect_download() as csv:
        page.get_by_role("link", name="Kennzahlen als CSV").click()
    text = open(csv.value.path(), encoding="utf-8").read()
    assert text.startswith("quarter,gemeinde,figure,")
    assert "institutional_anchor_500,all,500,0.25," in text

    page.get_by_role("link", name="Mit anderen Quartieren vergleichen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Quartiere vergleichen")
    check_axe(page)
    page.get_by_label("Quartiere der Gemeinde hinzufügen").fill("Ulm")
    page.get_by_role("button", name="Suchen").click()
    page.get_by_label(re.compile("^Weststadt")).check()
    page.get_by_role("button", name="Vergleichen").click()
    table = page.get_by_role("table", name="Kennzahlen nebeneinander")
    expect(table.get_by_role("columnheader")).to_contain_text(
        [re.compile("^Südstadt"), re.compile("^Weststadt")])
    check_axe(page)

    page.goto(f"/quarters/{world.pk}/check/")
    page.get_by_role("link", name=re.compile("^Karte von Tübingen")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Karte zum Quartierscheck")
    expect(page.locator(".map path.leaflet-interactive")).to_have_count(1)
    expect(page.get_by_role("row", name=re.compile("^Südstadt"))).to_contain_text("25 %")
    check_axe(page)
    page.get_by_label("Kennzahl").select_option("support_offer_500")
    page.get_by_label("Gebiet").select_option("08")
    page.get_by_role("button", name="Anzeigen").click()
    expect(page.locator("table.data tbody tr")).to_have_count(44)
    expect(page.locator(".map path.leaflet-interactive")).to_have_count(44)
    check_axe(page)


def test_staff_recompute_follow_the_progress_and_read_the_gap_list(page, sign_in, world):
    staff = make_user("team@example.org", "programme_staff", make_org("Ministerium", "land"),
                      second_factor=True)
    sign_in(staff)
    page.goto("/quarter-check/")
    page.get_by_role("button", name="Jetzt neu berechnen").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("Neuberechnung läuft")
    expect(page.locator("#check-status progress")).to_be_visible()
    check_axe(page)

    # The background worker's part: the page learns of the end by polling.
    run = services.recompute()
    assert run.status == "done"
    expect(status).to_contain_text("Die Neuberechnung ist fertig.", timeout=15_000)
    check_axe(page)
    page.get_by_role("link", name="Neue Kennzahlen anzeigen").click()
    expect(page.get_by_role("button", name="Jetzt neu berechnen")).to_be_visible()

    page.get_by_role("link", name="Lückenliste: Quartiere nach fehlenden Erfolgsfaktoren"
                     ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lückenliste")
    rows = page.locator("table.data tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Weststadt")  # no anchors at all: the bigger gap
    expect(rows.nth(1)).to_contain_text("Südstadt")
    check_axe(page)
    page.get_by_label("Kreis").select_option(label="Tübingen")
    page.get_by_role("button", name="Anzeigen").click()
    expect(rows).to_have_count(1)
    with page.expect_download() as csv:
        page.get_by_role("link", name="Lückenliste als CSV").click()
    assert "Südstadt" in open(csv.value.path(), encoding="utf-8").read()

    page.goto("/quarter-check/method/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Wie der Quartierscheck berechnet wird")
    check_axe(page)
