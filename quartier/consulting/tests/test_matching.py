"""The matching of stored requests: what goes into the engine and what is stored."""

from datetime import date

import pytest

from conftest import make_org, make_quarter, make_user
from quartier.consulting import services
from quartier.consulting.models import Absence, MatchingRun, Proposal
from quartier.consulting.tests.support import TODAY, accepted_request, make_case, make_profile

pytestmark = pytest.mark.django_db


def test_the_run_stores_the_proposal_next_to_first_come_first_served(coordinator, staff,
                                                                     quarter, ulm, profile):
    ulm_profile = make_profile(make_user("ulm-b@example.org", "consultant",
                                         make_org("Ulm GmbH", "consulting_firm"),
                                         second_factor=True), home=ulm.ags, name="Ulla")
    first = accepted_request(coordinator, staff, quarter=quarter)
    run = services.compute_matching(actor=staff, today=TODAY)
    proposal = Proposal.objects.get(run=run, request=first)
    assert proposal.consultant == profile  # Tübingen's own, not Ulm's
    assert proposal.fcfs_consultant == profile
    assert run.summary["optimal"] is True and run.summary["requests"] == 1
    assert run.summary["travel_km"] == 0
    assert ulm_profile.pk not in {p.consultant_id for p in run.proposals.all()}
    assert MatchingRun.objects.count() == 1


def test_only_accepted_requests_whose_period_has_not_ended_are_matched(coordinator, staff,
                                                                       quarter, profile):
    from quartier.consulting.tests.support import make_request

    make_request(coordinator, quarter)  # submitted, not accepted
    accepted_request(coordinator, staff, quarter=quarter)
    assert services.compute_matching(actor=staff, today=TODAY).summary["requests"] == 1
    later = date(2031, 7, 1)
    assert services.compute_matching(actor=staff, today=later).summary["requests"] == 0


def test_running_cases_and_absences_take_capacity(coordinator, staff, quarter, consultant):
    profile = make_profile(consultant, capacity=2)
    make_case(coordinator, staff, profile, quarter=quarter, days=5)
    booked = services.booked_by_month(TODAY)[profile.pk]
    assert round(sum(booked.values()), 6) == 5
    Absence.objects.create(profile=profile, start=date(2031, 1, 1), end=date(2031, 12, 31))
    accepted_request(coordinator, staff, quarter=quarter)
    run = services.compute_matching(actor=staff, today=TODAY)
    assert run.summary["served"] == 0


def test_priorities_follow_the_quarter_check_where_it_has_results(coordinator, staff, tuebingen,
                                                                  monkeypatch):
    gap = make_quarter(tuebingen, name="Lücke")
    calm = [make_quarter(tuebingen, name=f"Ruhig {i}") for i in range(7)]
    request = accepted_request(coordinator, staff, quarter=gap)
    scores = {gap.pk: 5.0, **{q.pk: 0.5 for q in calm}}
    monkeypatch.setattr(services, "gap_scores", lambda: scores)
    assert services.update_priorities() == 1
    request.refresh_from_db()
    assert request.priority and request.gap_score == 5.0
    monkeypatch.setattr(services, "gap_scores", lambda: {})
    services.update_priorities()
    request.refresh_from_db()
    assert not request.priority


def test_the_quarter_checks_gap_scores_are_used_when_offered(quarter):
    # Whatever the quarter check holds, the call returns a dict (empty without results).
    assert isinstance(services.gap_scores(), dict)


def test_the_command_computes_the_matching(coordinator, staff, quarter, profile, capsys):
    from django.core.management import call_command

    accepted_request(coordinator, staff, quarter=quarter)
    call_command("consulting", "match")
    out = capsys.readouterr().out
    assert "1 of 1 request proposed" in out and "optimal: yes" in out
