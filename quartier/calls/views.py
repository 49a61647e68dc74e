import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from quartier.accounts.services import audit_trail
from quartier.calls import services
from quartier.calls.forms import (
    ApplicationForm,
    AttachmentForm,
    CallForm,
    ConflictForm,
    CostItemFormSet,
    CriterionFormSet,
    DecisionForm,
    EligibilityForm,
    JurorsForm,
    OrganisationChoiceForm,
    RevokeForm,
    ScoreForm,
    cost_items_of,
    criteria_of,
)
from quartier.calls.models import Application, Attachment, Call, Decision, Review, TargetGroup
from quartier.downloads import csv_response


def _call(request, pk: int, perm: str = "calls.view_call") -> Call:
    """The call if the user may see it (404 hides drafts entirely), else 403 for `perm`."""
    call = get_object_or_404(Call.objects.select_related("budget_line"), pk=pk)
    if not request.user.has_perm("calls.view_call", call):
        raise Http404
    if perm != "calls.view_call" and not request.user.has_perm(perm, call):
        raise PermissionDenied
    return call


def _application(request, pk: int, perm: str = "calls.view_application") -> Application:
    """The application if the user may see it; 404 hides it from everyone else."""
    application = get_object_or_404(
        Application.objects.select_related("call__budget_line", "organisation__place",
                                           "gemeinde__parent"), pk=pk)
    if not request.user.has_perm("calls.view_application", application):
        raise Http404
    if perm != "calls.view_application" and not request.user.has_perm(perm, application):
        raise PermissionDenied
    return application


def _content(application) -> dict:
    """What the application pages and the review page show of an application."""
    labels = dict(TargetGroup.choices)
    return {
        "application": application, "call": application.call,
        "cost_items": application.cost_items.all(),
        "attachments": application.attachments.all(),
        "quarters": application.quarters.all(),
        "target_group_labels": [labels.get(g, g) for g in application.target_groups],
    }


def _errors_to_form(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


# Public ---------------------------------------------------------------------------------


def call_list(request):
    calls = list(services.visible_calls(request.user))
    now = timezone.now()
    return render(request, "calls/list.html", {
        "open_calls": [c for c in calls if c.is_open(now)],
        "other_calls": [c for c in calls if not c.is_open(now)],
        "now": now,
    })


def call_detail(request, pk):
    call = _call(request, pk)
    organisations = services.organisations_for(request.user, call) if call.is_open() else []
    own = services.applications_of(request.user).filter(call=call)
    return render(request, "calls/call.html", {
        "call": call,
        "criteria": call.criteria.all(),
        "organisations": organisations,
        "own_applications": own,
        "can_apply": request.user.has_perm("calls.apply", call),
        "can_manage": request.user.has_perm("calls.manage_call"),
        "can_declare": request.user.has_perm("calls.declare_conflict", call),
    })


def results(request, pk):
    call = _call(request, pk, "calls.view_results")
    outcome = services.results(call)
    return render(request, "calls/results.html", {
        "call": call, "results": outcome,
        "features": services.results_geojson(call, outcome),
    })


def results_csv(request, pk):
    call = _call(request, pk, "calls.view_results")
    return csv_response(services.RESULT_HEADER, services.result_rows(services.results(call)),
                        f"call-{call.pk}-results.csv")


def results_geojson(request, pk):
    call = _call(request, pk, "calls.view_results")
    data = services.results_geojson(call, services.results(call))
    response = HttpResponse(json.dumps(data, ensure_ascii=False),
                            content_type="application/geo+json")
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="call-{call.pk}-results.geojson"'
    return response


# Applicants -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def apply(request, pk):
    call = _call(request, pk, "calls.apply")
    organisations = services.organisations_for(request.user, call)
    form = OrganisationChoiceForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.start_application(
                call, form.cleaned_data["organisation"], actor=request.user)
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            return redirect("calls:application_edit", application.pk)
    return render(request, "calls/apply.html", {"call": call, "form": form},
                  status=400 if form.errors else 200)


@login_required
def mine(request):
    return render(request, "calls/mine.html",
                  {"applications": services.applications_of(request.user)})


def application(request, pk):
    application = _application(request, pk)
    user = request.user
    can_manage = user.has_perm("calls.manage_call")
    context = {
        **_content(application),
        "can_change": user.has_perm("calls.change_application", application),
        "can_manage": can_manage,
        "checks": [(c, services.CHECK_LABELS.get(c["check"], c["check"]))
                   for c in application.checks],
        "verified": services.verify_receipt(application),
    }
    if can_manage:
        context["eligibility_form"] = EligibilityForm(initial={
            "decision": None if application.eligibility == "pending" else application.eligibility,
            "reason": application.eligibility_reason})
        context["trail"] = audit_trail(application)
        context["reviews"] = application.reviews.select_related("juror").prefetch_related(
            "scores__criterion")
    return render(request, "calls/application.html", context)


def _application_forms(request, application):
    data = request.POST if request.method == "POST" else None
    form = ApplicationForm(data, application=application,
                           initial=ApplicationForm.initial_of(application))
    items = [{"description": i.description, "amount": i.amount_cents}
             for i in application.cost_items.all()]
    formset = CostItemFormSet(data, initial=items, prefix="costs")
    return form, formset


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request, pk):
    """The draft: "save", "submit" or "attach" (a PDF); each first stores what was typed."""
    application = _application(request, pk, "calls.change_application")
    form, formset = _application_forms(request, application)
    attachment_form = AttachmentForm(request.POST, request.FILES) \
        if "attach" in request.POST else None
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        submit = "submit" in request.POST
        try:
            with transaction.atomic():
                services.save_draft(application, actor=request.user, fields=form.draft_fields(),
                                    quarters=form.cleaned_data["quarters"],
                                    cost_items=cost_items_of(formset))
                if submit:
                    services.submit_application(application, actor=request.user)
        except ValidationError as error:
            _submission_errors(form, formset, error)
        else:
            if submit:
                messages.success(request, _("Your application has been submitted."))
                return redirect("calls:receipt", application.pk)
            if attachment_form is None:
                messages.success(request, _("Your draft is saved."))
                return redirect("calls:application_edit", application.pk)
            if _attach(request, application, attachment_form):
                return redirect("calls:application_edit", application.pk)
    return _render_application_form(request, application, form, formset, attachment_form)


