"""A resident comments on an article and answers a comment (participation's comments).

Participation's texts are located by ids and classes: this test does not depend on its catalog."""

import pytest
from playwright.sync_api import expect

from conftest import make_org, make_user
from quartier.news.tests.support import make_article
from quartier.participation.models import Comment
from quartier.testing.browser import check_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_a_resident_comments_on_an_article_and_replies(page, sign_in, places_loaded):
    article = make_article("08416041", title="Bürgerwerkstatt in Tübingen")
    resident = make_user("anwohnerin@example.org", "resident",
                         make_org("Stadt Tübingen", "kommune", "08416041"))
    page.goto(f"/news/{article.pk}/")
    # Without an account: a link to sign in instead of the form.
    expect(page.locator("#comments a[href^='/accounts/login/']")).to_be_visible()
    expect(page.locator("#comment-text")).to_have_count(0)
    check_axe(page)

    sign_in(resident)
    page.goto(f"/news/{article.pk}/")
    page.locator("#comment-text").fill("")
    page.locator(".comment-form button[type=submit]").click()
    expect(page.locator(".comments .error-summary")).to_be_visible()
    check_axe(page)
    assert not Comment.objects.exists()

    page.locator("#comment-text").fill("Ich bringe <b>Kuchen</b> mit!")
    page.locator(".comment-form button[type=submit]").click()
    expect(page.locator(".comment-list")).to_contain_text("Ich bringe <b>Kuchen</b> mit!")
    check_axe(page)

    page.locator(".reply-form summary").first.click()
    page.locator(".reply-form textarea").first.fill("Super, danke!")
    page.locator(".reply-form button[type=submit]").first.click()
    expect(page.locator(".replies")).to_contain_text("Super, danke!")
    check_axe(page)
    comment = Comment.objects.get(parent=None)
    assert comment.target == article and Comment.objects.get(parent=comment).text == (
        "Super, danke!")
