from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def distance(metres):
    """A distance for people: "350 m" (to 10 m), "1.2 km" (localised)."""
    if metres is None:
        return ""
    if metres < 1000:
        return _("%(m)s m") % {"m": int(round(metres, -1))}
    return _("%(km)s km") % {"km": number_format(round(metres / 1000, 1), 1)}


@register.filter
def day_name(day: int) -> str:
    names = (_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"),
             _("Saturday"), _("Sunday"))
    return names[day]
