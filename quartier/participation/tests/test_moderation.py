"""Reports, the moderators' queue, hiding with a public reason, warnings and blocks."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from conftest import make_org, make_quarter, make_user
from quartier.accounts.models import AuditEvent
from quartier.participation import services
from quartier.participation.models import Idea, Report, Sanction
from quartier.participation.tests.support import make_idea, make_process


def test_anyone_signed_in_reports_once_with_a_reason(idea, member, anonymous):
    first = services.report(idea, "spam", reporter=member, explanation="Werbung")
    again = services.report(idea, "insult", reporter=member)
    assert first == again and Report.objects.count() == 1
    assert first.ags == idea.process.quarter.gemeinde.ags
    with pytest.raises(PermissionDenied):
        services.report(idea, "spam", reporter=anonymous)


@pytest.mark.parametrize("reason, explanation, field", [
    ("nonsense", "", "reason"), ("other", "", "explanation"), ("spam", "x" * 1001, "explanation"),
])
def test_bad_reports_are_refused_at_the_field(idea, member, reason, explanation, field):
    with pytest.raises(ValidationError) as caught:
        services.report(idea, reason, reporter=member, explanation=explanation)
    assert field in caught.value.message_dict and not Report.objects.exists()


def test_the_queue_shows_a_moderator_the_reports_of_their_place_only(
    idea, member, resident, moderator, staff, ulm
):
    ulm_idea = make_idea(make_process(make_quarter(ulm, name="Weststadt")), resident)
    comment = services.add_comment(idea, "Unfreundlich", author=resident)
    services.report(comment, "insult", reporter=member)
    services.report(comment, "insult", reporter=make_user("x@example.org"))
    services.report(ulm_idea, "spam", reporter=member)
    queue = services.report_queue(moderator)
    assert [(item.kind, item.contribution, len(item.reports)) for item in queue] == [
        ("comment", comment, 2)]
    assert len(services.report_queue(staff)) == 2
    assert services.report_queue(member) == []


def test_a_statewide_moderator_sees_everything(idea, member, ulm, resident):
    land_moderator = make_user("land-mod@example.org", "moderator", make_org("Land", "land"),
                               second_factor=True)
    ulm_idea = make_idea(make_process(make_quarter(ulm, name="Weststadt")), resident)
    services.report(ulm_idea, "spam", reporter=member)
    assert len(services.report_queue(land_moderator)) == 1
    assert services.may_moderate(land_moderator, "08421000")


def test_hiding_keeps_the_text_resolves_reports_logs_and_tells_the_author(
    idea, member, resident, moderator
):
    comment = services.add_comment(idea, "Beleidigung", author=member)
    services.add_comment(idea, "Antwort bleibt", author=resident, parent=comment)
    services.report(comment, "insult", reporter=resident)
    services.hide(comment, "Beleidigt andere.", moderator=moderator)
    comment.refresh_from_db()
    assert comment.hidden and comment.hidden_reason == "Beleidigt andere."
    assert comment.text == "Beleidigung"  # moderators never change the text
    assert Report.objects.get().resolution == "hidden"
    event = AuditEvent.objects.get(action="participation.hidden")
    assert event.actor == moderator and event.data["reason"] == "Beleidigt andere."
    assert member.participation_notifications.filter(text__contains="Beleidigt andere.").exists()
    thread = services.comment_thread(idea)
    assert thread[0].hidden and thread[0].reply_list[0].text == "Antwort bleibt"


def test_hiding_needs_a_reason_and_the_right_moderator(idea, member, moderator, ulm, resident):
    comment = services.add_comment(idea, "Text", author=member)
    with pytest.raises(ValidationError):
        services.hide(comment, "  ", moderator=moderator)
    with pytest.raises(PermissionDenied):
        services.hide(comment, "Grund", moderator=member)
    ulm_idea = make_idea(make_process(make_quarter(ulm, name="Weststadt")), resident)
    with pytest.raises(PermissionDenied):
        services.hide(ulm_idea, "Grund", moderator=moderator)
    comment.refresh_from_db()
    assert not comment.hidden and not AuditEvent.objects.filter(
        action="participation.hidden").exists()


def test_a_hidden_idea_leaves_the_list_and_the_map_and_can_be_shown_again(idea, moderator):
    idea.x, idea.y = idea.process.quarter.x, idea.process.quarter.y
    idea.save()
    services.hide(idea, "Doppelt eingestellt", moderator=moderator)
    process = idea.process
    process.refresh_from_db()
    assert b'"features":[]' in services.ideas_geojson(process)
    assert services.idea_page(process, services.IdeaFilter()).paginator.count == 0
    services.unhide(Idea.objects.get(pk=idea.pk), moderator=moderator)
    process.refresh_from_db()
    assert services.idea_page(process, services.IdeaFilter()).paginator.count == 1
    assert AuditEvent.objects.filter(action="participation.unhidden").exists()


def test_dismissing_reports_keeps_the_contribution_and_is_logged(idea, member, moderator):
    services.report(idea, "spam", reporter=member)
    assert services.dismiss_reports(idea, moderator=moderator) == 1
    idea.refresh_from_db()
    assert not idea.hidden and Report.objects.get().resolution == "dismissed"
    assert services.report_queue(moderator) == []
    assert AuditEvent.objects.filter(action="participation.reports_dismissed").exists()
    with pytest.raises(ValidationError):
        services.report(idea, "spam", reporter=member)  # already looked at


def test_warnings_and_blocks_are_logged_and_told(idea, member, moderator, resident):
    services.add_comment(idea, "Unsachlich", author=member)
    services.warn(member, "Bitte sachlich bleiben.", moderator=moderator)
    assert not services.is_blocked(member)
    services.block(member, "Wiederholt beleidigend.", moderator=moderator)
    member = type(member).objects.get(pk=member.pk)
    assert services.is_blocked(member)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"participation.warned", "participation.blocked"} <= actions
    assert member.participation_notifications.count() == 2
    with pytest.raises(PermissionDenied):
        services.block(member, "x", moderator=resident)
    with pytest.raises(ValidationError):
        services.block(moderator, "x", moderator=moderator)
    services.unblock(member, moderator=moderator)
    assert not services.is_blocked(type(member).objects.get(pk=member.pk))


def test_a_block_with_an_end_ends(idea, member, moderator):
    services.report(idea, "spam", reporter=member)  # something in the moderator's place
    sanction = services.block(member, "Eine Woche Pause", moderator=moderator,
                              until=timezone.now() + timezone.timedelta(days=7))
    assert services.is_blocked(type(member).objects.get(pk=member.pk))
    Sanction.objects.filter(pk=sanction.pk).update(until=timezone.now())
    assert not services.is_blocked(type(member).objects.get(pk=member.pk))
    with pytest.raises(ValidationError):
        services.block(member, "x", moderator=moderator, until=timezone.now())


def test_the_moderation_pages_hide_with_a_reason_and_block_the_author(
    client, idea, member, resident, moderator
):
    comment = services.add_comment(idea, "Du Schuft", author=member)
    services.report(comment, "insult", reporter=resident)
    client.force_login(moderator)
    assert b"Du Schuft" in client.get("/participation/moderation/").content
    url = f"/participation/moderation/comment/{comment.pk}/"
    response = client.post(url, {"action": "hide", "reason": ""})
    assert response.status_code == 400 and b"Give the public reason" in response.content
    response = client.post(url, {"action": "hide", "reason": "Beleidigend"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.hidden
    page = client.get(idea.get_absolute_url()).content.decode()
    assert "Beleidigend" in page and "Du Schuft" not in page
    url = f"/participation/moderation/accounts/{member.pk}/"
    assert client.post(url, {"action": "block", "reason": ""}).status_code == 400
    assert client.post(url, {"action": "block", "reason": "Mehrfach"}).status_code == 302
    assert services.is_blocked(type(member).objects.get(pk=member.pk))
    assert client.post(url, {"action": "unblock"}).status_code == 302
    assert not services.is_blocked(type(member).objects.get(pk=member.pk))


def test_reporting_through_the_page_returns_to_the_comment(client, idea, member, resident):
    comment = services.add_comment(idea, "Werbung", author=member)
    client.force_login(resident)
    url = f"/participation/report/comment/{comment.pk}/"
    response = client.post(url, {"reason": "other", "explanation": ""})
    assert response.status_code == 400 and not Report.objects.exists()
    response = client.post(url, {"reason": "spam", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == comment.get_absolute_url()
    assert Report.objects.get().reporter == resident


def test_hidden_contributions_show_only_their_reason_on_every_page(client, idea, member,
                                                                    moderator):
    """Neither the idea page's title and breadcrumb nor the report page give a hidden
    idea's or comment's words away; its moderators still read them."""
    idea.title, idea.text = "Geheimer Titel", "Geheimer Text"
    idea.save()
    comment = services.add_comment(idea, "Geheimer Kommentar", author=member)
    services.hide(comment, "Beleidigend", moderator=moderator)
    services.hide(idea, "Doppelt", moderator=moderator)
    for viewer in (None, member):
        if viewer is not None:
            client.force_login(viewer)
        html = client.get(idea.get_absolute_url()).content.decode()
        assert "Geheim" not in html and "Doppelt" in html and "Beleidigend" in html
    for kind, pk in (("idea", idea.pk), ("comment", comment.pk)):
        response = client.get(f"/participation/report/{kind}/{pk}/")
        assert response.status_code == 302 and "Geheim" not in response.content.decode()
        response = client.get(response["Location"])
        assert "This contribution is already hidden." in response.content.decode()
    client.force_login(moderator)
    assert "Geheimer Titel" in client.get(
        f"/participation/moderation/idea/{idea.pk}/").content.decode()
    assert "Geheimer Kommentar" in client.get(
        f"/participation/moderation/comment/{comment.pk}/").content.decode()


def test_a_places_moderators_sanction_only_accounts_that_took_part_there(
    client, idea, member, resident, moderator, staff, ulm
):
    """A block holds everywhere, so a Gemeinde's moderators may warn or block (and open the
    account page of) only people who wrote or reported something in their place."""
    ulm_moderator = make_user("mod-ulm@example.org", "moderator",
                              make_org("Stadt Ulm", "kommune", ulm.ags), second_factor=True)
    services.add_comment(idea, "In Tübingen geschrieben", author=member)
    for action in (services.warn, services.block):
        with pytest.raises(PermissionDenied):
            action(member, "Grund", moderator=ulm_moderator)
        with pytest.raises(PermissionDenied):
            action(staff, "Grund", moderator=moderator)  # never took part anywhere
    client.force_login(ulm_moderator)
    url = f"/participation/moderation/accounts/{member.pk}/"
    assert client.get(url).status_code == 403
    assert client.post(url, {"action": "block", "reason": "Grund"}).status_code == 403
    assert not services.is_blocked(type(member).objects.get(pk=member.pk))
    services.block(member, "Beleidigend", moderator=moderator)  # their own place
    with pytest.raises(PermissionDenied):
        services.unblock(member, moderator=ulm_moderator)
    assert client.post(url, {"action": "unblock"}).status_code == 403
    land_moderator = make_user("mod-land@example.org", "moderator", make_org("Land", "land"),
                               second_factor=True)
    assert services.may_sanction(land_moderator, staff) and services.may_sanction(staff, member)
    assert not Sanction.objects.filter(user=staff).exists()
