"""/budget/ledger/new/: staff create a budget line of one fiscal year or a double budget."""

import pytest

from quartier.accounts.models import AuditEvent
from quartier.budget.models import BudgetLine

pytestmark = pytest.mark.django_db
URL = "/budget/ledger/new/"


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def post(client, **fields):
    data = {"code": "0918-68401-2022", "title": "Quartier 2030", "description": "",
            "first_year": "2022", "double_budget": "on", "amount": "8.500.000"}
    data.update(fields)
    return client.post(URL, data)


def test_staff_create_a_double_budget(staff_client, staff):
    response = post(staff_client)

    line = BudgetLine.objects.get()
    assert response.status_code == 302 and response.url == line.get_absolute_url()
    assert (line.code, line.first_year, line.last_year, line.amount_cents, line.created_by) == (
        "0918-68401-2022", 2022, 2023, 8_500_000_00, staff)
    assert AuditEvent.objects.for_object(line).get().action == "budget.line_created"


def test_a_line_of_one_fiscal_year(staff_client):
    post(staff_client, double_budget="")
    line = BudgetLine.objects.get()
    assert line.first_year == line.last_year == 2022 and line.years_label == "2022"


@pytest.mark.parametrize("fields, field", [
    ({"code": ""}, "code"),
    ({"code": "<script>"}, "code"),
    ({"code": "x" * 41}, "code"),
    ({"title": ""}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"description": "x" * 4001}, "description"),
    ({"first_year": "1999"}, "first_year"),
    ({"first_year": "2101"}, "first_year"),
    ({"first_year": "zwanzig"}, "first_year"),
    ({"amount": ""}, "amount"),
    ({"amount": "-100"}, "amount"),
    ({"amount": "0"}, "amount"),
    ({"amount": "1.5"}, "amount"),
    ({"amount": "100000000000"}, "amount"),
])
def test_wrong_input_is_refused_at_the_field(staff_client, fields, field):
    response = post(staff_client, **fields)

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not BudgetLine.objects.exists()


def test_a_code_is_used_once(staff_client, line):
    response = post(staff_client, code=line.code)
    assert response.status_code == 400
    assert response.context["form"].errors["code"] == [
        "Einen Haushaltstitel mit dieser Kennung gibt es bereits."]
    assert BudgetLine.objects.count() == 1


def test_a_hostile_title_is_shown_as_text(staff_client):
    post(staff_client, title="<script>alert(1)</script>", description="<i>kursiv</i>")
    page = staff_client.get(BudgetLine.objects.get().get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<i>kursiv</i>" not in page
