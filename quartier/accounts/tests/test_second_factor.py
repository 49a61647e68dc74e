"""Staff roles must use TOTP: the middleware's redirect and the two-step login through allauth."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from conftest import PASSWORD, code_for_secret, make_org, make_user, totp_code

# Roles are looked up by name, so pytest-django cannot see that these tests use the
# database; the mark keeps them before the transactional browser tests, which empty it.
pytestmark = pytest.mark.django_db



@pytest.fixture
def client(client):
    # Messages are checked in English, the msgid language.
    client.cookies["django_language"] = "en"
    return client


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def staff_without_totp(land_org):
    return make_user("newstaff@example.org", "programme_staff", land_org, second_factor=False)


# The middleware -------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/organisations/", "/places/08416041/", "/me/"])
def test_it_sends_staff_without_totp_to_the_activation_page(client, staff_without_totp, path):
    client.force_login(staff_without_totp)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.parametrize("role", ["jury_member", "moderator", "consultant"])
def test_it_sends_every_staff_like_role_without_totp_to_the_activation_page(
    client, land_org, role
):
    firm = role == "consultant"
    organisation = make_org("Beratung GmbH", "consulting_firm") if firm else land_org
    client.force_login(make_user(f"{role}@example.org", role, organisation))
    assert client.get("/")["Location"] == reverse("mfa_activate_totp")


def test_it_sends_a_django_staff_user_without_totp_to_the_activation_page(client, db):
    user = make_user("admin@example.org")
    user.is_staff = True
    user.save()
    client.force_login(user)
    assert client.get("/")["Location"] == reverse("mfa_activate_totp")


def test_it_walks_staff_without_totp_from_sign_in_through_activation(
    client, staff_without_totp
):
    response = sign_in(client, staff_without_totp)
    assert response.status_code == 302
    assert is_signed_in(client)
    assert client.get(response["Location"])["Location"] == reverse("mfa_activate_totp")
    # allauth asks for the password again before it adds an authenticator.
    response = client.get(reverse("mfa_activate_totp"), follow=True)
    assert response.status_code == 200
    reauthenticate = response.redirect_chain[-1][0]
    assert reauthenticate.startswith(reverse("account_reauthenticate"))
    response = client.post(reauthenticate, {"password": PASSWORD})
    assert response["Location"] == reverse("mfa_activate_totp")
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    secret = response.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": code_for_secret(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(
        user=staff_without_totp, type=Authenticator.Type.TOTP
    ).exists()
    assert client.get("/").status_code == 200


def test_it_lets_staff_without_totp_sign_out(client, staff_without_totp):
    client.force_login(staff_without_totp)
    assert client.post(reverse("account_logout")).status_code == 302
    assert not is_signed_in(client)


def test_it_lets_staff_with_totp_in(client, staff):
    client.force_login(staff)
    assert client.get("/").status_code == 200
    assert client.get("/organisations/").status_code == 200


@pytest.mark.parametrize("role", ["resident", "member", "coordinator", "county_coordinator"])
def test_it_does_not_ask_other_roles_for_a_second_factor(client, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get("/").status_code == 200
    assert client.get("/me/").status_code == 200


def test_it_lets_anonymous_visitors_browse(client, db):
    assert client.get("/").status_code == 200


# Signing in through allauth ---------------------------------------------------------------


def sign_in(client, user, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": user.email, "password": password})


def test_it_asks_staff_for_the_code_after_the_password(client, staff):
    response = sign_in(client, staff)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert not is_signed_in(client)
    # Without the code the staff member is still a visitor.
    assert client.get("/organisations/").status_code == 403
    assert client.get(reverse("mfa_authenticate")).status_code == 200


def test_it_signs_staff_in_with_the_right_code(client, staff):
    sign_in(client, staff)
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(staff)})
    assert response.status_code == 302
    assert is_signed_in(client)
    assert int(client.session["_auth_user_id"]) == staff.pk
    assert client.get("/organisations/").status_code == 200


def test_it_refuses_a_wrong_or_missing_code(client, staff):
    sign_in(client, staff)
    wrong = f"{(int(totp_code(staff)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("mfa_authenticate"), {"code": wrong})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert not is_signed_in(client)
    response = client.post(reverse("mfa_authenticate"), {"code": ""})
    assert response.context["form"].errors["code"]
    assert not is_signed_in(client)


def test_it_refuses_the_code_without_the_password_step(client, staff):
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(staff)})
    assert response.status_code == 302
    assert not is_signed_in(client)


def test_it_refuses_a_wrong_password_before_asking_for_a_code(client, staff):
    response = sign_in(client, staff, password="wrong-password-123")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not is_signed_in(client)


def test_it_signs_a_resident_in_with_the_password_alone(client, resident):
    response = sign_in(client, resident)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert is_signed_in(client)
