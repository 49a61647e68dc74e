import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from conftest import PASSWORD, make_org, make_user, totp_code
from quartier.testing.browser import check_axe

pytestmark = pytest.mark.browser


def _link_in_last_mail(pattern: str) -> str:
    return re.search(pattern, mail.outbox[-1].body).group(0)


def test_a_person_signs_up_verifies_signs_in_and_out_and_resets_the_password(page, live_server):
    page.goto("/")
    page.get_by_role("link", name="Registrieren").click()
    check_axe(page)
    page.locator("#id_email").fill("neu@example.org")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Registrieren").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("E-Mail")
    check_axe(page)

    page.goto(_link_in_last_mail(r"http://\S+/accounts/confirm-email/\S+"))
    check_axe(page)
    page.get_by_role("button", name="Bestätigen").click()

    page.goto("/accounts/login/")
    check_axe(page)
    page.locator("#id_login").fill("neu@example.org")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Anmeldung").click()
    expect(page.get_by_role("link", name="Mein Konto")).to_be_visible()
    page.get_by_role("link", name="Mein Konto").click()
    expect(page.get_by_text("neu@example.org")).to_be_visible()
    check_axe(page)

    page.get_by_role("button", name="Abmelden").click()
    expect(page.get_by_role("link", name="Anmelden")).to_be_visible()

    page.goto("/accounts/password/reset/")
    check_axe(page)
    page.locator("#id_email").fill("neu@example.org")
    page.get_by_role("button", name=re.compile("Passwort zurücksetzen")).click()
    page.goto(_link_in_last_mail(r"http://\S+/accounts/password/reset/key/\S+"))
    page.locator("#id_password1").fill("another-horse-battery-7")
    page.locator("#id_password2").fill("another-horse-battery-7")
    check_axe(page)
    page.get_by_role("button", name=re.compile("Passwort ändern")).click()
    page.goto("/accounts/login/")
    page.locator("#id_login").fill("neu@example.org")
    page.locator("#id_password").fill("another-horse-battery-7")
    page.locator("main").get_by_role("button", name="Anmeldung").click()
    expect(page.get_by_role("link", name="Mein Konto")).to_be_visible()


def test_staff_sign_in_with_a_second_factor(page):
    staff = make_user("chefin@example.org", "programme_staff", make_org("Ministerium", "land"),
                      second_factor=True)
    page.goto("/accounts/login/")
    page.locator("#id_login").fill("chefin@example.org")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Anmeldung").click()
    check_axe(page)
    page.locator("#id_code").fill(totp_code(staff))
    page.locator("main").get_by_role("button", name="Anmeldung").click()
    expect(page.get_by_role("link", name="Organisationen")).to_be_visible()


def test_staff_without_a_second_factor_are_sent_to_set_one_up(page, sign_in):
    staff = make_user("neu-im-team@example.org", "programme_staff", make_org("Ministerium", "land"))
    sign_in(staff)
    page.goto("/places/08/")
    # allauth first asks for the password again, then shows the set-up with the QR code.
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/\?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F"))
    check_axe(page)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Bestätigen|Anmelden")).click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    check_axe(page)


def test_programme_staff_create_an_organisation_and_invite_a_coordinator(page, sign_in):
    staff = make_user("team@example.org", "programme_staff", make_org("Ministerium", "land"),
                      second_factor=True)
    sign_in(staff)
    page.goto("/")
    page.get_by_role("link", name="Organisationen").click()
    check_axe(page)
    page.get_by_label("Name").fill("Stadt Reutlingen")
    page.get_by_label("Typ").select_option("kommune")
    page.get_by_role("button", name="Organisation anlegen").click()
    expect(page.locator(".error")).to_be_visible()
    check_axe(page)
    page.get_by_label("AGS der Gemeinde oder des Kreises").fill("08415061")
    page.get_by_role("button", name="Organisation anlegen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Stadt Reutlingen")
    check_axe(page)

    page.locator("#id_email").fill("koordination@reutlingen.example")
    page.get_by_label("Rolle").select_option("municipal_coordinator")
    page.get_by_role("button", name="Einladung senden").click()
    expect(page.get_by_text("koordination@reutlingen.example")).to_be_visible()
    assert "/invitations/" in mail.outbox[-1].body


def test_an_invited_person_accepts_the_invitation(page, sign_in):
    from quartier.accounts import services
    from quartier.accounts.models import Membership

    staff = make_user("team2@example.org", "programme_staff", make_org("Land BW", "land"),
                      second_factor=True)
    kommune = make_org("Gemeinde Ammerbuch", "kommune", "08416048")
    invitation = services.invite_member(kommune, "buergermeisterin@ammerbuch.example",
                                        "municipal_coordinator", actor=staff,
                                        accept_url_base="http://testserver")
    sign_in(make_user("buergermeisterin@ammerbuch.example"))
    page.goto(f"/invitations/{invitation.token}/")
    check_axe(page)
    page.get_by_role("button", name="Einladung annehmen").click()
    expect(page.get_by_role("link", name="Gemeinde Ammerbuch")).to_be_visible()
    check_axe(page)
    assert Membership.objects.filter(organisation=kommune, role="municipal_coordinator").exists()
