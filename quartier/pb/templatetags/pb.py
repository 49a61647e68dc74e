from django import template

from quartier.pb import services

register = template.Library()


@register.filter
def money(cents) -> str:
    """Cents as money for people: "12.500 €" (localised)."""
    if cents is None or cents == "":
        return ""
    return services.format_money(int(cents))


@register.inclusion_tag("pb/_quarter_budgets.html", takes_context=True)
def quarter_budgets(context, quarter):
    """The quarter budgets section of a quarter page."""
    user = context["request"].user
    return {
        "quarter": quarter,
        "budgets": services.budgets_of(quarter),
        "can_add": user.has_perm("pb.add_budget", quarter),
    }
