from django import template
from django.utils.safestring import mark_safe

from quartier.news import markup, services

register = template.Library()


@register.inclusion_tag("news/_about.html", takes_context=True)
def news_about(context, target):
    """The newest articles about a place or quarter, for its page (one query)."""
    from quartier.places.models import Quarter

    is_quarter = isinstance(target, Quarter)
    return {
        "target": target,
        "is_quarter": is_quarter,
        "articles": services.latest_about(target),
        "request": context.get("request"),
    }


@register.simple_tag(takes_context=True)
def article_item_html(context, article):
    """One entry of a news list as HTML, rendered in Python (the lists are busy public pages):
    title, date, publisher, demo badge, teaser, tags (prefetched). Escaped with the standard
    library's html.escape, as the idea list's entries."""
    from html import escape

    from django.urls import reverse
    from django.utils import dateformat, timezone
    from django.utils.dates import MONTHS
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext as _

    shared = context.render_context.get("news_article_items")
    if shared is None:
        shared = {
            "article": escape(reverse("news:article", args=[0])[:-2]),
            "tag": escape(reverse("news:tag", args=["x"])[:-2]),
            "demo": f' <span class="badge badge-demo" title="'
                    f'{escape(_("Generated demo data, not real figures"))}">'
                    f"{escape(_('Demo data'))}</span>",
            "tags": escape(_("Tags")),
            "months": {number: escape(str(name)) for number, name in MONTHS.items()},
        }
        context.render_context["news_article_items"] = shared
    published = timezone.localtime(article.published_at)
    tags = "".join(f'<li><a href="{shared["tag"]}{escape(tag.slug)}/">{escape(tag.name)}</a></li>'
                   for tag in article.tags.all())
    return mark_safe(  # noqa: S308 - every value is escaped
        f'<li class="article-item">\n<article aria-labelledby="article-{article.pk}">\n'
        f'<h2 id="article-{article.pk}"><a href="{shared["article"]}{article.pk}/">'
        f"{escape(article.title)}</a></h2>\n"
        f'<p class="meta"><time datetime="{dateformat.format(published, "c")}">'
        f'{published.day}. {shared["months"][published.month]} {published.year}</time> · '
        f"{escape(services.place_label(article.publisher))}"
        f'{shared["demo"] if article.is_demo else ""}</p>\n<p>{escape(article.teaser)}</p>\n'
        + (f'<ul class="tag-list" aria-label="{shared["tags"]}">{tags}</ul>\n' if tags else "")
        + "</article>\n</li>"
    )


@register.filter
def place_label(place):
    return services.place_label(place)


@register.filter
def sanitised(fragment):
    """Stored body HTML, sanitised again on output (defence in depth; it was when saved)."""
    return mark_safe(markup.sanitise(fragment or ""))  # noqa: S308 - nh3 allow-list
