"""Bad input on the forms the other test files do not cover: the message at the field,
status 400 and nothing changed."""

from datetime import date

import pytest

from quartier.consulting import services
from quartier.consulting.models import Absence, Case, Document, Feedback, Topic
from quartier.consulting.tests.support import (
    accepted_request,
    big_pdf,
    errors,
    make_case,
    not_pdf,
    url,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("today_is_in_2031")]


@pytest.fixture
def as_user(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def sign_in(user):
        client.force_login(user)
        return client
    return sign_in


@pytest.fixture
def case(coordinator, staff, quarter, profile, line):
    return make_case(coordinator, staff, profile, line=line, quarter=quarter)


@pytest.fixture
def session(case, profile):
    return services.log_session(case, date=date(2031, 4, 8), half_days=1, mode="online",
                                participants=4, topics=[case.request.topic],
                                actor=profile.user)


@pytest.mark.parametrize("outcome,message", [
    ("", "required"),
    ("<script>alert(1)</script>", "plain text"),
    ("x" * 4001, "4000"),
])
def test_completing_with_a_bad_outcome_is_refused_at_the_field(as_user, case, session,
                                                               profile, outcome, message):
    response = as_user(profile.user).post(url("case_complete", case.pk), {"outcome": outcome})
    assert response.status_code == 400
    assert any(message in e for e in errors(response, "outcome")), errors(response, "outcome")
    case.refresh_from_db()
    assert case.state == Case.State.ACTIVE and case.outcome == ""


@pytest.mark.parametrize("data,field,message", [
    ({"goals_reached": "yes", "would_recommend": "yes"}, "satisfaction", "required"),
    ({"satisfaction": "0", "goals_reached": "yes", "would_recommend": "yes"}, "satisfaction",
     "valid choice"),
    ({"satisfaction": "4", "goals_reached": "maybe", "would_recommend": "yes"},
     "goals_reached", "valid choice"),
    ({"satisfaction": "4", "goals_reached": "yes", "would_recommend": "yes",
      "comment": "<img src=x onerror=alert(1)>"}, "comment", "plain text"),
    ({"satisfaction": "4", "goals_reached": "yes", "would_recommend": "yes",
      "comment": "x" * 2001}, "comment", "2000"),
])
def test_bad_feedback_is_refused_at_the_field(as_user, case, session, profile, coordinator,
                                              data, field, message):
    services.complete_case(case, "Gut.", actor=profile.user)
    response = as_user(coordinator).post(url("feedback", case.pk), data)
    assert response.status_code == 400
    assert any(message in e for e in errors(response, field)), errors(response, field)
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("reason,message", [
    ("", "required"),
    ("<b>weg</b>", "plain text"),
])
def test_cancelling_without_a_plain_reason_is_refused_at_the_field(as_user, case, staff,
                                                                   reason, message):
    response = as_user(staff).post(url("case_cancel", case.pk), {"reason": reason})
    assert response.status_code == 400
    assert any(message in e for e in errors(response, "reason", "cancel_form"))
    assert "details class=\"danger\" open" in response.content.decode()
    case.refresh_from_db()
    assert case.state == Case.State.ACTIVE


def test_closing_with_html_in_the_note_is_refused_at_the_field(as_user, case, session,
                                                               profile, staff):
    services.complete_case(case, "Gut.", actor=profile.user)
    response = as_user(staff).post(url("case_close", case.pk), {"note": "<script>x</script>"})
    assert response.status_code == 400
    assert any("plain text" in e for e in errors(response, "note", "close_form"))
    case.refresh_from_db()
    assert case.state == Case.State.COMPLETED


def test_closing_a_case_that_is_not_completed_says_why(as_user, case, staff):
    response = as_user(staff).post(url("case_close", case.pk), {"note": ""}, follow=True)
    assert "Only a completed case can be closed." in response.content.decode()
    case.refresh_from_db()
    assert case.state == Case.State.ACTIVE


@pytest.mark.parametrize("upload,message", [
    ("not_pdf", "Only PDF"),
    ("big", "MB"),
    (None, "required"),
])
def test_a_bad_upload_to_a_session_is_refused_at_its_field(as_user, case, session, profile,
                                                           upload, message):
    data = {"document": not_pdf() if upload == "not_pdf" else big_pdf()} if upload else {}
    response = as_user(profile.user).post(url("document_add", case.pk, session.pk), data)
    assert response.status_code == 400
    found = response.context["document_errors"][session.pk]
    assert any(message in e for e in found), found
    assert f'id="document-{session.pk}-error"' in response.content.decode()
    assert not Document.objects.exists()


def test_a_session_on_a_day_the_consultant_is_away_is_refused_at_the_field(as_user, case,
                                                                          profile):
    Absence.objects.create(profile=profile, start=date(2031, 4, 7), end=date(2031, 4, 11))
    response = as_user(profile.user).post(url("session_create", case.pk), {
        "date": "2031-04-08", "half_days": "2", "mode": "on_site", "participants": "5",
        "topics": [case.request.topic_id]})
    assert response.status_code == 400
    assert any("away" in e for e in errors(response, "date"))
    assert not case.sessions.exists()


@pytest.mark.parametrize("data,field,message", [
    ({"note": "<script>x</script>"}, "note", "plain text"),
    ({"start": "2020-01-01", "end": "2020-01-05"}, "end", "past"),
    ({"start": "kein Datum"}, "start", "valid date"),
    ({"note": "x" * 201}, "note", "200"),
])
def test_a_bad_absence_is_refused_at_the_field(as_user, profile, data, field, message):
    response = as_user(profile.user).post(
        url("absence_add"), {"start": "2031-05-01", "end": "2031-05-03", **data})
    assert response.status_code == 400
    found = errors(response, field, "absence_form")
    assert any(message in e for e in found), found
    assert not profile.absences.exists()


@pytest.mark.parametrize("changes,field,message", [
    ({"reason": "<script>x</script>"}, "reason", "plain text"),
    ({"end": "2031-03-20"}, "end", "before the start"),
    ({"start": "2031-01-02"}, "start", "past"),
    ({"days": "0"}, "days", "1"),
    ({"days": "61"}, "days", "60"),
    ({"consultant": "999999"}, "consultant", "valid choice"),
])
def test_a_bad_assignment_is_refused_at_the_field(as_user, staff, coordinator, quarter,
                                                  profile, line, changes, field, message):
    request = accepted_request(coordinator, staff, quarter=quarter)
    data = {"consultant": profile.pk, "start": "2031-04-01", "end": "2031-06-30",
            "days": "2", "budget_line": line.pk, "reason": "", **changes}
    response = as_user(staff).post(url("request_assign", request.pk), data)
    assert response.status_code == 400
    assert any(message in e for e in errors(response, field)), errors(response, field)
    assert not Case.objects.exists()


def test_assigning_a_consultant_away_for_the_whole_period_is_refused(as_user, staff,
                                                                     coordinator, quarter,
                                                                     profile, line):
    Absence.objects.create(profile=profile, start=date(2031, 3, 1), end=date(2031, 7, 31))
    request = accepted_request(coordinator, staff, quarter=quarter)
    response = as_user(staff).post(url("request_assign", request.pk), {
        "consultant": profile.pk, "start": "2031-04-01", "end": "2031-06-30", "days": "2",
        "budget_line": line.pk})
    assert response.status_code == 400
    assert any("away" in e for e in errors(response, "consultant"))
    assert not Case.objects.exists()


def test_a_topic_with_html_is_refused_at_the_field(as_user, staff, topics):
    response = as_user(staff).post(url("topic_create"), {
        "name_de": "<script>x</script>", "name_en": "", "slug": "neu", "kind": "expert",
        "position": "9", "is_active": "on"})
    assert response.status_code == 400 and errors(response, "name_de")
    assert not Topic.objects.filter(slug="neu").exists()


@pytest.mark.parametrize("query", ["?by=nothing", "?by=year&year=abc", "?by=kreis&kreis=999",
                                   "?by=topic&topic=<script>"])
def test_a_report_with_bad_parameters_is_refused(client, query):
    response = client.get(url("report") + query)
    assert response.status_code == 400


@pytest.mark.parametrize("query", ["?year=abc", "?year=99999", "?year=<script>"])
def test_the_coverage_ignores_a_bad_year(client, query):
    response = client.get(url("coverage") + query)
    assert response.status_code == 200 and response.context["year"] is None
    assert "<script>" not in response.content.decode().split("</header>")[-1]


def test_an_unknown_map_level_is_not_found(client):
    assert client.get("/consulting/coverage/quartiere.geojson").status_code == 404
