"""Every list of the ledger runs the same number of queries for few and for many rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from quartier.accounts.services import record_event
from quartier.budget import services
from quartier.budget.tests.support import make_line

pytestmark = pytest.mark.django_db


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def book(line, count, place):
    for number in range(count):
        commitment = services.commit_funds(line, 10_00, measure=f"Maßnahme {number}",
                                           place=place, actor=None)
        payment = services.disburse(commitment, 5_00, actor=None)
        services.reverse_entry(payment, 1_00, reason="Korrektur", actor=None)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def test_the_line_page_runs_the_same_queries_for_few_and_many_entries(
        staff_client, tuebingen, django_assert_max_num_queries):
    line = make_line()
    book(line, 1, tuebingen)
    few = queries(staff_client, line.get_absolute_url())
    book(line, 30, tuebingen)  # 93 entries: two pages
    with django_assert_max_num_queries(few):
        response = staff_client.get(line.get_absolute_url())
    assert len(response.context["page"].object_list) == 50
    with django_assert_max_num_queries(few):
        staff_client.get(line.get_absolute_url() + "?page=2")
    assert few <= 14


def test_the_lists_of_lines_reports_and_the_overview_do_not_grow_with_the_ledger(
        client, staff_client, tuebingen, ulm):
    line = make_line()
    book(line, 1, tuebingen)
    urls = ["/budget/ledger/", "/budget/reports/?by=kreis", "/budget/reports/?by=measure",
            "/budget/reports/?by=line", "/budget/reports/?by=year"]
    few = {url: queries(staff_client, url) for url in urls}
    public_few = queries(client, "/budget/")
    for number in range(5):
        other = make_line(amount_cents=1_000_00, code=f"L-{number}", first_year=2020 + number,
                          last_year=2020 + number)
        book(other, 3, ulm)
    assert {url: queries(staff_client, url) for url in urls} == few
    assert queries(client, "/budget/") == public_few


def test_the_audit_trail_runs_the_same_queries_for_few_and_many_steps(
        staff_client, tuebingen, coordinator, staff):
    line = make_line()
    few = queries(staff_client, "/audit/")
    for number in range(60):
        record_event("places.saved", tuebingen, actor=coordinator if number % 2 else staff,
                     summary=f"Schritt {number}")
    book(line, 5, tuebingen)
    assert queries(staff_client, "/audit/") == few
    assert queries(staff_client, "/audit/?page=2&module=places") == few
