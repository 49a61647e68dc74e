"""/budget/entries/<pk>/disburse/: staff pay out (part of) a commitment."""

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
    return f"/budget/entries/{entry.pk}/disburse/"


def post(client, entry, **fields):
    key = form_key(client.get(url(entry)))
    data = {"amount": "10.000", "fiscal_year": "2019", "note": "", "idempotency_key": key}
    data.update(fields)
    return client.post(url(entry), data)


def test_the_form_offers_what_is_not_yet_paid_out(staff_client, commitment):
    services.disburse(commitment, 15_000_00, actor=None)
    response = staff_client.get(url(commitment))
    assert 'value="25.000,00"' in response.content.decode()


def test_staff_pay_out_part_of_a_commitment(staff_client, staff, commitment):
    response = post(staff_client, commitment, note="Rechnung 4711")

    assert response.status_code == 302
    payment = Entry.objects.get(kind="disbursement")
    assert (payment.amount_cents, payment.commitment, payment.note, payment.fiscal_year,
            payment.actor) == (10_000_00, commitment, "Rechnung 4711", 2019, staff)
    commitment.line.refresh_from_db()
    assert commitment.line.disbursed_cents == 10_000_00


def test_paying_out_more_than_committed_is_refused_at_the_amount(staff_client, commitment):
    response = post(staff_client, commitment, amount="40.000,01")

    assert response.status_code == 400
    assert errors_of(response, "amount") == [
        "Von dieser Mittelbindung sind nur noch 40.000,00 € nicht ausgezahlt."]
    assert not Entry.objects.filter(kind="disbursement").exists()


def test_a_double_submit_pays_once(staff_client, commitment):
    key = form_key(staff_client.get(url(commitment)))
    data = {"amount": "500", "fiscal_year": "2018", "idempotency_key": key}
    staff_client.post(url(commitment), data)
    staff_client.post(url(commitment), data)
    assert Entry.objects.filter(kind="disbursement").count() == 1


@pytest.mark.parametrize("amount, message", [
    ("", "Dieses Feld ist zwingend erforderlich."),
    ("-1", "Der Betrag muss größer als 0 € sein."),
    ("viel", "Geben Sie einen Betrag in Euro ein, z. B. 1.234,56."),
    ("99999999999999", "Der Betrag darf höchstens 10.000.000.000,00 € sein."),
])
def test_a_wrong_amount_is_refused(staff_client, commitment, amount, message):
    response = post(staff_client, commitment, amount=amount)
    assert response.status_code == 400 and errors_of(response, "amount") == [message]
    assert not Entry.objects.filter(kind="disbursement").exists()


def test_a_year_outside_the_line_is_refused(staff_client, commitment):
    response = post(staff_client, commitment, fiscal_year="2017")
    assert response.status_code == 400 and errors_of(response, "fiscal_year")


def test_only_commitments_are_paid_out(staff_client, commitment):
    payment = services.disburse(commitment, 1_00, actor=None)
    reversal = services.reverse_entry(commitment, 1_00, reason="zu viel", actor=None)
    assert staff_client.get(url(payment)).status_code == 404
    assert staff_client.get(url(reversal)).status_code == 404


def test_a_paid_commitment_shows_that_nothing_is_open(staff_client, commitment):
    services.disburse(commitment, 40_000_00, actor=None)
    response = staff_client.get(url(commitment))
    assert "vollständig ausgezahlt" in response.content.decode()
