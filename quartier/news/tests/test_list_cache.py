"""The cached news lists: the same for everyone, and new the moment any change commits, in
every app-server process (each keeps its own cache, keyed by a token in the database)."""

import datetime as dt

import pytest
from django.contrib import admin
from django.test import RequestFactory, override_settings
from django.utils import timezone

from quartier.news import services
from quartier.news.admin import TagAdmin
from quartier.news.models import Article, Tag
from quartier.news.tests.support import make_article, tag

pytestmark = pytest.mark.django_db
LISTS = ["/news/", "/news/tags/beratung/", "/news/places/08416041/", "/news/places/08416/",
         "/news/?tag=beratung", "/news/?place=08416041"]


def process(name):
    """Another app-server process: its own local-memory cache."""
    return override_settings(CACHES={"default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": name}})


def shown(client, path):
    return client.get(path).content.decode()


def save(article, *, staff, **changes):
    for name, value in changes.items():
        setattr(article, name, value)
    return services.save_article(article, tags=list(article.tags.all()),
                                 places=list(article.places.all()),
                                 quarters=list(article.quarters.all()), actor=staff)


@pytest.fixture
def articles():
    beratung = tag("beratung")
    return (make_article("08416041", title="Pressemitteilung zurückgezogen", tags=[beratung],
                         places=["08416041"]),
            make_article("08416041", title="Zweite Meldung", tags=[beratung],
                         places=["08416041"]))


def test_an_unpublished_article_leaves_the_lists_of_every_process_at_once(client, staff,
                                                                          articles):
    first, second = articles
    for name in ("worker-1", "worker-2"):
        with process(name):
            for path in LISTS:
                assert "Pressemitteilung zurückgezogen" in shown(client, path)
    # Worker 1 takes it back; worker 2's cache never hears of it.
    with process("worker-1"):
        save(first, staff=staff, status=Article.Status.DRAFT)
    with process("worker-2"):
        for path in LISTS:
            assert "Pressemitteilung zurückgezogen" not in shown(client, path), path
            assert "Zweite Meldung" in shown(client, path)


def test_a_correction_stamped_before_the_last_change_still_renews_the_lists(client, staff,
                                                                           articles):
    # Two workers save at once: the correction is stamped first but commits last, so neither
    # the number of articles nor the latest updated_at changes with it.
    first, second = articles
    stamped = first.updated_at
    assert stamped < second.updated_at
    assert "Pressemitteilung zurückgezogen" in shown(client, "/news/")
    save(first, staff=staff, title="Pressemitteilung ohne Namen")
    Article.objects.filter(pk=first.pk).update(updated_at=stamped)
    for path in LISTS:
        html = shown(client, path)
        assert "Pressemitteilung zurückgezogen" not in html and "ohne Namen" in html, path


def test_an_unpublish_while_another_article_comes_due_still_renews_the_lists(client, staff,
                                                                            articles):
    # The number of public articles stays the same: one leaves, one arrives.
    first, second = articles
    due = make_article("08416041", title="Geplante Meldung", tags=[tag("beratung")],
                       places=["08416041"], published_at=timezone.now() + dt.timedelta(hours=1))
    stamped = first.updated_at
    assert "Pressemitteilung zurückgezogen" in shown(client, "/news/")
    save(first, staff=staff, status=Article.Status.DRAFT)
    Article.objects.filter(pk=first.pk).update(updated_at=stamped)
    Article.objects.filter(pk=due.pk).update(published_at=timezone.now() - dt.timedelta(seconds=1),
                                             updated_at=due.updated_at)
    for path in LISTS:
        html = shown(client, path)
        assert "Pressemitteilung zurückgezogen" not in html and "Geplante Meldung" in html, path


def test_every_kind_of_change_gives_a_new_version(staff, articles):
    first, second = articles
    seen = [services.news_version()]

    def changed():
        seen.append(services.news_version())
        assert seen[-1] != seen[-2]

    make_article(title="Neu")
    changed()
    save(first, staff=staff, title="Korrigiert")
    changed()
    save(first, staff=staff, status=Article.Status.DRAFT)
    changed()
    save(first, staff=staff, status=Article.Status.PUBLISHED,
         published_at=timezone.now() + dt.timedelta(days=1))
    changed()
    services.delete_article(second, actor=staff)
    changed()
    from quartier.news.demo import make_many_articles

    make_many_articles(3)
    changed()
    request = RequestFactory().post("/admin/news/tag/")
    request.user = staff
    renamed = Tag.objects.get(slug="beratung")
    renamed.name = "Beratung vor Ort"
    tag_admin = TagAdmin(Tag, admin.site)
    tag_admin.save_model(request, renamed, None, True)
    changed()
    tag_admin.delete_queryset(request, Tag.objects.filter(slug="beratung"))
    changed()


def test_a_renamed_tag_shows_in_the_lists_at_once(client, staff, articles):
    assert "Beratung" in shown(client, "/news/")
    request = RequestFactory().post("/admin/news/tag/")
    request.user = staff
    renamed = Tag.objects.get(slug="beratung")
    renamed.name = "Fachberatung"
    TagAdmin(Tag, admin.site).save_model(request, renamed, None, True)
    assert "Fachberatung" in shown(client, "/news/")


def test_the_cached_list_is_the_same_for_editors_and_visitors(client, coordinator, articles):
    make_article("08416041", title="Entwurf der Koordination", status="draft",
                 places=["08416041"])
    client.force_login(coordinator)
    for path in LISTS:
        html = shown(client, path)
        assert "Entwurf der Koordination" not in html and "/edit/" not in html
    assert 'href="/news/new/"' in shown(client, "/news/")
    client.logout()
    for path in LISTS:
        html = shown(client, path)
        assert "Entwurf der Koordination" not in html and 'href="/news/new/"' not in html


def test_a_list_cached_before_a_scheduled_article_is_due_shows_it_when_it_is(client, staff):
    make_article("08416041", title="Heute", places=["08416041"])
    later = make_article("08416041", title="Morgen", places=["08416041"],
                         published_at=timezone.now() + dt.timedelta(hours=2))
    for path in ("/news/", "/news/places/08416041/"):
        assert "Morgen" not in shown(client, path)
    # Time passes (no save, no change of the version).
    version = services.news_version()
    Article.objects.filter(pk=later.pk).update(
        published_at=timezone.now() - dt.timedelta(seconds=1))
    assert services.news_version() == version
    for path in ("/news/", "/news/places/08416041/"):
        assert "Morgen" in shown(client, path)
