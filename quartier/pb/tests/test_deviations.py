"""The coordinator may decide differently from the count, only with a written reason that
the result page shows, and within the budget."""

import pytest

from quartier.accounts.models import AuditEvent
from quartier.pb import services
from quartier.pb.models import Deviation
from quartier.pb.tests.support import make_budget, make_proposals, set_phase

pytestmark = pytest.mark.django_db


@pytest.fixture
def counted(quarter, resident):
    """10,000 €: Bank (6,000 €, 2 votes) is funded, Baum (5,000 €, 1 vote) does not fit."""
    budget = make_budget(quarter, "voting", access="codes", amount_cents=10_000_00)
    bank, baum = make_proposals(budget, {"Bank": 6000, "Baum": 5000})
    for selection, (_s, code) in zip([{bank.pk: 1}, {bank.pk: 1}, {baum.pk: 1}],
                                     services.generate_codes(budget, 3, actor=None),
                                     strict=True):
        services.cast_ballot(budget, selection, code=services.find_code(budget, code))
    set_phase(budget, "result")
    services.compute_result(budget, actor=None)
    return budget, bank, baum


def deviate(client, budget, proposal, euros, reason):
    return client.post(f"/quarter-budgets/{budget.pk}/deviate/",
                       {"proposal": proposal.pk, "amount_eur": euros, "reason": reason})


def test_a_project_that_did_not_fit_is_part_funded_with_a_reason_on_the_result_page(
    client, coordinator, counted
):
    budget, bank, baum = counted
    client.force_login(coordinator)
    response = deviate(client, budget, baum, "4000", "Der Verein trägt den Rest.")
    assert response["Location"] == f"/quarter-budgets/{budget.pk}/result/"
    deviation = Deviation.objects.get()
    assert (deviation.amount_cents, deviation.actor) == (4000_00, coordinator)
    client.logout()
    page = client.get(response["Location"])
    assert "Der Verein trägt den Rest." in page.content.decode()
    assert page.context["spent_cents"] == 10_000_00
    assert [row["title"] for row in page.context["funded"]] == ["Bank", "Baum"]
    assert AuditEvent.objects.filter(action="pb.deviation").count() == 1


@pytest.mark.parametrize("euros, reason, field", [
    ("4000", "", "reason"),
    ("4000", "   ", "reason"),
    ("5000", "zu viel", "amount_eur"),  # 6,000 + 5,000 > 10,000
    ("-1", "x", "amount_eur"),
    ("viel", "x", "amount_eur"),
    ("4000", "x" * 4001, "reason"),
])
def test_a_deviation_without_reason_or_beyond_the_budget_is_refused(
    client, coordinator, counted, euros, reason, field
):
    budget, _bank, baum = counted
    client.force_login(coordinator)
    response = deviate(client, budget, baum, euros, reason)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Deviation.objects.exists()


def test_a_deviation_is_undone_by_giving_the_computed_amount(client, coordinator, counted):
    budget, bank, baum = counted
    client.force_login(coordinator)
    deviate(client, budget, bank, "0", "Der Standort ist doch nicht verfügbar.")
    assert Deviation.objects.get().amount_cents == 0
    page = client.get(f"/quarter-budgets/{budget.pk}/result/")
    assert [row["title"] for row in page.context["unfunded"]] == ["Bank", "Baum"]
    deviate(client, budget, bank, "6000", "Der Standort ist wieder frei.")
    assert not Deviation.objects.exists()
    assert AuditEvent.objects.filter(action="pb.deviation").count() == 2


def test_a_project_that_was_not_on_the_ballot_cannot_be_funded(counted, coordinator):
    budget, _bank, _baum = counted
    other = make_proposals(budget, {"Seilbahn": 100}, status="infeasible")[0]
    with pytest.raises(services.ValidationError):
        services.set_deviation(budget, other, amount_cents=100, reason="x", actor=coordinator)
    assert not Deviation.objects.exists()
