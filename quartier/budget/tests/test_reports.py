"""Reports per line, fiscal year, Kreis and measure: service, page, CSV and PDF."""

import csv
import io
import re
import zlib

import pytest

from conftest import TUEBINGEN, ULM
from quartier.budget import services
from quartier.budget.tests.support import make_line
from quartier.places.models import Place

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(line, staff):
    """Tübingen (Gemeinde) and its Landkreis, Ulm (Stadtkreis) and a statewide measure."""
    tuebingen, ulm = Place.objects.get(ags=TUEBINGEN), Place.objects.get(ags=ULM)
    kreis = Place.objects.get(ags=TUEBINGEN[:5])
    forum = services.commit_funds(line, 10_000_00, measure="Forum", place=tuebingen,
                                  actor=staff, fiscal_year=2018)
    services.disburse(forum, 4_000_00, actor=staff, fiscal_year=2019)
    services.commit_funds(line, 5_000_00, measure="Forum", place=kreis, actor=staff,
                          fiscal_year=2019)
    ulm_award = services.commit_funds(line, 3_000_00, measure="Treff Ulm", place=ulm,
                                      actor=staff, fiscal_year=2019)
    services.reverse_entry(ulm_award, 1_000_00, reason="gekürzt", actor=staff)
    services.commit_funds(line, 2_000_00, measure="Beratung", actor=staff, fiscal_year=2018)
    return line


def rows(report):
    return [(r.key, r.committed_cents, r.disbursed_cents) for r in report.rows]


def test_a_gemeinde_counts_for_its_kreis_and_reversals_are_netted(booked):
    report = services.report(by="kreis", line=booked)
    assert [r.label for r in report.rows] == ["Tübingen", "Ulm, Stadtkreis",
                                            "Landesweit (kein Kreis)"]
    assert rows(report) == [("08416", 15_000_00, 4_000_00), ("08421", 2_000_00, 0),
                            ("", 2_000_00, 0)]
    assert (report.total.committed_cents, report.total.disbursed_cents) == (19_000_00, 4_000_00)


def test_per_fiscal_year_every_year_of_the_line_is_listed(booked):
    assert rows(services.report(by="year", line=booked)) == [
        ("2018", 12_000_00, 0), ("2019", 7_000_00, 4_000_00)]
    assert rows(services.report(by="year", line=booked, year=2019)) == [
        ("2019", 7_000_00, 4_000_00)]


def test_per_measure_the_largest_first(booked):
    assert rows(services.report(by="measure", line=booked)) == [
        ("Forum", 15_000_00, 4_000_00), ("Beratung", 2_000_00, 0), ("Treff Ulm", 2_000_00, 0)]


def test_per_line_with_amounts_and_what_is_available(booked):
    other = make_line(amount_cents=50_00, code="B-2020", first_year=2020, last_year=2021)
    report = services.report(by="line")
    assert [(r.key, r.amount_cents, r.committed_cents, r.available_cents)
            for r in report.rows] == [("B-2020", 50_00, 0, 50_00),
                                      (booked.code, 100_000_00, 19_000_00, 81_000_00)]
    by_year = services.report(by="line", year=2020)
    assert [r.key for r in by_year.rows] == [other.code] and by_year.total.amount_cents is None


def test_the_report_sums_equal_the_lines_running_totals(booked):
    for by in services.REPORT_BY:
        total = services.report(by=by, line=booked).total
        booked.refresh_from_db()
        assert (total.committed_cents, total.disbursed_cents) == (
            booked.committed_cents, booked.disbursed_cents), by


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def test_the_report_page_shows_the_rows(staff_client, booked):
    response = staff_client.get("/budget/reports/", {"line": booked.code, "by": "kreis"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Tübingen" in page and "15.000,00 €" in page and "Landesweit (kein Kreis)" in page


@pytest.mark.parametrize("params", [
    {"by": "person"}, {"line": "no-such-line"}, {"year": "1850"}, {"year": "abc"},
    {"line": "1202-684 01", "year": "2020"},
])
def test_wrong_report_parameters_are_refused(staff_client, booked, params):
    response = staff_client.get("/budget/reports/", params)
    assert response.status_code == 400 and response.context["form"].errors
    assert staff_client.get("/budget/reports/report.csv", params).status_code == 400
    assert staff_client.get("/budget/reports/report.pdf", params).status_code == 400


def test_the_csv_has_cents_and_inert_cells(staff_client, booked, staff):
    services.commit_funds(booked, 1_00, measure="=HYPERLINK(\"http://x\")", actor=staff)
    response = staff_client.get("/budget/reports/report.csv",
                                {"line": booked.code, "by": "measure"})
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="budget-1202-684_01-measure.csv"' in response["Content-Disposition"]
    table = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert table[0] == {"key": "Forum", "name": "Forum", "amount_cents": "",
                        "committed_cents": "1500000", "disbursed_cents": "400000",
                        "outstanding_cents": "1100000", "available_cents": ""}
    assert table[-1]["name"].startswith("'=HYPERLINK")


def test_the_pdf_is_a_tagged_pdf(staff_client, booked):
    response = staff_client.get("/budget/reports/report.pdf", {"line": booked.code,
                                                               "by": "kreis", "year": "2019"})
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="budget-1202-684_01-2019-kreis.pdf"' in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    assert b"/StructTreeRoot" in pdf_objects(response.content)


def pdf_objects(pdf: bytes) -> bytes:
    """The PDF with its compressed streams inflated, to look for tagging."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            pass
    return b"".join(parts)


def test_hostile_measures_stay_text_in_the_report(staff_client, booked, staff):
    services.commit_funds(booked, 1_00, measure="<script>alert(1)</script>", actor=staff)
    page = staff_client.get("/budget/reports/", {"by": "measure"}).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
