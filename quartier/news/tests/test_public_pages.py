"""The public news: list with filters, article page, lists per tag, place and quarter."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from conftest import make_quarter
from quartier.news.tests.support import make_article, tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def news(quarter):
    beratung, beteiligung = tag("beratung"), tag("beteiligung")
    return {
        "land": make_article(title="Beratung im ganzen Land", tags=[beratung]),
        "tuebingen": make_article("08416041", title="Werkstatt in Tübingen",
                                  tags=[beteiligung], places=["08416041"]),
        "quarter": make_article("08416041", title="Fest in der Südstadt", quarters=[quarter]),
        "ulm": make_article("08421000", title="Treff in Ulm", places=["08421000"],
                            tags=[beteiligung]),
        "draft": make_article("08416041", title="Geheimer Entwurf", status="draft",
                              places=["08416041"], tags=[beteiligung]),
        "scheduled": make_article(title="Kommt morgen", tags=[beratung],
                                  published_at=timezone.now() + dt.timedelta(days=1)),
    }


def titles(response):
    return [a.title for a in response.context["page"]]


def test_the_list_shows_public_articles_newest_first_without_an_account(client, news):
    response = client.get("/news/")
    assert response.status_code == 200
    assert titles(response) == ["Treff in Ulm", "Fest in der Südstadt", "Werkstatt in Tübingen",
                                "Beratung im ganzen Land"]
    html = response.content.decode()
    assert 'type="application/rss+xml"' in html and 'href="/news/rss/"' in html


def test_the_list_filters_by_tag_and_place(client, news, quarter):
    assert titles(client.get("/news/?tag=beteiligung")) == ["Treff in Ulm",
                                                             "Werkstatt in Tübingen"]
    assert titles(client.get("/news/?place=08416041")) == ["Fest in der Südstadt",
                                                            "Werkstatt in Tübingen"]
    # A Kreis holds its Gemeinden and their quarters.
    assert titles(client.get("/news/?place=08416")) == ["Fest in der Südstadt",
                                                         "Werkstatt in Tübingen"]
    assert titles(client.get(f"/news/?place=q{quarter.pk}")) == ["Fest in der Südstadt"]
    assert titles(client.get("/news/?tag=beteiligung&place=08421000")) == ["Treff in Ulm"]


@pytest.mark.parametrize("query, field", [
    ("tag=gibt-es-nicht", "tag"), ("place=08999999", "place"), ("place=q999999", "place"),
    ("place=<script>", "place"), ("place=q" + "9" * 30, "place"), ("tag=" + "x" * 300, "tag"),
])
def test_unknown_filters_are_messages_at_the_field(client, news, query, field):
    response = client.get(f"/news/?{query}")
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert "<script>" not in response.content.decode()


def test_a_filter_by_a_place_without_articles_is_empty_not_an_error(client, news):
    response = client.get("/news/?place=08111000")
    assert response.status_code == 200 and titles(response) == []


def test_the_list_is_paginated(client):
    for number in range(25):
        make_article(title=f"Artikel {number:02}")
    first = client.get("/news/")
    assert len(titles(first)) == 20 and titles(first)[0] == "Artikel 24"
    second = client.get("/news/?page=2")
    assert titles(second) == [f"Artikel {n:02}" for n in range(4, -1, -1)]
    assert client.get("/news/?page=999").status_code == 200
    assert client.get("/news/?page=abc").status_code == 400


def test_lists_per_tag_place_and_quarter(client, news, quarter):
    assert titles(client.get("/news/tags/beratung/")) == ["Beratung im ganzen Land"]
    assert titles(client.get("/news/places/08416041/")) == ["Fest in der Südstadt",
                                                            "Werkstatt in Tübingen"]
    assert titles(client.get(f"/news/quarters/{quarter.pk}/")) == ["Fest in der Südstadt"]
    assert client.get("/news/tags/gibt-es-nicht/").status_code == 404
    assert client.get("/news/places/08999999/").status_code == 404
    assert client.get("/news/quarters/999999/").status_code == 404


def test_a_draft_quarter_has_no_public_news_list(client, tuebingen):
    draft = make_quarter(tuebingen, name="Entwurf", status="draft")
    assert client.get(f"/news/quarters/{draft.pk}/").status_code == 404


def test_the_article_page_is_public_with_meta_data_for_search_engines(client, news):
    article = news["tuebingen"]
    response = client.get(f"/news/{article.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<meta name="description" content="Ideen für das Quartier gesammelt.">' in html
    assert '<meta property="og:title" content="Werkstatt in Tübingen">' in html
    assert f'<meta property="og:url" content="http://testserver/news/{article.pk}/">' in html
    assert '<meta property="og:type" content="article">' in html
    assert f'<link rel="canonical" href="http://testserver/news/{article.pk}/">' in html
    assert 'content="noindex"' not in html
    assert "<strong>Ideen</strong>" in html


def test_the_article_shows_its_related_articles(client, news):
    response = client.get(f"/news/{news['tuebingen'].pk}/")
    related = [a.title for a in response.context["related"]]
    # Shares the tag with Ulm, the Gemeinde with the quarter's article; never the draft.
    assert related[:2] == ["Fest in der Südstadt", "Treff in Ulm"]
    assert "Geheimer Entwurf" not in related


def test_a_scheduled_article_is_related_only_once_it_is_public(client, news):
    from quartier.news import services

    land = news["land"]
    assert "Kommt morgen" not in [a.title for a in
                                  client.get(f"/news/{land.pk}/").context["related"]]
    later = timezone.now() + dt.timedelta(days=2)
    # It shares the tag: first once it is public.
    assert services.related_of(land, now=later)[0].title == "Kommt morgen"


def test_drafts_and_scheduled_articles_are_not_found_by_the_public(client, news):
    for key in ("draft", "scheduled"):
        assert client.get(f"/news/{news[key].pk}/").status_code == 404
    html = client.get("/news/").content.decode()
    assert "Geheimer Entwurf" not in html and "Kommt morgen" not in html


def test_editors_see_their_draft_marked_and_not_indexed(client, coordinator, news):
    client.force_login(coordinator)
    response = client.get(f"/news/{news['draft'].pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<meta name="robots" content="noindex">' in html
    assert re.search(r'class="badge">(Entwurf|Draft)<', html)


def test_the_drafts_page_lists_what_an_editor_may_change(client, coordinator, other_coordinator,
                                                         news):
    client.force_login(coordinator)
    assert [a.title for a in client.get("/news/drafts/").context["articles"]] == [
        "Geheimer Entwurf"]
    client.force_login(other_coordinator)
    assert list(client.get("/news/drafts/").context["articles"]) == []


@pytest.mark.parametrize("role", ["resident", "member", "moderator", "juror", "consultant"])
def test_the_drafts_page_is_for_editors_only(request, client, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get("/news/drafts/").status_code == 403


def test_place_and_quarter_pages_show_their_news(client, news, quarter):
    html = client.get("/places/08416041/").content.decode()
    assert "Werkstatt in Tübingen" in html and "Fest in der Südstadt" in html
    assert 'href="/news/places/08416041/"' in html
    html = client.get(f"/quarters/{quarter.pk}/").content.decode()
    assert "Fest in der Südstadt" in html and "Werkstatt in Tübingen" not in html
    assert f'href="/news/quarters/{quarter.pk}/rss/"' in html


def test_lists_have_a_constant_number_of_queries(client, django_assert_max_num_queries):
    beratung = tag("beratung")
    for number in range(3):
        make_article(title=f"A{number}", tags=[beratung, tag(f"t{number}")], places=["08416041"])
    with django_assert_max_num_queries(12) as few:
        client.get("/news/")
    with django_assert_max_num_queries(10) as few_place:
        client.get("/news/places/08416041/")
    with django_assert_max_num_queries(14) as few_filtered:
        client.get("/news/?tag=beratung&place=08416041")
    for number in range(30):
        make_article(title=f"B{number}", tags=[beratung, tag(f"u{number}")], places=["08416041"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/news/")
    with django_assert_max_num_queries(len(few_filtered.captured_queries)):
        client.get("/news/?tag=beratung&place=08416041")
    with django_assert_max_num_queries(len(few_place.captured_queries)):
        client.get("/news/places/08416041/")


def test_the_article_page_has_a_constant_number_of_queries(client,
                                                          django_assert_max_num_queries):
    beratung = tag("beratung")
    first = make_article(title="Erster", tags=[beratung], places=["08416041"])
    with django_assert_max_num_queries(10) as few:
        client.get(f"/news/{first.pk}/")
    for number in range(10):
        make_article(title=f"B{number}", tags=[beratung, tag(f"u{number}")], places=["08416041"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(f"/news/{first.pk}/")


def test_the_cached_list_shows_every_change_at_once(client, staff):
    from quartier.news import services

    first = make_article(title="Erste Meldung")
    assert titles(client.get("/news/")) == ["Erste Meldung"]
    assert "Erste Meldung" in client.get("/news/").content.decode()
    make_article(title="Zweite Meldung")
    assert "Zweite Meldung" in client.get("/news/").content.decode()
    first.title = "Erste, korrigiert"
    services.save_article(first, tags=[], places=[], quarters=[], actor=staff)
    assert "Erste, korrigiert" in client.get("/news/").content.decode()
    services.delete_article(first, actor=staff)
    assert "Erste, korrigiert" not in client.get("/news/").content.decode()


def test_a_scheduled_article_appears_in_the_cached_list_when_its_time_comes(client):
    from quartier.news.models import Article

    make_article(title="Heute")
    later = make_article(title="Später", published_at=timezone.now() + dt.timedelta(hours=1))
    assert "Später" not in client.get("/news/").content.decode()
    # Its time comes (without a save: the cached list must not keep it hidden).
    Article.objects.filter(pk=later.pk).update(
        published_at=timezone.now() - dt.timedelta(minutes=1), updated_at=later.updated_at)
    assert "Später" in client.get("/news/").content.decode()


def test_a_stored_body_that_never_passed_the_sanitiser_is_sanitised_on_the_page(client):
    from quartier.news.models import Article
    from quartier.news.tests.test_feeds_and_sitemap import HOSTILE_HTML

    article = make_article(title="Alt")
    Article.objects.filter(pk=article.pk).update(body_html=HOSTILE_HTML)
    html = client.get(f"/news/{article.pk}/").content.decode()
    body = html[html.index('<div class="article-body">'):html.index("</article>")]
    for dangerous in ("<script", "onerror", "javascript:", "data:", "<iframe", "onclick",
                      "style="):
        assert dangerous not in body, dangerous
    assert "<p>Text</p>" in body


def test_feeds_sitemaps_drafts_and_topic_lists_have_a_constant_number_of_queries(
    client, staff, quarter, django_assert_max_num_queries
):
    beratung = tag("beratung")

    def add(prefix, count):
        for number in range(count):
            make_article("08416041", title=f"{prefix}{number}", places=["08416041"],
                         quarters=[quarter], tags=[beratung, tag(f"{prefix}{number}")])
            make_article("08416041", title=f"{prefix}{number} Entwurf", status="draft")

    paths = ["/news/rss/", "/news/atom/", "/news/tags/beratung/rss/",
             "/news/places/08416/atom/", f"/news/quarters/{quarter.pk}/rss/",
             "/news/tags/beratung/", f"/news/quarters/{quarter.pk}/", "/sitemap-news.xml",
             "/sitemap-news-tags.xml", "/news/drafts/"]
    client.force_login(staff)
    add("A", 2)
    counts = {}
    for path in paths:
        with django_assert_max_num_queries(30) as few:
            assert client.get(path).status_code == 200, path
        counts[path] = len(few.captured_queries)
    add("B", 12)
    for path in paths:
        with django_assert_max_num_queries(counts[path]):
            client.get(path)


def test_drafts_and_their_images_are_never_kept_by_shared_caches(client, coordinator, news):
    from quartier.news.models import Article
    from quartier.news.tests.support import png_upload

    client.force_login(coordinator)
    draft = news["draft"]
    response = client.get(f"/news/{draft.pk}/")
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    from quartier.news import services

    Article.objects.filter(pk=draft.pk).update(
        image=services.store_image(png_upload("a.png")), image_alt="Bild")
    image = client.get(f"/news/{draft.pk}/image/")
    assert image.status_code == 200 and "private" in image["Cache-Control"]
    public = client.get(f"/news/{news['tuebingen'].pk}/")
    assert "private" not in public.get("Cache-Control", "")
