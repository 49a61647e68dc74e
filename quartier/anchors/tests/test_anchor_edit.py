"""The edit page /anchors/<id>/edit/: providers edit only their own, nothing else changes."""

import pytest

from quartier.accounts.models import Organisation
from quartier.anchors.models import Anchor, AnchorVersion
from quartier.anchors.tests.support import form_data, make_anchor, provider

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def members_org(member):
    return Organisation.objects.get(name="Träger e. V.")


@pytest.fixture
def own(members_org, tuebingen):
    return make_anchor(tuebingen, organisation=members_org, name="Altes Haus")


def edit(client, user, anchor, **changes):
    client.force_login(user)
    data = form_data(anchor.gemeinde, organisation=anchor.provider, **changes)
    return client.post(f"/anchors/{anchor.pk}/edit/", data)


def test_the_form_starts_from_the_stored_entry(client, member, own):
    client.force_login(member)
    response = client.get(f"/anchors/{own.pk}/edit/")
    assert response.status_code == 200
    assert response.context["form"].initial["name"] == "Altes Haus"
    assert response.context["formset"].initial[0]["title"] == "Offener Treff"


def test_a_providers_change_to_a_published_entry_waits_for_review(client, member, own):
    response = edit(client, member, own, name="Neues Haus")

    assert response.status_code == 302
    own.refresh_from_db()
    assert own.name == "Altes Haus"
    assert own.pending_version.action == AnchorVersion.Action.PROPOSED
    assert own.pending_version.snapshot["name"] == "Neues Haus"
    # The provider sees the proposal when editing again.
    assert client.get(f"/anchors/{own.pk}/edit/").context["form"].initial["name"] == "Neues Haus"


def test_staff_change_an_entry_directly(client, staff, own):
    response = edit(client, staff, own, name="Neues Haus")
    assert response.status_code == 302
    own.refresh_from_db()
    assert (own.name, own.pending_version) == ("Neues Haus", None)


def test_a_coordinator_edits_entries_in_the_own_gemeinde(client, coordinator, own):
    assert edit(client, coordinator, own, name="Neu").status_code == 302
    own.refresh_from_db()
    assert own.pending_version.snapshot["name"] == "Neu"


@pytest.mark.parametrize("role, status", [
    ("other_coordinator", 403), ("resident", 403), ("moderator", 403), ("juror", 403),
    ("consultant", 403),
])
def test_roles_that_do_not_keep_the_entry_cannot_change_it(request, client, role, status, own):
    user = request.getfixturevalue(role)
    client.force_login(user)
    assert client.get(f"/anchors/{own.pk}/edit/").status_code == status
    assert edit(client, user, own, name="Gekapert").status_code == status
    own.refresh_from_db()
    assert (own.name, own.pending_version) == ("Altes Haus", None)
    assert own.versions.count() == 0


def test_a_member_of_another_provider_cannot_change_an_entry(client, member, tuebingen):
    foreign = make_anchor(tuebingen, organisation=provider("Fremder Träger e. V."), name="Fremd")
    assert edit(client, member, foreign, name="Gekapert").status_code == 403
    foreign.refresh_from_db()
    assert (foreign.name, foreign.pending_version) == ("Fremd", None)


def test_unpublished_entries_of_others_do_not_exist_for_them(client, member, tuebingen):
    foreign = make_anchor(tuebingen, organisation=provider("Fremder Träger e. V."),
                          status="pending")
    assert edit(client, member, foreign, name="Gekapert").status_code == 404
    assert Anchor.objects.get(pk=foreign.pk).name == "Mehrgenerationenhaus Südstadt"


def test_a_provider_cannot_move_an_entry_to_another_organisation(client, member, own):
    other = provider("Fremder Träger e. V.")
    client.force_login(member)
    data = form_data(own.gemeinde, organisation=other)
    response = client.post(f"/anchors/{own.pk}/edit/", data)
    assert response.status_code == 400
    own.refresh_from_db()
    assert own.provider.name == "Träger e. V." and own.pending_version is None


def test_anonymous_visitors_are_sent_to_sign_in(client, own):
    response = client.post(f"/anchors/{own.pk}/edit/", {"name": "x"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
