"""The history page /anchors/<id>/history/: staff and those who keep the entry."""

import pytest

from quartier.accounts.models import Organisation
from quartier.anchors import services
from quartier.anchors.tests.support import snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def anchor(member, staff, tuebingen):
    organisation = Organisation.objects.get(name="Träger e. V.")
    anchor = services.register_anchor(snapshot(tuebingen, organisation=organisation),
                                      actor=member)
    services.publish_anchor(anchor, seen_version_id=anchor.pending_version_id, actor=staff)
    services.change_anchor(anchor, snapshot(tuebingen, organisation=organisation,
                                            phone="07071 4711"), actor=member)
    return anchor


@pytest.mark.parametrize("role", ["staff", "member", "coordinator"])
def test_staff_and_the_keepers_see_every_step(request, client, role, anchor):
    client.force_login(request.getfixturevalue(role))
    response = client.get(f"/anchors/{anchor.pk}/history/")
    assert response.status_code == 200
    actions = [version.action for version, _changes in response.context["entries"]]
    assert actions == ["proposed", "published", "submitted"]
    [change] = response.context["entries"][0][1]
    assert change[1:] == ("", "07071 4711")


@pytest.mark.parametrize("role", ["resident", "other_coordinator", "moderator", "juror",
                                  "consultant"])
def test_others_do_not_see_the_history(request, client, role, anchor):
    client.force_login(request.getfixturevalue(role))
    assert client.get(f"/anchors/{anchor.pk}/history/").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, anchor):
    assert client.get(f"/anchors/{anchor.pk}/history/").status_code == 302
