"""/budget/entries/<pk>/reverse/: corrections are reversing entries with a reason."""

import pytest

from quartier.budget import services
from quartier.budget.models import Entry
from quartier.budget.tests.support import errors_of, form_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def url(entry):
    return f"/budget/entries/{entry.pk}/reverse/"


def post(client, entry, **fields):
    key = form_key(client.get(url(entry)))
    data = {"amount": "", "reason": "Zusage zurückgezogen", "idempotency_key": key}
    data.update(fields)
    return client.post(url(entry), data)


def test_an_empty_amount_reverses_all_that_is_left(staff_client, commitment):
    services.disburse(commitment, 10_000_00, actor=None)

    response = post(staff_client, commitment)

    assert response.status_code == 302
    reversal = Entry.objects.get(reverses=commitment)
    assert (reversal.amount_cents, reversal.note) == (-30_000_00, "Zusage zurückgezogen")
    commitment.line.refresh_from_db()
    assert commitment.line.committed_cents == 10_000_00
    assert services.reconcile(commitment.line)


def test_part_of_an_entry_is_reversed(staff_client, commitment):
    post(staff_client, commitment, amount="1.000,50")
    assert Entry.objects.get(reverses=commitment).amount_cents == -1_000_50


def test_a_payment_is_reversed_and_reopens_its_commitment(staff_client, commitment):
    payment = services.disburse(commitment, 5_000_00, actor=None)
    post(staff_client, payment, reason="Doppelt überwiesen")
    payment.line.refresh_from_db()
    assert payment.line.disbursed_cents == 0


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reversal_without_reason_is_refused(staff_client, commitment, reason):
    response = post(staff_client, commitment, reason=reason)
    assert response.status_code == 400
    assert errors_of(response, "reason") == ["Dieses Feld ist zwingend erforderlich."]
    assert Entry.objects.count() == 1


def test_reversing_more_than_is_left_is_refused_at_the_amount(staff_client, commitment):
    services.disburse(commitment, 30_000_00, actor=None)
    response = post(staff_client, commitment, amount="10.000,01")
    assert response.status_code == 400
    assert errors_of(response, "amount") == [
        "Von dieser Buchung können höchstens 10.000,00 € storniert werden."]
    assert not Entry.objects.filter(reverses=commitment).exists()


@pytest.mark.parametrize("amount", ["-5", "0", "abc", "1.0.0"])
def test_a_wrong_amount_is_refused(staff_client, commitment, amount):
    response = post(staff_client, commitment, amount=amount)
    assert response.status_code == 400 and errors_of(response, "amount")
    assert not Entry.objects.filter(reverses=commitment).exists()


def test_a_fully_reversed_entry_cannot_be_reversed_again(staff_client, commitment):
    # Two people opened the form; the second sends it after the first.
    second_key = form_key(staff_client.get(url(commitment)))
    post(staff_client, commitment)
    response = staff_client.post(url(commitment), {"amount": "", "reason": "Nochmal",
                                                   "idempotency_key": second_key})
    assert response.status_code == 400
    assert errors_of(response, "amount") == ["Von dieser Buchung ist nichts mehr zu stornieren."]
    assert Entry.objects.filter(reverses=commitment).count() == 1


def test_a_reversal_is_not_reversed(staff_client, commitment):
    reversal = services.reverse_entry(commitment, 1_00, reason="x", actor=None)
    assert staff_client.get(url(reversal)).status_code == 404


def test_a_double_submit_reverses_once(staff_client, commitment):
    key = form_key(staff_client.get(url(commitment)))
    data = {"amount": "100", "reason": "Korrektur", "idempotency_key": key}
    staff_client.post(url(commitment), data)
    staff_client.post(url(commitment), data)
    assert Entry.objects.filter(reverses=commitment).count() == 1


def test_a_hostile_reason_is_kept_as_text(staff_client, commitment):
    post(staff_client, commitment, amount="1", reason="<b onmouseover=alert(1)>x</b>")
    page = staff_client.get(commitment.line.get_absolute_url()).content.decode()
    assert "<b onmouseover" not in page and "&lt;b onmouseover=alert(1)&gt;x&lt;/b&gt;" in page
