"""services.add_comment: the generic comment any app (ideas, news) uses."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import make_user
from quartier.participation import services
from quartier.participation.models import Comment, Idea


def test_a_verified_account_comments_and_the_idea_counts_it(idea, member):
    comment = services.add_comment(idea, "  Gute Idee!\r\nUnbedingt.  ", author=member)
    assert comment.text == "Gute Idee!\nUnbedingt."
    assert comment.target == idea and comment.parent is None
    assert comment.ags == idea.process.quarter.gemeinde.ags
    assert Idea.objects.get(pk=idea.pk).comment_count == 1


def test_anonymous_unverified_and_blocked_accounts_cannot_comment(idea, anonymous, staff,
                                                                  member):
    unverified = make_user("neu@example.org")
    unverified.emailaddress_set.update(verified=False)
    services.block(member, "Beleidigungen", moderator=staff)
    for user in (anonymous, unverified, member):
        with pytest.raises(PermissionDenied):
            services.add_comment(idea, "Hallo", author=user)
    assert not Comment.objects.exists()


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01", "x" * 3001])
def test_empty_or_too_long_text_is_refused_at_the_text_field(idea, member, text):
    with pytest.raises(ValidationError) as caught:
        services.add_comment(idea, text, author=member)
    assert "text" in caught.value.message_dict
    assert not Comment.objects.exists()


def test_nul_characters_are_removed_not_stored(idea, member):
    assert services.add_comment(idea, "a\x00b", author=member).text == "ab"


def test_html_is_stored_as_typed_and_shown_inert(client, idea, member):
    services.add_comment(idea, "<script>alert(1)</script><b>fett</b>", author=member)
    page = client.get(idea.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;fett&lt;/b&gt;" in page


def test_a_reply_to_a_reply_joins_the_thread(idea, member, resident):
    top = services.add_comment(idea, "Erster", author=member)
    reply = services.add_comment(idea, "Antwort", author=resident, parent=top)
    again = services.add_comment(idea, "Antwort auf Antwort", author=member, parent=reply)
    assert reply.parent == top and again.parent == top


def test_replies_to_hidden_or_foreign_comments_are_refused(idea, process, member, moderator):
    from quartier.participation.tests.support import make_idea

    other = make_idea(process, title="Andere Idee")
    foreign = services.add_comment(other, "Dort", author=member)
    hidden = services.add_comment(idea, "Unfreundlich", author=member)
    services.hide(hidden, "Beleidigend", moderator=moderator)
    for parent in (foreign, hidden):
        with pytest.raises(ValidationError) as caught:
            services.add_comment(idea, "Antwort", author=member, parent=parent)
        assert "parent" in caught.value.message_dict
    assert Comment.objects.filter(object_id=idea.pk).count() == 1


def test_the_rate_limit_stops_a_flood(idea, member, settings):
    settings.PARTICIPATION_RATE_LIMITS = {"comment": (3, 600)}
    for number in range(3):
        services.add_comment(idea, f"Nummer {number}", author=member)
    with pytest.raises(ValidationError) as caught:
        services.add_comment(idea, "Noch eine", author=member)
    assert "__all__" in caught.value.message_dict
    assert Comment.objects.count() == 3


def test_followers_are_told_of_a_new_comment_and_authors_of_a_reply(
    idea, member, resident, mailoutbox, django_capture_on_commit_callbacks
):
    services.follow(resident, idea=idea)
    top = services.add_comment(idea, "Frage?", author=resident)
    assert not resident.participation_notifications.exists()  # not of their own comment
    with django_capture_on_commit_callbacks(execute=True):
        services.add_comment(idea, "Antwort!", author=member, parent=top)
    texts = list(resident.participation_notifications.values_list("text", flat=True))
    assert len(texts) == 2 and any("replied" in t for t in texts)
    assert [m.to for m in mailoutbox] == [[resident.email], [resident.email]]
    assert "Antwort" not in mailoutbox[0].body  # the mail links, it does not quote


def test_deleting_a_targets_comments_takes_their_reports_along(idea, member, resident):
    top = services.add_comment(idea, "Erster", author=member)
    services.add_comment(idea, "Antwort", author=resident, parent=top)
    services.report(top, "spam", reporter=resident)
    assert services.delete_comments_of(idea) == 2
    assert not Comment.objects.exists()
    from quartier.participation.models import Report

    assert not Report.objects.exists()
