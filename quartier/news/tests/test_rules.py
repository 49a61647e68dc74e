"""news.add/change/publish/delete/view_article for every role."""

import pytest

from quartier.news.tests.support import (
    KEEP_LAND,
    KEEP_TUEBINGEN,
    KEEP_ULM,
    MAY_WRITE,
    ROLES,
    make_article,
)

pytestmark = pytest.mark.django_db
CHANGE_PERMS = ["news.change_article", "news.publish_article", "news.delete_article"]


@pytest.mark.parametrize("role", ROLES)
def test_only_programme_staff_and_coordinators_may_write_articles(request, role):
    user = request.getfixturevalue(role)
    assert user.has_perm("news.add_article") is (role in MAY_WRITE)


@pytest.mark.parametrize("perm", CHANGE_PERMS)
@pytest.mark.parametrize("role", ROLES)
def test_a_tuebingen_article_is_kept_by_staff_and_tuebingens_coordinators(request, role, perm):
    user = request.getfixturevalue(role)
    article = make_article("08416041")
    assert user.has_perm(perm, article) is (role in KEEP_TUEBINGEN)


@pytest.mark.parametrize("perm", CHANGE_PERMS)
@pytest.mark.parametrize("role", ROLES)
def test_an_ulm_article_is_kept_by_staff_and_ulms_coordinator(request, role, perm):
    user = request.getfixturevalue(role)
    article = make_article("08421000")
    assert user.has_perm(perm, article) is (role in KEEP_ULM)


@pytest.mark.parametrize("perm", CHANGE_PERMS)
@pytest.mark.parametrize("role", ROLES)
def test_a_statewide_article_is_kept_by_programme_staff_only(request, role, perm):
    user = request.getfixturevalue(role)
    article = make_article("08")
    assert user.has_perm(perm, article) is (role in KEEP_LAND)


@pytest.mark.parametrize("perm", CHANGE_PERMS)
@pytest.mark.parametrize("role", ROLES)
def test_a_landkreis_article_is_not_kept_by_the_coordinator_of_a_gemeinde_in_it(
    request, role, perm
):
    user = request.getfixturevalue(role)
    article = make_article("08416")
    assert user.has_perm(perm, article) is (role in {"staff", "county_coordinator"})


@pytest.mark.parametrize("role", ROLES)
def test_everyone_sees_published_articles(request, role):
    user = request.getfixturevalue(role)
    assert user.has_perm("news.view_article", make_article("08416041"))


@pytest.mark.parametrize("status", ["draft", "scheduled"])
@pytest.mark.parametrize("role", ROLES)
def test_drafts_and_scheduled_articles_are_seen_only_by_those_who_keep_them(
    request, role, status
):
    import datetime as dt

    from django.utils import timezone

    user = request.getfixturevalue(role)
    if status == "draft":
        article = make_article("08416041", status="draft")
    else:
        article = make_article("08416041", published_at=timezone.now() + dt.timedelta(days=2))
    assert user.has_perm("news.view_article", article) is (role in KEEP_TUEBINGEN)


@pytest.mark.parametrize("role", ROLES)
def test_every_signed_in_account_may_comment_on_public_articles_only(request, role):
    import datetime as dt

    from django.utils import timezone

    user = request.getfixturevalue(role)
    public = make_article("08416041")
    closed = make_article("08416041", accepts_comments=False)
    draft = make_article("08416041", status="draft")
    scheduled = make_article("08416041", published_at=timezone.now() + dt.timedelta(days=2))
    assert user.has_perm("news.comment_article", public) is (role != "anonymous")
    for article in (closed, draft, scheduled):
        assert not user.has_perm("news.comment_article", article)


def test_a_blocked_account_may_not_comment(resident, staff):
    from quartier.participation import services as participation

    participation.block(resident, "Beleidigungen", moderator=staff)
    assert not resident.has_perm("news.comment_article", make_article("08416041"))


@pytest.mark.parametrize("role", ROLES)
def test_only_programme_staff_keep_the_tags(request, role):
    user = request.getfixturevalue(role)
    for action in ("view", "add", "change", "delete"):
        assert user.has_perm(f"news.{action}_tag") is (role == "staff")
