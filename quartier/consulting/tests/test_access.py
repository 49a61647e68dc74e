"""Every consulting page and action, for every role that must not get in: redirected to
sign in, refused or not found – and nothing changed."""

import pytest

from quartier.consulting.models import Absence, Case, ConsultingRequest, Session
from quartier.consulting.tests.support import (
    ROLES,
    accepted_request,
    make_case,
    make_profile,
    pdf,
    url,
)

pytestmark = pytest.mark.django_db

ALL = set(ROLES)
SIGNED_IN = ALL - {"anonymous"}
REQUESTERS = {"member", "coordinator", "other_coordinator", "county_coordinator"}
CASE_READERS = {"staff", "coordinator", "consultant"}


@pytest.fixture
def world(coordinator, staff, quarter, consultant, line):
    profile = make_profile(consultant)
    case = make_case(coordinator, staff, profile, line=line, quarter=quarter)
    from quartier.consulting import services
    from quartier.consulting.tests.support import TODAY

    session = services.log_session(case, date=TODAY.replace(month=4, day=8), half_days=1,
                                   mode="on_site", participants=5, topics=[case.request.topic],
                                   protocol="Vertraulich", document=pdf(), actor=consultant)
    open_request = accepted_request(coordinator, staff, quarter=quarter)
    absence = Absence.objects.create(profile=profile, start=TODAY.replace(month=9, day=1),
                                     end=TODAY.replace(month=9, day=5))
    return {"case": case, "request": case.request, "open": open_request, "profile": profile,
            "document": session.documents.get(), "session": session, "absence": absence}


# (name, method, url from the world, roles that get in)
PAGES = [
    ("overview", "get", lambda w: url("overview"), ALL),
    ("coverage", "get", lambda w: url("coverage"), ALL),
    ("coverage map", "get", lambda w: url("coverage_geojson", "kreise"), ALL),
    ("report", "get", lambda w: url("report"), ALL),
    ("catalogue", "get", lambda w: url("catalogue"), {"staff"}),
    ("new format", "get", lambda w: url("format_create"), {"staff"}),
    ("new topic", "get", lambda w: url("topic_create"), {"staff"}),
    ("requests", "get", lambda w: url("requests"), REQUESTERS | {"staff"}),
    ("new request", "get", lambda w: url("request_create"), REQUESTERS),
    ("request", "get", lambda w: url("request", w["request"].pk), CASE_READERS),
    ("assign", "get", lambda w: url("request_assign", w["open"].pk), {"staff"}),
    ("matching", "get", lambda w: url("matching"), {"staff"}),
    ("cases", "get", lambda w: url("cases"), REQUESTERS | {"staff", "consultant"}),
    ("case", "get", lambda w: url("case", w["case"].pk), CASE_READERS),
    ("log session", "get", lambda w: url("session_create", w["case"].pk),
     {"staff", "consultant"}),
    ("document", "get", lambda w: url("document", w["document"].pk), CASE_READERS),
    ("complete", "get", lambda w: url("case_complete", w["case"].pk), {"staff", "consultant"}),
    ("consultants", "get", lambda w: url("consultants"), {"staff"}),
    ("edit consultant", "get", lambda w: url("consultant_edit", w["profile"].pk),
     {"staff", "consultant"}),
    ("profile", "get", lambda w: url("profile"), {"consultant"}),
]
ACTIONS = [
    ("triage", lambda w: url("request_triage", w["open"].pk), {"decision": "accept"}),
    ("answer", lambda w: url("request_answer", w["request"].pk), {"answer": "x"}),
    ("withdraw", lambda w: url("request_withdraw", w["open"].pk), {}),
    ("assign", lambda w: url("request_assign", w["open"].pk), {}),
    ("compute matching", lambda w: url("matching"), {}),
    ("log session", lambda w: url("session_create", w["case"].pk),
     {"date": "2031-04-09", "half_days": "1", "mode": "online", "participants": "3"}),
    ("add document", lambda w: url("document_add", w["case"].pk, w["session"].pk), {}),
    ("complete", lambda w: url("case_complete", w["case"].pk), {"outcome": "Fertig"}),
    ("feedback", lambda w: url("feedback", w["case"].pk), {"satisfaction": "5"}),
    ("close", lambda w: url("case_close", w["case"].pk), {}),
    ("cancel", lambda w: url("case_cancel", w["case"].pk), {"reason": "weg"}),
    ("absence", lambda w: url("absence_add"), {"start": "2031-10-01", "end": "2031-10-02"}),
    ("remove absence", lambda w: url("absence_delete", w["absence"].pk), {}),
    ("renew calendar", lambda w: url("calendar_renew"), {}),
    ("new format", lambda w: url("format_create"), {"name_de": "x"}),
]
ACTION_ROLES = {
    "triage": {"staff"}, "answer": {"coordinator"}, "withdraw": {"coordinator"},
    "assign": {"staff"}, "compute matching": {"staff"}, "log session": {"staff", "consultant"},
    "add document": {"staff", "consultant"}, "complete": {"staff", "consultant"},
    "feedback": {"coordinator"}, "close": {"staff"}, "cancel": {"staff"},
    "absence": {"consultant"}, "remove absence": {"consultant"}, "renew calendar": {"consultant"},
    "new format": {"staff"},
}


