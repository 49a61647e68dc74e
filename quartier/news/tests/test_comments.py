"""Comments on articles: participation's generic comments, with news' own permission."""

import pytest

from quartier.news import services
from quartier.news.tests.support import make_article
from quartier.participation import services as participation
from quartier.participation.models import Comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(db):
    return make_article("08416041", title="Werkstatt")


def post(client, article, **data):
    return client.post(f"/news/{article.pk}/comments/", {"text": "Gute Idee!", **data})


def test_a_resident_comments_and_replies(client, resident, member, article):
    client.force_login(resident)
    response = post(client, article)
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/news/{article.pk}/?comments=1#comment-{comment.pk}"
    assert comment.target == article and comment.author == resident
    # Moderators of Tübingen look after the comments of Tübingen's articles.
    assert comment.ags == "08416041"
    client.force_login(member)
    post(client, article, text="Finde ich auch", parent=str(comment.pk))
    reply = Comment.objects.get(parent=comment)
    page = client.get(f"/news/{article.pk}/")
    assert page.context["can_comment"] is True
    thread = page.context["thread"]
    assert [c.pk for c in thread] == [comment.pk] and [r.pk for r in thread[0].reply_list] == [
        reply.pk]
    assert "Finde ich auch" in page.content.decode()


def test_comments_on_statewide_articles_are_for_every_moderator(client, resident):
    article = make_article("08")
    client.force_login(resident)
    post(client, article)
    assert Comment.objects.get().ags == participation.moderation_ags(article)


def test_htmx_gets_the_comment_section_back(client, resident, article):
    client.force_login(resident)
    response = client.post(f"/news/{article.pk}/comments/", {"text": "Per htmx"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'id="comments"' in response.content.decode() and "Per htmx" in response.content.decode()


def test_an_empty_or_hostile_comment_is_a_message_at_the_field_and_nothing_is_saved(
    client, resident, article
):
    client.force_login(resident)
    response = post(client, article, text="   ")
    assert response.status_code == 400
    assert response.context["comment_form"].errors
    assert "Werkstatt" in response.content.decode()  # the article page, with the error
    assert not Comment.objects.exists()
    post(client, article, text='<script>alert("x")</script>')
    html = client.get(f"/news/{article.pk}/").content.decode()
    assert '<script>alert("x")' not in html and "&lt;script&gt;alert" in html


def test_the_honeypot_keeps_bots_out(client, resident, article):
    client.force_login(resident)
    response = post(client, article, homepage="http://spam.example")
    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_comments_need_a_signed_in_account(client, article):
    response = post(client, article)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Comment.objects.exists()
    assert client.get(f"/news/{article.pk}/").context["can_comment"] is False


def test_a_blocked_account_cannot_comment(client, resident, staff, article):
    participation.block(resident, "Beleidigungen", moderator=staff)
    client.force_login(resident)
    assert client.get(f"/news/{article.pk}/").context["can_comment"] is False
    assert post(client, article).status_code == 403
    assert not Comment.objects.exists()


def test_no_comments_on_closed_articles_drafts_or_scheduled_articles(client, resident,
                                                                     coordinator):
    import datetime as dt

    from django.utils import timezone

    closed = make_article("08416041", accepts_comments=False)
    draft = make_article("08416041", status="draft")
    scheduled = make_article("08416041", published_at=timezone.now() + dt.timedelta(days=1))
    client.force_login(resident)
    assert post(client, closed).status_code == 403
    assert post(client, draft).status_code == 404
    assert post(client, scheduled).status_code == 404
    # Not even those who keep the draft: it is not public yet.
    client.force_login(coordinator)
    assert post(client, draft).status_code == 403
    assert not Comment.objects.exists()


def test_a_reply_to_a_comment_of_another_article_is_refused(client, resident, article):
    other = make_article("08421000")
    foreign = participation.add_comment(other, "Woanders", author=resident)
    client.force_login(resident)
    response = post(client, article, parent=str(foreign.pk))
    assert response.status_code == 400
    assert Comment.objects.count() == 1


def test_authors_may_edit_their_comments_while_comments_are_open(resident, article):
    comment = participation.add_comment(article, "Tippfehler", author=resident)
    assert resident.has_perm("participation.change_comment", comment)
    article.accepts_comments = False
    article.save()
    comment = Comment.objects.get(pk=comment.pk)
    assert not resident.has_perm("participation.change_comment", comment)


def test_deleting_an_article_deletes_its_comments(resident, staff, article):
    participation.add_comment(article, "Weg damit", author=resident)
    services.delete_article(article, actor=staff)
    assert not Comment.objects.exists()


def test_the_article_page_with_many_comments_has_a_constant_number_of_queries(
    client, resident, member, article, django_assert_max_num_queries
):
    first = participation.add_comment(article, "Eins", author=resident)
    with django_assert_max_num_queries(20) as few:
        client.get(f"/news/{article.pk}/")
    for number in range(8):
        top = participation.add_comment(article, f"Kommentar {number}", author=member)
        participation.add_comment(article, "Antwort", author=resident, parent=top)
    participation.add_comment(article, "Antwort", author=member, parent=first)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(f"/news/{article.pk}/")


def test_a_hidden_comment_keeps_its_thread_readable_and_cannot_be_answered(
    client, resident, member, moderator, article
):
    comment = participation.add_comment(article, "Beleidigung", author=member)
    participation.add_comment(article, "Sachliche Antwort", author=resident, parent=comment)
    participation.hide(comment, "Beleidigend", moderator=moderator)
    client.force_login(resident)
    response = post(client, article, text="Noch eine Antwort", parent=str(comment.pk))
    assert response.status_code == 400
    assert response.context["comment_form"].errors["parent"]
    assert Comment.objects.count() == 2
    client.logout()
    html = client.get(f"/news/{article.pk}/").content.decode()
    assert "Beleidigend" in html and "Sachliche Antwort" in html
    assert "Beleidigung<" not in html


def test_a_reply_to_an_unknown_comment_is_refused(client, resident, article):
    client.force_login(resident)
    for parent in ("999999", "abc", "-1"):
        response = post(client, article, parent=parent)
        assert response.status_code in (400, 404), parent
    assert not Comment.objects.exists()
