"""The review queue /anchors/review/: new entries and proposed changes, for staff only."""

import pytest

from quartier.accounts.models import Organisation
from quartier.anchors import services
from quartier.anchors.tests.support import make_anchor, snapshot

pytestmark = pytest.mark.django_db
NOT_STAFF = ["resident", "member", "coordinator", "county_coordinator", "moderator", "juror",
             "consultant"]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def submitted(member, tuebingen):
    organisation = Organisation.objects.get(name="Träger e. V.")
    return services.register_anchor(
        snapshot(tuebingen, organisation=organisation, name="Neues Zentrum"), actor=member
    )


def test_staff_see_new_entries_and_changes_in_the_queue(client, staff, submitted, tuebingen,
                                                       member):
    published = make_anchor(tuebingen, name="Bekanntes Haus")
    services.change_anchor(published, snapshot(tuebingen, name="Umbenannt"), actor=member)
    client.force_login(staff)

    response = client.get("/anchors/review/")

    assert response.status_code == 200
    assert [a.name for a in response.context["anchors"]] == ["Neues Zentrum", "Bekanntes Haus"]
    assert b"member@example.org" in response.content


@pytest.mark.parametrize("role", NOT_STAFF)
def test_nobody_but_staff_sees_the_queue(request, client, role, submitted):
    client.force_login(request.getfixturevalue(role))
    assert client.get("/anchors/review/").status_code == 403


def test_anonymous_visitors_do_not_see_the_queue(client, submitted):
    assert client.get("/anchors/review/").status_code == 403
