import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from quartier.accounts.models import User
from quartier.participation import services
from quartier.participation.forms import (
    AnswerForm,
    CommentEditForm,
    CommentForm,
    IdeaFilterForm,
    IdeaForm,
    MeetingForm,
    ModerateForm,
    PhaseFormSet,
    PollForm,
    ProcessForm,
    ReportForm,
    SanctionForm,
    SettingsForm,
    VoteForm,
)
from quartier.participation.models import Comment, Idea, Meeting, Phase, Poll, Process
from quartier.places import geo
from quartier.places import services as places
from quartier.places.models import Quarter


def _add_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError at the form's fields (or above the form)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()},
                                                   require_https=request.is_secure()):
        return target
    return fallback


# Fragments cached for visitors without an account, keyed by the versions that services
# bump on every change (so they are never stale); the time only bounds the memory.
FRAGMENT_SECONDS = 15 * 60


def _fragment(request, key: tuple, render) -> str:
    """The HTML of render(), cached for anonymous visitors under key (+ the language)."""
    if request.user.is_authenticated:
        return render()
    digest = hashlib.sha256(repr((key, get_language())).encode()).hexdigest()[:32]
    cache_key = f"participation:fragment:{digest}"
    html = cache.get(cache_key)
    if html is None:
        html = render()
        cache.set(cache_key, html, FRAGMENT_SECONDS)
    return html


def _with_places(queryset, prefix: str):
    """With the quarter and its Gemeinde (the breadcrumbs above come from _crumbs)."""
    return queryset.select_related(f"{prefix}gemeinde").defer(
        f"{prefix}gemeinde__boundary", f"{prefix}gemeinde__search_key"
    )


def _crumbs(quarter) -> list:
    """Land, Regierungsbezirk, Kreis, Gemeinde, quarter: the places above the Gemeinde by
    their nested AGS in one small query (cheaper than joining four places with boundaries)."""
    from quartier.places.models import Place

    gemeinde = quarter.gemeinde
    prefixes = {gemeinde.ags[:n] for n in (2, 3, 5)} - {gemeinde.ags}
    above = sorted(Place.objects.filter(ags__in=prefixes).only("ags", "name", "kind"),
                   key=lambda place: len(place.ags))
    return [*above, gemeinde, quarter]


def _center(quarter) -> str:
    lon, lat = geo.utm_to_lonlat(quarter.x, quarter.y)
    return f"{lat:.5f},{lon:.5f}"


# Processes --------------------------------------------------------------------------------


def _get_process(request, pk: int, perm: str = "participation.view_process", *,
                 full: bool = True) -> Process:
    """The process if the user may see it; 404 hides drafts from everyone else. full: with
    the phases too (the quarter and its Gemeinde, for the breadcrumbs, always)."""
    processes = _with_places(Process.objects.select_related("quarter__gemeinde"), "quarter__")
    if full:
        processes = processes.prefetch_related("phases__budget")
    process = get_object_or_404(processes, pk=pk)
    if not request.user.has_perm("participation.view_process", process):
        raise Http404
    if perm != "participation.view_process" and not request.user.has_perm(perm, process):
        raise PermissionDenied
    return process


def overview(request):
    page = services.processes_overview(page=request.GET.get("page"))
    return render(request, "participation/overview.html", {"page": page})


def quarter_section(request, quarter_pk):
    quarter = get_object_or_404(
        _with_places(Quarter.objects.all(), ""), pk=quarter_pk
    )
    if not request.user.has_perm("places.view_quarter", quarter):
        raise Http404
    return render(request, "participation/quarter.html", {
        "quarter": quarter, "ancestors": _crumbs(quarter),
    })


