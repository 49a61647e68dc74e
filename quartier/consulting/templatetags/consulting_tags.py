from django import template

from quartier.budget.services import euros as euro_text
from quartier.consulting.services import days_text

register = template.Library()


@register.filter
def euros(cents) -> str:
    return euro_text(int(cents or 0))


@register.filter
def half_days(value) -> str:
    return days_text(int(value or 0))


@register.filter
def days(value) -> str:
    """A number of consulting days with a German decimal comma (1,5)."""
    return f"{float(value or 0):g}".replace(".", ",")


@register.filter
def km(value) -> str:
    return f"{float(value or 0):,.0f}".replace(",", ".")


@register.filter
def halves(value) -> str:
    """Half days as a number of days: 3 → “1,5”."""
    return days((value or 0) / 2)
