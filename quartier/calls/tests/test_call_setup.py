"""Programme staff set a call up: the form, its checks, publishing; a published call is fixed."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from quartier.budget.tests.support import make_line
from quartier.calls import services
from quartier.calls.models import Call, Criterion
from quartier.calls.tests.support import CRITERIA, make_call

pytestmark = pytest.mark.django_db


def form_data(line, **changes):
    now = timezone.localtime()
    data = {
        "title": "Quartiersimpulse", "summary": "Kurz", "text": "Text",
        "applicant_types": ["kommune", "civil_society"],
        "opens_at": (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=40)).strftime("%Y-%m-%dT%H:%M"),
        "budget_line": line.pk, "pot_cents": "250.000", "min_award_cents": "5.000",
        "max_award_cents": "50.000", "reviews_per_application": "3", "score_min": "0",
        "score_max": "10", "min_awards_per_regierungsbezirk": "1", "max_awards_per_kreis": "",
        "criteria-TOTAL_FORMS": "2", "criteria-INITIAL_FORMS": "0",
        "criteria-0-name": "Quartiersbezug", "criteria-0-weight": "3",
        "criteria-1-name": "", "criteria-1-weight": "1",
    }
    data.update(changes)
    return data


def test_staff_create_a_call_as_a_draft_with_its_criteria(client, staff):
    line = make_line()
    client.force_login(staff)
    response = client.post("/calls/new/", form_data(line))
    call = Call.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/calls/{call.pk}/manage/"
    assert call.phase == "draft" and call.pot_cents == 250_000_00
    assert call.for_kommunen and call.for_civil_society and not call.for_landkreise
    assert call.max_awards_per_kreis is None and call.min_awards_per_regierungsbezirk == 1
    assert list(call.criteria.values_list("name", "weight")) == [("Quartiersbezug", 3)]
    assert timezone.localtime(call.closes_at).tzname() in ("CET", "CEST")


@pytest.mark.parametrize(("changes", "message"), [
    ({"max_award_cents": "1.000"}, "must not be less than the minimum"),
    ({"pot_cents": "20.000"}, "at least one maximum award"),
    ({"pot_cents": "13.000.000"}, "larger than the budget line"),
    ({"closes_at": "2000-01-01T10:00"}, "after the opening"),
    ({"score_min": "5", "score_max": "5"}, "above the lowest"),
    ({"criteria-0-name": "", "criteria-0-weight": "1"}, "at least one scoring criterion"),
    ({"applicant_types": []}, "This field is required"),
    ({"pot_cents": "viel"}, "Enter an amount in euros"),
    ({"reviews_per_application": "12"}, "less than or equal to 9"),
])
def test_a_call_that_does_not_add_up_is_refused_and_nothing_saved(client, staff, changes,
                                                                  message):
    client.force_login(staff)
    response = client.post("/calls/new/", form_data(make_line(), **changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Call.objects.exists() and not Criterion.objects.exists()


def test_staff_edit_a_draft_and_publish_it_then_it_is_fixed(client, staff):
    call = make_call(phase="draft")
    client.force_login(staff)
    assert client.get(f"/calls/{call.pk}/edit/").status_code == 200
    response = client.post(f"/calls/{call.pk}/edit/", form_data(
        call.budget_line, title="Neuer Titel",
        **{"criteria-1-name": "Beteiligung", "criteria-INITIAL_FORMS": "2"}))
    assert response.status_code == 302 and Call.objects.get().title == "Neuer Titel"
    assert list(call.criteria.values_list("name", flat=True)) == ["Quartiersbezug",
                                                                  "Beteiligung"]
    client.post(f"/calls/{call.pk}/publish/")
    call.refresh_from_db()
    assert call.phase == "published" and call.published_at
    assert client.get(f"/calls/{call.pk}/edit/").status_code == 302
    with pytest.raises(ValidationError, match="cannot be changed"):
        services.change_call(call, criteria=CRITERIA, actor=staff, title="Später")


def test_a_call_whose_deadline_has_passed_is_not_published(staff):
    call = make_call(phase="draft", opens_at=timezone.now() - timedelta(days=9),
                     closes_at=timezone.now() - timedelta(days=1))
    with pytest.raises(ValidationError, match="deadline has passed"):
        services.publish_call(call, actor=staff)
    assert Call.objects.get().phase == "draft"


def test_the_status_follows_the_server_clock():
    call = make_call(opens_at=timezone.now() + timedelta(days=1),
                     closes_at=timezone.now() + timedelta(days=9))
    assert str(call.status_label()) == "Opens soon" and not call.is_open()
    assert call.is_open(call.opens_at) and not call.is_open(call.closes_at)
    assert str(call.status_label(call.closes_at)) == "In review"
