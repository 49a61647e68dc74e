"""Staff read reports and download them as CSV and PDF and search the audit trail; anyone
reads the public overview. Every page passes axe (WCAG 2.1 AA)."""

import pytest
from django.utils import translation
from playwright.sync_api import expect

from conftest import TUEBINGEN, ULM, make_org, make_user
from quartier.budget import services
from quartier.budget.tests.support import make_line
from quartier.places.models import Place
from quartier.testing.browser import check_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture
def staff_member():
    return make_user("team@example.org", "programme_staff", make_org("Ministerium", "land"),
                     second_factor=True)


@pytest.fixture
def booked(staff_member):
    # The audit trail keeps each summary in the language of the moment it was written; a
    # request of an earlier test in this thread may have left English active.
    with translation.override("de"):
        return _book(staff_member)


def _book(staff_member):
    line = make_line(amount_cents=12_000_000_00, code="0918-68401-2018",
                     title="Quartier 2020 (Doppelhaushalt 2018/2019)")
    tuebingen, ulm = Place.objects.get(ags=TUEBINGEN), Place.objects.get(ags=ULM)
    forum = services.commit_funds(line, 50_000_00, measure="Ideenwettbewerb: Tübingen",
                                  place=tuebingen, actor=staff_member, fiscal_year=2018)
    services.disburse(forum, 20_000_00, actor=staff_member, fiscal_year=2019)
    services.commit_funds(line, 30_000_00, measure="Ideenwettbewerb: Ulm", place=ulm,
                          actor=staff_member, fiscal_year=2018)
    services.commit_funds(line, 80_000_00, measure="Fach- und Prozessberatung",
                          actor=staff_member, fiscal_year=2019)
    return line


def test_staff_read_a_report_by_kreis_and_download_it(page, sign_in, staff_member, booked):
    sign_in(staff_member)
    page.goto(booked.get_absolute_url())
    page.get_by_role("link", name="Bericht nach Kreisen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Haushaltsberichte")
    table = page.get_by_role("table", name="Nach Kreis, in Euro")
    expect(table.get_by_role("row")).to_have_count(5)  # head, 2 Kreise, statewide, total
    expect(table).to_contain_text("Tübingen")
    expect(table).to_contain_text("Landesweit (kein Kreis)")
    expect(table.locator("tfoot")).to_contain_text("160.000,00 €")
    check_axe(page)

    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Als CSV herunterladen (Beträge in Cent)").click()
    assert csv_download.value.suggested_filename == "budget-0918-68401-2018-kreis.csv"
    text = open(csv_download.value.path(), encoding="utf-8").read()
    assert "08416,Tübingen,,5000000,2000000,3000000," in text

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Als PDF herunterladen").click()
    assert pdf_download.value.suggested_filename == "budget-0918-68401-2018-kreis.pdf"
    assert open(pdf_download.value.path(), "rb").read(4) == b"%PDF"

    page.get_by_label("Gliederung nach").select_option("measure")
    page.get_by_label("Haushaltsjahr").select_option("2019")
    page.get_by_role("button", name="Bericht anzeigen").click()
    table = page.get_by_role("table", name="Nach Maßnahme, in Euro")
    expect(table.locator("tbody tr").first).to_contain_text("Fach- und Prozessberatung")
    check_axe(page)

    page.get_by_label("Haushaltstitel").select_option("")
    page.get_by_label("Haushaltsjahr").select_option("")
    page.get_by_label("Gliederung nach").select_option("line")
    page.get_by_role("button", name="Bericht anzeigen").click()
    expect(page.get_by_role("table", name="Nach Haushaltstitel, in Euro")).to_contain_text(
        "11.840.000,00 €")
    check_axe(page)


def test_staff_search_the_audit_trail(page, sign_in, staff_member, booked):
    sign_in(staff_member)
    page.goto("/budget/ledger/")
    page.get_by_role("link", name="Protokoll").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Protokoll")
    expect(page.locator("tbody tr")).to_have_count(5)
    check_axe(page)

    page.get_by_label("Modul").select_option("budget")
    page.get_by_label("Von (Name oder E-Mail)").fill("team@")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("tbody tr")).to_have_count(4)
    expect(page.locator("tbody")).to_contain_text("50.000,00 € gebunden für Ideenwettbewerb")
    check_axe(page)

    page.get_by_label("Von", exact=True).fill("2030-01-02")
    page.get_by_label("Bis", exact=True).fill("2030-01-01")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("alert")).to_be_focused()
    expect(page.locator("#id_date_to_error")).to_have_text(
        "Das Ende darf nicht vor dem Anfang liegen.")
    expect(page.get_by_text("Keine Schritte passen zum Filter.")).to_be_visible()
    check_axe(page)

    page.goto(booked.get_absolute_url())
    page.get_by_role("link", name="Das ganze Protokoll dieses Titels").click()
    expect(page.locator("tbody tr")).to_have_count(5)
    page.locator("tbody").get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Quartier 2020")


def test_anyone_reads_the_public_overview_from_the_navigation(page, booked):
    page.goto("/")
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name="Budget").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Das Budget der Strategie")
    lines = page.get_by_role("table", name="Beträge in Euro; gebunden enthält das bereits "
                                           "Ausgezahlte.")
    expect(lines).to_contain_text("12.000.000,00 €")
    expect(lines).to_contain_text("11.840.000,00 €")
    kreise = page.get_by_role("table", name="Alle Haushaltstitel, in Euro")
    expect(kreise.get_by_role("row", name="Tübingen")).to_contain_text("50.000,00 €")
    expect(page.get_by_text("Ideenwettbewerb")).to_have_count(0)
    expect(page.get_by_text("team@example.org")).to_have_count(0)
    expect(page.get_by_role("link", name="Haushaltsbuch öffnen")).to_have_count(0)
    check_axe(page)
