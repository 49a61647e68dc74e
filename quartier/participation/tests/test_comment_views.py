"""Posting comments and replies on an idea page: with and without htmx, bad input, edits."""

from quartier.participation import services
from quartier.participation.models import Comment
from quartier.participation.tests.support import close_phases


def comment_url(idea):
    return f"/participation/ideas/{idea.pk}/comments/"


def test_a_comment_is_posted_and_the_browser_sent_to_it(client, idea, member):
    client.force_login(member)
    response = client.post(comment_url(idea), {"text": "Schöne Idee"})
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{idea.get_absolute_url()}?comments=1#comment-{comment.pk}"
    assert comment.author == member and comment.text == "Schöne Idee"


def test_htmx_gets_the_comment_section_back(client, idea, member):
    client.force_login(member)
    response = client.post(comment_url(idea), {"text": "Per htmx"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="comments"') and "Per htmx" in html
    assert "<html" not in html


def test_an_empty_comment_is_shown_as_an_error_at_the_field(client, idea, member):
    client.force_login(member)
    response = client.post(comment_url(idea), {"text": "   "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Comment.objects.exists()
    response = client.post(comment_url(idea), {"text": ""}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()


def test_a_reply_to_a_hidden_comment_is_refused_and_the_text_kept(client, idea, member,
                                                                   moderator):
    hidden = services.add_comment(idea, "Böse", author=member)
    services.hide(hidden, "Beleidigung", moderator=moderator)
    client.force_login(member)
    response = client.post(comment_url(idea), {"text": "Meine Antwort", "parent": hidden.pk})
    assert response.status_code == 400
    html = response.content.decode()
    assert "hidden by moderation and cannot be answered" in html
    assert Comment.objects.count() == 1


def test_a_reply_to_a_missing_or_foreign_comment_is_refused(client, idea, process, member):
    from quartier.participation.tests.support import make_idea

    foreign = services.add_comment(make_idea(process, title="Andere"), "Dort", author=member)
    client.force_login(member)
    for parent in (foreign.pk, 999999, "abc"):
        response = client.post(comment_url(idea), {"text": "Antwort", "parent": parent})
        assert response.status_code == 400
    assert Comment.objects.count() == 1


def test_the_honeypot_keeps_robots_out(client, idea, member):
    client.force_login(member)
    response = client.post(comment_url(idea), {"text": "Billige Uhren", "homepage": "http://x"})
    assert response.status_code == 400 and not Comment.objects.exists()


def test_comments_outside_the_phases_and_from_anonymous_visitors_are_refused(client, idea, member):
    assert client.post(comment_url(idea), {"text": "Anonym"}).status_code == 403
    close_phases(idea.process)
    client.force_login(member)
    assert client.post(comment_url(idea), {"text": "Zu spät"}).status_code == 403
    assert not Comment.objects.exists()


def test_the_author_edits_a_comment_while_the_phase_is_open(client, idea, member):
    comment = services.add_comment(idea, "Tippfeler", author=member)
    client.force_login(member)
    response = client.post(f"/participation/comments/{comment.pk}/edit/", {"text": "Tippfehler"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.text == "Tippfehler" and comment.edited_at is not None
    close_phases(idea.process)
    response = client.post(f"/participation/comments/{comment.pk}/edit/", {"text": "Später"})
    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.text == "Tippfehler"


def test_script_in_a_comment_stays_text_in_the_htmx_section(client, idea, member):
    client.force_login(member)
    html = client.post(comment_url(idea), {"text": '<img src=x onerror="alert(1)">'},
                       headers={"HX-Request": "true"}).content.decode()
    assert "<img src=x" not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
