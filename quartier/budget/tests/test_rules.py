"""budget.view_overview, view_ledger, add_line, book and view_audit for every role."""

import pytest

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "resident", "member", "coordinator", "other_coordinator",
         "county_coordinator", "moderator", "juror", "consultant", "staff"]
STAFF_ONLY = ["budget.view_ledger", "budget.add_line", "budget.book", "budget.view_audit"]


@pytest.fixture
def user(request):
    return request.getfixturevalue(request.node.callspec.params["role"])


@pytest.mark.parametrize("role", ROLES)
def test_everybody_sees_the_public_overview(role, user):
    assert user.has_perm("budget.view_overview") is True


@pytest.mark.parametrize("perm", STAFF_ONLY)
@pytest.mark.parametrize("role", ROLES)
def test_only_programme_staff_see_the_ledger_book_and_read_the_audit_trail(role, perm, user):
    assert user.has_perm(perm) is (role == "staff")


def test_a_superuser_counts_as_programme_staff(django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "x" * 12)
    assert all(admin.has_perm(perm) for perm in STAFF_ONLY)
