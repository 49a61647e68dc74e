"""Two staff members decide at the same moment on PostgreSQL: the call is decided once, and
the line is never overspent when another booking races the decision."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from conftest import make_org, make_user
from quartier.budget import services as budget
from quartier.budget.models import BudgetLine, Entry
from quartier.budget.tests.support import make_line
from quartier.calls import services
from quartier.calls.models import Call, Decision
from quartier.calls.tests.support import close, make_call, review, submitted

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real row locks"),
]


@pytest.fixture
def ready(places_loaded):
    """A call with its jury closed and its allocation computed: one award of 30,000 €."""
    jury_org = make_org("Jury e. V.", "association")
    juror = make_user("j@example.org", "jury_member", jury_org, second_factor=True)
    staff = make_user("s@example.org", "programme_staff", make_org("Land", "land"),
                      second_factor=True)
    organisation = make_org("Stadt Tübingen", "kommune", "08416041")
    coordinator = make_user("c@example.org", "municipal_coordinator", organisation)
    call = make_call(line=make_line(amount_cents=50_000_00), pot_cents=40_000_00,
                     max_award_cents=40_000_00)
    application = submitted(call, organisation, actor=coordinator, requested=30_000_00)
    services.set_jurors(call, [juror], actor=None)
    close(call)
    review(application, juror, 8, 8)
    services.close_jury(call, actor=None)
    run = services.compute_allocation(call, actor=staff)
    return call, run, application, staff


def race(*actions):
    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait()
            action()
            outcomes[index] = "ok"
        except (ValidationError, budget.Overspend) as error:
            outcomes[index] = type(error).__name__
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_two_staff_deciding_at_once_decide_and_book_once(ready):
    call, run, application, staff = ready

    def decide():
        services.decide_call(Call.objects.get(pk=call.pk), run, base_method="list",
                             amounts={application.pk: 30_000_00}, reasons={}, actor=staff,
                             notify=False)

    outcomes = race(decide, decide, decide)
    assert sorted(outcomes) == ["ValidationError", "ValidationError", "ok"]
    assert Decision.objects.count() == 1
    assert Entry.objects.filter(source="calls.award").count() == 1
    assert BudgetLine.objects.get(pk=call.budget_line_id).committed_cents == 30_000_00


def test_a_decision_and_another_booking_racing_for_the_line_never_overspend_it(ready):
    call, run, application, staff = ready
    line = call.budget_line

    def decide():
        services.decide_call(Call.objects.get(pk=call.pk), run, base_method="list",
                             amounts={application.pk: 30_000_00}, reasons={}, actor=staff,
                             notify=False)

    def other():
        budget.commit_funds(line, 30_000_00, measure="Beratung", actor=None)

    outcomes = race(decide, other)
    assert sorted(outcomes) == ["Overspend", "ok"]
    line = BudgetLine.objects.get(pk=line.pk)
    assert line.committed_cents == 30_000_00 and budget.reconcile(line)
    decided = Call.objects.get(pk=call.pk).phase == "decided"
    assert decided == (outcomes[0] == "ok")
    assert Decision.objects.count() == (1 if decided else 0)