def process(request, pk):
    process = _get_process(request, pk)
    polls = list(process.polls.select_related("phase"))
    meetings = list(process.meetings.all())
    top_ideas = list(process.ideas.visible().order_by("-support_count", "-created_at")
                     .select_related("author__participation_settings")[:5])
    return render(request, "participation/process.html", {
        "process": process,
        "ancestors": _crumbs(process.quarter),
        "phases": process.phase_list,
        "current": process.current_phase(),
        "polls": polls,
        "meetings": meetings,
        "top_ideas": top_ideas,
        "idea_total": process.ideas.visible().count(),
        "can_change": request.user.has_perm("participation.change_process", process),
        "can_propose": request.user.has_perm("participation.add_idea", process),
        "why_not": services.why_not_take_part(request.user, process),
        "follows": services.follows(request.user, process=process),
    })


def _process_forms(request, quarter, process: Process | None):
    data = request.POST if request.method == "POST" else None
    budgets = services.quarter_budgets(quarter)
    initial = [{"kind": p.kind, "starts_at": p.starts_at, "ends_at": p.ends_at,
                "description": p.description, "budget": p.budget}
               for p in process.phase_list] if process else []
    form = ProcessForm(data, instance=process)
    formset = PhaseFormSet(data, initial=initial, prefix="phases",
                           form_kwargs={"budgets": budgets})
    return form, formset


def _process_values(form) -> dict:
    data = form.cleaned_data
    values = {name: data.get(name) or "" for name in services.PROCESS_FIELDS}
    return values


@login_required
@require_http_methods(["GET", "POST"])
def process_create(request, quarter_pk):
    quarter = get_object_or_404(_with_places(Quarter.objects.all(), ""), pk=quarter_pk)
    if not request.user.has_perm("participation.add_process", quarter):
        raise PermissionDenied
    form, formset = _process_forms(request, quarter, None)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            process = services.create_process(
                quarter, actor=request.user, phases=formset.phases(),
                invited=form.cleaned_data.get("invited_organisations") or [],
                **_process_values(form),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The process is saved as a draft. Publish it when it "
                                        "is ready."))
            return redirect(process)
    return _render_process_form(request, form, formset, quarter, None)


