import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from quartier.accounts.models import Organisation, Role
from quartier.accounts.services import audit_trail, grants_of, is_programme_staff
from quartier.budget.services import euros
from quartier.consulting import engine, services
from quartier.consulting.forms import (
    AbsenceForm,
    AcceptRunForm,
    AnswerForm,
    AssignForm,
    CancelForm,
    CloseForm,
    CompleteForm,
    DocumentForm,
    FeedbackForm,
    FormatForm,
    ProfileForm,
    ReportForm,
    RequestForm,
    SessionForm,
    TopicForm,
    TriageForm,
)
from quartier.consulting.models import (
    Absence,
    Case,
    ConsultantProfile,
    ConsultingRequest,
    Document,
    Format,
    MatchingRun,
    Topic,
)
from quartier.downloads import csv_response, pdf_response


def _apply_errors(form, error: ValidationError) -> None:
    """Put a service's refusal at the fields it names (or above the form)."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages_:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


# Overview and catalogue -------------------------------------------------------------------


def overview(request):
    formats, topics = services.catalogue()
    user = request.user
    return render(request, "consulting/overview.html", {
        "formats": formats,
        "topics": topics,
        "can_request": user.has_perm("consulting.add_request"),
        "can_manage": user.has_perm("consulting.manage_catalogue"),
        "profile": services.profile_of(user),
        "is_consultant": user.has_perm("consulting.keep_profile"),
        "waiting": services.triage_queue().count() if is_programme_staff(user) else None,
    })


@permission_required("consulting.manage_catalogue", raise_exception=True)
def catalogue_admin(request):
    formats, topics = services.catalogue(include_inactive=True)
    return render(request, "consulting/catalogue.html", {"formats": formats, "topics": topics})


@permission_required("consulting.manage_catalogue", raise_exception=True)
@require_http_methods(["GET", "POST"])
def format_edit(request, pk=None):
    fmt = get_object_or_404(Format, pk=pk) if pk else Format(usual_days=2)
    form = FormatForm(request.POST or None, instance=fmt)
    if request.method == "POST" and form.is_valid():
        fmt = form.save(commit=False)
        fmt.day_rate_cents = form.cleaned_data["day_rate"]
        try:
            services.save_format(fmt, actor=request.user)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The format is saved."))
            return redirect("consulting:catalogue")
    title = _("Edit format") if pk else _("New format")
    return render(request, "consulting/format_form.html", {"form": form, "title": title},
                  status=_status(form))


@permission_required("consulting.manage_catalogue", raise_exception=True)
@require_http_methods(["GET", "POST"])
def topic_edit(request, pk=None):
    topic = get_object_or_404(Topic, pk=pk) if pk else Topic()
    form = TopicForm(request.POST or None, instance=topic)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_topic(form.save(commit=False), actor=request.user)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The topic is saved."))
            return redirect("consulting:catalogue")
    title = _("Edit topic") if pk else _("New topic")
    return render(request, "consulting/topic_form.html", {"form": form, "title": title},
                  status=_status(form))


# Requests ---------------------------------------------------------------------------------


def _get_request(request, pk: int, perm: str = "consulting.view_request") -> ConsultingRequest:
    """The request if the user may see it; others get a 404, never a hint it exists."""
    item = get_object_or_404(ConsultingRequest, pk=pk)
    if not request.user.has_perm("consulting.view_request", item):
        raise Http404
    if perm != "consulting.view_request" and not request.user.has_perm(perm, item):
        raise PermissionDenied
    return item


@login_required
def request_list(request):
    staff = is_programme_staff(request.user)
    if not (staff or request.user.has_perm("consulting.add_request")):
        raise PermissionDenied
    state = request.GET.get("state", "")
    if state not in ConsultingRequest.State.values:
        state = ""
    requests = services.requests_for(request.user, state=state)[:500]
    return render(request, "consulting/requests.html", {
        "requests": requests, "state": state, "states": ConsultingRequest.State.choices,
        "staff": staff, "queue": list(services.triage_queue()) if staff and not state else [],
    })


@login_required
@require_http_methods(["GET", "POST"])
def request_create(request):
    if not request.user.has_perm("consulting.add_request"):
        raise PermissionDenied
    initial = {"quarters": [request.GET["quarter"]]} if request.GET.get("quarter", "").isdigit() \
        else {}
    form = RequestForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.submit_request(
                organisation=data["organisation"], quarters=list(data["quarters"]),
                topic=data["topic"], format=data["format"], mode=data["mode"],
                language=data["language"], goals=data["goals"], people=data["people"],
                earliest=data["earliest"], latest=data["latest"], actor=request.user)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Thank you. Your request is submitted; you see its "
                                        "state here at any time."))
            return redirect(item)
    formats, _topics = services.catalogue()
    return render(request, "consulting/request_form.html", {
        "form": form, "formats": formats,
    }, status=_status(form))


@login_required
def request_detail(request, pk):
    return render(request, "consulting/request.html",
                  _request_context(request, _get_request(request, pk)))


def _request_context(request, item: ConsultingRequest, **forms) -> dict:
    item = services.request_detail(item)
    user = request.user
    staff = is_programme_staff(user)
    State = ConsultingRequest.State
    case = getattr(item, "case", None) if item.state == State.ASSIGNED else None
    may_answer = user.has_perm("consulting.answer_request", item)
    return {
        "item": item,
        "case": case,
        "staff": staff,
        "can_answer": may_answer and item.state == State.QUESTION,
        "can_withdraw": may_answer and item.is_open(),
        "can_triage": user.has_perm("consulting.triage_request", item)
        and item.state == State.SUBMITTED,
        "can_assign": user.has_perm("consulting.assign", item) and item.state == State.ACCEPTED,
        "triage_form": forms.get("triage_form") or TriageForm(),
        "answer_form": forms.get("answer_form") or AnswerForm(),
        "trail": list(audit_trail(item)) if staff else None,
        "steps": _steps(item),
    }


def _steps(item: ConsultingRequest) -> list[tuple[str, bool, bool]]:
    """The life cycle as (label, done, current) for the progress list a requester sees."""
    State = ConsultingRequest.State
    order = [State.SUBMITTED, State.ACCEPTED, State.ASSIGNED]
    labels = {State.SUBMITTED: _("Submitted"), State.ACCEPTED: _("Accepted"),
              State.ASSIGNED: _("Consultant assigned")}
    reached = {State.SUBMITTED: 0, State.QUESTION: 0, State.ACCEPTED: 1, State.ASSIGNED: 2,
               State.DECLINED: 0, State.WITHDRAWN: 0}[item.state]
    steps = [(labels[s], i <= reached, i == reached) for i, s in enumerate(order)]
    case = getattr(item, "case", None) if item.state == State.ASSIGNED else None
    case_done = case is not None and case.state in (Case.State.COMPLETED, Case.State.CLOSED)
    steps.append((_("Completed"), case_done, case is not None and case.state ==
                  Case.State.COMPLETED))
    steps.append((_("Closed"), case is not None and case.state == Case.State.CLOSED,
                  case is not None and case.state == Case.State.CLOSED))
    if case is not None and case.state != Case.State.ACTIVE:
        steps[2] = (steps[2][0], True, False)
    return steps


@login_required
@require_POST
def request_triage(request, pk):
    item = _get_request(request, pk, "consulting.triage_request")
    form = TriageForm(request.POST)
    if form.is_valid():
        try:
            services.triage_request(item, form.cleaned_data["decision"],
                                    message=form.cleaned_data["message"], actor=request.user)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Your decision is saved and the requester informed."))
            return redirect(item)
    return _request_with_form(request, item, triage_form=form)


@login_required
@require_POST
def request_answer(request, pk):
    item = _get_request(request, pk, "consulting.answer_request")
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.answer_request(item, form.cleaned_data["answer"], actor=request.user)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Your answer is sent to programme staff."))
            return redirect(item)
    return _request_with_form(request, item, answer_form=form)


def _request_with_form(request, item, **forms):
    return render(request, "consulting/request.html",
                  _request_context(request, item, **forms), status=400)


@login_required
@require_POST
def request_withdraw(request, pk):
    item = _get_request(request, pk, "consulting.answer_request")
    try:
        services.withdraw_request(item, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The request is withdrawn."))
    return redirect(item)


@login_required
@require_http_methods(["GET", "POST"])
def request_assign(request, pk):
    item = _get_request(request, pk, "consulting.assign")
    if item.state != ConsultingRequest.State.ACCEPTED:
        messages.error(request, _("Only an accepted request waiting for a consultant can be "
                                  "assigned."))
        return redirect(item)
    run = services.latest_run()
    proposal = run.proposals.filter(request=item).select_related("consultant").first() \
        if run else None
    proposed = proposal.consultant if proposal else None
    today = timezone.localdate()
    line = services.default_budget_line(max(item.earliest, today))
    form = AssignForm(request.POST or None, initial={
        "consultant": proposed, "start": max(item.earliest, today), "end": item.latest,
        "days": item.days, "budget_line": line,
    })
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.assign_case(
                item, data["consultant"], actor=request.user, budget_line=data["budget_line"],
                reason=data["reason"], proposed=proposed, start=data["start"], end=data["end"],
                days=data["days"])
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("%(name)s is assigned; the requester and the "
                                        "consultant are informed.") % {"name": case.consultant})
            return redirect(case)
    return render(request, "consulting/assign.html", {
        "item": services.request_detail(item), "form": form, "proposal": proposal,
        "cost": euros(item.days * item.format.day_rate_cents),
    }, status=_status(form))


# Matching ---------------------------------------------------------------------------------


@permission_required("consulting.assign", raise_exception=True)
@require_http_methods(["GET", "POST"])
def matching(request):
    if request.method == "POST":
        run = services.compute_matching(actor=request.user)
        messages.success(request, _("The proposal is computed for %(count)s requests.") % {
            "count": run.summary.get("requests", 0)})
        return redirect("consulting:matching")
    run = services.latest_run()
    proposals = services.proposals_of(run) if run else []
    return render(request, "consulting/matching.html", _matching_context(run, proposals, None))


def _matching_context(run, proposals, form):
    summary = run.summary if run else {}
    return {
        "run": run, "proposals": proposals, "summary": summary,
        "form": form or AcceptRunForm(initial={
            "budget_line": services.default_budget_line(timezone.localdate())}),
        "waiting": services.matchable_requests().count(),
        "saved_km": summary.get("fcfs_travel_km", 0) - summary.get("travel_km", 0),
        "saved_days": summary.get("fcfs_waiting_days", 0) - summary.get("waiting_days", 0),
        "detour_factor": services.detour_factor(),
        "fairness": (engine.HALF_LOAD_KM_PER_DAY, engine.HIGH_LOAD_KM_PER_DAY),
    }


@permission_required("consulting.assign", raise_exception=True)
@require_POST
def matching_accept(request, pk):
    run = get_object_or_404(MatchingRun, pk=pk)
    form = AcceptRunForm(request.POST)
    if form.is_valid():
        try:
            cases = services.accept_proposals(run, actor=request.user,
                                              budget_line=form.cleaned_data["budget_line"])
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("%(count)s cases assigned as proposed.") % {
                "count": len(cases)})
            return redirect("consulting:cases")
    return render(request, "consulting/matching.html",
                  _matching_context(run, services.proposals_of(run), form), status=400)


# Cases ------------------------------------------------------------------------------------


def _get_case(request, pk: int, perm: str = "consulting.view_case") -> Case:
    case = get_object_or_404(Case.objects.select_related(
        "request__organisation", "request__topic", "request__format", "request__gemeinde__parent",
        "consultant__home_base", "proposed_consultant", "budget_line"), pk=pk)
    if not request.user.has_perm("consulting.view_case", case):
        raise Http404
    if perm != "consulting.view_case" and not request.user.has_perm(perm, case):
        raise PermissionDenied
    return case


@login_required
def case_list(request):
    if not request.user.has_perm("consulting.view_cases"):
        raise PermissionDenied
    state = request.GET.get("state", "")
    cases = services.cases_for(request.user)
    if state in Case.State.values:
        cases = cases.filter(state=state)
    else:
        state = ""
    return render(request, "consulting/cases.html", {
        "cases": cases[:500], "state": state, "states": Case.State.choices,
    })


@login_required
def case_detail(request, pk):
    return _case_page(request, _get_case(request, pk))


def _case_page(request, case: Case, *, status: int = 200, close_form=None, cancel_form=None,
               document_errors=None):
    """The case page; a refused close, cancel or upload shows its form with the errors at
    the field (status 400)."""
    user = request.user
    detail = services.case_detail(case)
    return render(request, "consulting/case.html", {
        "case": case, **detail,
        "can_log": user.has_perm("consulting.log_session", case) and case.is_active(),
        "can_complete": user.has_perm("consulting.complete_case", case) and case.is_active(),
        "can_feedback": user.has_perm("consulting.give_feedback", case)
        and case.state == Case.State.COMPLETED and detail["feedback"] is None,
        "can_close": user.has_perm("consulting.close_case", case)
        and case.state == Case.State.COMPLETED,
        "can_cancel": user.has_perm("consulting.close_case", case) and case.is_active(),
        "can_see_protocol": user.has_perm("consulting.view_protocol", case),
        "committed": euros(case.committed_cents),
        "paid": euros(detail["booked"].disbursed_cents),
        "held": services.days_text(detail["held_half_days"]),
        "left": services.days_text(detail["left_half_days"]),
        "trail": list(audit_trail(case)) if is_programme_staff(user) else None,
        "close_form": close_form or CloseForm(), "cancel_form": cancel_form or CancelForm(),
        "document_errors": document_errors or {},
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def session_create(request, pk):
    case = _get_case(request, pk, "consulting.log_session")
    if not case.is_active():
        messages.error(request, _("Sessions can only be logged while the case is running."))
        return redirect(case)
    initial = {"date": min(max(case.start, timezone.localdate()), case.end),
               "mode": case.request.mode, "topics": [case.request.topic_id], "half_days": 2}
    form = SessionForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.log_session(
                case, date=data["date"], start_time=data["start_time"],
                half_days=data["half_days"], mode=data["mode"],
                participants=data["participants"], topics=list(data["topics"]),
                protocol=data["protocol"], document=data["document"], actor=request.user)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The session is logged and its days are booked."))
            return redirect(case)
    left = 2 * case.booked_days - services.held_half_days(case)
    return render(request, "consulting/session_form.html", {
        "case": case, "form": form, "left": services.days_text(left),
    }, status=_status(form))


@login_required
@require_POST
def document_add(request, pk, session_pk):
    case = _get_case(request, pk, "consulting.log_session")
    session = get_object_or_404(case.sessions, pk=session_pk)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_document(session, form.cleaned_data["document"], actor=request.user)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The document is added."))
            return redirect(case)
    errors = [e for es in form.errors.values() for e in es]
    return _case_page(request, case, status=400, document_errors={session.pk: errors})


@login_required
def document(request, pk):
    item = get_object_or_404(Document.objects.select_related("session__case__request"), pk=pk)
    case = item.session.case
    if not request.user.has_perm("consulting.view_protocol", case):
        raise Http404
    try:
        handle = default_storage.open(item.file.name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=item.name,
                        content_type="application/pdf")


@login_required
@require_http_methods(["GET", "POST"])
def case_complete(request, pk):
    case = _get_case(request, pk, "consulting.complete_case")
    form = CompleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.complete_case(case, form.cleaned_data["outcome"], actor=request.user)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The case is completed; the requester is asked for "
                                        "feedback."))
            return redirect(case)
    return render(request, "consulting/complete.html", {"case": case, "form": form},
                  status=_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def case_feedback(request, pk):
    case = _get_case(request, pk, "consulting.give_feedback")
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.give_feedback(case, satisfaction=data["satisfaction"],
                                   goals_reached=data["goals_reached"],
                                   would_recommend=data["would_recommend"],
                                   comment=data["comment"], actor=request.user)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Thank you for your feedback."))
            return redirect(case)
    return render(request, "consulting/feedback.html", {"case": case, "form": form},
                  status=_status(form))


@login_required
@require_POST
def case_close(request, pk):
    case = _get_case(request, pk, "consulting.close_case")
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.close_case(case, note=form.cleaned_data["note"], actor=request.user)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):  # the case changed state meanwhile
                messages.error(request, " ".join(error.messages))
                return redirect(case)
            _apply_errors(form, error)
        else:
            messages.success(request, _("The case is closed; unused days are released."))
            return redirect(case)
    return _case_page(request, case, status=400, close_form=form)


@login_required
@require_POST
def case_cancel(request, pk):
    case = _get_case(request, pk, "consulting.close_case")
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.cancel_case(case, form.cleaned_data["reason"], actor=request.user)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):  # the case changed state meanwhile
                messages.error(request, " ".join(error.messages))
                return redirect(case)
            _apply_errors(form, error)
        else:
            messages.success(request, _("The case is cancelled; what was not paid out is "
                                        "released."))
            return redirect(case)
    return _case_page(request, case, status=400, cancel_form=form)


# Consultants ------------------------------------------------------------------------------


@permission_required("consulting.manage_consultants", raise_exception=True)
def consultant_list(request):
    return render(request, "consulting/consultants.html", {
        "consultants": services.consultants_with_load()})


def _consultant_organisations(user):
    ids = [g.organisation_id for g in grants_of(user) if g.role == Role.CONSULTANT]
    return Organisation.objects.filter(pk__in=ids).order_by("name")


def _profile_initial(profile, owner) -> dict:
    if profile is None:
        return {"name": owner.get_full_name() or owner.email.split("@")[0], "capacity": 6}
    return {
        "name": profile.name, "organisation": profile.organisation_id,
        "home_base": profile.home_base.ags, "languages": profile.languages,
        "capacity": profile.capacity_days_per_month, "region": list(profile.region.all()),
        "conflicts": list(profile.conflicts.all()), "bio": profile.bio,
        "is_active": profile.is_active,
        **{f"level_{e.topic_id}": e.level for e in profile.expertise.all()},
    }


def _profile_page(request, *, form, profile, own: bool, absence_form=None, status=200):
    saved = profile if profile is not None and profile.pk else None
    return render(request, "consulting/profile.html", {
        "form": form, "profile": saved, "own": own,
        "absences": list(saved.absences.all()) if saved else [],
        "absence_form": absence_form or AbsenceForm(),
        "absence_errors": bool(absence_form is not None and absence_form.errors),
        "calendar_url": request.build_absolute_uri(reverse(
            "consulting:calendar", args=[saved.calendar_token])) if saved and own else None,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request, pk=None):
    if pk is None:
        if not request.user.has_perm("consulting.keep_profile"):
            raise PermissionDenied
        profile = services.profile_of(request.user)
        owner = request.user
    else:
        profile = get_object_or_404(ConsultantProfile.objects.select_related("user"), pk=pk)
        if not request.user.has_perm("consulting.change_profile", profile):
            raise PermissionDenied
        owner = profile.user
    form = ProfileForm(request.POST or None, initial=_profile_initial(profile, owner),
                       organisations=_consultant_organisations(owner))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        profile = profile or ConsultantProfile(user=owner)
        profile.name = data["name"]
        profile.organisation = data["organisation"]
        profile.home_base = data["home_base"]
        profile.languages = list(data["languages"])
        profile.capacity_days_per_month = data["capacity"]
        profile.bio = data["bio"]
        profile.is_active = data["is_active"]
        try:
            services.save_profile(profile, levels=form.levels(), region=data["region"],
                                  conflicts=data["conflicts"], actor=request.user)
        except ValidationError as error:
            _apply_errors(form, error)
            if "topics" in error.message_dict:
                form.add_error(None, error.message_dict["topics"][0])
        else:
            messages.success(request, _("The profile is saved."))
            return redirect("consulting:profile" if pk is None else "consulting:consultants")
    return _profile_page(request, form=form, profile=profile, own=pk is None,
                         status=_status(form))


def _own_profile(request) -> ConsultantProfile:
    profile = services.profile_of(request.user)
    if profile is None or not request.user.has_perm("consulting.change_profile", profile):
        raise PermissionDenied
    return profile


@login_required
@require_POST
def absence_add(request):
    profile = _own_profile(request)
    form = AbsenceForm(request.POST)
    if form.is_valid():
        try:
            services.add_absence(profile, start=form.cleaned_data["start"],
                                 end=form.cleaned_data["end"], note=form.cleaned_data["note"],
                                 actor=request.user)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The absence is saved."))
            return redirect("consulting:profile")
    profile_form = ProfileForm(initial=_profile_initial(profile, request.user),
                               organisations=_consultant_organisations(request.user))
    return _profile_page(request, form=profile_form, profile=profile, own=True,
                         absence_form=form, status=400)


@login_required
@require_POST
def absence_delete(request, pk):
    profile = _own_profile(request)
    absence = get_object_or_404(Absence, pk=pk, profile=profile)
    services.remove_absence(absence, actor=request.user)
    messages.success(request, _("The absence is removed."))
    return redirect("consulting:profile")


@login_required
@require_POST
def calendar_renew(request):
    profile = _own_profile(request)
    services.renew_calendar_token(profile, actor=request.user)
    messages.success(request, _("The calendar has a new address; the old one no longer works."))
    return redirect("consulting:profile")


@require_GET
def calendar(request, token):
    # The secret in the address is the only key: calendar apps subscribe without a session.
    profile = ConsultantProfile.objects.filter(calendar_token=token).first()
    if profile is None or len(token) < 20:
        raise Http404
    response = HttpResponse(services.calendar_feed(profile),
                            content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="beratung.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


# Coverage and reports ---------------------------------------------------------------------


def _year(request) -> int | None:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return None
    return year if 2000 <= year <= 2100 else None


def coverage(request):
    years = services.years()
    year = _year(request)
    figures = services.coverage(year)
    staff = request.user.has_perm("consulting.view_details")
    suffix = f"?year={year}" if year else ""
    layers = [
        {"url": f"/consulting/coverage/kreise.geojson{suffix}", "style": "choropleth"},
        {"url": f"/consulting/coverage/gemeinden.geojson{suffix}", "style": "area"},
    ]
    return render(request, "consulting/coverage.html", {
        "figures": figures, "year": year, "years": years, "trends": services.trends(),
        "layers": json.dumps(layers),
        "classes": [(colour, label) for _upper, colour, label in services.COVERAGE_CLASSES],
        "rows": [(k, *services.coverage_class(k)) for k in figures["kreise"]],
        "staff": staff,
        "per_consultant": services.per_consultant(year) if staff else None,
        "per_topic": services.per_topic(year) if staff else None,
    })


def coverage_geojson(request, level):
    if level not in ("kreise", "gemeinden"):
        raise Http404
    data = services.coverage_features(_year(request), level)
    return JsonResponse(data, content_type="application/geo+json")


def _report(request):
    staff = request.user.has_perm("consulting.view_details")
    form = ReportForm(request.GET or {"by": "year"}, staff=staff)
    if not form.is_valid():
        return form, None, None
    data = form.cleaned_data
    rows, total = services.report(data["by"], year=data["year"], kreis=data["kreis"],
                                  topic=data["topic"])
    return form, rows, total


REPORT_HEADER = ["label", "cases", "sessions", "days", "committed_eur", "paid_eur",
                 "satisfaction", "feedbacks"]


def report(request):
    form, rows, total = _report(request)
    context = {"form": form, "rows": rows, "total": total,
               "query": request.GET.urlencode()}
    fmt = request.GET.get("format", "")
    if rows is not None and fmt == "csv":
        return csv_response([form.cleaned_data["by"], *REPORT_HEADER[1:]],
                            services.report_csv_rows(rows, total), "beratung.csv")
    if rows is not None and fmt == "pdf":
        context["by_label"] = dict(form.fields["by"].choices)[form.cleaned_data["by"]]
        context["generated"] = timezone.now()
        return pdf_response("consulting/report_pdf.html", context, request, "beratung.pdf")
    return render(request, "consulting/report.html", context, status=400 if rows is None else 200)
