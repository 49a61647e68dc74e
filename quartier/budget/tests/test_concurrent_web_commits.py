"""Staff send booking forms at the same moment: through the real views, on PostgreSQL."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from quartier.budget import services
from quartier.budget.models import BudgetLine, Entry
from quartier.budget.tests.support import form_key, make_line

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real row locks"),
]


def in_parallel(count: int, send) -> list:
    """Run send(i) in `count` threads that start together; collect what they return."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i):
        try:
            barrier.wait()
            results[i] = send(i)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def signed_in_clients(user, count: int) -> list[Client]:
    clients = []
    for _ in range(count):
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


def test_parallel_commit_forms_never_overspend_and_each_gets_an_answer(staff):
    line = make_line(amount_cents=8 * 7_00)  # room for exactly 8 of 7 €
    clients = signed_in_clients(staff, 16)
    keys = [form_key(client.get(f"/budget/ledger/{line.pk}/commit/")) for client in clients]

    def send(i):
        return clients[i].post(f"/budget/ledger/{line.pk}/commit/", {
            "amount": "7", "measure": f"Antrag {i}", "fiscal_year": "2018",
            "idempotency_key": keys[i]}).status_code

    statuses = in_parallel(16, send)

    assert sorted(statuses) == [302] * 8 + [400] * 8
    line = BudgetLine.objects.get(pk=line.pk)
    assert line.committed_cents == line.amount_cents == Entry.objects.count() * 7_00
    assert services.reconcile(line)


def test_one_form_sent_from_many_tabs_at_once_books_once(staff):
    line = make_line(amount_cents=100_00)
    clients = signed_in_clients(staff, 6)
    key = form_key(clients[0].get(f"/budget/ledger/{line.pk}/commit/"))

    statuses = in_parallel(6, lambda i: clients[i].post(
        f"/budget/ledger/{line.pk}/commit/",
        {"amount": "5", "measure": "Doppelklick", "fiscal_year": "2019",
         "idempotency_key": key}).status_code)

    assert statuses == [302] * 6
    assert Entry.objects.count() == 1
    assert BudgetLine.objects.get(pk=line.pk).committed_cents == 5_00


def test_parallel_payments_of_one_commitment_never_pay_more_than_committed(staff):
    line = make_line(amount_cents=100_00)
    commitment = services.commit_funds(line, 30_00, measure="Zuschuss", actor=None)
    clients = signed_in_clients(staff, 10)
    url = f"/budget/entries/{commitment.pk}/disburse/"
    keys = [form_key(client.get(url)) for client in clients]

    statuses = in_parallel(10, lambda i: clients[i].post(url, {
        "amount": "10", "fiscal_year": "2018", "idempotency_key": keys[i]}).status_code)

    assert sorted(statuses) == [302] * 3 + [400] * 7
    line = BudgetLine.objects.get(pk=line.pk)
    assert line.disbursed_cents == 30_00 and services.reconcile(line)


def test_parallel_releases_of_one_award_reverse_it_once(staff):
    line = make_line(amount_cents=100_00)
    services.commit_funds(line, 40_00, measure="Preis", source="calls.award", reference=9,
                          actor=None)

    released = in_parallel(6, lambda i: len(services.release_commitments(
        "calls.award", 9, reason="Zurückgezogen", actor=None)))

    assert sorted(released) == [0] * 5 + [1]
    assert services.booked_for("calls.award", 9).committed_cents == 0
    assert services.reconcile(BudgetLine.objects.get(pk=line.pk))
