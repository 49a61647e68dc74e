"""Every ledger page and form refuses every role but programme staff, and books nothing."""

import pytest

from quartier.budget.models import BudgetLine, Entry
from quartier.budget.tests.support import NOT_STAFF

pytestmark = pytest.mark.django_db


def urls(line, commitment):
    return [
        "/budget/ledger/", "/budget/ledger/new/", f"/budget/ledger/{line.pk}/",
        f"/budget/ledger/{line.pk}/commit/", f"/budget/entries/{commitment.pk}/disburse/",
        f"/budget/entries/{commitment.pk}/reverse/", "/budget/reports/",
        "/budget/reports/report.csv", "/budget/reports/report.pdf", "/audit/",
    ]


@pytest.fixture
def visitor(request, client):
    role = request.node.callspec.params["role"]
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    return client


@pytest.mark.parametrize("role", NOT_STAFF)
def test_no_ledger_page_opens_for_anyone_but_staff(role, visitor, line, commitment):
    for url in urls(line, commitment):
        assert visitor.get(url).status_code == 403, url


@pytest.mark.parametrize("role", NOT_STAFF)
def test_no_booking_form_books_for_anyone_but_staff(role, visitor, line, commitment):
    posts = {
        "/budget/ledger/new/": {"code": "X-1", "title": "X", "first_year": "2020",
                                "amount": "5"},
        f"/budget/ledger/{line.pk}/commit/": {"amount": "5", "measure": "x",
                                              "fiscal_year": "2018",
                                              "idempotency_key": "k" * 32},
        f"/budget/entries/{commitment.pk}/disburse/": {"amount": "5", "fiscal_year": "2018",
                                                       "idempotency_key": "k" * 32},
        f"/budget/entries/{commitment.pk}/reverse/": {"reason": "x",
                                                      "idempotency_key": "k" * 32},
    }
    for url, data in posts.items():
        assert visitor.post(url, data).status_code == 403, url
    assert Entry.objects.count() == 1 and BudgetLine.objects.count() == 1


@pytest.mark.parametrize("role", [*NOT_STAFF, "staff"])
def test_everybody_reads_the_public_overview_and_its_open_data(role, visitor, line):
    assert visitor.get("/budget/").status_code == 200
    assert visitor.get("/budget/lines.csv").status_code == 200
    assert visitor.get("/budget/kreise.csv").status_code == 200


def test_staff_open_every_ledger_page(client, staff, line, commitment):
    client.force_login(staff)
    for url in urls(line, commitment):
        assert client.get(url).status_code == 200, url