def _attach(request, application, attachment_form) -> bool:
    if attachment_form.is_valid():
        try:
            services.add_attachment(application, attachment_form.cleaned_data["file"],
                                    actor=request.user)
        except ValidationError as error:
            attachment_form.add_error("file", error.messages)
        else:
            messages.success(request, _("The file is attached."))
            return True
    return False


def _submission_errors(form, formset, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages_ in error.message_dict.items():
        if field == "cost_items":
            form.add_error(None, messages_)
            formset._non_form_errors = formset.error_class(messages_)
        elif field in form.fields:
            form.add_error(field, messages_)
        else:
            form.add_error(None, messages_)


def _render_application_form(request, application, form, formset, attachment_form=None):
    errors = (form.is_bound and (form.errors or not formset.is_valid())) or \
        (attachment_form is not None and bool(attachment_form.errors))
    return render(request, "calls/application_form.html", {
        "application": application, "call": application.call, "form": form,
        "formset": formset, "attachments": application.attachments.all(),
        "attachment_form": attachment_form or AttachmentForm(),
        "max_mb": services.attachment_max_bytes() // (1024 * 1024),
        "max_attachments": services.MAX_ATTACHMENTS,
    }, status=400 if errors else 200)


@require_POST
def application_autosave(request, pk):
    """Save the draft as it is typed (HTMX); only fields that are valid are stored. A signed-out
    or refused request gets the status text, not a redirect that HTMX would swap in."""
    application = get_object_or_404(Application.objects.select_related("call", "organisation"),
                                    pk=pk)
    if not request.user.has_perm("calls.change_application", application):
        return render(request, "calls/_autosave.html", {"failed": True}, status=403)
    form, formset = _application_forms(request, application)
    form.is_valid()
    items = cost_items_of(formset) if formset.is_valid() else None
    quarters = form.cleaned_data.get("quarters") if "quarters" in form.cleaned_data else None
    try:
        services.save_draft(application, actor=request.user, fields=form.draft_fields(),
                            quarters=quarters, cost_items=items)
    except ValidationError:
        return render(request, "calls/_autosave.html", {"failed": True}, status=400)
    skipped = [form.fields[name].label for name in form.errors if name in form.fields]
    if items is None:
        skipped.append(_("Cost breakdown"))
    return render(request, "calls/_autosave.html",
                  {"saved_at": timezone.localtime(), "skipped": skipped})


@login_required
def application_quarters(request, pk):
    """The quarter checkboxes for the Gemeinde chosen in the form (HTMX)."""
    application = _application(request, pk, "calls.change_application")
    form = ApplicationForm(request.GET, application=application)
    return render(request, "calls/_quarters.html", {"field": form["quarters"]})


@login_required
@require_POST
def attachment_remove(request, pk):
    attachment = get_object_or_404(Attachment, pk=pk)
    application = _application(request, attachment.application_id, "calls.change_application")
    try:
        services.remove_attachment(attachment, actor=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("The file is removed."))
    return redirect("calls:application_edit", application.pk)


def attachment_download(request, pk):
    attachment = get_object_or_404(Attachment, pk=pk)
    _application(request, attachment.application_id)
    try:
        handle = default_storage.open(attachment.file.name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    return FileResponse(handle, content_type="application/pdf", as_attachment=True,
                        filename=attachment.name)


def receipt(request, pk):
    application = _application(request, pk)
    if application.is_draft():
        raise Http404
    return render(request, "calls/receipt.html", {
        "application": application, "call": application.call,
        "verified": services.verify_receipt(application),
        "content_json": json.dumps(application.content, sort_keys=True, ensure_ascii=False,
                                   separators=(",", ":")),
    })


# Staff ----------------------------------------------------------------------------------


@permission_required("calls.manage_call", raise_exception=True)
@require_http_methods(["GET", "POST"])
def call_create(request):
    form = CallForm(request.POST or None)
    formset = CriterionFormSet(request.POST or None, prefix="criteria")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            call = services.create_call(criteria=criteria_of(formset), actor=request.user,
                                        **form.call_fields())
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("The call is saved as a draft."))
            return redirect("calls:manage", call.pk)
    return _render_call_form(request, form, formset, None)


@permission_required("calls.manage_call", raise_exception=True)
@require_http_methods(["GET", "POST"])
def call_edit(request, pk):
    call = _call(request, pk, "calls.manage_call")
    if call.phase != Call.Phase.DRAFT:
        messages.error(request, _("A published call cannot be changed any more."))
        return redirect("calls:manage", call.pk)
    form = CallForm(request.POST or None, initial=CallForm.initial_of(call))
    formset = CriterionFormSet(request.POST or None, prefix="criteria", initial=[
        {"name": c.name, "description": c.description, "weight": c.weight}
        for c in call.criteria.all()])
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            services.change_call(call, criteria=criteria_of(formset), actor=request.user,
                                 **form.call_fields())
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("The call is saved."))
            return redirect("calls:manage", call.pk)
    return _render_call_form(request, form, formset, call)


