"""Signing up through allauth: verification by e-mail is mandatory; password reset."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from conftest import PASSWORD, make_user
from quartier.accounts.models import User

NEW_PASSWORD = "another-long-secret-42"



@pytest.fixture
def client(client):
    # Messages are checked in English, the msgid language.
    client.cookies["django_language"] = "en"
    return client


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def sign_up(client, email="neu@example.org", password1=PASSWORD, password2=None):
    return client.post(reverse("account_signup"), {
        "email": email, "password1": password1,
        "password2": password1 if password2 is None else password2,
    })


def sign_in(client, email="neu@example.org", password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def link_in(mail, path_prefix: str) -> str:
    match = re.search(rf"http://testserver({re.escape(path_prefix)}\S+)", mail.body)
    assert match, mail.body
    return match.group(1)


# Signing up -----------------------------------------------------------------------------


def test_it_mails_a_verification_link_on_sign_up(client, db, mailoutbox):
    response = sign_up(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="neu@example.org")
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["neu@example.org"]
    assert mailoutbox[0].subject.startswith("[Quartier] ")
    assert link_in(mailoutbox[0], "/accounts/confirm-email/")
    assert not is_signed_in(client)


def test_it_stores_the_address_in_lower_case(client, db, mailoutbox):
    sign_up(client, email="Neu@Example.ORG")
    assert User.objects.filter(email="neu@example.org").exists()


def test_it_refuses_to_sign_in_before_the_address_is_verified(client, db, mailoutbox):
    sign_up(client)
    client.logout()
    response = sign_in(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert not is_signed_in(client)


def test_it_verifies_the_address_through_the_link_and_then_signs_in(client, db, mailoutbox):
    sign_up(client)
    link = link_in(mailoutbox[0], "/accounts/confirm-email/")
    client.logout()
    assert client.get(link).status_code == 200
    assert client.post(link).status_code == 302
    assert EmailAddress.objects.get(email="neu@example.org").verified
    response = sign_in(client)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert is_signed_in(client)


def test_it_refuses_a_made_up_confirmation_key(client, db, mailoutbox):
    sign_up(client)
    client.post("/accounts/confirm-email/not-a-key/")
    assert not EmailAddress.objects.get(email="neu@example.org").verified


# Bad input ------------------------------------------------------------------------------


def test_it_rejects_passwords_that_differ(client, db, mailoutbox):
    response = sign_up(client, password2=PASSWORD + "x")
    assert response.status_code == 200
    assert response.context["form"].errors["password2"] == [
        "You must type the same password each time."
    ]
    assert not User.objects.exists()
    assert mailoutbox == []


def test_it_rejects_a_password_shorter_than_ten_characters(client, db, mailoutbox):
    response = sign_up(client, password1="kurz-123")
    assert response.status_code == 200
    assert (
        "This password is too short. It must contain at least 10 characters."
        in response.context["form"].errors["password1"]
    )
    assert not User.objects.exists()
    assert mailoutbox == []


@pytest.mark.parametrize("password", ["password123", "1234567890123"])
def test_it_rejects_a_common_or_numeric_password(client, db, password):
    response = sign_up(client, password1=password)
    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    assert not User.objects.exists()


def test_it_rejects_an_invalid_address(client, db, mailoutbox):
    response = sign_up(client, email="not-an-address")
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert not User.objects.exists()


def test_it_creates_no_second_account_for_a_known_address(client, db, mailoutbox):
    # allauth prevents enumeration: no form error that would reveal the address;
    # the owner gets a mail that the account exists instead.
    owner = make_user("known@example.org")
    response = sign_up(client, email="Known@Example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert list(User.objects.filter(email__iexact="known@example.org")) == [owner]
    assert EmailAddress.objects.filter(email__iexact="known@example.org").count() == 1
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["known@example.org"]
    assert "/accounts/confirm-email/" not in mailoutbox[0].body
    assert not is_signed_in(client)


# Password reset ---------------------------------------------------------------------------


def test_it_mails_a_reset_link_for_a_known_address(client, db, mailoutbox):
    make_user("known@example.org")
    response = client.post(reverse("account_reset_password"), {"email": "known@example.org"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["known@example.org"]
    assert link_in(mailoutbox[0], "/accounts/password/reset/key/")


def test_it_sets_a_new_password_through_the_reset_link(client, db, mailoutbox):
    make_user("known@example.org")
    client.post(reverse("account_reset_password"), {"email": "known@example.org"})
    link = link_in(mailoutbox[0], "/accounts/password/reset/key/")
    response = client.get(link)
    # allauth moves the key into the session and redirects to a key-less address.
    form_url = response["Location"] if response.status_code == 302 else link
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    client.logout()
    assert sign_in(client, "known@example.org", PASSWORD).status_code == 200
    assert not is_signed_in(client)
    assert sign_in(client, "known@example.org", NEW_PASSWORD).status_code == 302
    assert is_signed_in(client)


def test_it_sends_no_reset_link_for_an_unknown_address(client, db, mailoutbox):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert all("/accounts/password/reset/key/" not in mail.body for mail in mailoutbox)
