import pytest

pytestmark = pytest.mark.django_db


def test_programme_staff_use_the_django_admin(client, staff):
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/places/place/").status_code == 200
    assert client.get("/admin/accounts/organisation/").status_code == 200


@pytest.mark.parametrize("role", ["resident", "member", "coordinator", "moderator", "juror"])
def test_nobody_else_gets_into_the_admin(client, request, role):
    client.force_login(request.getfixturevalue(role))
    response = client.get("/admin/places/place/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_removing_the_last_staff_role_closes_the_admin(client, staff):
    from quartier.accounts import services

    services.remove_membership(staff.memberships.get(), actor=staff)
    staff.refresh_from_db()
    assert not staff.is_staff
