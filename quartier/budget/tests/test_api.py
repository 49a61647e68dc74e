"""/api/budget-lines and /api/budget-kreise: the public sums as JSON, no names."""

import json

import pytest

pytestmark = pytest.mark.django_db


def test_the_lines_carry_amount_committed_paid_and_available_money(client, booked):
    response = client.get("/api/budget-lines")

    assert response.status_code == 200
    assert response.json() == [{
        "code": "1202-684 01", "title": "Quartier 2020", "fiscal_years": "2018/2019",
        "amount_cents": 100_000_00, "committed_cents": 35_000_00, "disbursed_cents": 10_000_00,
        "available_cents": 65_000_00, "is_demo": False,
    }]


def test_the_kreise_carry_their_sums_and_the_statewide_rest(client, booked):
    data = client.get("/api/budget-kreise").json()

    kreise = {k["ags"]: k for k in data["kreise"]}
    assert len(kreise) == 44
    assert (kreise["08416"]["committed_cents"], kreise["08416"]["disbursed_cents"]) == (
        30_000_00, 10_000_00)
    assert data["statewide_committed_cents"] == 5_000_00


def test_no_person_measure_or_note_appears_in_the_api(client, booked, staff):
    for url in ("/api/budget-lines", "/api/budget-kreise"):
        text = json.dumps(client.get(url).json(), ensure_ascii=False)
        assert "Müller" not in text and staff.email not in text and "Xylophon" not in text


def test_the_api_answers_only_reading(client, booked):
    assert client.post("/api/budget-lines", {}).status_code == 405
    assert client.delete("/api/budget-lines").status_code == 405
