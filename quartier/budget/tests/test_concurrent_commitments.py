"""Many staff decide at the same moment against one line: on PostgreSQL, real connections."""

import threading

import pytest
from django.db import connection, connections

from quartier.budget import services
from quartier.budget.models import BudgetLine
from quartier.budget.tests.support import make_line

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real row locks"),
]


def test_parallel_commitments_never_exceed_the_line_and_none_is_lost():
    line = make_line(amount_cents=10 * 7_00)  # room for exactly 10 of 7 €
    outcomes: list[str] = []
    barrier = threading.Barrier(24)

    def decide(i):
        try:
            barrier.wait()
            services.commit_funds(line, 7_00, measure=f"Award {i}", actor=None,
                                  idempotency_key=f"award-{i}")
            outcomes.append("ok")
        except services.Overspend:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    line = BudgetLine.objects.get(pk=line.pk)
    assert sorted(outcomes) == ["ok"] * 10 + ["refused"] * 14
    assert line.committed_cents == 70_00 == line.amount_cents
    assert line.entries.count() == 10 and services.reconcile(line)


def test_the_same_request_from_many_threads_books_once():
    line = make_line(amount_cents=100_00)
    barrier = threading.Barrier(8)
    entries = []

    def send():
        try:
            barrier.wait()
            entries.append(services.commit_funds(line, 5_00, measure="x", actor=None,
                                                 idempotency_key="same-form"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({entry.pk for entry in entries}) == 1
    assert BudgetLine.objects.get(pk=line.pk).committed_cents == 5_00
