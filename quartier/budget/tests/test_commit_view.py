"""/budget/ledger/<pk>/commit/: staff commit money of a line to a measure by hand."""

import pytest

from quartier.accounts.models import AuditEvent
from quartier.budget.models import Entry
from quartier.budget.tests.support import errors_of, form_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def url(line):
    return f"/budget/ledger/{line.pk}/commit/"


def post(client, line, **fields):
    key = form_key(client.get(url(line)))
    data = {"amount": "1.234,56", "measure": "Quartiersforum", "fiscal_year": "2018",
            "place": "", "note": "", "idempotency_key": key}
    data.update(fields)
    return client.post(url(line), data)


def test_staff_commit_money_in_euros_and_see_it_on_the_line(staff_client, staff, line,
                                                            tuebingen):
    response = post(staff_client, line, place=tuebingen.ags, note="Bescheid 17/2018")

    assert response.status_code == 302 and response.url == line.get_absolute_url()
    entry = Entry.objects.get()
    assert (entry.amount_cents, entry.measure, entry.place, entry.fiscal_year, entry.actor) == (
        1_234_56, "Quartiersforum", tuebingen, 2018, staff)
    assert entry.idempotency_key.startswith(f"commit-{line.pk}-")
    line.refresh_from_db()
    assert line.committed_cents == 1_234_56
    page = staff_client.get(response.url)
    assert "1.234,56 € gebunden für „Quartiersforum“." in [str(m) for m in page.context["messages"]]
    assert AuditEvent.objects.filter(action="budget.committed", actor=staff).count() == 1


def test_a_double_submit_books_once(staff_client, line):
    key = form_key(staff_client.get(url(line)))
    data = {"amount": "100", "measure": "Einmal", "fiscal_year": "2019", "idempotency_key": key}
    first = staff_client.post(url(line), data)
    second = staff_client.post(url(line), data)

    assert first.status_code == second.status_code == 302
    assert Entry.objects.count() == 1
    line.refresh_from_db()
    assert line.committed_cents == 100_00
    messages = [str(m) for m in staff_client.get(line.get_absolute_url()).context["messages"]]
    assert any("war schon gesendet worden" in m for m in messages)


def test_each_shown_form_gets_its_own_key(staff_client, line):
    assert form_key(staff_client.get(url(line))) != form_key(staff_client.get(url(line)))


def test_overspend_is_shown_at_the_amount_and_nothing_is_booked(staff_client, line):
    post(staff_client, line, amount="90.000")

    response = post(staff_client, line, amount="10.000,01")

    assert response.status_code == 400
    assert errors_of(response, "amount") == [
        "Auf 1202-684 01 – Quartier 2020 (2018/2019) sind nur noch 10.000,00 € verfügbar; "
        "10.000,01 € können nicht gebunden werden."]
    assert 'class="error-summary"' in response.content.decode()
    line.refresh_from_db()
    assert line.committed_cents == 90_000_00 and Entry.objects.count() == 1


@pytest.mark.parametrize("amount, message", [
    ("", "Dieses Feld ist zwingend erforderlich."),
    ("-5", "Der Betrag muss größer als 0 € sein."),
    ("0", "Der Betrag muss größer als 0 € sein."),
    ("zehn", "Geben Sie einen Betrag in Euro ein, z. B. 1.234,56."),
    ("12.5", "Schreiben Sie die Cent nach einem Komma: z. B. 1.234,56."),
    ("1,234", "Geben Sie höchstens zwei Nachkommastellen (Cent) an."),
    ("9" * 29, "Der Betrag darf höchstens 10.000.000.000,00 € sein."),
    ("9" * 40, "Geben Sie einen Betrag in Euro ein, z. B. 1.234,56."),
])
def test_a_wrong_amount_is_refused_at_the_field(staff_client, line, amount, message):
    response = post(staff_client, line, amount=amount)

    assert response.status_code == 400
    assert errors_of(response, "amount") == [message]
    assert not Entry.objects.exists()


@pytest.mark.parametrize("fields, field", [
    ({"measure": ""}, "measure"),
    ({"measure": "   "}, "measure"),
    ({"measure": "x" * 201}, "measure"),
    ({"fiscal_year": "2020"}, "fiscal_year"),
    ({"fiscal_year": "zwei"}, "fiscal_year"),
    ({"place": "08"}, "place"),
    ({"place": "99999999"}, "place"),
    ({"note": "x" * 2001}, "note"),
])
def test_other_wrong_fields_are_refused_at_the_field(staff_client, line, fields, field):
    response = post(staff_client, line, **fields)

    assert response.status_code == 400 and errors_of(response, field)
    assert not Entry.objects.exists()


def test_a_form_without_its_key_books_nothing_and_gets_a_new_key(staff_client, line):
    for key in ("", "short", "<script>alert(1)</script>" * 2):
        response = post(staff_client, line, idempotency_key=key)
        assert response.status_code == 400
        assert "Das Formular war unvollständig" in response.content.decode()
        assert form_key(response) != key
    assert not Entry.objects.exists()


def test_hostile_text_is_shown_as_text(staff_client, line):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    post(staff_client, line, measure=hostile, note=hostile)

    page = staff_client.get(line.get_absolute_url()).content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert Entry.objects.get().measure == hostile


def test_a_line_that_does_not_exist_is_not_found(staff_client):
    assert staff_client.get("/budget/ledger/999/commit/").status_code == 404