def _render_call_form(request, form, formset, call):
    errors = form.is_bound and (form.errors or not formset.is_valid())
    return render(request, "calls/call_form.html", {
        "form": form, "formset": formset, "call": call,
        "title": _("Edit the call") if call else _("New call"),
    }, status=400 if errors else 200)


@permission_required("calls.manage_call", raise_exception=True)
def manage(request, pk):
    call = _call(request, pk, "calls.manage_call")
    applications = list(call.applications.select_related("organisation", "gemeinde")
                        .order_by("status", "pk"))
    return render(request, "calls/manage.html", {
        "call": call, "applications": applications,
        "submitted_count": sum(1 for a in applications if not a.is_draft()),
        "draft_count": sum(1 for a in applications if a.is_draft()),
        "progress": services.jury_progress(call),
        "jurors": call.jurors.all(),
        "trail": audit_trail(call)[:50],
        "unranked": services.unranked_applications(call).count()
        if call.phase != Call.Phase.DRAFT else 0,
    })


def _staff_action(request, pk, action, success: str):
    call = _call(request, pk, "calls.manage_call")
    try:
        result = action(call)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success % {"count": result} if "%(" in success else success)
    return redirect("calls:manage", call.pk)


@permission_required("calls.manage_call", raise_exception=True)
@require_POST
def publish(request, pk):
    return _staff_action(request, pk, lambda c: services.publish_call(c, actor=request.user),
                         _("The call is published."))


@permission_required("calls.manage_call", raise_exception=True)
@require_POST
def confirm_eligible(request, pk):
    return _staff_action(
        request, pk, lambda c: services.confirm_passing_applications(c, actor=request.user),
        _("%(count)s applications marked eligible."))


