from django import template
from django.utils.translation import get_language

from quartier.budget.services import euros as euros_text

register = template.Library()


@register.filter
def euros(cents):
    """Cents as money text in the page's language ('1.234,56 €', '€1,234.56'); '–' for none."""
    if cents is None or cents == "":
        return "–"
    cents = int(cents)
    if (get_language() or "de").startswith("en"):
        whole, rest = divmod(abs(cents), 100)
        return f"{'−' if cents < 0 else ''}€{whole:,}.{rest:02d}"
    return euros_text(cents)


@register.inclusion_tag("budget/_place_budget.html")
def budget_about(place):
    """The public budget figures of a Kreis or Gemeinde, for its place page."""
    from quartier.budget.services import place_totals
    from quartier.places.models import Place

    if place.kind not in (Place.Kind.KREIS, Place.Kind.GEMEINDE):
        return {"totals": None}
    return {"place": place, "totals": place_totals(place)}
