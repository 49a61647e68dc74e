"""The pages with good and bad input: refusals at the field, with status 400, nothing changed."""

from datetime import date

import pytest

from conftest import make_org, make_quarter, make_user
from quartier.consulting import services
from quartier.consulting.models import (
    Case,
    ConsultantProfile,
    ConsultingRequest,
    Document,
    Feedback,
    Format,
    Session,
)
from quartier.consulting.tests.support import (
    accepted_request,
    big_pdf,
    errors,
    make_case,
    make_format,
    make_profile,
    not_pdf,
    pdf,
    seed_topics,
    url,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("today_is_in_2031")]


@pytest.fixture
def client(client, settings):
    # Unit tests read the English msgids; the browser tests read German.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def as_user(client):
    def sign_in(user):
        client.force_login(user)
        return client
    return sign_in


@pytest.fixture
def request_data(coordinator, quarter):
    topics = seed_topics()
    fmt = make_format()
    return {"organisation": coordinator.memberships.get().organisation_id,
            "quarters": [quarter.pk], "format": fmt.pk, "topic": topics["participation"].pk,
            "mode": "on_site", "language": "de", "goals": "Ein Treffpunkt für alle.",
            "people": "Sozialamt", "earliest": "2031-04-01", "latest": "2031-06-30"}


def test_a_coordinator_submits_a_request_and_sees_its_state(as_user, coordinator,
                                                             request_data):
    client = as_user(coordinator)
    page = client.get(url("request_create"))
    assert page.status_code == 200 and "Südstadt" in page.content.decode()
    response = client.post(url("request_create"), request_data)
    request = ConsultingRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == request.get_absolute_url()
    page = client.get(request.get_absolute_url())
    assert "Submitted, awaiting review" in page.content.decode()


@pytest.mark.parametrize("field,value,message", [
    ("earliest", "2020-01-01", "past"),
    ("goals", "<script>alert('x')</script>", "plain text"),
    ("people", "<iframe src=//evil>", "plain text"),
    ("latest", "2031-03-01", "before the start"),
    ("earliest", "kein Datum", "valid date"),
    ("goals", "", "required"),
    ("goals", "x" * 4001, "4000"),
])
def test_bad_input_is_refused_at_its_field(as_user, coordinator, request_data, field, value,
                                           message):
    response = as_user(coordinator).post(url("request_create"), {**request_data, field: value})
    assert response.status_code == 400
    assert any(message in e for e in errors(response, field)), errors(response, field)
    assert not ConsultingRequest.objects.exists()


def test_a_quarter_of_another_organisation_is_refused_at_the_field(as_user, coordinator,
                                                                   request_data, ulm):
    foreign = make_quarter(ulm, name="Weststadt")
    response = as_user(coordinator).post(url("request_create"),
                                         {**request_data, "quarters": [foreign.pk]})
    assert response.status_code == 400
    assert "Weststadt" in errors(response, "quarters")[0]
    assert "Weststadt" not in response.content.decode().split("error-summary")[0]
    assert not ConsultingRequest.objects.exists()


def test_staff_decline_with_a_reason_at_the_field(as_user, staff, coordinator, quarter):
    from quartier.consulting.tests.support import make_request

    request = make_request(coordinator, quarter)
    client = as_user(staff)
    response = client.post(url("request_triage", request.pk), {"decision": "decline"})
    assert response.status_code == 400 and errors(response, "message", "triage_form")
    request.refresh_from_db()
    assert request.state == "submitted"
    response = client.post(url("request_triage", request.pk),
                           {"decision": "decline", "message": "Kein Quartier."})
    request.refresh_from_db()
    assert response.status_code == 302 and request.state == "declined"


def test_the_requester_answers_a_question(as_user, staff, coordinator, quarter):
    from quartier.consulting.tests.support import make_request

    request = services.triage_request(make_request(coordinator, quarter), "ask",
                                      message="Wann passt es?", actor=staff)
    client = as_user(coordinator)
    assert "Wann passt es?" in client.get(request.get_absolute_url()).content.decode()
    response = client.post(url("request_answer", request.pk), {"answer": "<b>Mai</b>"})
    assert response.status_code == 400 and errors(response, "answer", "answer_form")
    client.post(url("request_answer", request.pk), {"answer": "Im Mai."})
    request.refresh_from_db()
    assert request.state == "submitted" and request.answer == "Im Mai."


