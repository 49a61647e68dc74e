"""Every list page reads a constant number of queries, however many rows it shows."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_quarter
from quartier.consulting import services
from quartier.consulting.tests.support import make_case, make_line

pytestmark = pytest.mark.django_db


def add_cases(count, coordinator, staff, profile, line, tuebingen):
    for i in range(count):
        case = make_case(coordinator, staff, profile, line=line,
                         quarter=make_quarter(tuebingen, name=f"Q{i}-{date.today()}-{count}"),
                         days=1)
        services.log_session(case, date=date(2031, 4, 8 + i % 3), half_days=1, mode="online",
                             participants=3, topics=[case.request.topic],
                             actor=profile.user)
        services.complete_case(case, "Fertig.", actor=profile.user)
        services.give_feedback(case, satisfaction=4, goals_reached="yes", would_recommend=True,
                               actor=coordinator)


def queries(client, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured)


PATHS = ["requests", "cases", "coverage", "report", "consultants", "matching", "overview"]


@pytest.mark.parametrize("name", PATHS)
def test_lists_read_the_same_number_of_queries_for_few_and_many_rows(
        client, name, coordinator, staff, profile, tuebingen):
    line = make_line()
    client.force_login(staff)
    path = reverse(f"consulting:{name}") + ("?year=2031" if name == "coverage" else "")
    if name == "report":
        path += "?by=kreis&year=2031"
    add_cases(2, coordinator, staff, profile, line, tuebingen)
    services.compute_matching(actor=staff)
    few = queries(client, path)
    add_cases(5, coordinator, staff, profile, line, tuebingen)
    services.compute_matching(actor=staff)
    assert queries(client, path) == few


def test_a_case_page_reads_a_constant_number_of_queries_per_session(client, coordinator, staff,
                                                                    profile, quarter, line):
    case = make_case(coordinator, staff, profile, line=line, quarter=quarter, days=6)
    client.force_login(staff)

    def log(day):
        services.log_session(case, date=date(2031, 4, day), half_days=1, mode="online",
                             participants=3, topics=[case.request.topic], actor=profile.user)

    log(8)
    few = queries(client, case.get_absolute_url())
    for day in (9, 10, 11):
        log(day)
    assert queries(client, case.get_absolute_url()) == few
