"""Every calls permission per role (anchors/places style): who may and who may not."""

import pytest

from conftest import make_org, make_user
from quartier.calls import services
from quartier.calls.models import Conflict, Review
from quartier.calls.tests.support import make_world

# Roles are looked up by name, so pytest-django cannot see that these tests use the
# database; the mark keeps them before the transactional browser tests, which empty it.
pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous", "resident", "member", "coordinator", "other_coordinator",
    "county_coordinator", "moderator", "juror", "consultant", "staff",
]
APPLICANTS = {"member", "coordinator", "other_coordinator", "county_coordinator"}


@pytest.fixture
def user(request):
    return request.getfixturevalue(request.node.callspec.params["role"])


@pytest.fixture
def world(coordinator, other_coordinator, juror, staff, member, county_coordinator, resident,
          moderator, consultant):
    return make_world(coordinator=coordinator, other_coordinator=other_coordinator,
                      juror=juror, staff=staff)


@pytest.mark.parametrize("role", ROLES)
def test_a_draft_call_is_seen_only_by_staff_a_published_one_by_everyone(role, user, world):
    assert user.has_perm("calls.view_call", world.draft_call) is (role == "staff")
    assert user.has_perm("calls.view_call", world.open_call) is True


@pytest.mark.parametrize("role", ROLES)
def test_only_staff_set_up_calls_run_the_jury_and_decide(role, user, world):
    assert user.has_perm("calls.manage_call") is (role == "staff")
    assert user.has_perm("calls.manage_call", world.open_call) is (role == "staff")
    assert user.has_perm("calls.decide_call", world.review_call) is (role == "staff")


@pytest.mark.parametrize("role", ROLES)
def test_members_and_coordinators_of_eligible_organisations_apply_to_an_open_call(
    role, user, world
):
    assert user.has_perm("calls.apply", world.open_call) is (role in APPLICANTS)
    assert user.has_perm("calls.apply", world.review_call) is False
    assert user.has_perm("calls.apply", world.draft_call) is False


@pytest.mark.parametrize("role", ROLES)
def test_an_applicant_never_sees_another_applicants_application(role, user, world):
    assert user.has_perm("calls.view_application", world.submitted) is (
        role in {"coordinator", "staff"})
    assert user.has_perm("calls.view_application", world.draft) is (
        role in {"other_coordinator", "staff"})


@pytest.mark.parametrize("role", ROLES)
def test_only_the_applicant_changes_a_draft_and_nobody_a_submitted_application(
    role, user, world
):
    assert user.has_perm("calls.change_application", world.draft) is (
        role == "other_coordinator")
    assert user.has_perm("calls.change_application", world.submitted) is False


@pytest.mark.parametrize("role", ROLES)
def test_only_the_assigned_juror_sees_and_scores_an_application(role, user, world):
    assert user.has_perm("calls.view_application", world.reviewed) is (
        role in {"juror", "staff", "other_coordinator"})
    assert user.has_perm("calls.score_application", world.reviewed) is (role == "juror")
    assert user.has_perm("calls.view_application", world.second) is (
        role in {"staff", "coordinator"})
    assert user.has_perm("calls.score_application", world.second) is False


@pytest.mark.parametrize("role", ROLES)
def test_other_jurors_scores_are_hidden_until_the_jury_is_closed(role, user, world):
    assert user.has_perm("calls.view_scores", world.reviewed) is (role == "staff")
    assert user.has_perm("calls.view_scores", world.awarded) is (role in {"staff", "juror"})


@pytest.mark.parametrize("role", ROLES)
def test_only_jurors_of_the_call_declare_conflicts(role, user, world):
    assert user.has_perm("calls.declare_conflict", world.review_call) is (role == "juror")
    assert user.has_perm("calls.declare_conflict", world.open_call) is False


@pytest.mark.parametrize("role", ROLES)
def test_results_are_public_once_decided(role, user, world):
    assert user.has_perm("calls.view_results", world.decided_call) is True
    assert user.has_perm("calls.view_results", world.review_call) is False


def test_a_juror_never_sees_an_application_from_their_own_kreis(world):
    county = make_org("Landratsamt Tübingen", "landkreis", "08416")
    neighbour = make_user("nachbar@example.org", "jury_member", county, second_factor=True)
    world.review_call.jurors.add(neighbour)
    Review.objects.create(application=world.second, juror=neighbour)
    assert not neighbour.has_perm("calls.view_application", world.second)
    assert not neighbour.has_perm("calls.score_application", world.second)


def test_a_juror_never_sees_an_application_of_their_own_organisation(world, coordinator):
    from quartier.accounts.models import Organisation

    tue = Organisation.objects.get(name="Stadt Tübingen")
    insider = make_user("insider@example.org", "jury_member", tue, second_factor=True)
    Review.objects.create(application=world.second, juror=insider)
    assert not insider.has_perm("calls.view_application", world.second)


def test_a_juror_never_sees_an_application_after_declaring_a_conflict(world, juror):
    Conflict.objects.create(application=world.reviewed, juror=juror, reason="x")
    juror = type(juror).objects.get(pk=juror.pk)
    assert not juror.has_perm("calls.view_application", world.reviewed)
    services.declare_conflict(world.reviewed, juror=juror, reason="x", actor=juror)
    assert not Review.objects.filter(application=world.reviewed, juror=juror).exists()
