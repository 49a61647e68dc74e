"""places.add_quarter, places.change_quarter and places.view_quarter for every role."""

import pytest

from conftest import make_quarter, make_user
from quartier.accounts import services
from quartier.places.models import Place

# Roles are looked up by name, so pytest-django cannot see that these tests use the
# database; the mark keeps them before the transactional browser tests, which empty it.
pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous", "resident", "member", "coordinator", "other_coordinator",
    "county_coordinator", "moderator", "juror", "consultant", "staff",
]
# Who may add and change quarters (and see drafts) in each Gemeinde.
IN_TUEBINGEN = {"staff", "coordinator", "county_coordinator"}
IN_ULM = {"staff", "other_coordinator"}


@pytest.fixture
def ulm_quarter(ulm):
    return make_quarter(ulm, name="Weststadt")


@pytest.fixture
def ulm_draft(ulm):
    return make_quarter(ulm, name="Ulmer Entwurf", status="draft")


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_staff_and_tuebingens_coordinators_add_quarters_in_tuebingen(
    request, role, tuebingen
):
    user = request.getfixturevalue(role)
    assert user.has_perm("places.add_quarter", tuebingen) is (role in IN_TUEBINGEN)


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_staff_and_ulms_coordinator_add_quarters_in_ulm(request, role, ulm):
    user = request.getfixturevalue(role)
    assert user.has_perm("places.add_quarter", ulm) is (role in IN_ULM)


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_staff_and_tuebingens_coordinators_change_a_tuebingen_quarter(
    request, role, quarter
):
    user = request.getfixturevalue(role)
    assert user.has_perm("places.change_quarter", quarter) is (role in IN_TUEBINGEN)


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_staff_and_ulms_coordinator_change_an_ulm_quarter(
    request, role, ulm_quarter
):
    user = request.getfixturevalue(role)
    assert user.has_perm("places.change_quarter", ulm_quarter) is (role in IN_ULM)


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_staff_and_tuebingens_coordinators_change_a_tuebingen_draft(
    request, role, draft_quarter
):
    user = request.getfixturevalue(role)
    assert user.has_perm("places.change_quarter", draft_quarter) is (role in IN_TUEBINGEN)


@pytest.mark.parametrize("role", ROLES)
def test_it_shows_a_published_quarter_to_everyone(request, role, quarter, ulm_quarter):
    user = request.getfixturevalue(role)
    assert user.has_perm("places.view_quarter", quarter)
    assert user.has_perm("places.view_quarter", ulm_quarter)


@pytest.mark.parametrize("role", ROLES)
def test_it_shows_a_tuebingen_draft_only_to_staff_and_tuebingens_coordinators(
    request, role, draft_quarter
):
    user = request.getfixturevalue(role)
    assert user.has_perm("places.view_quarter", draft_quarter) is (role in IN_TUEBINGEN)


@pytest.mark.parametrize("role", ROLES)
def test_it_shows_an_ulm_draft_only_to_staff_and_ulms_coordinator(request, role, ulm_draft):
    user = request.getfixturevalue(role)
    assert user.has_perm("places.view_quarter", ulm_draft) is (role in IN_ULM)


def test_it_keeps_a_county_coordinator_out_of_a_neighbouring_kreis(db, county_coordinator):
    # Reutlingen (Landkreis 08415) borders Landkreis Tübingen (08416).
    reutlingen = Place.objects.filter(ags__startswith="08415", kind=Place.Kind.GEMEINDE).first()
    draft = make_quarter(reutlingen, name="Nachbarviertel", status="draft")
    assert not county_coordinator.has_perm("places.add_quarter", reutlingen)
    assert not county_coordinator.has_perm("places.change_quarter", draft)
    assert not county_coordinator.has_perm("places.view_quarter", draft)


def test_it_lets_a_county_coordinator_act_in_every_gemeinde_of_the_kreis(db, county_coordinator):
    gemeinden = Place.objects.filter(ags__startswith="08416", kind=Place.Kind.GEMEINDE)
    assert gemeinden.count() > 1
    assert all(county_coordinator.has_perm("places.add_quarter", g) for g in gemeinden)


def test_it_does_not_give_a_coordinators_rights_to_other_roles_of_the_same_kommune(
    tuebingen_org, tuebingen, draft_quarter
):
    user = make_user("vielseitig@example.org", "member", tuebingen_org)
    for role in ("resident", "moderator"):
        services.add_member(tuebingen_org, user, role, actor=None)
    assert not user.has_perm("places.add_quarter", tuebingen)
    assert not user.has_perm("places.change_quarter", draft_quarter)
    assert not user.has_perm("places.view_quarter", draft_quarter)


def test_it_treats_a_superuser_as_programme_staff(tuebingen, draft_quarter):
    from quartier.accounts.models import User

    admin = User.objects.create_superuser("admin", "admin@example.org", "x")
    assert admin.has_perm("places.add_quarter", tuebingen)
    assert admin.has_perm("places.change_quarter", draft_quarter)
    assert admin.has_perm("places.view_quarter", draft_quarter)


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_staff_add_quarters_without_a_gemeinde(request, role):
    user = request.getfixturevalue(role)
    assert user.has_perm("places.add_quarter") is (role == "staff")
