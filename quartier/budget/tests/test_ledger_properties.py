"""Any sequence of commitments, payments and reversals keeps the ledger's invariants:
0 ≤ disbursed ≤ committed ≤ amount on the line and on every commitment, the running totals
equal the sums of the entries (reconcile), and a refused booking changes nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quartier.budget import services
from quartier.budget.models import BudgetLine, Entry

pytestmark = pytest.mark.django_db

AMOUNT = 1_000_00
operations = st.lists(
    st.one_of(
        st.tuples(st.just("commit"), st.integers(-5, AMOUNT + 100), st.integers(0, 0)),
        st.tuples(st.just("disburse"), st.integers(-5, AMOUNT + 100), st.integers(0, 30)),
        st.tuples(st.just("reverse"), st.one_of(st.none(), st.integers(-5, AMOUNT + 100)),
                  st.integers(0, 30)),
    ),
    max_size=20,
)


def check_invariants(line: BudgetLine) -> None:
    line.refresh_from_db()
    assert 0 <= line.disbursed_cents <= line.committed_cents <= line.amount_cents
    assert services.reconcile(line)
    for commitment in line.entries.filter(kind="commitment", reverses__isnull=True):
        assert 0 <= commitment.disbursed_cents() <= commitment.net_cents() <= \
            commitment.amount_cents
    for entry in line.entries.filter(reverses__isnull=True):
        assert 0 <= entry.reversible_cents() <= entry.amount_cents


@settings(max_examples=35, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(steps=operations)
def test_the_ledger_never_breaks_its_invariants(steps):
    with transaction.atomic():
        line = services.create_line(code="P-1", title="Eigenschaften", first_year=2018,
                                    last_year=2019, amount_cents=AMOUNT, actor=None)
        for action, amount, pick in steps:
            entries = list(line.entries.order_by("pk"))
            before = (BudgetLine.objects.get(pk=line.pk).committed_cents,
                      BudgetLine.objects.get(pk=line.pk).disbursed_cents, len(entries))
            try:
                if action == "commit":
                    services.commit_funds(line, amount, measure="m", actor=None)
                elif action == "disburse":
                    commitments = [e for e in entries if e.kind == "commitment"]
                    if not commitments:
                        continue
                    services.disburse(commitments[pick % len(commitments)], amount, actor=None)
                else:
                    if not entries:
                        continue
                    services.reverse_entry(entries[pick % len(entries)], amount,
                                           reason="Korrektur", actor=None)
            except ValidationError:
                after = BudgetLine.objects.get(pk=line.pk)
                assert (after.committed_cents, after.disbursed_cents,
                        line.entries.count()) == before
            check_invariants(line)
        transaction.set_rollback(True)
    assert not Entry.objects.exists()


@settings(max_examples=40, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(amounts=st.lists(st.integers(1, AMOUNT), max_size=12))
def test_commitments_are_accepted_exactly_while_they_fit(amounts):
    with transaction.atomic():
        line = services.create_line(code="P-2", title="Passt", first_year=2018,
                                    last_year=2018, amount_cents=AMOUNT, actor=None)
        expected = 0
        for amount in amounts:
            fits = expected + amount <= AMOUNT
            try:
                services.commit_funds(line, amount, measure="m", actor=None)
            except services.Overspend:
                assert not fits
            else:
                assert fits
                expected += amount
        line.refresh_from_db()
        assert line.committed_cents == expected and services.reconcile(line)
        transaction.set_rollback(True)
