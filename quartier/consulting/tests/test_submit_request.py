"""Requests: who may request for which quarters, and what is refused at which field."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from conftest import make_quarter
from quartier.accounts.models import AuditEvent
from quartier.consulting import services
from quartier.consulting.models import ConsultingRequest
from quartier.consulting.tests.support import TODAY, make_format, make_request

pytestmark = pytest.mark.django_db


def refused(field, **kwargs):
    with pytest.raises(ValidationError) as error:
        make_request(**kwargs)
    assert field in error.value.message_dict, error.value.message_dict
    return error.value.message_dict[field][0]


def test_a_coordinator_requests_consulting_for_a_quarter_of_their_gemeinde(coordinator,
                                                                           quarter):
    request = make_request(coordinator, quarter)
    assert request.state == ConsultingRequest.State.SUBMITTED
    assert list(request.quarters.all()) == [quarter]
    assert request.gemeinde == quarter.gemeinde
    assert request.days == 2  # the format's usual days
    assert AuditEvent.objects.for_object(request).get().action == "consulting.requested"


def test_a_quarter_of_another_organisation_is_refused_and_nothing_is_saved(coordinator, ulm):
    ulm_quarter = make_quarter(ulm, name="Weststadt")
    message = refused("quarters", user=coordinator, quarter=ulm_quarter)
    assert "Weststadt" in message
    assert not ConsultingRequest.objects.exists()


def test_a_county_coordinator_requests_for_quarters_anywhere_in_the_kreis(county_coordinator,
                                                                          quarter):
    assert make_request(county_coordinator, quarter).organisation.kind == "landkreis"


def test_a_civil_society_member_requests_where_their_organisation_runs_an_anchor(member,
                                                                                 quarter,
                                                                                 tuebingen):
    from quartier.anchors.tests.support import make_anchor

    organisation = member.memberships.get().organisation
    refused("quarters", user=member, quarter=quarter)
    make_anchor(tuebingen, organisation=organisation)
    assert make_request(member, quarter).organisation == organisation


def test_someone_without_a_requester_role_is_refused(resident, quarter):
    with pytest.raises(ValidationError) as error:
        make_request(resident, quarter, organisation=resident.memberships.get().organisation)
    assert "organisation" in error.value.message_dict


def test_dates_in_the_past_are_refused(coordinator, quarter):
    assert "past" in refused("earliest", user=coordinator, quarter=quarter,
                             earliest=TODAY - timedelta(days=1))


def test_an_end_before_the_start_or_beyond_a_year_is_refused(coordinator, quarter):
    refused("latest", user=coordinator, quarter=quarter, earliest=TODAY + timedelta(days=9),
            latest=TODAY + timedelta(days=3))
    refused("latest", user=coordinator, quarter=quarter, latest=TODAY + timedelta(days=400))


def test_a_format_closed_to_kommunen_is_refused(coordinator, quarter):
    closed = make_format("nur-kreise", for_kommune=False, for_civil_society=False)
    assert "Kommune" in refused("format", user=coordinator, quarter=quarter, fmt=closed)


def test_the_topic_must_be_of_the_formats_kind(coordinator, quarter):
    refused("topic", user=coordinator, quarter=quarter, topic="process-start")


def test_an_online_only_format_cannot_be_requested_on_site(coordinator, quarter):
    online = make_format("online", delivery="online")
    refused("mode", user=coordinator, quarter=quarter, fmt=online, mode="on_site")


@pytest.mark.parametrize("hostile", [
    "<script>alert(1)</script>", "Hallo <b>fett</b>", "&lt;x&gt;", "javascript:alert(1)",
])
def test_html_and_scripts_in_text_fields_are_refused(coordinator, quarter, hostile):
    assert "plain text" in refused("goals", user=coordinator, quarter=quarter, goals=hostile)
    assert not ConsultingRequest.objects.exists()


def test_plain_text_with_comparisons_is_fine(coordinator, quarter):
    make_request(coordinator, quarter, goals="Mehr als 3 < 5 Treffen, a>b ist ok.")


def test_requests_from_quarters_with_the_largest_gaps_are_marked_for_priority(coordinator,
                                                                              tuebingen):
    gap, small = make_quarter(tuebingen, name="Lücke"), make_quarter(tuebingen, name="Gut")
    others = {1000 + i: 0.1 * i for i in range(8)}
    scores = {gap.pk: 9.0, small.pk: 0.05, **others}
    assert make_request(coordinator, gap, scores=scores).priority is True
    request = make_request(coordinator, small, scores=scores)
    assert request.priority is False and request.gap_score == 0.05


def test_without_results_of_the_quarter_check_nothing_is_prioritised(coordinator, quarter):
    assert services.gap_scores() == {}
    assert make_request(coordinator, quarter).priority is False
    assert services.priority_threshold({}) is None


def test_the_requester_and_staff_are_told_by_mail(coordinator, staff, quarter, mailoutbox,
                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_request(coordinator, quarter)
    assert {m.to[0] for m in mailoutbox} == {coordinator.email, staff.email}
