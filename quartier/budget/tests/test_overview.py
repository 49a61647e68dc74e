"""/budget/: the public overview for press and parliament, sums only and no names."""

import csv
import io

import pytest

from quartier.budget.models import BudgetLine

pytestmark = pytest.mark.django_db


def test_anyone_sees_lines_and_kreise_without_an_account(client, booked):
    response = client.get("/budget/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "100.000,00 €" in page and "35.000,00 €" in page and "65.000,00 €" in page
    kreise = {k.ags: k for k in response.context["kreise"]}
    assert len(kreise) == 44
    assert (kreise["08416"].committed_cents, kreise["08416"].disbursed_cents) == (
        30_000_00, 10_000_00)
    assert kreise["08421"].committed_cents == 0
    assert response.context["statewide"].committed_cents == 5_000_00
    assert response.context["kreis_total"].committed_cents == 35_000_00


def test_no_person_measure_or_note_appears_in_public(client, booked, staff):
    for url in ("/budget/", "/budget/lines.csv", "/budget/kreise.csv"):
        text = client.get(url).content.decode()
        assert "Müller" not in text and staff.email not in text and "Xylophon" not in text


def test_a_resident_sees_committed_money_per_resident(client, booked):
    kreis = next(k for k in client.get("/budget/").context["kreise"] if k.ags == "08416")
    assert kreis.committed_per_resident_cents == round(30_000_00 / kreis.population)


def test_the_open_data_files_are_csv_in_cents(client, booked):
    lines = list(csv.DictReader(io.StringIO(client.get("/budget/lines.csv").content.decode())))
    assert lines == [{"code": "1202-684 01", "title": "Quartier 2020", "fiscal_years": "2018/2019",
                      "amount_cents": "10000000", "committed_cents": "3500000",
                      "disbursed_cents": "1000000", "available_cents": "6500000",
                      "demo_data": "no"}]
    kreise = list(csv.DictReader(io.StringIO(client.get("/budget/kreise.csv").content.decode())))
    assert len(kreise) == 45 and kreise[-1]["committed_cents"] == "500000"
    assert client.get("/budget/people.csv").status_code == 404


def test_demo_lines_are_marked(client):
    from quartier.budget.demo import ensure_demo_lines

    ensure_demo_lines()
    page = client.get("/budget/").content.decode()
    assert page.count("Demodaten") >= BudgetLine.objects.filter(is_demo=True).count() == 2


def test_staff_find_the_ledger_from_the_overview(client, staff):
    assert "/budget/ledger/" not in client.get("/budget/").content.decode()
    client.force_login(staff)
    assert "/budget/ledger/" in client.get("/budget/").content.decode()


def test_the_navigation_leads_everyone_to_the_budget(client):
    assert 'href="/budget/"' in client.get("/").content.decode()
