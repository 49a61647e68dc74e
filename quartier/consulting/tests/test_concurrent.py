"""Staff and consultants at the same moment, on PostgreSQL with real connections: no case
assigned twice, no line overspent, no session beyond the booked days."""

import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from conftest import make_org, make_quarter, make_user
from quartier.budget import services as budget
from quartier.budget.models import BudgetLine
from quartier.consulting import services
from quartier.consulting.models import Case, Feedback, Session
from quartier.consulting.tests.support import (
    TODAY,
    accepted_request,
    make_case,
    make_line,
    make_profile,
)
from quartier.places.models import Place

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real row locks"),
]


def run_together(count, work):
    outcomes, barrier = [], threading.Barrier(count)

    def run(i):
        try:
            barrier.wait()
            work(i)
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


@pytest.fixture
def people(places_loaded):
    tuebingen = Place.objects.get(ags="08416041")
    kommune = make_org("Stadt Tübingen", "kommune", "08416041")
    coordinator = make_user("k@example.org", "municipal_coordinator", kommune)
    staff = make_user("s@example.org", "programme_staff", make_org("Land", "land"),
                      second_factor=True)
    consultant = make_user("b@example.org", "consultant", make_org("GmbH", "consulting_firm"),
                           second_factor=True)
    return coordinator, staff, make_profile(consultant), make_quarter(tuebingen)


def test_one_request_assigned_from_many_tabs_becomes_one_case(people):
    coordinator, staff, profile, quarter = people
    line = make_line()
    request = accepted_request(coordinator, staff, quarter=quarter)
    outcomes = run_together(6, lambda i: services.assign_case(
        request, profile, actor=staff, budget_line=line, today=TODAY))
    assert outcomes == ["ok"] + ["refused"] * 5
    assert Case.objects.count() == 1
    line = BudgetLine.objects.get(pk=line.pk)
    assert line.committed_cents == 200_000 and budget.reconcile(line)


def test_parallel_assignments_never_overspend_the_line(people):
    coordinator, staff, profile, quarter = people
    line = make_line(amount_cents=3 * 200_000, code="knapp")  # room for three cases of 2 days
    requests = [accepted_request(coordinator, staff, quarter=quarter) for _ in range(8)]
    big = make_profile(make_user("b2@example.org", "consultant", make_org("G2",
                                                                          "consulting_firm"),
                                 second_factor=True), capacity=23)
    outcomes = run_together(8, lambda i: services.assign_case(
        requests[i], big, actor=staff, budget_line=line, today=TODAY))
    assert outcomes == ["ok"] * 3 + ["refused"] * 5
    line = BudgetLine.objects.get(pk=line.pk)
    assert line.committed_cents == line.amount_cents and budget.reconcile(line)


def test_parallel_sessions_never_exceed_the_booked_days(people):
    coordinator, staff, profile, quarter = people
    case = make_case(coordinator, staff, profile, quarter=quarter)  # 2 days = 4 half days
    outcomes = run_together(6, lambda i: services.log_session(
        case, date=date(2031, 4, 7 + i), half_days=1 + (i % 2), mode="online",
        participants=3, topics=[case.request.topic], actor=profile.user))
    held = sum(Session.objects.values_list("half_days", flat=True))
    assert held <= 4 and outcomes.count("ok") == Session.objects.count()
    paid = budget.booked_for(services.SOURCE, case.pk).disbursed_cents
    assert paid == held * 50_000


def test_two_staff_accepting_the_same_proposal_assign_each_request_once(people):
    coordinator, staff, profile, quarter = people
    line = make_line()
    for _ in range(3):
        accepted_request(coordinator, staff, quarter=quarter)
    run = services.compute_matching(actor=staff, today=TODAY)
    assert run.summary["served"] == 3
    outcomes = run_together(4, lambda i: services.accept_proposals(
        run, actor=staff, budget_line=line, today=TODAY))
    assert outcomes == ["ok"] + ["refused"] * 3
    assert Case.objects.count() == 3
    line = BudgetLine.objects.get(pk=line.pk)
    assert line.committed_cents == 3 * 200_000 and budget.reconcile(line)


def test_feedback_sent_twice_at_once_is_kept_once(people):
    coordinator, staff, profile, quarter = people
    case = make_case(coordinator, staff, profile, quarter=quarter)
    services.log_session(case, date=date(2031, 4, 7), half_days=2, mode="online",
                         participants=3, topics=[case.request.topic], actor=profile.user)
    services.complete_case(case, "Gut.", actor=profile.user)
    outcomes = run_together(4, lambda i: services.give_feedback(
        case, satisfaction=5, goals_reached="yes", would_recommend=True, actor=coordinator))
    assert outcomes == ["ok"] + ["refused"] * 3
    assert Feedback.objects.filter(case=case).count() == 1
