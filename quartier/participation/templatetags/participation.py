"""Template helpers of participation: names of participants, simple language, the quarter
section on the quarter page."""

from django import template

from quartier.participation import services

register = template.Library()


@register.filter
def participant_name(user) -> str:
    """The public name of a contribution's author; never the e-mail address."""
    return services.display_name(user)


@register.inclusion_tag("participation/_text.html", takes_context=True)
def show_text(context, text, simple_text="", heading_level=None):
    """A text in standard or simple language, as the reader chose (the session toggle)."""
    simple_on = bool(context.get("request") and context["request"].session.get(
        "participation_simple_language"))
    return {"text": text, "simple_text": simple_text,
            "use_simple": simple_on and bool(simple_text)}


@register.inclusion_tag("participation/_quarter_section.html", takes_context=True)
def quarter_participation(context, quarter, with_budgets=False):
    """The quarter's processes (two queries), for the quarter page; with its quarter budgets
    (one more) on the quarter's participation page."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "quarter": quarter,
        "processes": services.quarter_processes(quarter, user=user),
        "budgets": services.quarter_budgets(quarter) if with_budgets else None,
        "can_add": bool(user) and user.has_perm("participation.add_process", quarter),
        "request": request,
    }


@register.filter
def budget_url(budget) -> str:
    """The quarter budget's page, or "" while the quarter-budget pages are not there."""
    from django.urls import NoReverseMatch

    try:
        return budget.get_absolute_url()
    except NoReverseMatch:
        return ""
