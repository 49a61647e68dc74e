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


class ProcessSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.7

    def items(self):
        from quartier.participation import services

        return services.public_processes()

    def lastmod(self, item):
        return item.updated_at


class IdeaSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5
    # Processes may hold 10,000 ideas: at most this many addresses per sitemap file.
    limit = 10_000

    def items(self):
        from quartier.participation import services

        return services.public_ideas()

    def lastmod(self, item):
        return item.edited_at or item.created_at


def participation_sitemaps() -> dict[str, Sitemap]:
    """Public processes and ideas of participation (its services name what is public)."""
    try:
        from quartier.participation import services
    except ImportError:
        return {}
    sections: dict[str, Sitemap] = {}
    if hasattr(services, "public_processes"):
        sections["processes"] = ProcessSitemap()
    if hasattr(services, "public_ideas"):
        sections["ideas"] = IdeaSitemap()
    return sections
