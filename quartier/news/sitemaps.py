"""The project-wide sitemap (django.contrib.sitemaps): places, quarters, news, participation.

Served at /sitemap.xml (an index) with one file per section, /sitemap-<section>.xml; robots.txt
points to it. Sections list only what the public can see.
"""

from django.contrib.sitemaps import Sitemap

from quartier.news.models import Article, Tag
from quartier.places.models import Place, Quarter


class PlaceSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Place.objects.only("ags", "kind").order_by("ags")

    def priority(self, item):
        return 0.7 if item.kind == Place.Kind.GEMEINDE else 0.5


class QuarterSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.6

    def items(self):
        return Quarter.objects.published().only("pk", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return Article.objects.published().only("pk", "updated_at").order_by("-published_at",
                                                                               "-pk")

    def lastmod(self, item):
        return item.updated_at


class TagSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.4

    def items(self):
        return Tag.objects.filter(articles__in=Article.objects.published()).distinct().order_by(
            "slug")


def sitemaps() -> dict[str, Sitemap]:
    sections: dict[str, Sitemap] = {
        "places": PlaceSitemap(),
        "quarters": QuarterSitemap(),
        "news": ArticleSitemap(),
        "news-tags": TagSitemap(),
    }
    sections.update(participation_sitemaps())
    return sections


def participation_sitemaps() -> dict[str, Sitemap]:
    """Public processes and ideas of participation, once that module offers them."""
    return {}