@login_required
@require_http_methods(["GET", "POST"])
def process_edit(request, pk):
    process = _get_process(request, pk, "participation.change_process")
    form, formset = _process_forms(request, process.quarter, process)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            services.change_process(
                process, actor=request.user, phases=formset.phases(),
                invited=form.cleaned_data.get("invited_organisations") or [],
                **_process_values(form),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The process is saved."))
            return redirect(process)
    return _render_process_form(request, form, formset, process.quarter, process)


def _render_process_form(request, form, formset, quarter, process):
    errors = form.is_bound and (bool(form.errors) or not formset.is_valid())
    if process is not None:
        # The form wrote rejected input into the instance; show the stored title.
        process.refresh_from_db(fields=["title"])
    return render(request, "participation/process_form.html", {
        "form": form, "formset": formset, "quarter": quarter, "process": process,
        "ancestors": _crumbs(quarter),
        "title": _("Edit “%(title)s”") % {"title": process.title} if process
        else _("New participation process in %(quarter)s") % {"quarter": quarter.name},
    }, status=400 if errors else 200)


@login_required
@require_POST
def process_publish(request, pk):
    process = _get_process(request, pk, "participation.change_process")
    try:
        services.publish_process(process, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The process is published."))
    return redirect(process)


@login_required
@require_POST
def process_follow(request, pk):
    process = _get_process(request, pk)
    if request.POST.get("follow") == "1":
        services.follow(request.user, process=process)
        messages.success(request, _("You follow this process."))
    else:
        services.unfollow(request.user, process=process)
        messages.success(request, _("You no longer follow this process."))
    return redirect(process)


# Ideas ------------------------------------------------------------------------------------


def idea_list(request, pk):
    process = _get_process(request, pk, full=False)
    form = IdeaFilterForm(request.GET or None)
    query = form.query() if form.is_bound else services.IdeaFilter()
    page_number = _page_number(request.GET.get("page"))
    simple = bool(request.session.get("participation_simple_language"))

    def results() -> str:
        page = services.idea_page(process, query, page=page_number)
        return render_to_string("participation/_idea_results.html", {
            "process": process, "page": page, "query_string": _filter_query_string(query),
            "supported": services.supported_ids(request.user, page.object_list),
            "simple_language": simple,
        }, request)

    # The key holds only what the fragment shows (the normalised filter and page): other
    # parameters neither reach a cached page nor make new keys.
    key = ("ideas", process.pk, process.created_at.timestamp(), process.version, query,
           page_number, simple)
    results_html = mark_safe(_fragment(request, key, results))  # noqa: S308 - our template
    if request.htmx:
        response = HttpResponse(results_html)
    else:
        response = render(request, "participation/ideas.html", {
            "process": process, "form": form, "results_html": results_html,
            "ancestors": _crumbs(process.quarter),
            "can_propose": request.user.has_perm("participation.add_idea", process),
            "geojson_url": reverse("participation:ideas_geojson", args=[process.pk]),
            "center_latlon": _center(process.quarter),
        })
    # One URL answers htmx with the results and browsers with the page: caches must know.
    patch_vary_headers(response, ("HX-Request",))
    return response


def _page_number(value) -> int:
    """A page number from the query string: junk is page 1 (the paginator clamps the rest)."""
    try:
        return min(max(1, int(value)), 100_000)
    except (TypeError, ValueError):
        return 1


def _filter_query_string(query: services.IdeaFilter) -> str:
    """The filter as the pagination links repeat it: normalised, defaults left out."""
    values = {"q": query.q, "category": query.category, "status": query.status,
              "sort": "" if query.sort == "new" else query.sort}
    return urlencode({name: value for name, value in values.items() if value})


def ideas_geojson(request, pk):
    process = _get_process(request, pk, full=False)
    etag = f'"ideas-{process.pk}-{process.created_at.timestamp():.0f}-{process.map_version}"'
    if request.headers.get("If-None-Match") == etag:
        return HttpResponseNotModified()
    response = HttpResponse(services.ideas_geojson(process),
                            content_type="application/geo+json")
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=60" if process.is_published() else "private"
    return response


def _get_idea(request, pk: int) -> Idea:
    ideas = _with_places(
        Idea.objects.select_related("author__participation_settings"),
        "process__quarter__",
    ).prefetch_related(Prefetch("process__phases", queryset=Phase.objects.all()))
    idea = get_object_or_404(ideas, pk=pk)
    if not request.user.has_perm("participation.view_process", idea.process):
        raise Http404
    return idea


def _idea_context(request, idea: Idea, *, comment_form=None, failed_parent=None,
                  page=None) -> dict:
    can_comment = request.user.has_perm("participation.comment_idea", idea)
    page = _page_number(page or request.GET.get("comments"))
    comment_post_url = reverse("participation:idea_comment", args=[idea.pk])

    def comments() -> str:
        return render_to_string("participation/_comments.html", {
            "thread": services.comment_thread(idea, page=page),
            "comment_post_url": comment_post_url, "can_comment": can_comment,
            "comment_form": comment_form, "failed_parent": failed_parent,
        }, request)

    key = ("comments", idea.pk, idea.created_at.timestamp(), idea.comments_version, page,
           request.path)
    # A form with the visitor's rejected input is never cached.
    comments_html = comments() if comment_form is not None else _fragment(request, key, comments)
    return {
        "idea": idea,
        "process": idea.process,
        "ancestors": _crumbs(idea.process.quarter) + [idea.process],
        "comments_html": mark_safe(comments_html),  # noqa: S308 - our template
        "comment_post_url": comment_post_url,
        "can_comment": can_comment,
        "comment_form": comment_form,
        "failed_parent": failed_parent,
        "why_not": services.why_not_take_part(request.user, idea.process),
        "can_change": request.user.has_perm("participation.change_idea", idea),
        "can_support": request.user.has_perm("participation.support_idea", idea),
        "can_answer": request.user.has_perm("participation.answer_idea", idea),
        "can_moderate": request.user.has_perm("participation.moderate", idea),
        "supported": bool(services.supported_ids(request.user, [idea])),
        "follows": services.follows(request.user, idea=idea),
        "point_feature": _point_feature(idea),
    }


def _point_feature(idea: Idea) -> dict | None:
    if not idea.has_point() or idea.hidden:
        return None
    lon, lat = idea.lonlat()
    return {"type": "Feature", "properties": {"name": idea.title},
            "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]}}


def idea(request, pk):
    idea = _get_idea(request, pk)
    return render(request, "participation/idea.html", _idea_context(request, idea))


def idea_image(request, pk):
    idea = _get_idea(request, pk)
    if not idea.image or idea.hidden:
        raise Http404
    try:
        handle = default_storage.open(idea.image.name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, content_type=services.image_type(idea.image.name))
    response["Content-Disposition"] = "inline"
    return response


def _idea_form_page(request, form, process, idea):
    quarter = process.quarter
    return render(request, "participation/idea_form.html", {
        "form": form, "process": process, "idea": idea,
        "ancestors": _crumbs(quarter) + [process],
        "center_latlon": _center(quarter),
        "quarter_feature": places.quarter_feature(quarter),
        "title": _("Change your idea") if idea else _("Propose an idea"),
    }, status=400 if form.is_bound and form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def idea_create(request, pk):
    process = _get_process(request, pk)
    try:
        services.check_may_propose(request.user, process)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(process)
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = IdeaForm(data, files, quarter=process.quarter)
    if request.method == "POST" and form.is_valid():
        try:
            idea = services.propose_idea(process, author=request.user, **form.values())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Thank you! Your idea is published."))
            return redirect(idea)
    return _idea_form_page(request, form, process, None)


@login_required
@require_http_methods(["GET", "POST"])
def idea_edit(request, pk):
    idea = _get_idea(request, pk)
    if not request.user.has_perm("participation.change_idea", idea):
        raise PermissionDenied
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    initial = {"title": idea.title, "text": idea.text, "text_simple": idea.text_simple,
               "category": idea.category, "location_text": idea.location_text,
               "image_alt": idea.image_alt}
    if idea.has_point():
        lon, lat = idea.lonlat()
        initial.update(lat=round(lat, 6), lon=round(lon, 6))
    form = IdeaForm(data, files, quarter=idea.process.quarter, idea=idea, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_idea(idea, actor=request.user, **form.values())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Your idea is saved."))
            return redirect(idea)
    return _idea_form_page(request, form, idea.process, idea)


@login_required
@require_POST
def idea_support(request, pk):
    idea = _get_idea(request, pk)
    try:
        if request.POST.get("support") == "1":
            services.support_idea(idea, user=request.user)
            messages.success(request, _("You support this idea."))
        else:
            services.withdraw_support(idea, user=request.user)
            messages.success(request, _("You no longer support this idea."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(_safe_next(request, idea.get_absolute_url()))


@login_required
@require_POST
def idea_follow(request, pk):
    idea = _get_idea(request, pk)
    if request.POST.get("follow") == "1":
        services.follow(request.user, idea=idea)
        messages.success(request, _("You follow this idea."))
    else:
        services.unfollow(request.user, idea=idea)
        messages.success(request, _("You no longer follow this idea."))
    return redirect(idea)


@require_POST
def idea_comment(request, pk):
    idea = _get_idea(request, pk)
    return post_comment(
        request, idea,
        can_comment=request.user.has_perm("participation.comment_idea", idea),
        comment_post_url=reverse("participation:idea_comment", args=[idea.pk]),
        page_template="participation/idea.html",
        page_context=lambda **kwargs: _idea_context(request, idea, **kwargs),
    )


def post_comment(request, target, *, can_comment: bool, comment_post_url: str,
                 page_template: str | None = None, page_context=None):
    """Handle the POST of participation/_comments.html for any target (news uses it too).

    The caller decides can_comment (its own permission: open phase, published article).
    HTMX requests get the comments section back; others a redirect to the new comment,
    or on bad input the page (page_template with page_context(comment_form=...,
    failed_parent=..., page=...)) or a small form page, with the errors at the field."""
    if not can_comment:
        raise PermissionDenied
    form = CommentForm(request.POST)
    parent_id = request.POST.get("parent") or None
    comment = None
    if form.is_valid():
        parent = None
        if form.cleaned_data["parent"]:
            parent = Comment.objects.filter(pk=form.cleaned_data["parent"]).first()
            if parent is None:
                form.add_error(None, _("The comment you answered no longer exists."))
        if not form.errors:
            try:
                comment = services.add_comment(target, form.cleaned_data["text"],
                                               author=request.user, parent=parent)
            except ValidationError as error:
                _add_errors(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error) or _("You cannot comment here."))
    failed_parent = int(parent_id) if parent_id and parent_id.isdigit() and not comment else None
    page = services.comment_page(comment) if comment else request.GET.get("comments")
    if request.htmx:
        context = {
            "thread": services.comment_thread(target, page=page),
            "comment_post_url": comment_post_url, "can_comment": can_comment,
            "comment_form": None if comment else form, "failed_parent": failed_parent,
            "comment_added": comment,
        }
        return render(request, "participation/_comments.html", context)
    if comment is not None:
        messages.success(request, _("Your comment is published."))
        return redirect(f"{target.get_absolute_url()}?comments={page}#comment-{comment.pk}")
    if page_template and page_context:
        return render(request, page_template,
                      page_context(comment_form=form, failed_parent=failed_parent, page=page),
                      status=400)
    return render(request, "participation/comment_error.html", {
        "form": form, "target": target, "comment_post_url": comment_post_url,
    }, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def comment_edit(request, pk):
    comment = get_object_or_404(Comment, pk=pk)
    if not request.user.has_perm("participation.change_comment", comment):
        raise PermissionDenied
    form = CommentEditForm(request.POST or None, initial={"text": comment.text})
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_comment(comment, form.cleaned_data["text"], actor=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Your comment is saved."))
            return redirect(comment.get_absolute_url())
    return render(request, "participation/comment_edit.html", {
        "form": form, "comment": comment,
    }, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def idea_answer(request, pk):
    idea = _get_idea(request, pk)
    if not request.user.has_perm("participation.answer_idea", idea):
        raise PermissionDenied
    form = AnswerForm(request.POST or None, instance=idea)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_idea(idea, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The answer is published."))
            return redirect(idea)
    idea.refresh_from_db()
    return render(request, "participation/idea_answer.html", {
        "form": form, "idea": idea, "ancestors": _crumbs(idea.process.quarter) + [idea.process],
    }, status=400 if form.errors else 200)


# Reports and moderation -------------------------------------------------------------------


def _get_contribution(kind: str, pk: int):
    model = services.contribution_models().get(kind)
    if model is None:
        raise Http404
    related = ["author__participation_settings"]
    if model is Idea:
        related.append("process__quarter__gemeinde")
    return get_object_or_404(model.objects.select_related(*related), pk=pk)


def _contribution_visible(request, contribution) -> bool:
    if isinstance(contribution, Idea):
        return request.user.has_perm("participation.view_process", contribution.process)
    target = contribution.target
    if isinstance(target, Idea):
        return request.user.has_perm("participation.view_process", target.process)
    return target is not None


@login_required
@require_http_methods(["GET", "POST"])
def report(request, kind, pk):
    contribution = _get_contribution(kind, pk)
    if not _contribution_visible(request, contribution):
        raise Http404
    fallback = contribution.get_absolute_url()
    if contribution.hidden:
        # Hidden contributions show only their public reason, here too.
        messages.info(request, _("This contribution is already hidden."))
        return redirect(fallback)
    form = ReportForm(request.POST or None, initial={"next": _safe_next(request, fallback)})
    if request.method == "POST" and form.is_valid():
        try:
            services.report(contribution, form.cleaned_data["reason"], reporter=request.user,
                            explanation=form.cleaned_data["explanation"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Thank you. Moderators will look at it."))
            return redirect(_safe_next(request, fallback))
    return render(request, "participation/report.html", {
        "form": form, "contribution": contribution, "kind": kind,
        "back_url": _safe_next(request, fallback),
    }, status=400 if form.errors else 200)


@login_required
def moderation_queue(request):
    if not request.user.has_perm("participation.moderate"):
        raise PermissionDenied
    return render(request, "participation/moderation_queue.html", {
        "items": services.report_queue(request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def moderate(request, kind, pk):
    contribution = _get_contribution(kind, pk)
    if not request.user.has_perm("participation.moderate", contribution):
        raise PermissionDenied
    form = ModerateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["action"] == "hide":
                services.hide(contribution, form.cleaned_data["reason"],
                              moderator=request.user)
                messages.success(request, _("The contribution is hidden."))
            else:
                services.dismiss_reports(contribution, moderator=request.user)
                messages.success(request, _("The reports are closed; the contribution stays."))
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return redirect("participation:moderation_queue")
    return render(request, "participation/moderate.html", {
        "form": form, "contribution": contribution, "kind": kind,
        "reports": services.open_reports(contribution),
    }, status=400 if form.errors else 200)


@login_required
@require_POST
def unhide(request, kind, pk):
    contribution = _get_contribution(kind, pk)
    if not request.user.has_perm("participation.moderate", contribution):
        raise PermissionDenied
    try:
        services.unhide(contribution, moderator=request.user)
        messages.success(request, _("The contribution is shown again."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(contribution.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def account(request, pk):
    if not request.user.has_perm("participation.moderate"):
        raise PermissionDenied
    person = get_object_or_404(User.objects.select_related("participation_settings"), pk=pk)
    if not services.may_sanction(request.user, person):
        raise PermissionDenied
    form = SanctionForm(request.POST or None)
    if request.method == "POST" and request.POST.get("action") == "unblock":
        try:
            services.unblock(person, moderator=request.user)
            messages.success(request, _("The block is lifted."))
            return redirect("participation:account", pk=person.pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            form = SanctionForm()
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == "block":
                services.block(person, data["reason"], moderator=request.user,
                               until=data.get("until"))
                messages.success(request, _("The account is blocked."))
            else:
                services.warn(person, data["reason"], moderator=request.user)
                messages.success(request, _("The warning is sent."))
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return redirect("participation:account", pk=person.pk)
    return render(request, "participation/account.html", {
        "person": person, "form": form, "sanctions": services.sanctions_of(person),
        "blocked": services.is_blocked(person),
        **services.recent_contributions(person),
    }, status=400 if form.errors else 200)


# Polls ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def poll_create(request, pk):
    process = _get_process(request, pk, "participation.change_process")
    form = PollForm(request.POST or None, process=process)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            poll = services.create_poll(
                process, actor=request.user, phase=data["phase"], question=data["question"],
                options=data["options"], kind=data["kind"], description=data["description"],
                description_simple=data["description_simple"],
                max_choices=data.get("max_choices"), allow_free_text=data["allow_free_text"],
                free_text_label=data["free_text_label"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The poll is saved."))
            return redirect(poll)
    return render(request, "participation/poll_form.html", {
        "form": form, "process": process, "ancestors": _crumbs(process.quarter) + [process],
    }, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def poll(request, pk):
    poll = get_object_or_404(
        _with_places(Poll.objects.select_related("phase"), "process__quarter__"),
        pk=pk,
    )
    process = poll.process
    if not request.user.has_perm("participation.view_process", process):
        raise Http404
    options = list(poll.options.all())
    can_vote = request.user.has_perm("participation.vote_poll", poll)
    voted = services.has_voted(request.user, poll)
    form = VoteForm(request.POST or None, poll=poll, options=options)
    if request.method == "POST":
        if not can_vote:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.vote(poll, user=request.user, option_ids=form.option_ids(),
                              free_text=form.cleaned_data.get("free_text", ""))
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Thank you, your vote is counted."))
                return redirect(poll)
    show_results = voted or not poll.is_open() or request.user.has_perm(
        "participation.change_process", process)
    return render(request, "participation/poll.html", {
        "poll": poll, "process": process, "form": form, "can_vote": can_vote and not voted,
        "voted": voted, "show_results": show_results,
        "results": services.poll_results(poll) if show_results else None,
        "free_texts": list(poll.free_texts.all()[:200]) if show_results else [],
        "ancestors": _crumbs(process.quarter) + [process],
        "why_not": services.why_not_take_part(request.user, process),
    }, status=400 if form.errors else 200)


# Meetings ---------------------------------------------------------------------------------


def _get_meeting(request, pk: int) -> Meeting:
    meeting = get_object_or_404(
        _with_places(Meeting.objects.all(), "process__quarter__"),
        pk=pk,
    )
    if not request.user.has_perm("participation.view_process", meeting.process):
        raise Http404
    return meeting


def meeting(request, pk):
    meeting = _get_meeting(request, pk)
    process = meeting.process
    can_change = request.user.has_perm("participation.change_process", process)
    return render(request, "participation/meeting.html", {
        "meeting": meeting, "process": process,
        "ancestors": _crumbs(process.quarter) + [process],
        "registration": services.registration_of(request.user, meeting),
        "confirmed": services.confirmed_count(meeting),
        "can_register": request.user.has_perm("participation.register_meeting", meeting),
        "can_change": can_change,
        "registrations": list(meeting.registrations.select_related(
            "user__participation_settings")) if can_change else None,
        "why_not": services.why_not_take_part(request.user, process),
    })


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request, pk):
    process = _get_process(request, pk, "participation.change_process")
    return _meeting_form(request, process, None)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk):
    meeting = _get_meeting(request, pk)
    if not request.user.has_perm("participation.change_process", meeting.process):
        raise PermissionDenied
    return _meeting_form(request, meeting.process, meeting)


def _meeting_form(request, process, meeting):
    form = MeetingForm(request.POST or None, instance=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            if meeting is None:
                meeting = services.create_meeting(process, actor=request.user,
                                                  **form.cleaned_data)
            else:
                meeting = services.change_meeting(meeting, actor=request.user,
                                                  **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The meeting is saved."))
            return redirect(meeting)
    if meeting is not None:
        meeting.refresh_from_db()
    return render(request, "participation/meeting_form.html", {
        "form": form, "process": process, "meeting": meeting,
        "ancestors": _crumbs(process.quarter) + [process],
        "title": _("Edit “%(title)s”") % {"title": meeting.title} if meeting
        else _("New meeting"),
    }, status=400 if form.errors else 200)


@login_required
@require_POST
def meeting_register(request, pk):
    meeting = _get_meeting(request, pk)
    try:
        registration = services.register(meeting, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if registration.status == registration.Status.WAITING:
            messages.success(request, _("The meeting is full: you are on the waiting list. "
                                        "We tell you when a place becomes free."))
        else:
            messages.success(request, _("You are registered."))
    return redirect(meeting)


@login_required
@require_POST
def meeting_cancel(request, pk):
    meeting = _get_meeting(request, pk)
    try:
        services.cancel_registration(meeting, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your registration is cancelled."))
    return redirect(meeting)


def meeting_ical(request, pk):
    meeting = _get_meeting(request, pk)
    data = services.meeting_ical(meeting,
                                 url=request.build_absolute_uri(meeting.get_absolute_url()))
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


# Notifications and settings ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request):
    current = services.settings_of(request.user)
    form = SettingsForm(request.POST or None, initial={
        "public_name": current.public_name, "in_platform": current.in_platform,
        "by_email": current.by_email,
    })
    if request.method == "POST" and request.POST.get("action") == "read":
        services.mark_notifications_read(request.user)
        return redirect("participation:notifications")
    if request.method == "POST" and form.is_valid():
        try:
            services.save_settings(request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Your settings are saved."))
            return redirect("participation:notifications")
    return render(request, "participation/notifications.html", {
        "form": form, "notifications": services.notifications_of(request.user),
    }, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def simple_language(request):
    """The toggle is a GET form, like the language switch: a preference, no CSRF token, so
    the pages that carry it can be shared between visitors (quartier/pagecache.py)."""
    data = request.POST if request.method == "POST" else request.GET
    request.session["participation_simple_language"] = data.get("simple") == "1"
    return redirect(_safe_next(request, reverse("participation:overview")))