@permission_required("calls.manage_call", raise_exception=True)
@require_POST
def close_jury(request, pk):
    return _staff_action(request, pk, lambda c: services.close_jury(c, actor=request.user),
                         _("The jury is closed."))


@permission_required("calls.manage_call", raise_exception=True)
@require_POST
def eligibility(request, pk):
    application = _application(request, pk, "calls.manage_call")
    form = EligibilityForm(request.POST)
    if form.is_valid():
        try:
            services.decide_eligibility(
                application, eligible=form.cleaned_data["decision"] == "eligible",
                reason=form.cleaned_data["reason"], actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The eligibility is recorded."))
    else:
        problems = [_("Choose eligible or not eligible.")] if "decision" in form.errors else []
        messages.error(request, " ".join(problems + form.errors.get("reason", [])))
    return redirect("calls:application", application.pk)


@permission_required("calls.manage_call", raise_exception=True)
@require_http_methods(["GET", "POST"])
def jury(request, pk):
    call = _call(request, pk, "calls.manage_call")
    form = JurorsForm(request.POST or None, initial={"jurors": call.jurors.all()})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_jurors(call, form.cleaned_data["jurors"], actor=request.user)
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("The jury is saved."))
            return redirect("calls:jury", call.pk)
    jurors = list(call.jurors.all())
    applications = list(services.jury_applications(call))
    conflicts = services.conflicts_of(call, applications, jurors)
    reviews = list(Review.objects.filter(application__call=call).values_list(
        "application_id", "juror_id", "submitted_at"))
    load = {j.pk: [0, 0] for j in jurors}
    per_application = {a.pk: 0 for a in applications}
    for application_id, juror_id, submitted_at in reviews:
        if juror_id in load:
            load[juror_id][0] += 1
            load[juror_id][1] += submitted_at is not None
        if application_id in per_application:
            per_application[application_id] += 1
    return render(request, "calls/jury.html", {
        "call": call, "form": form,
        "jurors": [(j, load[j.pk][0], load[j.pk][1],
                    sum(1 for (_a, juror) in conflicts if juror == j.pk)) for j in jurors],
        "short": [(a, per_application[a.pk]) for a in applications
                  if per_application[a.pk] < call.reviews_per_application],
        "conflict_count": len(conflicts),
        "application_count": len(applications),
    }, status=400 if form.errors else 200)