def client_for(client, user):
    if user.is_authenticated:
        client.force_login(user)
    return client


def state(world):
    return (list(ConsultingRequest.objects.values_list("state", flat=True).order_by("pk")),
            list(Case.objects.values_list("state", flat=True)), Session.objects.count(),
            Absence.objects.count(), world["profile"].__class__.objects.get(
                pk=world["profile"].pk).calendar_token)


def assert_kept_out(response, role):
    if role == "anonymous":
        assert response.status_code in (302, 403, 404)
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code in (403, 404), response.status_code


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name,method,make_url,allowed", PAGES, ids=[p[0] for p in PAGES])
def test_each_page_lets_in_exactly_its_roles(client, request, role, name, method, make_url,
                                             allowed, world):
    user = request.getfixturevalue(role)
    response = client_for(client, user).get(make_url(world))
    if role in allowed:
        assert response.status_code == 200, (name, role, response.status_code)
    else:
        assert_kept_out(response, role)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name,make_url,data", ACTIONS, ids=[a[0] for a in ACTIONS])
def test_no_role_without_the_right_changes_anything(client, request, role, name, make_url, data,
                                                    world):
    if role in ACTION_ROLES[name]:
        pytest.skip("allowed: tested with the action itself")
    user = request.getfixturevalue(role)
    before = state(world)
    response = client_for(client, user).post(make_url(world), data)
    assert_kept_out(response, role)
    assert state(world) == before


def test_the_calendar_feed_needs_its_secret_not_a_session(client, world):
    profile = world["profile"]
    response = client.get(url("calendar", profile.calendar_token))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert "Vertraulich" not in response.content.decode()
    assert client.get(url("calendar", "x" * 43)).status_code == 404
    old = profile.calendar_token
    from quartier.consulting import services

    services.renew_calendar_token(profile, actor=None)
    assert client.get(url("calendar", old)).status_code == 404


def test_a_document_is_served_as_a_pdf_attachment_to_the_case_readers(client, coordinator,
                                                                      world):
    response = client_for(client, coordinator).get(url("document", world["document"].pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]


@pytest.fixture
def other_consultant(world):
    """A second consultant with a profile of their own, not assigned to the world's case."""
    from conftest import make_org, make_user

    user = make_user("zweite@example.org", "consultant",
                     make_org("Andere Beratung", "consulting_firm"), second_factor=True)
    make_profile(user, name="Zweite Beraterin")
    return user


OTHER_CONSULTANT_PAGES = [
    ("request", lambda w: url("request", w["request"].pk)),
    ("case", lambda w: url("case", w["case"].pk)),
    ("document", lambda w: url("document", w["document"].pk)),
    ("log session", lambda w: url("session_create", w["case"].pk)),
    ("complete", lambda w: url("case_complete", w["case"].pk)),
    ("edit consultant", lambda w: url("consultant_edit", w["profile"].pk)),
    ("requests", lambda w: url("requests")),
    ("matching", lambda w: url("matching")),
]
OTHER_CONSULTANT_ACTIONS = [
    ("log session", lambda w: url("session_create", w["case"].pk),
     {"date": "2031-04-09", "half_days": "1", "mode": "online", "participants": "3"}),
    ("add document", lambda w: url("document_add", w["case"].pk, w["session"].pk), {}),
    ("complete", lambda w: url("case_complete", w["case"].pk), {"outcome": "Fertig"}),
    ("remove absence", lambda w: url("absence_delete", w["absence"].pk), {}),
    ("edit consultant", lambda w: url("consultant_edit", w["profile"].pk), {"name": "x"}),
]


@pytest.mark.parametrize("name,make_url", OTHER_CONSULTANT_PAGES,
                         ids=[p[0] for p in OTHER_CONSULTANT_PAGES])
def test_another_consultant_sees_nothing_of_a_case_not_theirs(client, other_consultant, world,
                                                            name, make_url):
    response = client_for(client, other_consultant).get(make_url(world))
    assert response.status_code in (403, 404), (name, response.status_code)
    assert "Vertraulich" not in response.content.decode()


@pytest.mark.parametrize("name,make_url,data", OTHER_CONSULTANT_ACTIONS,
                         ids=[a[0] for a in OTHER_CONSULTANT_ACTIONS])
def test_another_consultant_changes_nothing_of_a_case_not_theirs(client, other_consultant,
                                                                world, name, make_url, data):
    before = state(world)
    response = client_for(client, other_consultant).post(make_url(world), data)
    assert response.status_code in (403, 404), (name, response.status_code)
    assert state(world) == before
    assert world["profile"].__class__.objects.get(pk=world["profile"].pk).name != "x"


def test_another_consultant_lists_none_of_the_cases_not_theirs(client, other_consultant,
                                                              world):
    response = client_for(client, other_consultant).get(url("cases"))
    assert response.status_code == 200
    assert list(response.context["cases"]) == []
