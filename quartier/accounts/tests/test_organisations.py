"""Organisations, invitations and memberships: /organisations/, /invitations/, /memberships/."""

import re

import pytest
from django.utils.html import escape

from conftest import TUEBINGEN, make_user
from quartier.accounts import services
from quartier.accounts.models import Invitation, Membership, Organisation

# Roles are looked up by name, so pytest-django cannot see that these tests use the
# database; the mark keeps them before the transactional browser tests, which empty it.
pytestmark = pytest.mark.django_db

NOT_STAFF = [
    "resident", "member", "coordinator", "other_coordinator", "county_coordinator",
    "moderator", "juror", "consultant",
]



@pytest.fixture
def client(client):
    # Messages are checked in English, the msgid language.
    client.cookies["django_language"] = "en"
    return client


def assert_field_error(response, field, message):
    assert response.status_code == 400
    assert message in response.context["form"].errors[field]
    html = response.content.decode()
    assert f'<p class="error" id="id_{field}_error">{escape(message)}</p>' in html


# The list and creating organisations ---------------------------------------------------


def test_it_lists_organisations_for_programme_staff(client, staff, tuebingen_org):
    client.force_login(staff)
    response = client.get("/organisations/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Stadt Tübingen" in html
    assert f"({TUEBINGEN})" in html


@pytest.mark.parametrize("role", NOT_STAFF)
def test_it_forbids_the_list_to_everyone_but_programme_staff(client, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get("/organisations/").status_code == 403
    data = {"name": "Neue Stadt", "kind": "kommune", "ags": TUEBINGEN}
    assert client.post("/organisations/", data).status_code == 403
    assert not Organisation.objects.filter(name="Neue Stadt").exists()


def test_it_forbids_the_list_to_anonymous_visitors(client, db):
    response = client.get("/organisations/")
    assert response.status_code == 403 or response["Location"].startswith("/accounts/login/")
    response = client.post("/organisations/", {"name": "Neue Stadt", "kind": "land"})
    assert response.status_code in (302, 403)
    assert not Organisation.objects.filter(name="Neue Stadt").exists()


def test_it_creates_a_kommune_bound_to_its_gemeinde(client, staff, tuebingen):
    client.force_login(staff)
    response = client.post(
        "/organisations/", {"name": "Universitätsstadt Tübingen", "kind": "kommune",
                            "ags": f" {TUEBINGEN} "}
    )
    organisation = Organisation.objects.get(name="Universitätsstadt Tübingen")
    assert response.status_code == 302
    assert response["Location"] == f"/organisations/{organisation.pk}/"
    assert organisation.kind == "kommune"
    assert organisation.place == tuebingen


def test_it_creates_a_landkreis_bound_to_its_kreis(client, staff):
    client.force_login(staff)
    response = client.post("/organisations/",
                           {"name": "Landratsamt Tübingen", "kind": "landkreis", "ags": "08416"})
    assert response.status_code == 302
    assert Organisation.objects.get(name="Landratsamt Tübingen").place.ags == "08416"


def test_it_creates_a_provider_without_a_place(client, staff):
    client.force_login(staff)
    response = client.post("/organisations/", {"name": "Diakonie", "kind": "provider", "ags": ""})
    assert response.status_code == 302
    assert Organisation.objects.get(name="Diakonie").place is None


@pytest.mark.parametrize(("kind", "ags", "message"), [
    ("kommune", "", "Enter the AGS of an existing Gemeinde."),
    ("kommune", "08416", "Enter the AGS of an existing Gemeinde."),
    ("kommune", "08999999", "Enter the AGS of an existing Gemeinde."),
    ("landkreis", TUEBINGEN, "Enter the AGS of an existing Kreis."),
    ("landkreis", "", "Enter the AGS of an existing Kreis."),
    ("provider", TUEBINGEN, "Only a Kommune or a Landkreis is bound to a place."),
    ("land", "08", "Only a Kommune or a Landkreis is bound to a place."),
])
def test_it_rejects_an_ags_that_does_not_fit_the_kind(client, staff, kind, ags, message):
    client.force_login(staff)
    count = Organisation.objects.count()
    response = client.post("/organisations/", {"name": "Neu", "kind": kind, "ags": ags})
    assert_field_error(response, "ags", message)
    assert Organisation.objects.count() == count


def test_it_rejects_a_name_that_is_taken(client, staff, tuebingen_org):
    client.force_login(staff)
    count = Organisation.objects.count()
    response = client.post("/organisations/",
                           {"name": tuebingen_org.name, "kind": "kommune", "ags": TUEBINGEN})
    assert response.status_code == 400
    assert "name" in response.context["form"].errors
    assert Organisation.objects.count() == count


# One organisation ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["staff", "coordinator", "resident", "moderator"])
def test_it_shows_an_organisation_to_staff_and_its_members(client, request, role, tuebingen_org):
    client.force_login(request.getfixturevalue(role))
    response = client.get(f"/organisations/{tuebingen_org.pk}/")
    assert response.status_code == 200
    assert "Stadt Tübingen" in response.content.decode()


@pytest.mark.parametrize(
    "role", ["member", "other_coordinator", "county_coordinator", "juror", "consultant"]
)
def test_it_forbids_an_organisation_to_outsiders(client, request, role, tuebingen_org):
    client.force_login(request.getfixturevalue(role))
    assert client.get(f"/organisations/{tuebingen_org.pk}/").status_code == 403


def test_it_sends_anonymous_visitors_from_an_organisation_to_the_login(client, tuebingen_org):
    response = client.get(f"/organisations/{tuebingen_org.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_shows_the_invitation_form_only_to_staff(client, staff, coordinator, tuebingen_org):
    client.force_login(coordinator)
    assert 'name="role"' not in client.get(f"/organisations/{tuebingen_org.pk}/").content.decode()
    client.force_login(staff)
    assert 'name="role"' in client.get(f"/organisations/{tuebingen_org.pk}/").content.decode()


# Inviting ------------------------------------------------------------------------------


def test_it_mails_an_invitation_with_its_link(
    client, staff, tuebingen_org, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/organisations/{tuebingen_org.pk}/",
                               {"email": "Neu@Example.org", "role": "municipal_coordinator"})
    assert response.status_code == 302
    invitation = Invitation.objects.get(organisation=tuebingen_org)
    assert (invitation.email, invitation.role) == ("neu@example.org", "municipal_coordinator")
    assert invitation.invited_by == staff
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["neu@example.org"]
    assert "Stadt Tübingen" in mail.subject
    assert f"http://testserver/invitations/{invitation.token}/" in mail.body
    assert "neu@example.org" in client.get(f"/organisations/{tuebingen_org.pk}/").content.decode()


@pytest.mark.parametrize("role", ["coordinator", "resident", "other_coordinator", "juror"])
def test_it_forbids_inviting_to_everyone_but_programme_staff(
    client, request, role, tuebingen_org, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(request.getfixturevalue(role))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/organisations/{tuebingen_org.pk}/",
                               {"email": "neu@example.org", "role": "municipal_coordinator"})
    assert response.status_code == 403
    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_it_forbids_inviting_to_anonymous_visitors(client, tuebingen_org):
    response = client.post(f"/organisations/{tuebingen_org.pk}/",
                           {"email": "neu@example.org", "role": "resident"})
    assert response.status_code == 302
    assert not Invitation.objects.exists()


@pytest.mark.parametrize(("role", "label"), [
    ("programme_staff", "Programme staff"),
    ("consultant", "Consultant"),
])
def test_it_refuses_a_role_the_kommune_cannot_give(
    client, staff, tuebingen_org, mailoutbox, django_capture_on_commit_callbacks, role, label
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/organisations/{tuebingen_org.pk}/",
                               {"email": "neu@example.org", "role": role})
    assert_field_error(
        response, "role", f"An organisation of type “Kommune” cannot give the role “{label}”."
    )
    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_it_refuses_a_coordinator_role_from_a_provider(client, staff):
    provider = Organisation.objects.create(name="Diakonie", kind="provider")
    client.force_login(staff)
    response = client.post(f"/organisations/{provider.pk}/",
                           {"email": "neu@example.org", "role": "municipal_coordinator"})
    assert response.status_code == 400
    assert "role" in response.context["form"].errors
    assert not Invitation.objects.exists()


def test_it_rejects_an_invalid_email_or_unknown_role(client, staff, tuebingen_org):
    client.force_login(staff)
    response = client.post(f"/organisations/{tuebingen_org.pk}/",
                           {"email": "not-an-address", "role": "overlord"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"email", "role"}
    assert not Invitation.objects.exists()


# Accepting -----------------------------------------------------------------------------


@pytest.fixture
def invitation(staff, tuebingen_org):
    return services.invite_member(
        tuebingen_org, "Invitee@Example.org", "municipal_coordinator",
        actor=staff, accept_url_base="http://testserver",
    )


def invitation_url(invitation):
    return f"/invitations/{invitation.token}/"


def test_it_gives_the_role_to_the_person_with_the_invited_verified_address(
    client, invitation, tuebingen
):
    invitee = make_user("invitee@example.org")
    client.force_login(invitee)
    assert client.get(invitation_url(invitation)).status_code == 200
    response = client.post(invitation_url(invitation))
    assert response.status_code == 302
    assert response["Location"] == "/me/"
    membership = Membership.objects.get(user=invitee)
    assert (membership.organisation, membership.role) == (invitation.organisation,
                                                          "municipal_coordinator")
    invitation.refresh_from_db()
    assert invitation.accepted_by == invitee
    assert invitation.accepted_at is not None
    # The new coordinator may now add quarters in Tübingen.
    invitee = type(invitee).objects.get(pk=invitee.pk)
    assert invitee.has_perm("places.add_quarter", tuebingen)


def test_it_refuses_a_person_with_another_address(client, invitation):
    stranger = make_user("stranger@example.org")
    client.force_login(stranger)
    response = client.post(invitation_url(invitation))
    assert response.status_code == 400
    message = "This invitation is for invitee@example.org; sign in with that verified address."
    assert escape(message) in response.content.decode()
    assert not Membership.objects.filter(user=stranger).exists()
    invitation.refresh_from_db()
    assert invitation.is_open()


def test_it_refuses_the_invited_address_while_it_is_unverified(client, invitation):
    invitee = make_user("invitee@example.org")
    invitee.emailaddress_set.update(verified=False)
    client.force_login(invitee)
    response = client.post(invitation_url(invitation))
    assert response.status_code == 400
    assert not Membership.objects.filter(user=invitee).exists()


def test_it_accepts_an_invitation_only_once(client, invitation):
    invitee = make_user("invitee@example.org")
    client.force_login(invitee)
    client.post(invitation_url(invitation))
    again = client.post(invitation_url(invitation))
    assert again.status_code == 400
    assert "This invitation has already been used." in again.content.decode()
    assert Membership.objects.filter(user=invitee).count() == 1
    client.force_login(make_user("second@example.org"))
    assert "This invitation has already been used." in client.get(
        invitation_url(invitation)).content.decode()


def test_it_sends_anonymous_visitors_from_an_invitation_to_the_login(client, invitation):
    response = client.post(invitation_url(invitation))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert invitation.is_open()


def test_it_finds_no_unknown_invitation(client, resident):
    client.force_login(resident)
    assert client.get("/invitations/no-such-token/").status_code == 404


# Removing memberships ------------------------------------------------------------------


def test_it_lets_programme_staff_remove_a_membership(client, staff, coordinator, tuebingen_org):
    membership = Membership.objects.get(user=coordinator)
    client.force_login(staff)
    response = client.post(f"/memberships/{membership.pk}/remove/")
    assert response.status_code == 302
    assert response["Location"] == f"/organisations/{tuebingen_org.pk}/"
    assert not Membership.objects.filter(pk=membership.pk).exists()


@pytest.mark.parametrize("role", NOT_STAFF)
def test_it_forbids_removing_memberships_to_everyone_but_programme_staff(
    client, request, role, coordinator
):
    membership = Membership.objects.get(user=coordinator)
    client.force_login(request.getfixturevalue(role))
    assert client.post(f"/memberships/{membership.pk}/remove/").status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_it_forbids_removing_memberships_to_anonymous_visitors(client, coordinator):
    membership = Membership.objects.get(user=coordinator)
    response = client.post(f"/memberships/{membership.pk}/remove/")
    assert response.status_code in (302, 403)
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_it_removes_memberships_only_by_post(client, staff, coordinator):
    membership = Membership.objects.get(user=coordinator)
    client.force_login(staff)
    assert client.get(f"/memberships/{membership.pk}/remove/").status_code == 405
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_it_takes_the_coordinators_rights_with_the_membership(
    client, staff, coordinator, tuebingen
):
    membership = Membership.objects.get(user=coordinator)
    client.force_login(staff)
    client.post(f"/memberships/{membership.pk}/remove/")
    client.force_login(coordinator)
    response = client.get(f"/places/{TUEBINGEN}/quarters/new/")
    assert response.status_code == 403


def test_it_lists_each_member_with_a_remove_button_for_staff(
    client, staff, coordinator, resident, tuebingen_org
):
    client.force_login(staff)
    html = client.get(f"/organisations/{tuebingen_org.pk}/").content.decode()
    for user in (coordinator, resident):
        membership = Membership.objects.get(user=user)
        assert user.email in html
        assert re.search(rf'action="/memberships/{membership.pk}/remove/"', html)
