"""RSS 2.0 and Atom feeds of the public news: all, per tag, per place, per quarter."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape
from django.utils.translation import gettext as _

from quartier.news import markup, services
from quartier.news.models import Tag
from quartier.places.models import Place, Quarter

FEED_LENGTH = 30


class ArticlesFeed(Feed):
    """All public articles; subclasses narrow them to a tag, a place or a quarter."""

    feed_type = Rss201rev2Feed

    def get_object(self, request, **kwargs):
        return None

    def title(self, obj):
        return _("Quartier 2020 – News")

    def description(self, obj):
        return _("News of the state strategy “Quartier 2020 – Gemeinsam.Gestalten.”")

    def link(self, obj):
        return reverse("news:list")

    def articles(self, obj):
        return services.public_articles()

    def items(self, obj):
        return self.articles(obj)[:FEED_LENGTH]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # The description is HTML: the plain teaser is escaped, the stored body sanitised
        # again (as on the article page), whatever wrote it.
        return f"<p>{escape(item.teaser)}</p>\n{markup.sanitise(item.body_html)}"

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return services.place_label(item.publisher)

    def item_categories(self, item):
        return [tag.name for tag in item.tags.all()]


class TagFeed(ArticlesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Tag, slug=slug)

    def title(self, obj):
        return _("Quartier 2020 – News tagged “%(tag)s”") % {"tag": obj.name}

    def link(self, obj):
        return reverse("news:tag", args=[obj.slug])

    def articles(self, obj):
        return services.public_articles(tag=obj)


class PlaceFeed(ArticlesFeed):
    def get_object(self, request, ags):
        return get_object_or_404(Place, ags=ags)

    def title(self, obj):
        return _("Quartier 2020 – News from %(place)s") % {"place": services.place_label(obj)}

    def link(self, obj):
        return reverse("news:place", args=[obj.ags])

    def articles(self, obj):
        return services.public_articles(place=obj)


class QuarterFeed(ArticlesFeed):
    def get_object(self, request, pk):
        return get_object_or_404(Quarter.objects.published(), pk=pk)

    def title(self, obj):
        return _("Quartier 2020 – News from %(quarter)s") % {"quarter": obj.name}

    def link(self, obj):
        return reverse("news:quarter", args=[obj.pk])

    def articles(self, obj):
        return services.public_articles(quarter=obj)


class AtomMixin:
    feed_type = Atom1Feed

    def subtitle(self, obj):
        return self.description(obj)


class ArticlesAtomFeed(AtomMixin, ArticlesFeed):
    pass


class TagAtomFeed(AtomMixin, TagFeed):
    pass


class PlaceAtomFeed(AtomMixin, PlaceFeed):
    pass


class QuarterAtomFeed(AtomMixin, QuarterFeed):
    pass
