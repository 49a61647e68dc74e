from django import template
from django.utils.translation import get_language

from quartier.calls import services

register = template.Library()


@register.filter
def euros(cents):
    """Cents as money in the page's language ('1.234,56 €', '€1,234.56'); '–' for none."""
    if cents is None or cents == "":
        return "–"
    cents = int(cents)
    if (get_language() or "de").startswith("en"):
        whole, rest = divmod(abs(cents), 100)
        return f"{'−' if cents < 0 else ''}€{whole:,}.{rest:02d}"
    return services.euros(cents)