def test_staff_assign_through_the_form_and_deviating_needs_a_reason(as_user, staff,
                                                                    coordinator, quarter,
                                                                    profile, line):
    request = accepted_request(coordinator, staff, quarter=quarter)
    client = as_user(staff)
    data = {"consultant": profile.pk, "start": "2031-04-01", "end": "2031-06-30", "days": "2",
            "budget_line": line.pk, "reason": ""}
    page = client.get(url("request_assign", request.pk))
    assert page.status_code == 200
    from quartier.consulting.models import MatchingRun, Proposal

    run = MatchingRun.objects.create(summary={})
    other = make_profile(make_user("p2@example.org", "consultant",
                                   make_org("P2", "consulting_firm"), second_factor=True))
    Proposal.objects.create(run=run, request=request, consultant=other)
    response = client.post(url("request_assign", request.pk), data)
    assert response.status_code == 400 and errors(response, "reason")
    assert not Case.objects.exists()
    response = client.post(url("request_assign", request.pk), {**data, "reason": "Nähe"})
    case = Case.objects.get()
    assert response.status_code == 302 and case.proposed_consultant == other


def test_assigning_beyond_the_line_is_refused_at_the_field(as_user, staff, coordinator,
                                                           quarter, profile):
    from quartier.consulting.tests.support import make_line

    tiny = make_line(amount_cents=1_000, code="winzig")
    request = accepted_request(coordinator, staff, quarter=quarter)
    response = as_user(staff).post(url("request_assign", request.pk), {
        "consultant": profile.pk, "start": "2031-04-01", "end": "2031-06-30", "days": "2",
        "budget_line": tiny.pk})
    assert response.status_code == 400 and errors(response, "budget_line")
    assert not Case.objects.exists()


@pytest.fixture
def case(coordinator, staff, quarter, profile, line):
    return make_case(coordinator, staff, profile, line=line, quarter=quarter)


SESSION = {"date": "2031-04-08", "half_days": "2", "mode": "on_site", "participants": "8",
           "protocol": "Ziele geklärt."}


@pytest.mark.parametrize("changes,field,message", [
    ({"date": "2031-09-01"}, "date", "period"),
    ({"half_days": "5"}, "half_days", "left"),
    ({"document": "not_pdf"}, "document", "PDF"),
    ({"document": "big"}, "document", "MB"),
    ({"protocol": "<script>x</script>"}, "protocol", "plain text"),
    ({"participants": "0"}, "participants", "1"),
])
def test_a_session_with_bad_input_is_refused_at_its_field(as_user, case, profile, changes,
                                                          field, message):
    data = {**SESSION, "topics": [case.request.topic_id], **changes}
    if data.get("document") == "not_pdf":
        data["document"] = not_pdf()
    elif data.get("document") == "big":
        data["document"] = big_pdf()
    response = as_user(profile.user).post(url("session_create", case.pk), data)
    assert response.status_code == 400
    assert any(message in e for e in errors(response, field)), errors(response, field)
    assert not Session.objects.exists() and not Document.objects.exists()


def test_the_consultant_logs_a_session_with_a_pdf_then_completes(as_user, case, profile):
    client = as_user(profile.user)
    response = client.post(url("session_create", case.pk),
                           {**SESSION, "topics": [case.request.topic_id], "document": pdf()})
    assert response.status_code == 302
    assert Session.objects.get().documents.get().name == "protokoll.pdf"
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Ziele geklärt." in page and "protokoll.pdf" in page
    response = client.post(url("case_complete", case.pk), {"outcome": ""})
    assert response.status_code == 400
    client.post(url("case_complete", case.pk), {"outcome": "Arbeitsplan steht."})
    case.refresh_from_db()
    assert case.state == "completed"


def test_the_requester_gives_feedback_and_staff_close(as_user, case, profile, coordinator,
                                                      staff):
    services.log_session(case, date=date(2031, 4, 8), half_days=2, mode="online",
                         participants=4, topics=[case.request.topic], actor=profile.user)
    services.complete_case(case, "Gut.", actor=profile.user)
    client = as_user(coordinator)
    response = client.post(url("feedback", case.pk), {"satisfaction": "9"})
    assert response.status_code == 400 and errors(response, "satisfaction")
    client.post(url("feedback", case.pk), {"satisfaction": "5", "goals_reached": "yes",
                                           "would_recommend": "yes", "comment": "Danke"})
    assert Feedback.objects.get().would_recommend is True
    as_user(staff).post(url("case_close", case.pk), {"note": ""})
    case.refresh_from_db()
    assert case.state == "closed"


def test_a_consultant_creates_their_profile(as_user, consultant, topics, tuebingen):
    client = as_user(consultant)
    organisation = consultant.memberships.get().organisation
    data = {"name": "Bea", "organisation": organisation.pk, "home_base": tuebingen.ags,
            "languages": ["en"], "capacity": "6", "is_active": "on",
            f"level_{topics['inclusion'].pk}": "3"}
    response = client.post(url("profile"), {**data, "bio": "<script>x</script>"})
    assert response.status_code == 400 and errors(response, "bio")
    response = client.post(url("profile"), {**data, f"level_{topics['inclusion'].pk}": "0"})
    assert response.status_code == 400 and not ConsultantProfile.objects.exists()
    response = client.post(url("profile"), data)
    profile = ConsultantProfile.objects.get()
    assert response.status_code == 302 and profile.languages == ["de", "en"]
    assert profile.expertise.get().level == 3
    page = client.get(url("profile")).content.decode()
    assert profile.calendar_token in page


