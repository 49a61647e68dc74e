"""Voting codes: generated for printed letters, stored only as fingerprints, voided when a
letter is lost."""

import pytest

from quartier.accounts.models import AuditEvent
from quartier.pb import services
from quartier.pb.models import VotingCode
from quartier.pb.tests.support import make_budget, make_proposals, set_phase

pytestmark = pytest.mark.django_db


@pytest.fixture
def budget(quarter):
    budget = make_budget(quarter, "review", access="codes")
    make_proposals(budget, {"Bank": 1000})
    return budget


def test_codes_are_shown_once_and_only_their_fingerprints_are_stored(budget):
    codes = services.generate_codes(budget, 5, actor=None)
    assert [serial for serial, _code in codes] == [1, 2, 3, 4, 5]
    for _serial, code in codes:
        assert len(code) == 14 and code.count("-") == 2
        assert set(code.replace("-", "")) <= set(services.CODE_ALPHABET)
    stored = list(VotingCode.objects.values_list("code_hash", flat=True))
    assert all(len(h) == 64 for h in stored)
    assert not any(code.replace("-", "") in h for _s, code in codes for h in stored)
    assert services.find_code(budget, codes[2][1]).serial == 3


def test_a_second_batch_continues_the_numbers(budget):
    services.generate_codes(budget, 2, actor=None)
    codes = services.generate_codes(budget, 3, actor=None)
    assert [s for s, _c in codes] == [3, 4, 5]
    assert list(VotingCode.objects.values_list("batch", flat=True)) == [1, 1, 2, 2, 2]
    assert AuditEvent.objects.filter(action="pb.codes_generated").count() == 2


def test_codes_are_read_forgivingly(budget):
    (_serial, code), = services.generate_codes(budget, 1, actor=None)
    for typed in (code, code.lower(), code.replace("-", ""), " " + code.replace("-", " ")):
        assert services.find_code(budget, typed) is not None
    assert services.find_code(budget, code[:-1]) is None


@pytest.mark.parametrize("number", [0, -1, services.MAX_CODES_PER_BATCH + 1])
def test_a_wrong_number_of_codes_is_refused(budget, number):
    with pytest.raises(services.ValidationError):
        services.generate_codes(budget, number, actor=None)
    assert not VotingCode.objects.exists()


def test_no_codes_after_voting_closed_or_for_budgets_without_codes(budget, quarter):
    set_phase(budget, "result")
    with pytest.raises(services.ValidationError):
        services.generate_codes(budget, 1, actor=None)
    accounts = make_budget(quarter, "review", access="accounts")
    with pytest.raises(services.ValidationError):
        services.generate_codes(accounts, 1, actor=None)
    assert not VotingCode.objects.exists()


def test_the_letters_come_as_a_pdf(client, coordinator, budget):
    client.force_login(coordinator)
    response = client.post(f"/quarter-budgets/{budget.pk}/codes/letters/",
                           {"number": "3", "output": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert 'filename="voting-codes-' in response["Content-Disposition"]
    assert VotingCode.objects.count() == 3
    page = client.get(f"/quarter-budgets/{budget.pk}/codes/")
    assert page.context["batches"][0]["total"] == 3


def test_a_print_shop_gets_the_codes_as_csv(client, coordinator, budget):
    client.force_login(coordinator)
    response = client.post(f"/quarter-budgets/{budget.pk}/codes/letters/",
                           {"number": "1000", "output": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = response.content.decode().splitlines()
    assert rows[0] == "number,code,url" and len(rows) == 1001
    serial, code, url = rows[500].split(",")
    assert serial == "500" and url.endswith(f"/quarter-budgets/{budget.pk}/code/")
    assert services.find_code(budget, code).serial == 500


@pytest.mark.parametrize("number, output", [
    ("", "pdf"), ("0", "pdf"), ("5001", "csv"), ("drei", "pdf"), ("1e3", "pdf"),
    ("201", "pdf"), ("10", "zip"), ("10", ""),
])
def test_a_wrong_request_on_the_page_creates_nothing(client, coordinator, budget, number,
                                                     output):
    client.force_login(coordinator)
    response = client.post(f"/quarter-budgets/{budget.pk}/codes/letters/",
                           {"number": number, "output": output})
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not VotingCode.objects.exists()


def test_lost_letters_are_voided_by_number_but_a_used_code_stays(client, coordinator, budget):
    codes = services.generate_codes(budget, 6, actor=None)
    set_phase(budget, "voting")
    services.cast_ballot(budget, {budget.proposals.get().pk: 1},
                         code=services.find_code(budget, codes[4][1]))
    client.force_login(coordinator)
    response = client.post(f"/quarter-budgets/{budget.pk}/codes/void/",
                           {"serials": "1, 3-4", "reason": "Brief unzustellbar"})
    assert response.status_code == 302
    assert sorted(VotingCode.objects.filter(is_void=True).values_list("serial", flat=True)) \
        == [1, 3, 4]
    assert services.find_code(budget, codes[0][1]) is None
    response = client.post(f"/quarter-budgets/{budget.pk}/codes/void/",
                           {"serials": "5-6", "reason": "verloren"})
    assert response.status_code == 400
    assert VotingCode.objects.filter(is_void=True).count() == 3


@pytest.mark.parametrize("serials, reason", [
    ("", "x"), ("eins", "x"), ("5-2", "x"), ("1-99999", "x"), ("1", ""), ("77", "x"),
])
def test_wrong_void_requests_change_nothing(client, coordinator, budget, serials, reason):
    services.generate_codes(budget, 3, actor=None)
    client.force_login(coordinator)
    response = client.post(f"/quarter-budgets/{budget.pk}/codes/void/",
                           {"serials": serials, "reason": reason})
    assert response.status_code == 400
    assert not VotingCode.objects.filter(is_void=True).exists()
