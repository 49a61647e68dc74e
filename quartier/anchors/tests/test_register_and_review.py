"""register_anchor, change_anchor, publish_anchor, reject_anchor and the history."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from quartier.anchors import services
from quartier.anchors.models import Anchor, AnchorVersion, OpeningInterval
from quartier.anchors.tests.support import make_anchor, offer, provider, snapshot

pytestmark = pytest.mark.django_db
Action = AnchorVersion.Action


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def public_names():
    return list(Anchor.objects.published().values_list("name", flat=True))


def test_an_entry_by_a_provider_waits_for_review(tuebingen, member):
    anchor = services.register_anchor(snapshot(tuebingen), actor=member)

    assert anchor.status == Anchor.Status.PENDING
    assert public_names() == []
    assert anchor.pending_version.action == Action.SUBMITTED
    assert anchor.pending_version.actor == member
    assert list(services.review_queue()) == [anchor]


def test_an_entry_by_staff_is_published_at_once(tuebingen, staff):
    anchor = services.register_anchor(snapshot(tuebingen), actor=staff)

    assert anchor.status == Anchor.Status.PUBLISHED
    assert public_names() == ["Mehrgenerationenhaus Südstadt"]
    assert services.review_queue() == []


def test_registering_stores_offers_intervals_and_the_quarter(tuebingen, quarter, member):
    data = snapshot(tuebingen, opening_hours="Mo-Fr 09:00-12:00; Sa 10:00-13:00",
                    offers=[offer(title="A"), offer(title="B")])

    anchor = services.register_anchor(data, actor=member)

    assert [o.title for o in anchor.offers.all()] == ["A", "B"]
    assert OpeningInterval.objects.filter(anchor=anchor).count() == 6
    assert anchor.quarter == quarter


def test_a_point_outside_every_published_quarter_has_no_quarter(tuebingen, quarter, member):
    anchor = services.register_anchor(snapshot(tuebingen, dx=2000), actor=member)
    assert anchor.quarter is None


def test_publishing_a_new_entry_makes_it_public(tuebingen, member, staff):
    anchor = services.register_anchor(snapshot(tuebingen), actor=member)

    services.publish_anchor(anchor, seen_version_id=anchor.pending_version_id, actor=staff)

    anchor.refresh_from_db()
    assert anchor.status == Anchor.Status.PUBLISHED and anchor.published_at
    assert anchor.pending_version is None
    assert public_names() == ["Mehrgenerationenhaus Südstadt"]


def test_a_change_to_a_published_entry_stays_private_until_published(tuebingen, member, staff):
    anchor = make_anchor(tuebingen, name="Alter Name")

    version = services.change_anchor(anchor, snapshot(tuebingen, name="Neuer Name"), actor=member)

    assert version.action == Action.PROPOSED
    assert public_names() == ["Alter Name"]
    assert services.current_snapshot(Anchor.objects.get(pk=anchor.pk))["name"] == "Neuer Name"
    services.publish_anchor(anchor, seen_version_id=version.pk, actor=staff)
    assert public_names() == ["Neuer Name"]


def test_rejecting_a_change_keeps_the_published_entry_and_tells_the_provider(
    tuebingen, member, staff
):
    anchor = make_anchor(tuebingen, name="Alter Name")
    version = services.change_anchor(anchor, snapshot(tuebingen, name="Werbung!"), actor=member)

    services.reject_anchor(anchor, "Bitte keine Werbung.", seen_version_id=version.pk,
                           actor=staff)

    anchor.refresh_from_db()
    assert (anchor.status, anchor.name, anchor.pending_version) == ("published", "Alter Name",
                                                                    None)
    rejected = anchor.versions.get(action=Action.REJECTED)
    assert rejected.reason == "Bitte keine Werbung."
    assert rejected.snapshot["name"] == "Werbung!"


def test_rejecting_a_new_entry_keeps_it_private(
    tuebingen, member, staff, django_capture_on_commit_callbacks
):
    anchor = services.register_anchor(snapshot(tuebingen), actor=member)

    with django_capture_on_commit_callbacks(execute=True):
        services.reject_anchor(anchor, "Adresse fehlt.", seen_version_id=anchor.pending_version_id,
                               actor=staff)

    anchor.refresh_from_db()
    assert anchor.status == Anchor.Status.REJECTED
    assert public_names() == []
    assert mail.outbox[0].to == [member.email]
    assert "Adresse fehlt." in mail.outbox[0].body


def test_a_rejected_entry_goes_back_to_review_when_changed(tuebingen, member, staff):
    anchor = services.register_anchor(snapshot(tuebingen), actor=member)
    services.reject_anchor(anchor, "Adresse fehlt.", seen_version_id=anchor.pending_version_id,
                           actor=staff)

    services.change_anchor(anchor, snapshot(tuebingen, street="Marktplatz 1"), actor=member)

    anchor.refresh_from_db()
    assert (anchor.status, anchor.street) == ("pending", "Marktplatz 1")
    assert services.review_queue() == [anchor]


def test_rejecting_needs_a_reason(tuebingen, member, staff):
    anchor = services.register_anchor(snapshot(tuebingen), actor=member)

    with pytest.raises(ValidationError):
        services.reject_anchor(anchor, "   ", seen_version_id=anchor.pending_version_id,
                               actor=staff)

    anchor.refresh_from_db()
    assert anchor.status == Anchor.Status.PENDING


def test_a_decision_on_what_changed_meanwhile_is_refused(tuebingen, member, staff):
    anchor = make_anchor(tuebingen, name="Alt")
    seen = services.change_anchor(anchor, snapshot(tuebingen, name="Erster Vorschlag"),
                                  actor=member)
    services.change_anchor(anchor, snapshot(tuebingen, name="Zweiter Vorschlag"), actor=member)

    with pytest.raises(services.ReviewConflict):
        services.publish_anchor(anchor, seen_version_id=seen.pk, actor=staff)

    assert public_names() == ["Alt"]


def test_nothing_waiting_cannot_be_published(tuebingen, staff):
    anchor = make_anchor(tuebingen)
    with pytest.raises(services.ReviewConflict):
        services.publish_anchor(anchor, seen_version_id=None, actor=staff)


def test_staff_change_a_published_entry_directly(tuebingen, member, staff):
    anchor = make_anchor(tuebingen, name="Alt")
    services.change_anchor(anchor, snapshot(tuebingen, name="Vorschlag"), actor=member)

    version = services.change_anchor(anchor, snapshot(tuebingen, name="Korrigiert"), actor=staff)

    assert version.action == Action.CHANGED
    assert public_names() == ["Korrigiert"]
    assert services.review_queue() == []


def test_the_history_keeps_every_step_with_what_changed(tuebingen, member, staff):
    anchor = services.register_anchor(snapshot(tuebingen), actor=member)
    services.publish_anchor(anchor, seen_version_id=anchor.pending_version_id, actor=staff)
    version = services.change_anchor(
        anchor, snapshot(tuebingen, phone="07071 999", offers=[]), actor=member)
    services.publish_anchor(anchor, seen_version_id=version.pk, actor=staff)

    history = services.history_of(anchor)

    assert [e.version.action for e in history] == [
        Action.PUBLISHED, Action.PROPOSED, Action.PUBLISHED, Action.SUBMITTED]
    assert {c.field for c in history[1].changes} == {"phone", "offers"}
    assert history[1].version.actor == member


def test_versions_are_append_only(tuebingen, member):
    anchor = services.register_anchor(snapshot(tuebingen), actor=member)
    version = anchor.versions.get()
    version.reason = "changed later"
    with pytest.raises(ValueError):
        version.save()


def test_another_providers_organisation_is_kept_in_the_snapshot(tuebingen, staff):
    other = provider("Anderer Träger e. V.")
    anchor = services.register_anchor(snapshot(tuebingen, organisation=other), actor=staff)
    assert anchor.provider == other
    assert anchor.versions.get().snapshot["provider_name"] == "Anderer Träger e. V."
