import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from quartier.accounts.models import AuditEvent
from quartier.budget import services
from quartier.budget.models import AppendOnlyError, BudgetLine, Entry
from quartier.budget.tests.support import make_line

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    # The messages are asserted as their English msgids; the platform's default is German.
    with translation.override("en"):
        yield


def test_it_commits_and_lowers_what_is_available(staff):
    line = make_line(amount_cents=100_00)
    entry = services.commit_funds(line, 60_00, measure="Award 1", actor=staff)
    line.refresh_from_db()
    assert (line.committed_cents, line.available_cents) == (60_00, 40_00)
    assert entry.fiscal_year in (2018, 2019) and entry.actor == staff
    assert AuditEvent.objects.for_object(line).filter(action="budget.committed").count() == 1


def test_it_rejects_overspend_and_books_nothing(staff):
    line = make_line(amount_cents=100_00)
    services.commit_funds(line, 60_00, measure="Award 1", actor=staff)
    with pytest.raises(services.Overspend, match="Only 40,00 € are left"):
        services.commit_funds(line, 40_01, measure="Award 2", actor=staff)
    line.refresh_from_db()
    assert line.committed_cents == 60_00 and line.entries.count() == 1


@pytest.mark.parametrize("amount", [0, -5, 1.5, True, "100"])
def test_it_rejects_amounts_that_are_not_positive_whole_cents(staff, amount):
    line = make_line(amount_cents=100_00)
    with pytest.raises(ValidationError):
        services.commit_funds(line, amount, measure="x", actor=staff)
    assert not line.entries.exists()


def test_a_repeated_request_books_once(staff):
    line = make_line(amount_cents=100_00)
    first = services.commit_funds(line, 10_00, measure="x", actor=staff, idempotency_key="k1")
    again = services.commit_funds(line, 10_00, measure="x", actor=staff, idempotency_key="k1")
    line.refresh_from_db()
    assert first.pk == again.pk and line.committed_cents == 10_00


def test_a_fiscal_year_outside_the_line_is_refused(staff):
    line = make_line(amount_cents=100_00)
    with pytest.raises(ValidationError, match="2018/2019"):
        services.commit_funds(line, 10_00, measure="x", actor=staff, fiscal_year=2020)


def test_entries_can_never_be_changed_or_deleted(staff):
    line = make_line(amount_cents=100_00)
    entry = services.commit_funds(line, 10_00, measure="x", actor=staff)
    entry.note = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        Entry.objects.filter(pk=entry.pk).update(amount_cents=1)
    with pytest.raises(AppendOnlyError):
        Entry.objects.all().delete()


def test_the_database_refuses_an_overspent_line_even_without_the_service(staff):
    from django.db import IntegrityError, transaction
    from django.db.models import F

    line = make_line(amount_cents=100_00)
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetLine.objects.filter(pk=line.pk).update(committed_cents=F("amount_cents") + 1)


def test_disbursements_pay_out_at_most_what_is_committed(staff):
    line = make_line(amount_cents=100_00)
    commitment = services.commit_funds(line, 50_00, measure="x", actor=staff)
    services.disburse(commitment, 30_00, actor=staff)
    with pytest.raises(services.Overspend, match="20,00 €"):
        services.disburse(commitment, 20_01, actor=staff)
    services.disburse(commitment, 20_00, actor=staff)
    line.refresh_from_db()
    assert (line.committed_cents, line.disbursed_cents, line.outstanding_cents) == (50_00, 50_00, 0)
    assert services.reconcile(line)


def test_a_reversal_needs_a_reason_and_only_takes_back_what_is_unpaid(staff):
    line = make_line(amount_cents=100_00)
    commitment = services.commit_funds(line, 50_00, measure="x", actor=staff)
    services.disburse(commitment, 30_00, actor=staff)
    with pytest.raises(ValidationError, match="reason"):
        services.reverse_entry(commitment, 10_00, reason=" ", actor=staff)
    with pytest.raises(services.Overspend, match="20,00 €"):
        services.reverse_entry(commitment, 20_01, reason="Withdrawn", actor=staff)
    reversal = services.reverse_entry(commitment, reason="Withdrawn", actor=staff)
    line.refresh_from_db()
    assert reversal.amount_cents == -20_00 and line.committed_cents == 30_00
    assert commitment.reversible_cents() == 0 and services.reconcile(line)


def test_a_reversed_disbursement_reopens_the_commitment(staff):
    line = make_line(amount_cents=100_00)
    commitment = services.commit_funds(line, 50_00, measure="x", actor=staff)
    payment = services.disburse(commitment, 50_00, actor=staff)
    services.reverse_entry(payment, reason="Paid twice by mistake", actor=staff)
    line.refresh_from_db()
    assert line.disbursed_cents == 0 and commitment.reversible_cents() == 50_00


def test_booked_for_sums_what_another_app_booked_net(staff):
    line = make_line(amount_cents=100_00)
    commitment = services.commit_funds(line, 40_00, measure="Award", actor=staff,
                                       source="calls.award", reference=7)
    services.disburse(commitment, 10_00, actor=staff)
    services.release_commitments("calls.award", 7, reason="Withdrawn", actor=staff)
    booked = services.booked_for("calls.award", 7)
    assert (booked.committed_cents, booked.disbursed_cents) == (10_00, 10_00)


def test_money_is_written_the_german_way():
    assert services.euros(270_000_000) == "2.700.000,00 €"
    assert services.euros(-5) == "−0,05 €"