@permission_required("calls.manage_call", raise_exception=True)
@require_POST
def assign(request, pk):
    call = _call(request, pk, "calls.manage_call")
    try:
        result = services.assign_jury(call, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(count)s reviews assigned.") % {"count": result.created})
        if result.shortfall:
            messages.warning(request, _("%(count)s applications have fewer eligible jurors than "
                                        "reviews needed.") % {"count": len(result.shortfall)})
    return redirect("calls:jury", call.pk)


@permission_required("calls.manage_call", raise_exception=True)
def ranking(request, pk):
    call = _call(request, pk, "calls.manage_call")
    rows = services.ranking(call)
    return render(request, "calls/ranking.html", {
        "call": call, "rows": rows, "progress": services.jury_progress(call),
        "unranked": services.unranked_applications(call),
        "flagged": sum(1 for r in rows if r.ranked.flagged),
    })


@permission_required("calls.manage_call", raise_exception=True)
@require_http_methods(["GET", "POST"])
def allocation(request, pk):
    call = _call(request, pk, "calls.manage_call")
    if request.method == "POST":
        try:
            services.compute_allocation(call, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The allocation is computed."))
        return redirect("calls:allocation", call.pk)
    run = services.latest_run(call)
    context = {"call": call, "run": run}
    if run:
        context.update(_run_context(call, run))
    return render(request, "calls/allocation.html", context)


def _run_context(call, run) -> dict:
    from quartier.places.models import Place

    listed, optimal = run.list_result, run.optimal_result
    codes = {v["place"] for result in (listed, optimal) for v in result.get("violations", [])}
    names = dict(Place.objects.filter(ags__in=codes).values_list("ags", "name"))
    for result in (listed, optimal):
        for violation in result.get("violations", []):
            violation["name"] = names.get(violation["place"], violation["place"])
    gain = None if "error" in optimal else optimal["total_score"] - listed["total_score"]
    return {"rows": services.allocation_rows(call, run), "listed": listed, "optimal": optimal,
            "gain": gain, "gap_percent": None if optimal.get("gap") is None
            else optimal["gap"] * 100}


@permission_required("calls.decide_call", raise_exception=True)
@require_http_methods(["GET", "POST"])
def decide(request, pk):
    call = _call(request, pk, "calls.decide_call")
    run = services.latest_run(call)
    if call.phase == Call.Phase.DECIDED:
        messages.info(request, _("This call has been decided."))
        return redirect("calls:results", call.pk)
    if call.phase != Call.Phase.JURY_CLOSED or run is None:
        messages.error(request, _("Compute the allocation first, once the jury is closed."))
        return redirect("calls:allocation", call.pk)
    base = request.POST.get("base_method") or request.GET.get("base")
    if base not in ("list", "optimal") or "error" in run.result(base):
        base = "list" if "error" in run.optimal_result else "optimal"
    rows = services.allocation_rows(call, run)
    form = DecisionForm(request.POST or None, rows=rows, base_method=base)
    if request.method == "POST" and form.is_valid():
        try:
            services.decide_call(call, run, base_method=base, amounts=form.amounts(),
                                 reasons=form.reasons(), actor=request.user)
        except services.Overspend as error:
            form.add_error(None, error.messages)
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("The awards are decided, booked and announced."))
            return redirect("calls:results", call.pk)
    return render(request, "calls/decide.html", {
        "call": call, "run": run, "form": form, "base": base,
        "method_label": services.method_label(base),
        "optimal_failed": "error" in run.optimal_result,
    }, status=400 if form.errors else 200)


@permission_required("calls.decide_call", raise_exception=True)
@require_POST
def revoke(request, pk):
    decision = get_object_or_404(Decision.objects.select_related("call"), pk=pk)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            services.revoke_award(decision, reason=form.cleaned_data["reason"],
                                  actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The award is withdrawn and its money released."))
    else:
        messages.error(request, _("Give the reason for withdrawing the award."))
    return redirect("calls:results", decision.call_id)


# Jurors ---------------------------------------------------------------------------------


@permission_required("calls.review", raise_exception=True)
def my_reviews(request):
    reviews = list(services.reviews_of(request.user))
    calls = Call.objects.filter(jurors=request.user).exclude(phase=Call.Phase.DRAFT)
    return render(request, "calls/my_reviews.html", {"reviews": reviews, "calls": calls})


@login_required
@require_http_methods(["GET", "POST"])
def review(request, pk):
    review = get_object_or_404(
        Review.objects.select_related("application__call", "application__organisation__place",
                                      "application__gemeinde"), pk=pk)
    # Another juror's review, or one the juror has a conflict with, does not exist for them.
    if review.juror_id != request.user.pk or \
            not request.user.has_perm("calls.view_application", review.application):
        raise Http404
    application = review.application
    call = application.call
    criteria = list(call.criteria.all())
    can_score = request.user.has_perm("calls.score_application", application)
    form = ScoreForm(request.POST or None, review=review, criteria=criteria)
    if request.method == "POST":
        if not can_score:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.score_review(review, form.values(), actor=request.user)
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(request, _("Your scores are saved."))
                return redirect("calls:my_reviews")
    others = None
    if request.user.has_perm("calls.view_scores", application):
        others = (application.reviews.exclude(pk=review.pk).filter(submitted_at__isnull=False)
                  .prefetch_related("scores__criterion"))
    return render(request, "calls/review.html", {
        **_content(application), "review": review, "form": form,
        "can_score": can_score, "others": others,
    }, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def conflicts(request, pk):
    call = _call(request, pk, "calls.declare_conflict")
    applications = list(call.applications.filter(status="submitted").select_related(
        "organisation").order_by("organisation__name"))
    declared = set(call.applications.filter(conflicts__juror=request.user).values_list(
        "pk", flat=True))
    form = ConflictForm(request.POST or None,
                        applications=[a for a in applications if a.pk not in declared])
    if request.method == "POST" and form.is_valid():
        application = next(a for a in applications if a.pk == form.cleaned_data["application"])
        try:
            services.declare_conflict(application, juror=request.user,
                                      reason=form.cleaned_data["reason"], actor=request.user)
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("The conflict of interest is recorded; you will not "
                                        "review this application."))
            return redirect("calls:conflicts", call.pk)
    return render(request, "calls/conflicts.html", {
        "call": call, "form": form,
        "declared": [a for a in applications if a.pk in declared],
    }, status=400 if form.errors else 200)
