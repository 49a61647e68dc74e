"""Programme staff keep the ledger in the browser: lines, a refused and an accepted
commitment, a payment and a reversal; every page passes axe (WCAG 2.1 AA)."""

import pytest
from playwright.sync_api import expect

from conftest import TUEBINGEN, make_org, make_user
from quartier.budget.models import BudgetLine, Entry
from quartier.budget.tests.support import make_line
from quartier.testing.browser import check_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture
def staff_member():
    return make_user("team@example.org", "programme_staff", make_org("Ministerium", "land"),
                     second_factor=True)


def test_staff_create_a_line_commit_pay_out_and_reverse(page, sign_in, staff_member):
    make_line(amount_cents=50_000_00, code="0918-68401-2018", title="Quartier 2020")
    sign_in(staff_member)

    page.goto("/budget/")
    page.get_by_role("link", name="Haushaltsbuch öffnen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Haushaltstitel")
    check_axe(page)

    page.get_by_role("link", name="Neuer Haushaltstitel").click()
    page.get_by_label("Kennung").fill("0918-68401-2020")
    page.get_by_label("Bezeichnung").fill("Fortführung")
    page.get_by_label("Erstes Haushaltsjahr").fill("2020")
    page.get_by_label("Doppelhaushalt (zwei Haushaltsjahre)").check()
    page.get_by_label("Betrag").fill("12.5")
    page.get_by_role("button", name="Haushaltstitel anlegen").click()
    expect(page.get_by_role("alert")).to_be_focused()
    expect(page.locator("#id_amount_error")).to_have_text(
        "Schreiben Sie die Cent nach einem Komma: z. B. 1.234,56.")
    check_axe(page)
    page.get_by_label("Betrag").fill("12,5")
    page.get_by_role("button", name="Haushaltstitel anlegen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fortführung")
    check_axe(page)
    assert BudgetLine.objects.get(code="0918-68401-2020").amount_cents == 12_50

    page.goto("/budget/ledger/")
    page.get_by_role("link", name="0918-68401-2018").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Quartier 2020")
    check_axe(page)

    page.get_by_role("link", name="Mittel binden").click()
    page.get_by_label("Betrag").fill("50.000,01")
    page.get_by_label("Maßnahme").fill("Quartiersforum <b>Südstadt</b>")
    page.get_by_label("Kreis oder Gemeinde").select_option(TUEBINGEN)
    page.get_by_label("Haushaltsjahr").select_option("2019")
    page.get_by_role("button", name="Binden").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("sind nur noch 50.000,00 € verfügbar")
    expect(page.locator("#id_amount_error")).to_contain_text("können nicht gebunden werden")
    check_axe(page)
    assert not Entry.objects.exists()

    page.get_by_label("Betrag").fill("20.000")
    page.get_by_role("button", name="Binden").click()
    expect(page.get_by_role("status")).to_contain_text(
        "20.000,00 € gebunden für „Quartiersforum <b>Südstadt</b>“.")
    expect(page.locator(".figures")).to_contain_text("30.000,00 €")
    check_axe(page)

    commitment = Entry.objects.get()
    page.get_by_role("link", name=f"Auszahlen für Buchung {commitment.pk}").click()
    expect(page.get_by_label("Betrag")).to_have_value("20.000,00")
    page.get_by_label("Betrag").fill("20.000,01")
    page.get_by_role("button", name="Auszahlen").click()
    expect(page.locator("#id_amount_error")).to_contain_text("nur noch 20.000,00 €")
    check_axe(page)
    page.get_by_label("Betrag").fill("5.000")
    page.get_by_label("Vermerk").fill("Rechnung 17")
    page.get_by_role("button", name="Auszahlen").click()
    expect(page.get_by_role("status")).to_contain_text("5.000,00 € ausgezahlt")

    page.get_by_role("link", name=f"Stornieren Buchung {commitment.pk}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Buchung {commitment.pk} stornieren")
    check_axe(page)
    page.get_by_role("button", name="Stornieren").click()
    expect(page.locator("#id_reason_error")).to_be_visible()
    page.get_by_label("Begründung").fill("Maßnahme verkleinert")
    page.get_by_role("button", name="Stornieren").click()
    expect(page.get_by_role("status")).to_contain_text("15.000,00 € der Buchung")
    expect(page.locator(".figures")).to_contain_text("45.000,00 €")
    expect(page.get_by_role("table", name="Die letzten Schritte auf diesem Titel")).to_contain_text(
        "storniert: Maßnahme verkleinert")
    check_axe(page)
