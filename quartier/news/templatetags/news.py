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
    title, date, publisher, demo badge, teaser, tags (prefetched)."""
    from django.urls import reverse
    from django.utils import dateformat, formats, timezone
    from django.utils.html import format_html, format_html_join
    from django.utils.translation import gettext as _

    shared = context.render_context.get("news_article_items")
    if shared is None:
        shared = {
            "article": reverse("news:article", args=[0])[:-2],
            "tag": reverse("news:tag", args=["x"])[:-2],
            "demo": format_html(' <span class="badge badge-demo" title="{}">{}</span>',
                                _("Generated demo data, not real figures"), _("Demo data")),
            "tags": _("Tags"),
        }
        context.render_context["news_article_items"] = shared
    published = timezone.localtime(article.published_at)
    tags = article.tags.all()
    return format_html(
        '<li class="article-item">\n<article aria-labelledby="article-{}">\n'
        '<h2 id="article-{}"><a href="{}{}/">{}</a></h2>\n'
        '<p class="meta"><time datetime="{}">{}</time> · {}{}</p>\n<p>{}</p>\n{}'
        "</article>\n</li>",
        article.pk, article.pk, shared["article"], article.pk, article.title,
        dateformat.format(published, "c"), formats.date_format(published, "j. F Y"),
        services.place_label(article.publisher), shared["demo"] if article.is_demo else "",
        article.teaser,
        format_html('<ul class="tag-list" aria-label="{}">{}</ul>\n', shared["tags"],
                    format_html_join("", '<li><a href="{}{}/">{}</a></li>',
                                     ((shared["tag"], tag.slug, tag.name) for tag in tags)))
        if tags else "",
    )


@register.filter
def place_label(place):
    return services.place_label(place)


@register.filter
def sanitised(fragment):
    """Stored body HTML, sanitised again on output (defence in depth; it was when saved)."""
    return mark_safe(markup.sanitise(fragment or ""))  # noqa: S308 - nh3 allow-list
