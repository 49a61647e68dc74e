"""Assigning a consultant: fit, reasons, and the days committed on the budget line."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from conftest import make_org, make_user
from quartier.budget import services as budget
from quartier.consulting import services
from quartier.consulting.models import Absence, Case, ConsultingRequest
from quartier.consulting.tests.support import (
    TODAY,
    accepted_request,
    make_case,
    make_line,
    make_profile,
)

pytestmark = pytest.mark.django_db


def test_assigning_commits_days_times_day_rate_on_the_line(coordinator, staff, quarter,
                                                           profile, line):
    request = accepted_request(coordinator, staff, quarter=quarter)
    case = services.assign_case(request, profile, actor=staff, budget_line=line, today=TODAY)
    line.refresh_from_db()
    assert case.booked_days == 2 and case.day_rate_cents == 100_000
    assert line.committed_cents == 200_000 == case.commitment.amount_cents
    assert budget.booked_for(services.SOURCE, case.pk).committed_cents == 200_000
    request.refresh_from_db()
    assert request.state == ConsultingRequest.State.ASSIGNED
    assert case.travel_km == 0  # a consultant from Tübingen for Tübingen


def test_a_line_with_too_little_left_refuses_and_nothing_changes(coordinator, staff, quarter,
                                                                 profile):
    small = make_line(amount_cents=150_000, code="klein")
    request = accepted_request(coordinator, staff, quarter=quarter)
    with pytest.raises(ValidationError) as error:
        services.assign_case(request, profile, actor=staff, budget_line=small, today=TODAY)
    assert "budget_line" in error.value.message_dict
    request.refresh_from_db()
    small.refresh_from_db()
    assert request.state == ConsultingRequest.State.ACCEPTED
    assert not Case.objects.exists() and small.committed_cents == 0


def test_choosing_someone_else_than_the_proposal_needs_a_reason(coordinator, staff, quarter,
                                                                profile, line):
    firm = make_org("B2", "consulting_firm")
    other = make_profile(make_user("b2@example.org", "consultant", firm, second_factor=True))
    request = accepted_request(coordinator, staff, quarter=quarter)
    with pytest.raises(ValidationError) as error:
        services.assign_case(request, other, actor=staff, budget_line=line, proposed=profile,
                             today=TODAY)
    assert "reason" in error.value.message_dict
    case = services.assign_case(request, other, actor=staff, budget_line=line, proposed=profile,
                                reason="Kennt den Ort.", today=TODAY)
    assert case.proposed_consultant == profile and case.assignment_reason == "Kennt den Ort."


def test_a_consultant_without_the_topic_is_refused(coordinator, staff, quarter, consultant, line):
    profile = make_profile(consultant, levels={"funding": 3})
    request = accepted_request(coordinator, staff, quarter=quarter)
    with pytest.raises(ValidationError) as error:
        services.assign_case(request, profile, actor=staff, budget_line=line, today=TODAY)
    assert "topic" in error.value.message_dict["consultant"][0]


def test_a_consultant_away_for_the_whole_period_is_refused(coordinator, staff, quarter,
                                                           profile, line):
    Absence.objects.create(profile=profile, start=date(2031, 3, 1), end=date(2031, 7, 31))
    request = accepted_request(coordinator, staff, quarter=quarter)
    with pytest.raises(ValidationError) as error:
        services.assign_case(request, profile, actor=staff, budget_line=line, today=TODAY)
    assert "away" in error.value.message_dict["consultant"][0]


def test_a_declared_conflict_rules_the_consultant_out(coordinator, staff, quarter, profile,
                                                       line):
    profile.conflicts.add(coordinator.memberships.get().organisation)
    request = accepted_request(coordinator, staff, quarter=quarter)
    with pytest.raises(ValidationError) as error:
        services.assign_case(request, profile, actor=staff, budget_line=line, today=TODAY)
    assert "conflict" in error.value.message_dict["consultant"][0]


def test_capacity_taken_by_running_cases_counts(coordinator, staff, quarter, consultant, line):
    profile = make_profile(consultant, capacity=2)
    make_case(coordinator, staff, profile, line=line, quarter=quarter, days=5)
    request = accepted_request(coordinator, staff, quarter=quarter)
    with pytest.raises(ValidationError) as error:
        services.assign_case(request, profile, actor=staff, budget_line=line, today=TODAY)
    assert "capacity" in error.value.message_dict["consultant"][0]


def test_only_an_accepted_request_is_assigned(coordinator, staff, quarter, profile, line):
    from quartier.consulting.tests.support import make_request

    request = make_request(coordinator, quarter)
    with pytest.raises(ValidationError):
        services.assign_case(request, profile, actor=staff, budget_line=line, today=TODAY)


def test_requester_and_consultant_are_told(coordinator, staff, quarter, profile, line,
                                           mailoutbox, django_capture_on_commit_callbacks):
    request = accepted_request(coordinator, staff, quarter=quarter)
    with django_capture_on_commit_callbacks(execute=True):
        services.assign_case(request, profile, actor=staff, budget_line=line, today=TODAY)
    assert {m.to[0] for m in mailoutbox} == {coordinator.email, profile.user.email}
