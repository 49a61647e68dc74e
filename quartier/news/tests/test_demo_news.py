"""quartier news demo: the strategy's story as demo articles, deterministic and idempotent."""

import time

import pytest
from django.core.management import call_command

from quartier.news.models import Article, RelatedArticle, Tag

pytestmark = pytest.mark.django_db


def test_it_loads_demo_articles_with_tags_places_and_related_articles_in_seconds():
    started = time.perf_counter()
    call_command("news", "demo")
    assert time.perf_counter() - started < 10
    articles = Article.objects.all()
    assert articles.count() >= 12
    assert all(a.is_demo and a.is_published() for a in articles)
    assert Tag.objects.filter(is_demo=True).count() >= 8
    award = Article.objects.get(title__startswith="53 Kommunen")
    assert "2,7 Millionen Euro" in award.body_html
    assert award.places.get().ags == "08111000"
    assert RelatedArticle.objects.filter(article=award).count() == 5
    # Every article has related articles, none of them itself.
    assert set(RelatedArticle.objects.values_list("article_id", flat=True).distinct()) == set(
        articles.values_list("pk", flat=True))


def test_it_does_nothing_when_the_demo_is_there():
    call_command("news", "demo")
    before = list(Article.objects.values_list("pk", "title"))
    call_command("news", "demo")
    assert list(Article.objects.values_list("pk", "title")) == before


def test_it_is_deterministic():
    call_command("news", "demo")
    first = [(a.title, a.published_at, sorted(a.terms.items())) for a in Article.objects.all()]
    related = list(RelatedArticle.objects.values_list("article__title", "related__title", "rank"))
    Article.objects.all().delete()
    call_command("news", "demo")
    assert [(a.title, a.published_at, sorted(a.terms.items()))
            for a in Article.objects.all()] == first
    assert list(RelatedArticle.objects.values_list(
        "article__title", "related__title", "rank")) == related


def test_many_articles_for_benchmarks_come_with_tags_places_and_related_articles():
    from quartier.news.demo import make_many_articles

    assert make_many_articles(60, seed=3) == 60
    articles = Article.objects.all()
    assert articles.count() == 60 and all(a.is_published() for a in articles)
    assert not Article.objects.filter(body_html="").exists()
    assert Article.tags.through.objects.count() >= 60
    assert RelatedArticle.objects.filter(article=articles.first()).count() == 5