def test_an_absence_ending_before_it_starts_is_refused(as_user, profile):
    response = as_user(profile.user).post(url("absence_add"),
                                          {"start": "2031-05-10", "end": "2031-05-01"})
    assert response.status_code == 400 and errors(response, "end", "absence_form")
    assert not profile.absences.exists()


def test_staff_keep_the_catalogue(as_user, staff, topics):
    client = as_user(staff)
    data = {"name_de": "Werkstatt", "name_en": "", "slug": "werkstatt", "kind": "process",
            "description_de": "Eine Werkstatt.", "description_en": "", "for_kommune": "on",
            "usual_days": "2", "delivery": "on_site", "day_rate": "900,01", "min_level": "1",
            "position": "5", "is_active": "on"}
    response = client.post(url("format_create"), data)
    assert response.status_code == 400 and errors(response, "day_rate")
    response = client.post(url("format_create"), {**data, "day_rate": "900,00",
                                                  "description_de": "<b>x</b>"})
    assert response.status_code == 400 and errors(response, "description_de")
    response = client.post(url("format_create"), {**data, "day_rate": "900,00"})
    assert response.status_code == 302
    assert Format.objects.get(slug="werkstatt").day_rate_cents == 90_000
    response = client.post(url("topic_create"), {"name_de": "Digitales", "name_en": "Digital",
                                                 "slug": "digital", "kind": "expert",
                                                 "position": "90", "is_active": "on"})
    assert response.status_code == 302


def test_staff_compute_the_matching_and_accept_it(as_user, staff, coordinator, quarter,
                                                  profile, line):
    request = accepted_request(coordinator, staff, quarter=quarter)
    client = as_user(staff)
    client.post(url("matching"))
    page = client.get(url("matching")).content.decode()
    assert profile.name in page
    response = client.post(url("matching_accept", services.latest_run().pk),
                           {"budget_line": line.pk})
    assert response.status_code == 302
    assert Case.objects.get().request == request


def test_the_report_downloads_as_csv_and_pdf(client, case):
    csv = client.get(url("report") + "?by=topic&format=csv")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert "Beteiligungsmethoden" in csv.content.decode() or "Participation" in \
        csv.content.decode()
    pdf_response = client.get(url("report") + "?by=kreis&format=pdf")
    assert pdf_response.status_code == 200 and pdf_response.content.startswith(b"%PDF")


def test_the_public_report_has_no_consultant_dimension(client, as_user, staff, case):
    assert client.get(url("report") + "?by=consultant").status_code == 400
    assert as_user(staff).get(url("report") + "?by=consultant").status_code == 200


def test_the_coverage_map_and_its_table_carry_the_same_figures(client, case, profile):
    services.log_session(case, date=date(2031, 4, 8), half_days=2, mode="online",
                         participants=4, topics=[case.request.topic], actor=profile.user)
    features = client.get(url("coverage_geojson", "kreise") + "?year=2031").json()["features"]
    tuebingen = next(f for f in features if f["properties"]["ags"] == "08416")
    assert tuebingen["properties"]["cases"] == 1 and tuebingen["properties"]["days"] == 1.0
    assert len(features) == 44
    points = client.get(url("coverage_geojson", "gemeinden") + "?year=2031").json()["features"]
    assert [p["properties"]["ags"] for p in points] == ["08416041"]
    page = client.get(url("coverage") + "?year=2031")
    row = next(area for area, _c, _l in page.context["rows"] if area.place.ags == "08416")
    assert (row.cases, row.days) == (1, 1.0)
    assert len(page.context["figures"]["white_spots"]) == 43


def test_a_pdf_is_added_to_a_session_later_and_anything_else_refused(as_user, case, profile):
    session = services.log_session(case, date=date(2031, 4, 8), half_days=1, mode="online",
                                   participants=4, topics=[case.request.topic],
                                   actor=profile.user)
    client = as_user(profile.user)
    target = url("document_add", case.pk, session.pk)
    response = client.post(target, {"document": not_pdf()}, follow=True)
    assert "Only PDF documents are accepted." in response.content.decode()
    assert not Document.objects.exists()
    client.post(target, {"document": pdf("agenda.pdf")})
    assert session.documents.get().name == "agenda.pdf"
    page = client.get(case.get_absolute_url()).content.decode()
    assert "agenda.pdf" in page
