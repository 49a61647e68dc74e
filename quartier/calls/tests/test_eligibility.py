"""Staff decide eligibility: a refusal, and "eligible" despite a failed automatic check, need a
reason; bad or hostile input changes nothing and is shown as a message."""

import pytest
from django.core.exceptions import ValidationError

from quartier.accounts.models import AuditEvent
from quartier.calls import services
from quartier.calls.models import Application
from quartier.calls.tests.support import fill, make_call, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def failing(db, tuebingen_org_, coordinator):
    """A submitted application whose target groups are all of one generation."""
    return submitted(make_call(), tuebingen_org_, actor=coordinator, eligible=False,
                     target_groups=["older", "very_old"])


def unchanged(application):
    fresh = Application.objects.get(pk=application.pk)
    return fresh.eligibility == "pending" and fresh.eligibility_reason == ""


@pytest.mark.parametrize(("eligible", "reason"), [(False, ""), (False, "   "), (True, "")])
def test_a_decision_that_needs_a_reason_is_refused_without_one(failing, staff, eligible,
                                                                reason):
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        services.decide_eligibility(failing, eligible=eligible, reason=reason, actor=staff)
    assert "reason" in error.value.message_dict
    assert unchanged(failing) and AuditEvent.objects.count() == events


def test_a_draft_is_not_checked(db, ulm_org, other_coordinator, staff):
    draft = services.start_application(make_call(), ulm_org, actor=other_coordinator)
    fill(draft)
    with pytest.raises(ValidationError, match="Only submitted"):
        services.decide_eligibility(draft, eligible=True, reason="", actor=staff)


@pytest.mark.parametrize(("data", "message"), [
    ({"decision": "ineligible", "reason": ""}, "Give the reason why the application is not"),
    ({"decision": "eligible", "reason": ""}, "An automatic check failed"),
    ({"decision": "maybe", "reason": "x"}, "Choose eligible or not eligible."),
    ({}, "Choose eligible or not eligible."),
    ({"decision": "ineligible", "reason": "x" * 2001}, "at most 2000 characters"),
])
def test_the_page_shows_what_is_wrong_and_changes_nothing(client, failing, staff, data,
                                                          message):
    client.force_login(staff)
    response = client.post(f"/calls/applications/{failing.pk}/eligibility/", data, follow=True)
    assert message in response.content.decode()
    assert unchanged(failing)


def test_a_hostile_reason_is_stored_as_text_and_shown_escaped(client, failing, staff):
    client.force_login(staff)
    client.post(f"/calls/applications/{failing.pk}/eligibility/",
                {"decision": "ineligible", "reason": "<script>alert(1)</script>"})
    assert Application.objects.get(pk=failing.pk).eligibility == "ineligible"
    page = client.get(f"/calls/applications/{failing.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
