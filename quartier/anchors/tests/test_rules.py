"""anchors.add_anchor, change_anchor, view_anchor, view_history, review_anchor per role."""

import pytest

from quartier.accounts.models import Organisation
from quartier.anchors.tests.support import make_anchor

# Roles are looked up by name, so pytest-django cannot see that these tests use the
# database; the mark keeps them before the transactional browser tests, which empty it.
pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous", "resident", "member", "coordinator", "other_coordinator",
    "county_coordinator", "moderator", "juror", "consultant", "staff",
]
MAY_REGISTER = {"staff", "member", "coordinator", "other_coordinator", "county_coordinator"}
# Who may change an entry of the member's organisation in Tübingen, and one of another
# provider there.
KEEP_OWN = {"staff", "member", "coordinator", "county_coordinator"}
KEEP_OTHERS = {"staff", "coordinator", "county_coordinator"}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def user(request):
    return request.getfixturevalue(request.node.callspec.params["role"])


def members_anchor(tuebingen, status="published"):
    organisation = Organisation.objects.get(name="Träger e. V.")
    return make_anchor(tuebingen, organisation=organisation, status=status)


@pytest.mark.parametrize("role", ROLES)
def test_only_providers_coordinators_and_staff_register_anchors(role, user):
    assert user.has_perm("anchors.add_anchor") is (role in MAY_REGISTER)


@pytest.mark.parametrize("role", ROLES)
def test_an_entry_is_changed_by_its_providers_members_its_coordinators_and_staff(
    role, user, member, tuebingen
):
    anchor = members_anchor(tuebingen)
    assert user.has_perm("anchors.change_anchor", anchor) is (role in KEEP_OWN)
    assert user.has_perm("anchors.view_history", anchor) is (role in KEEP_OWN)


@pytest.mark.parametrize("role", ROLES)
def test_another_providers_entry_is_not_changed_by_the_member(role, user, member, tuebingen):
    anchor = make_anchor(tuebingen)
    assert user.has_perm("anchors.change_anchor", anchor) is (role in KEEP_OTHERS)


@pytest.mark.parametrize("role", ROLES)
def test_only_programme_staff_publish_or_reject(role, user, member, tuebingen):
    anchor = members_anchor(tuebingen, status="pending")
    assert user.has_perm("anchors.review_anchor") is (role == "staff")
    assert user.has_perm("anchors.review_anchor", anchor) is (role == "staff")


@pytest.mark.parametrize("role", ROLES)
def test_an_unpublished_entry_is_seen_only_by_those_who_keep_it(role, user, member, tuebingen):
    pending = members_anchor(tuebingen, status="pending")
    published = make_anchor(tuebingen, name="Öffentlich")
    assert user.has_perm("anchors.view_anchor", pending) is (role in KEEP_OWN)
    assert user.has_perm("anchors.view_anchor", published) is True


@pytest.mark.parametrize("role", ROLES)
def test_only_staff_manage_kinds_of_anchors_in_the_admin(role, user):
    assert user.has_perm("anchors.add_anchorkind") is (role == "staff")
    assert user.has_perm("anchors.change_anchorkind") is (role == "staff")
