"""The decision page /anchors/<id>/review/: only programme staff publish or reject."""

import pytest

from quartier.accounts.models import Organisation
from quartier.anchors import services
from quartier.anchors.models import Anchor
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


def test_the_review_page_marks_what_a_change_changes(client, staff, tuebingen, member):
    published = make_anchor(tuebingen, name="Bekanntes Haus")
    services.change_anchor(published, snapshot(tuebingen, name="Umbenannt"), actor=member)
    client.force_login(staff)

    response = client.get(f"/anchors/{published.pk}/review/")

    changed = [label for label, _value, is_changed in response.context["rows"] if is_changed]
    assert changed == ["Name"]


def test_staff_publish_an_entry(client, staff, submitted):
    client.force_login(staff)
    response = client.post(f"/anchors/{submitted.pk}/review/", {
        "decision": "publish", "version": submitted.pending_version_id})

    assert response.status_code == 302 and response["Location"] == "/anchors/review/"
    submitted.refresh_from_db()
    assert submitted.status == Anchor.Status.PUBLISHED
    assert client.get(f"/anchors/{submitted.pk}/").status_code == 200


def test_staff_reject_an_entry_with_a_reason(client, staff, submitted):
    client.force_login(staff)
    response = client.post(f"/anchors/{submitted.pk}/review/", {
        "decision": "reject", "reason": "Die Adresse fehlt.",
        "version": submitted.pending_version_id})

    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Anchor.Status.REJECTED


def test_rejecting_without_a_reason_is_refused(client, staff, submitted):
    client.force_login(staff)
    response = client.post(f"/anchors/{submitted.pk}/review/", {
        "decision": "reject", "reason": "", "version": submitted.pending_version_id})
    assert response.status_code == 400
    assert Anchor.objects.get(pk=submitted.pk).status == Anchor.Status.PENDING


def test_a_stale_decision_is_refused(client, staff, submitted, member, tuebingen):
    seen = submitted.pending_version_id
    services.change_anchor(submitted, snapshot(tuebingen, name="Zweite Fassung"), actor=member)
    client.force_login(staff)
    response = client.post(f"/anchors/{submitted.pk}/review/", {"decision": "publish",
                                                                "version": seen})
    assert response.status_code == 400
    assert Anchor.objects.get(pk=submitted.pk).status == Anchor.Status.PENDING


@pytest.mark.parametrize("role", NOT_STAFF)
def test_nobody_but_staff_decides(request, client, role, submitted):
    client.force_login(request.getfixturevalue(role))
    assert client.get(f"/anchors/{submitted.pk}/review/").status_code == 403
    response = client.post(f"/anchors/{submitted.pk}/review/", {
        "decision": "publish", "version": submitted.pending_version_id})
    assert response.status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == Anchor.Status.PENDING
    assert submitted.pending_version is not None


def test_anonymous_visitors_cannot_decide(client, submitted):
    response = client.post(f"/anchors/{submitted.pk}/review/", {"decision": "publish"})
    assert response.status_code == 403
    assert Anchor.objects.get(pk=submitted.pk).status == Anchor.Status.PENDING
