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


@register.filter
def place_label(place):
    return services.place_label(place)


@register.filter
def sanitised(fragment):
    """Stored body HTML, sanitised again on output (defence in depth; it was when saved)."""
    return mark_safe(markup.sanitise(fragment or ""))  # noqa: S308 - nh3 allow-list
