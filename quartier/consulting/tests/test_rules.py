"""Every consulting permission for every role: who may, and who may not."""

import pytest

from conftest import make_org, make_user
from quartier.consulting.tests.support import ROLES, make_case, make_profile

pytestmark = pytest.mark.django_db

REQUESTERS = {"member", "coordinator", "other_coordinator", "county_coordinator"}
STAFF = {"staff"}
# For a case of the Tübingen coordinator's organisation assigned to the `consultant`.
CASE_READERS = {"staff", "coordinator", "consultant"}


@pytest.fixture
def user(request):
    return request.getfixturevalue(request.node.callspec.params["role"])


@pytest.fixture
def case(coordinator, staff, quarter, consultant):
    return make_case(coordinator, staff, make_profile(consultant), quarter=quarter)


@pytest.mark.parametrize("role", ROLES)
def test_only_coordinators_and_civil_society_members_request_consulting(role, user):
    assert user.has_perm("consulting.add_request") is (role in REQUESTERS)


@pytest.mark.parametrize("role", ROLES)
def test_a_request_is_seen_by_its_organisation_its_consultant_and_staff(role, user, case):
    assert user.has_perm("consulting.view_request", case.request) is (role in CASE_READERS)
    assert user.has_perm("consulting.answer_request", case.request) is (role == "coordinator")


@pytest.mark.parametrize("role", ROLES)
def test_only_staff_triage_assign_and_close(role, user, case):
    for perm in ("consulting.triage_request", "consulting.assign", "consulting.manage_catalogue",
                 "consulting.manage_consultants", "consulting.view_details"):
        assert user.has_perm(perm, case.request) is (role in STAFF), perm
        assert user.has_perm(perm) is (role in STAFF), perm
    assert user.has_perm("consulting.close_case", case) is (role in STAFF)


@pytest.mark.parametrize("role", ROLES)
def test_cases_and_protocols_stay_with_the_case_staff_and_requester(role, user, case):
    assert user.has_perm("consulting.view_case", case) is (role in CASE_READERS)
    assert user.has_perm("consulting.view_protocol", case) is (role in CASE_READERS)


@pytest.mark.parametrize("role", ROLES)
def test_sessions_are_logged_by_the_assigned_consultant_and_staff(role, user, case):
    assert user.has_perm("consulting.log_session", case) is (role in {"staff", "consultant"})
    assert user.has_perm("consulting.complete_case", case) is (role in {"staff", "consultant"})
    assert user.has_perm("consulting.give_feedback", case) is (role == "coordinator")


def test_another_consultant_sees_nothing_of_the_case(case):
    other = make_user("other@example.org", "consultant", make_org("Andere GmbH",
                                                                   "consulting_firm"),
                      second_factor=True)
    make_profile(other)
    for perm in ("consulting.view_case", "consulting.view_protocol", "consulting.log_session"):
        assert not other.has_perm(perm, case)
    assert not other.has_perm("consulting.view_request", case.request)


@pytest.mark.parametrize("role", ROLES)
def test_only_consultants_keep_a_profile(role, user):
    assert user.has_perm("consulting.keep_profile") is (role == "consultant")


@pytest.mark.parametrize("role", ROLES)
def test_only_staff_use_the_consulting_admin(role, user):
    assert user.has_perm("consulting.change_case") is (role == "staff")
    assert user.has_perm("consulting.view_consultingrequest") is (role == "staff")
