"""Ranking, allocation and the decision: awards become commitments in the ledger,
atomically; deviations need a reason; an overspent line refuses everything."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from conftest import make_org, make_user
from quartier.budget import services as budget
from quartier.budget.models import BudgetLine, Entry
from quartier.calls import services
from quartier.calls.models import Call, Decision
from quartier.calls.tests.support import close, make_call, review, submitted


@pytest.fixture
def jury(db):
    organisation = make_org("Jury e. V.", "association")
    return [make_user(f"j{n}@example.org", "jury_member", organisation, second_factor=True)
            for n in range(2)]


@pytest.fixture
def scored(jury, tuebingen_org_, ulm_org, coordinator, other_coordinator):
    """Two applications of 30,000 € (Tübingen scored higher) for a pot of 40,000 €."""
    call = make_call(pot_cents=40_000_00, min_award_cents=10_000_00,
                     max_award_cents=40_000_00)
    first = submitted(call, tuebingen_org_, actor=coordinator, requested=30_000_00)
    second = submitted(call, ulm_org, actor=other_coordinator, requested=30_000_00)
    services.set_jurors(call, jury, actor=None)
    close(call)
    for juror in jury:
        review(first, juror, 9, 8)
        review(second, juror, 6, 5)
    services.close_jury(call, actor=None)
    return call, first, second


def test_the_ranking_orders_by_corrected_score(scored):
    call, first, second = scored
    rows = services.ranking(call)
    assert [r.application for r in rows] == [first, second]
    assert rows[0].ranked.raw == pytest.approx((9 * 3 + 8) / 4)


def test_both_allocations_are_computed_and_stored(scored, staff):
    call, first, second = scored
    run = services.compute_allocation(call, actor=staff)
    assert run.list_result["selected"] == [str(first.pk)]
    assert run.optimal_result["optimal"] is True
    assert run.optimal_result["awards"] == {str(first.pk): 30_000_00}


def test_the_decision_commits_the_awards_and_tells_the_applicants(
    scored, staff, coordinator, other_coordinator, django_capture_on_commit_callbacks
):
    call, first, second = scored
    run = services.compute_allocation(call, actor=staff)
    with django_capture_on_commit_callbacks(execute=True):
        decisions = services.decide_call(call, run, base_method="optimal",
                                         amounts={first.pk: 30_000_00}, reasons={}, actor=staff)
    award = next(d for d in decisions if d.application == first)
    assert award.commitment.amount_cents == 30_000_00
    assert budget.booked_for("calls.award", award.pk).committed_cents == 30_000_00
    assert award.commitment.place.ags == "08416041"
    assert Call.objects.get(pk=call.pk).phase == "decided"
    assert BudgetLine.objects.get(pk=call.budget_line_id).committed_cents == 30_000_00
    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert "30.000,00 €" in bodies[coordinator.email]
    assert "not received an award" in bodies[other_coordinator.email]


def test_a_deviation_without_a_reason_is_refused_and_nothing_booked(scored, staff):
    call, first, second = scored
    run = services.compute_allocation(call, actor=staff)
    with pytest.raises(ValidationError) as error:
        services.decide_call(call, run, base_method="optimal",
                             amounts={second.pk: 30_000_00}, reasons={}, actor=staff)
    assert f"reason_{first.pk}" in error.value.message_dict
    assert f"reason_{second.pk}" in error.value.message_dict
    assert not Decision.objects.exists() and not Entry.objects.exists()
    services.decide_call(call, run, base_method="optimal", amounts={second.pk: 30_000_00},
                         reasons={first.pk: "Bereits anderweitig gefördert",
                                  second.pk: "Nachrücker"}, actor=staff)
    assert Decision.objects.get(application=second).reason == "Nachrücker"


@pytest.mark.parametrize(("amount", "message"), [
    (35_000_00, "More than the requested"),
    (20_000_00, "whole applications only"),
])
def test_an_award_outside_the_rules_is_refused(scored, staff, amount, message):
    call, first, second = scored
    run = services.compute_allocation(call, actor=staff)
    with pytest.raises(ValidationError, match=message):
        services.decide_call(call, run, base_method="optimal", amounts={first.pk: amount},
                             reasons={first.pk: "x"}, actor=staff)
    assert not Decision.objects.exists()


def test_awards_over_the_pot_are_refused(scored, staff):
    call, first, second = scored
    run = services.compute_allocation(call, actor=staff)
    with pytest.raises(ValidationError, match="more than the pot"):
        services.decide_call(call, run, base_method="optimal",
                             amounts={first.pk: 30_000_00, second.pk: 30_000_00},
                             reasons={second.pk: "beide"}, actor=staff)
    assert not Entry.objects.exists()


def test_a_line_with_too_little_left_refuses_the_whole_decision(scored, staff):
    call, first, second = scored
    budget.commit_funds(call.budget_line, call.budget_line.amount_cents - 10_000_00,
                        measure="Anderes", actor=None)
    run = services.compute_allocation(call, actor=staff)
    with pytest.raises(budget.Overspend):
        services.decide_call(call, run, base_method="optimal", amounts={first.pk: 30_000_00},
                             reasons={}, actor=staff)
    assert not Decision.objects.exists()
    assert Call.objects.get(pk=call.pk).phase == "jury_closed"
    assert Entry.objects.filter(source="calls.award").count() == 0


def test_deciding_twice_is_refused(scored, staff):
    call, first, second = scored
    run = services.compute_allocation(call, actor=staff)
    services.decide_call(call, run, base_method="list", amounts={first.pk: 30_000_00},
                         reasons={}, actor=staff)
    with pytest.raises(ValidationError):
        services.decide_call(call, run, base_method="list", amounts={first.pk: 30_000_00},
                             reasons={}, actor=staff)
    assert Entry.objects.filter(source="calls.award").count() == 1


def test_a_stale_allocation_cannot_be_decided(scored, staff):
    call, first, second = scored
    old = services.compute_allocation(call, actor=staff)
    services.compute_allocation(call, actor=staff)
    with pytest.raises(ValidationError, match="recomputed"):
        services.decide_call(call, old, base_method="list", amounts={first.pk: 30_000_00},
                             reasons={}, actor=staff)


def test_partial_funding_when_the_call_allows_it(jury, tuebingen_org_, ulm_org, coordinator,
                                                 other_coordinator, staff):
    call = make_call(pot_cents=40_000_00, min_award_cents=5_000_00,
                     max_award_cents=40_000_00, allow_partial=True)
    first = submitted(call, tuebingen_org_, actor=coordinator, requested=30_000_00)
    second = submitted(call, ulm_org, actor=other_coordinator, requested=30_000_00)
    services.set_jurors(call, jury, actor=None)
    close(call)
    for juror in jury:
        review(first, juror, 9, 8)
        review(second, juror, 6, 5)
    services.close_jury(call, actor=None)
    run = services.compute_allocation(call, actor=staff)
    assert run.list_result["awards"] == {str(first.pk): 30_000_00, str(second.pk): 10_000_00}
    assert run.optimal_result["awards"] == {str(first.pk): 30_000_00, str(second.pk): 10_000_00}
    services.decide_call(call, run, base_method="optimal",
                         amounts={first.pk: 30_000_00, second.pk: 10_000_00}, reasons={},
                         actor=staff)
    assert BudgetLine.objects.get(pk=call.budget_line_id).committed_cents == 40_000_00


def test_an_infeasible_optimum_is_explained_and_the_list_still_offered(
    jury, tuebingen_org_, coordinator, staff
):
    call = make_call(min_awards_per_regierungsbezirk=2)
    first = submitted(call, tuebingen_org_, actor=coordinator)
    services.set_jurors(call, jury, actor=None)
    close(call)
    review(first, jury[0], 5, 5)
    services.close_jury(call, actor=None)
    run = services.compute_allocation(call, actor=staff)
    assert run.optimal_result["error"] == "too_few_in_regierungsbezirk"
    assert "Tübingen" in run.optimal_result["message"]
    assert run.list_result["violations"]


def test_a_withdrawn_award_releases_its_money(scored, staff):
    call, first, second = scored
    run = services.compute_allocation(call, actor=staff)
    services.decide_call(call, run, base_method="list", amounts={first.pk: 30_000_00},
                         reasons={}, actor=staff)
    decision = Decision.objects.get(application=first)
    with pytest.raises(ValidationError):
        services.revoke_award(decision, reason=" ", actor=staff)
    services.revoke_award(decision, reason="Projekt abgesagt", actor=staff)
    assert budget.booked_for("calls.award", decision.pk).committed_cents == 0
    assert not services.results(call).awards


def test_every_step_is_in_the_audit_trail(scored, staff):
    from quartier.accounts.services import audit_trail

    call, first, second = scored
    run = services.compute_allocation(call, actor=staff)
    services.decide_call(call, run, base_method="list", amounts={first.pk: 30_000_00},
                         reasons={}, actor=staff)
    call_actions = {e.action for e in audit_trail(call)}
    assert {"calls.created", "calls.jury_set", "calls.jury_closed",
            "calls.allocation_computed", "calls.call_decided"} <= call_actions
    application_actions = {e.action for e in audit_trail(first)}
    assert {"calls.draft_created", "calls.submitted", "calls.eligibility_decided",
            "calls.scored", "calls.decided"} <= application_actions


def test_the_allocation_page_says_under_which_time_limit_and_never_claims_an_unproven_optimum(
    client, scored, staff, settings
):
    call, first, second = scored
    settings.CALLS_ALLOCATION_TIME_LIMIT_S = 7
    run = services.compute_allocation(call, actor=staff)
    assert run.optimal_result["time_limit_s"] == 7
    client.force_login(staff)
    page = client.get(f"/calls/{call.pk}/allocation/").content.decode()
    assert "Proven optimal by the solver" in page and "Time limit of the solver: 7 s" in page

    # The time limit stopped the search: the page says so and how much better it could be.
    run.optimal_result.update(optimal=False, status="time_limit", gap=0.125, bound=20.0)
    run.save()
    page = client.get(f"/calls/{call.pk}/allocation/").content.decode()
    assert "Proven optimal" not in page
    assert "the time limit ended the search" in page and "12.500 % more" in page

    # Stopped for another reason, without a bound: no false time limit, no empty figure.
    run.optimal_result.update(status="Unknown", gap=None, bound=None)
    run.save()
    page = client.get(f"/calls/{call.pk}/allocation/").content.decode()
    assert "Proven optimal" not in page and "time limit ended" not in page
    assert "could not prove" in page and "is not known" in page
