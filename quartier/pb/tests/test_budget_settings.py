"""A coordinator opens and changes a quarter budget; wrong input changes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from quartier.accounts.models import AuditEvent
from quartier.pb.models import Budget
from quartier.pb.tests.support import make_budget

pytestmark = pytest.mark.django_db


def form_data(**changes) -> dict:
    start = timezone.localtime() + timedelta(days=1)
    fmt = "%Y-%m-%dT%H:%M"
    data = {
        "title": "Bürgerbudget Südstadt", "description": "Für die Südstadt",
        "amount_eur": "50000", "access": "both", "residents_only": "on", "min_age": "14",
        "ballot_type": "approval", "min_projects": "1", "max_projects": "3",
        "points_total": "10", "max_ranks": "3",
        "proposals_open": start.strftime(fmt),
        "proposals_close": (start + timedelta(days=14)).strftime(fmt),
        "voting_opens": (start + timedelta(days=21)).strftime(fmt),
        "voting_closes": (start + timedelta(days=35)).strftime(fmt),
        "rule": "equal_shares", "greedy_skip": "on", "min_votes": "1",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_coordinator_opens_a_quarter_budget(client, coordinator, quarter):
    client.force_login(coordinator)
    response = client.post(f"/quarter-budgets/new/{quarter.pk}/", form_data())
    budget = Budget.objects.get()
    assert response["Location"] == budget.get_absolute_url()
    assert budget.amount_cents == 50_000_00
    assert budget.rule == "equal_shares" and budget.access == "both"
    assert budget.phase() == "upcoming" and budget.created_by == coordinator
    assert AuditEvent.objects.filter(action="pb.budget_created").count() == 1
    assert "Bürgerbudget Südstadt" in client.get(quarter.get_absolute_url()).content.decode()


def test_dates_are_berlin_time(client, coordinator, quarter):
    client.force_login(coordinator)
    data = form_data(proposals_open="2030-03-01T10:00", proposals_close="2030-03-10T10:00",
                     voting_opens="2030-07-01T00:00", voting_closes="2030-07-15T18:00")
    client.post(f"/quarter-budgets/new/{quarter.pk}/", data)
    budget = Budget.objects.get()
    assert budget.proposals_open.isoformat() == "2030-03-01T09:00:00+00:00"  # CET
    assert budget.voting_closes.isoformat() == "2030-07-15T16:00:00+00:00"  # CEST


@pytest.mark.parametrize("changes, field", [
    ({"title": ""}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"amount_eur": "0"}, "amount_eur"),
    ({"amount_eur": "-5"}, "amount_eur"),
    ({"amount_eur": "12,50"}, "amount_eur"),
    ({"amount_eur": "99999999999999"}, "amount_eur"),
    ({"amount_eur": "1e6"}, "amount_eur"),
    ({"min_projects": "4", "max_projects": "3"}, "min_projects"),
    ({"max_projects": "0"}, "max_projects"),
    ({"points_total": "0"}, "points_total"),
    ({"min_age": "121"}, "min_age"),
    ({"ballot_type": "scoring"}, "ballot_type"),
    ({"rule": "random"}, "rule"),
    ({"access": "everyone"}, "access"),
    ({"proposals_close": "2000-01-01T00:00"}, "proposals_close"),
    ({"voting_closes": "not a date"}, "voting_closes"),
    ({"description": "x" * 4001}, "description"),
])
def test_wrong_settings_are_refused_at_the_field(client, coordinator, quarter, changes, field):
    client.force_login(coordinator)
    response = client.post(f"/quarter-budgets/new/{quarter.pk}/", form_data(**changes))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Budget.objects.exists()
    assert b'role="alert"' in response.content


def test_phases_must_follow_each_other(client, coordinator, quarter):
    client.force_login(coordinator)
    data = form_data()
    data["voting_opens"], data["voting_closes"] = data["voting_closes"], data["voting_opens"]
    response = client.post(f"/quarter-budgets/new/{quarter.pk}/", data)
    assert "voting_closes" in response.context["form"].errors
    assert not Budget.objects.exists()


def test_hostile_text_is_stored_as_text_and_shown_escaped(client, coordinator, quarter,
                                                          hostile_text):
    client.force_login(coordinator)
    client.post(f"/quarter-budgets/new/{quarter.pk}/",
                form_data(title=hostile_text[:200], description=hostile_text))
    budget = Budget.objects.get()
    page = client.get(budget.get_absolute_url()).content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_settings_change_until_voting_opens_then_they_are_fixed(client, coordinator, quarter):
    budget = make_budget(quarter, "proposal")
    client.force_login(coordinator)
    response = client.get(f"/quarter-budgets/{budget.pk}/edit/")
    assert response.context["form"].initial["amount_eur"] == 10_000
    data = form_data(amount_eur="12000", rule="greedy", min_votes="5", greedy_skip=None)
    response = client.post(f"/quarter-budgets/{budget.pk}/edit/", data)
    assert response.status_code == 302
    budget.refresh_from_db()
    assert (budget.amount_cents, budget.rule, budget.min_votes, budget.greedy_skip) == (
        12_000_00, "greedy", 5, False)
    event = AuditEvent.objects.get(action="pb.budget_changed")
    assert "amount_cents" in event.data["fields"]

    voting = make_budget(quarter, "voting")
    assert client.post(f"/quarter-budgets/{voting.pk}/edit/", data).status_code == 403
    voting.refresh_from_db()
    assert voting.amount_cents == 10_000_00
