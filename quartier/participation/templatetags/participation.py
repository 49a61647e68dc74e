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


@register.simple_tag(takes_context=True)
def comment_html(context, comment):
    """One comment as HTML, rendered in Python because a page shows hundreds of them; the
    same markup an include would give (see _comments.html for the context it reads)."""
    from urllib.parse import quote

    from django.urls import reverse
    from django.utils import formats, timezone
    from django.utils.html import format_html, linebreaks
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext as _

    shared = context.render_context.get("participation_comment_links")
    if shared is None:
        request = context.get("request")
        user = context.get("user")
        shared = {
            # Reversed once per page with a stand-in id, then filled per comment.
            "report": reverse("participation:report", args=["comment", 1])[:-2],
            "edit": reverse("participation:comment_edit", args=[1])[:-len("1/edit/")],
            "moderate": reverse("participation:moderate", args=["comment", 1])[:-2],
            "path": quote(request.path) if request is not None else "",
            "user_id": getattr(user, "pk", None) if getattr(user, "is_authenticated", False)
            else None,
            "can_comment": bool(context.get("can_comment")),
            "can_moderate": bool(context.get("can_moderate_any")),
            "report_label": _("Report"), "edit_label": _("Edit"),
            "moderate_label": _("Moderate"), "own_label": _("(your comment)"),
            "edited_label": _("edited"), "hidden_label": _("Hidden by moderation."),
        }
        context.render_context["participation_comment_links"] = shared
    pk = comment.pk
    name = services.display_name(comment.author)
    created = timezone.localtime(comment.created_at)
    meta = format_html(
        '<p class="comment-meta" id="comment-{}-meta"><span class="comment-author">{}</span> '
        '<span class="muted">· <time datetime="{}">{}</time>{}</span></p>',
        pk, name, created.isoformat(), formats.date_format(created, "DATETIME_FORMAT"),
        f" · {shared['edited_label']}" if comment.edited_at else "",
    )
    if comment.hidden:
        body = format_html('<p class="hidden-note">{} {}</p>', shared["hidden_label"],
                           _("Reason: %(reason)s") % {"reason": comment.hidden_reason})
    else:
        by = _("(comment by %(name)s)") % {"name": name}
        actions = [format_html(
            '<li><a href="{}{}/?next={}%23comment-{}">{}<span class="visually-hidden"> {}'
            "</span></a></li>",
            shared["report"], pk, shared["path"], pk, shared["report_label"], by,
        )]
        if shared["can_comment"] and comment.author_id == shared["user_id"]:
            actions.append(format_html(
                '<li><a href="{}{}/edit/">{}<span class="visually-hidden"> {}</span></a></li>',
                shared["edit"], pk, shared["edit_label"], shared["own_label"],
            ))
        if shared["can_moderate"]:
            actions.append(format_html(
                '<li><a href="{}{}/">{}<span class="visually-hidden"> {}</span></a></li>',
                shared["moderate"], pk, shared["moderate_label"], by,
            ))
        body = format_html(
            '<div class="comment-text">{}</div>\n<ul class="comment-actions">{}</ul>',
            mark_safe(linebreaks(comment.text, autoescape=True)),  # noqa: S308 - escaped
            mark_safe("".join(actions)),  # noqa: S308 - built with format_html
        )
    return format_html(
        '<article class="comment{}" id="comment-{}" aria-labelledby="comment-{}-meta">{}{}'
        "</article>",
        " comment-hidden" if comment.hidden else "", pk, pk, meta, body,
    )


def _supporters(number: int) -> str:
    from django.utils.translation import ngettext

    return ngettext("%(counter)s supporter", "%(counter)s supporters", number)


def _comments(number: int) -> str:
    from django.utils.translation import ngettext

    return ngettext("%(counter)s comment", "%(counter)s comments", number)


@register.simple_tag(takes_context=True)
def idea_item_html(context, idea):
    """One entry of the idea list as HTML, rendered in Python (the list is the busiest page):
    title, status, category, support, comments, author, date, where, the start of the text.
    Strings are escaped with the standard library's html.escape (the same five characters
    as Django's escape, a third of format_html's time); labels, month names and counts are
    translated once per list."""
    from html import escape

    from django.template.loader import render_to_string
    from django.utils import timezone
    from django.utils.dates import MONTHS
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext as _

    from quartier.participation.models import Category, Idea

    shared = context.render_context.get("participation_idea_items")
    if shared is None:
        shared = {
            "url": escape(idea.get_absolute_url()[:-len(f"{idea.pk}/")]),
            "statuses": {value: escape(str(label)) for value, label in Idea.Status.choices},
            "categories": {value: escape(str(label)) for value, label in Category.choices},
            "months": {number: escape(str(name)) for number, name in MONTHS.items()},
            "demo": " " + render_to_string("_demo_badge.html"),
            "supported": context.get("supported") or set(),
            "you": f" · <strong>{escape(_('you support it'))}</strong>",
            "where": escape(_("Where:")), "mapped": escape(_("on the map")),
            "simple": bool(context.get("simple_language")),
            "simple_label": f'<span class="badge">{escape(_("Simple language"))}</span> ',
            "counts": {},
        }
        context.render_context["participation_idea_items"] = shared

    def counted(translate, number):
        if (translate, number) not in shared["counts"]:
            shared["counts"][translate, number] = escape(translate(number) % {"counter": number})
        return shared["counts"][translate, number]

    created = timezone.localtime(idea.created_at)
    simple = shared["simple"] and bool(idea.text_simple)
    text = idea.text_simple if simple else idea.text
    text = text if len(text) <= 240 else text[:239].rstrip() + "…"
    details = [f"{escape(idea.shown_name)}, {created.day}. {shared['months'][created.month]} "
               f"{created.year}"]
    if idea.location_text:
        details.append(f"{shared['where']} {escape(idea.location_text)}")
    if idea.x is not None:
        details.append(shared["mapped"])
    status = escape(idea.status)
    return mark_safe(  # noqa: S308 - every value above is escaped
        f'<li class="idea-item"><h3><a href="{shared["url"]}{idea.pk}/">{escape(idea.title)}</a>'
        f'{shared["demo"] if idea.is_demo else ""}</h3>'
        f'<p class="idea-facts"><span class="badge status-{status}">'
        f'{shared["statuses"].get(idea.status, status)}</span> '
        f'{shared["categories"].get(idea.category, escape(idea.category))} · '
        f'{counted(_supporters, idea.support_count)} · '
        f'{counted(_comments, idea.comment_count)}'
        f'{shared["you"] if idea.pk in shared["supported"] else ""}</p>'
        f'<p class="muted">{" · ".join(details)}</p>'
        f'<p>{shared["simple_label"] if simple else ""}{escape(text)}</p></li>'
    )
