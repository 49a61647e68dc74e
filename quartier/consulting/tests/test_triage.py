"""Staff triage: accept, ask back, decline with a reason; the requester answers."""

import pytest
from django.core.exceptions import ValidationError

from quartier.accounts.models import AuditEvent
from quartier.consulting import services
from quartier.consulting.models import ConsultingRequest
from quartier.consulting.tests.support import make_request

pytestmark = pytest.mark.django_db
State = ConsultingRequest.State


def test_accepting_puts_the_request_in_line_for_a_consultant(coordinator, staff, quarter):
    request = services.triage_request(make_request(coordinator, quarter), "accept", actor=staff)
    assert request.state == State.ACCEPTED and request.decided_at
    assert AuditEvent.objects.for_object(request).filter(action="consulting.accepted").exists()


def test_asking_back_needs_a_question_and_the_answer_returns_it_for_review(coordinator, staff,
                                                                          quarter):
    request = make_request(coordinator, quarter)
    with pytest.raises(ValidationError) as error:
        services.triage_request(request, "ask", message=" ", actor=staff)
    assert "message" in error.value.message_dict
    request = services.triage_request(request, "ask", message="Wie viele Personen?", actor=staff)
    assert request.state == State.QUESTION
    request = services.answer_request(request, "Etwa zwanzig.", actor=coordinator)
    assert request.state == State.SUBMITTED and request.answer == "Etwa zwanzig."


def test_declining_needs_a_reason(coordinator, staff, quarter):
    request = make_request(coordinator, quarter)
    with pytest.raises(ValidationError):
        services.triage_request(request, "decline", actor=staff)
    request.refresh_from_db()
    assert request.state == State.SUBMITTED
    request = services.triage_request(request, "decline", message="Kein Quartiersbezug.",
                                      actor=staff)
    assert request.state == State.DECLINED and request.staff_message == "Kein Quartiersbezug."


def test_a_decided_request_cannot_be_triaged_again(coordinator, staff, quarter):
    request = services.triage_request(make_request(coordinator, quarter), "accept", actor=staff)
    with pytest.raises(ValidationError):
        services.triage_request(request, "decline", message="x", actor=staff)


def test_a_question_with_html_is_refused(coordinator, staff, quarter):
    request = make_request(coordinator, quarter)
    with pytest.raises(ValidationError) as error:
        services.triage_request(request, "ask", message="<img src=x onerror=alert(1)>",
                                actor=staff)
    assert "message" in error.value.message_dict


def test_the_requester_withdraws_an_open_request(coordinator, quarter):
    request = services.withdraw_request(make_request(coordinator, quarter), actor=coordinator)
    assert request.state == State.WITHDRAWN
    with pytest.raises(ValidationError):
        services.withdraw_request(request, actor=coordinator)


def test_the_requester_is_told_of_every_decision(coordinator, staff, quarter, mailoutbox,
                                                 django_capture_on_commit_callbacks):
    request = make_request(coordinator, quarter)
    with django_capture_on_commit_callbacks(execute=True):
        services.triage_request(request, "ask", message="Wer nimmt teil?", actor=staff)
    assert mailoutbox[-1].to == [coordinator.email]
    assert "Wer nimmt teil?" in mailoutbox[-1].body


def test_staff_are_told_when_a_request_is_withdrawn(coordinator, staff, quarter, mailoutbox,
                                                    django_capture_on_commit_callbacks):
    request = make_request(coordinator, quarter)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_request(request, actor=coordinator)
    assert [m.to for m in mailoutbox] == [[staff.email]]
    assert "withdrew" in mailoutbox[0].body
