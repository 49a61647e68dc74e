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


@register.simple_tag
def get_item(mapping, key):
    """`mapping[key]`, or an empty list: {% get_item errors session.pk as found %}."""
    return (mapping or {}).get(key, [])


@register.inclusion_tag("consulting/_quarter.html", takes_context=True)
def quarter_consulting(context, quarter):
    """The consulting a quarter has had (counts only, never protocols), in one query, and
    the way to request it."""
    from django.db.models import Count, Q, Sum

    from quartier.consulting.models import Case

    figures = Case.objects.filter(request__quarters=quarter).exclude(
        state=Case.State.CANCELLED).aggregate(
        total=Count("id", distinct=True),
        running=Count("id", filter=Q(state=Case.State.ACTIVE), distinct=True),
        halves=Sum("sessions__half_days"))
    user = context.get("user")
    return {"quarter": quarter, "cases": figures["total"], "running": figures["running"],
            "days": (figures["halves"] or 0) / 2,
            "may_request": user is not None and user.has_perm("consulting.add_request")}
