from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from quartier.accounts.services import is_programme_staff
from quartier.downloads import csv_response, pdf_response
from quartier.pb import services
from quartier.pb.forms import (
    BallotForm,
    BudgetForm,
    CodeForm,
    CodesForm,
    DeviationForm,
    DiscardForm,
    PaperEntryForm,
    ProposalForm,
    ReviewForm,
    UploadForm,
    VoidCodesForm,
)
from quartier.pb.models import Budget, PaperEntry, Phase, Proposal
from quartier.places import geo
from quartier.places import services as places
from quartier.places.models import Quarter


def _get_budget(request, pk: int, perm: str = "pb.view_budget") -> Budget:
    """The budget if the user may see it (404 hides budgets of draft quarters), and may do
    `perm` with it (403, or the sign-in page for anonymous visitors)."""
    budget = get_object_or_404(
        Budget.objects.select_related("quarter__gemeinde__parent", "result"), pk=pk)
    if not request.user.has_perm("pb.view_budget", budget):
        raise Http404
    if perm != "pb.view_budget" and not request.user.has_perm(perm, budget):
        raise PermissionDenied
    return budget


def _get_quarter(request, pk: int, perm: str) -> Quarter:
    quarter = get_object_or_404(Quarter.objects.select_related("gemeinde"), pk=pk)
    if not request.user.has_perm("places.view_quarter", quarter):
        raise Http404
    if not request.user.has_perm(perm, quarter):
        raise PermissionDenied
    return quarter


def _crumbs(budget: Budget) -> list:
    """Breadcrumbs down to the budget: Kreis, Gemeinde, quarter, budget."""
    gemeinde = budget.quarter.gemeinde
    return [a for a in (gemeinde.parent, gemeinde, budget.quarter) if a is not None]


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


# Lists ------------------------------------------------------------------------------------


def budgets(request):
    listed = services.listed_budgets(include_unpublished=is_programme_staff(request.user))
    groups = [
        (_("Voting now"), [b for b in listed if b.phase() == Phase.VOTING]),
        (_("Collecting proposals"), [b for b in listed if b.phase() == Phase.PROPOSAL]),
        (_("Coming up"), [b for b in listed if b.phase() in (Phase.REVIEW, Phase.UPCOMING)]),
        (_("Closed"), [b for b in listed if b.phase() == Phase.RESULT]),
    ]
    return render(request, "pb/budgets.html", {"groups": groups, "total": len(listed)})


# Budgets ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def budget_create(request, quarter):
    quarter = _get_quarter(request, quarter, "pb.add_budget")
    form = BudgetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            budget = services.create_budget(quarter, actor=request.user, **form.settings())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The quarter budget is set up."))
            return redirect(budget)
    return render(request, "pb/budget_form.html", {
        "form": form, "quarter": quarter, "budget": None,
        "title": _("New quarter budget for %(quarter)s") % {"quarter": quarter.name},
    }, status=_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def budget_edit(request, pk):
    budget = _get_budget(request, pk, "pb.change_budget")
    form = BudgetForm(request.POST or None, instance=budget)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_budget(budget, actor=request.user, **form.settings())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The changes are saved."))
            return redirect(budget)
    return render(request, "pb/budget_form.html", {
        "form": form, "quarter": budget.quarter, "budget": budget,
        "ancestors": _crumbs(budget),
        "title": _("Edit %(title)s") % {"title": budget.title},
    }, status=_status(form))


def budget(request, pk):
    budget = _get_budget(request, pk)
    user = request.user
    runs = user.has_perm("pb.manage_budget", budget)
    proposals = services.proposals_of(budget, user=user, everything=runs)
    context = {
        "budget": budget,
        "ancestors": _crumbs(budget),
        "phase": budget.phase(),
        "proposals": proposals,
        "features": services.proposal_features(proposals),
        "quarter_feature": places.quarter_feature(budget.quarter),
        "rules_text": services.ballot_rules_text(budget),
        "runs": runs,
        "can_propose": user.has_perm("pb.propose", budget),
        "can_vote": user.has_perm("pb.vote", budget),
        "can_vote_with_code": user.has_perm("pb.vote_with_code", budget),
        "can_enter_paper": user.has_perm("pb.enter_paper_ballots", budget),
        "result": budget.counted(),
    }
    if context["can_vote"]:
        context["my_ballot"] = services.ballot_of(budget, voter=user)
    if runs:
        context["ballots"] = services.ballot_count(budget)
        context["waiting"] = sum(1 for p in proposals if p.status == Proposal.Status.SUBMITTED)
    return render(request, "pb/budget.html", context)


# Proposals --------------------------------------------------------------------------------


def _center(quarter) -> str:
    lon, lat = geo.utm_to_lonlat(quarter.x, quarter.y)
    return f"{lat:.5f},{lon:.5f}"


@login_required
@require_http_methods(["GET", "POST"])
def propose(request, pk):
    budget = _get_budget(request, pk, "pb.propose")
    form = ProposalForm(request.POST or None, budget=budget)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proposal = services.submit_proposal(
                budget, title=data["title"], description=data["description"],
                location=data["location"], cost_cents=data["cost_eur"] * 100,
                point=form.point, actor=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Thank you. Your proposal is public once the "
                                        "municipality has checked it."))
            return redirect(proposal)
    return render(request, "pb/proposal_form.html", {
        "form": form, "budget": budget, "ancestors": _crumbs(budget),
        "center_latlon": _center(budget.quarter),
        "quarter_feature": places.quarter_feature(budget.quarter),
    }, status=_status(form))


def _get_proposal(request, budget: Budget, pk: int) -> Proposal:
    proposal = get_object_or_404(Proposal.objects.select_related("author"), budget=budget,
                                 pk=pk)
    proposal.budget = budget
    if not request.user.has_perm("pb.view_proposal", proposal):
        raise Http404
    return proposal


def proposal(request, pk, proposal):
    budget = _get_budget(request, pk)
    proposal = _get_proposal(request, budget, proposal)
    feature = None
    if proposal.x is not None:
        feature = services.proposal_features([proposal])
    return render(request, "pb/proposal.html", {
        "budget": budget, "proposal": proposal, "ancestors": _crumbs(budget),
        "features": feature, "quarter_feature": places.quarter_feature(budget.quarter),
        "can_review": request.user.has_perm("pb.review_proposal", budget),
    })


@login_required
def review_queue(request, pk):
    budget = _get_budget(request, pk, "pb.manage_budget")
    return render(request, "pb/review_queue.html", {
        "budget": budget, "ancestors": _crumbs(budget),
        "proposals": services.review_queue(budget),
        "can_review": request.user.has_perm("pb.review_proposal", budget),
    })


@login_required
@require_http_methods(["GET", "POST"])
def review(request, pk, proposal):
    budget = _get_budget(request, pk, "pb.review_proposal")
    proposal = _get_proposal(request, budget, proposal)
    form = ReviewForm(request.POST or None, proposal=proposal)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_proposal(
                proposal, status=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                reviewed_cost_cents=form.reviewed_cost_cents(), actor=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The decision on “%(title)s” is saved.")
                             % {"title": proposal.title})
            return redirect("pb:review_queue", budget.pk)
    return render(request, "pb/review.html", {
        "budget": budget, "proposal": proposal, "form": form, "ancestors": _crumbs(budget),
    }, status=_status(form))


# Voting -----------------------------------------------------------------------------------


def _session_key(budget: Budget) -> str:
    return f"pb-code-{budget.pk}"


def _session_code(request, budget: Budget):
    pk = request.session.get(_session_key(budget))
    if pk is None:
        return None
    code = budget.codes.filter(pk=pk, is_void=False).first()
    if code is None:
        request.session.pop(_session_key(budget), None)
    return code


@require_http_methods(["GET", "POST"])
def code(request, pk):
    """Type the code from the letter; it then stays in the session until the vote is cast."""
    budget = _get_budget(request, pk, "pb.vote_with_code")
    form = CodeForm(request.POST or None, budget=budget)
    if request.method == "POST" and form.is_valid():
        request.session.cycle_key()
        request.session[_session_key(budget)] = form.cleaned_data["code"].pk
        return redirect("pb:vote", budget.pk)
    return render(request, "pb/code.html", {
        "budget": budget, "form": form, "ancestors": _crumbs(budget),
    }, status=_status(form))


@require_http_methods(["GET", "POST"])
def vote(request, pk):
    budget = _get_budget(request, pk)
    code = _session_code(request, budget) if budget.allows_codes() else None
    user = request.user
    if code is not None:
        if not user.has_perm("pb.vote_with_code", budget):
            raise PermissionDenied
        ballot = services.ballot_of(budget, code=code)
    elif user.has_perm("pb.vote", budget):
        ballot = services.ballot_of(budget, voter=user)
    elif user.has_perm("pb.vote_with_code", budget):
        return redirect("pb:code", budget.pk)
    elif not user.is_authenticated and budget.phase() == Phase.VOTING:
        return redirect_to_login(request.get_full_path())
    else:
        raise PermissionDenied
    proposals = services.ballot_proposals(budget)
    form = BallotForm(request.POST or None, budget=budget, proposals=proposals,
                      initial_selection=services.selection_of(ballot))
    preview = request.method == "POST" and "preview" in request.POST
    if request.method == "POST" and not preview and form.is_valid():
        try:
            if code is not None:
                services.cast_ballot(budget, form.clean_selection, code=code)
            else:
                services.cast_ballot(budget, form.clean_selection, voter=user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            closes = timezone.localtime(budget.voting_closes)
            if code is not None:
                # A shared computer must not show the next person this ballot.
                request.session.pop(_session_key(budget), None)
                messages.success(request, _(
                    "Thank you, your vote is stored. To change it, type your code again before "
                    "voting closes on %(date)s.") % {"date": _date(closes)})
            else:
                messages.success(request, _(
                    "Thank you, your vote is stored. You can change it until voting closes on "
                    "%(date)s.") % {"date": _date(closes)})
            return redirect(budget)
    chosen = form.raw_selection() if form.is_bound else services.selection_of(ballot)
    status = 400 if request.method == "POST" and not preview and form.errors else 200
    return render(request, "pb/vote.html", {
        "budget": budget, "form": form, "ballot": ballot, "code": code,
        "ancestors": _crumbs(budget), "rules_text": services.ballot_rules_text(budget),
        "chosen_count": len(chosen),
        "chosen_cents": services.selection_cost_cents(chosen, proposals),
        "chosen_points": sum(chosen.values()),
        "preview": preview,
    }, status=status)


def _date(value) -> str:
    from django.utils.formats import date_format

    return date_format(value, "DATETIME_FORMAT")


# Voting codes -----------------------------------------------------------------------------


@login_required
def codes(request, pk):
    budget = _get_budget(request, pk, "pb.view_codes")
    return _render_codes(request, budget, CodesForm(), VoidCodesForm())


def _render_codes(request, budget, form, void_form, status=200):
    return render(request, "pb/codes.html", {
        "budget": budget, "ancestors": _crumbs(budget), "form": form, "void_form": void_form,
        "batches": services.code_batches(budget),
        "can_generate": request.user.has_perm("pb.generate_codes", budget),
    }, status=status)


@login_required
@require_POST
def letters(request, pk):
    """Generate codes and return the letters to print as one PDF: the only copy of them."""
    budget = _get_budget(request, pk, "pb.generate_codes")
    form = CodesForm(request.POST)
    if form.is_valid():
        try:
            codes = services.generate_codes(budget, form.cleaned_data["number"],
                                            actor=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            url = request.build_absolute_uri(reverse("pb:code", args=[budget.pk]))
            name = f"voting-codes-{budget.pk}-{codes[0][0]}-{codes[-1][0]}"
            if form.cleaned_data["output"] == "csv":
                return csv_response(["number", "code", "url"],
                                    ((serial, code, url) for serial, code in codes),
                                    f"{name}.csv")
            return pdf_response("pb/letters_pdf.html", {
                "budget": budget, "codes": codes, "url": url,
                "opens": timezone.localtime(budget.voting_opens),
                "closes": timezone.localtime(budget.voting_closes),
            }, request, f"{name}.pdf")
    return _render_codes(request, budget, form, VoidCodesForm(), status=400)


@login_required
@require_POST
def void_codes(request, pk):
    budget = _get_budget(request, pk, "pb.view_codes")
    if budget.phase() == Phase.RESULT:
        raise PermissionDenied
    form = VoidCodesForm(request.POST)
    if form.is_valid():
        try:
            voided = services.void_codes(budget, form.cleaned_data["serials"],
                                         reason=form.cleaned_data["reason"], actor=request.user)
        except ValidationError as error:
            form.add_error("serials", error)
        else:
            messages.success(request, ngettext("%(n)s code is void.", "%(n)s codes are void.",
                                               voided) % {"n": voided})
            return redirect("pb:codes", budget.pk)
    return _render_codes(request, budget, CodesForm(), form, status=400)


# Paper ballots ----------------------------------------------------------------------------

PAPER_MESSAGES = {
    services.PaperStatus.WAITING: gettext_lazy(
        "Ballot %(sheet)s: first entry saved. A second person must enter it."),
    services.PaperStatus.COUNTED: gettext_lazy("Ballot %(sheet)s counts: both entries agree."),
    services.PaperStatus.MISMATCH: gettext_lazy(
        "Ballot %(sheet)s: the entries disagree. It is listed below for a check against the "
        "paper."),
}


@login_required
@require_http_methods(["GET", "POST"])
def paper(request, pk):
    budget = _get_budget(request, pk, "pb.enter_paper_ballots")
    form = PaperEntryForm(request.POST or None, budget=budget)
    if request.method == "POST" and form.is_valid():
        sheet = form.cleaned_data["sheet"]
        try:
            status = services.enter_paper_ballot(budget, sheet, form.selection,
                                                 actor=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            text = str(PAPER_MESSAGES[status]) % {"sheet": sheet}
            if status == services.PaperStatus.MISMATCH:
                messages.warning(request, text)
            else:
                messages.success(request, text)
            return redirect("pb:paper", budget.pk)
    return _render_paper(request, budget, form, UploadForm(**_csv_upload()),
                         status=_status(form))


def _csv_upload():
    return {"label": _("CSV file"), "accept": ".csv,text/csv",
            "help_text": _("Columns ballot, projects (numbers separated by spaces) and, for "
                           "cumulative ballots, points. UTF-8; comma or semicolon.")}


def _render_paper(request, budget, form, upload, status=200, errors=None):
    sheets = services.open_paper_sheets(budget)
    return render(request, "pb/paper.html", {
        "budget": budget, "ancestors": _crumbs(budget), "form": form, "upload": upload,
        "proposals": services.ballot_proposals(budget),
        "waiting": [s for s in sheets if s.status == services.PaperStatus.WAITING],
        "mismatches": [s for s in sheets if s.status == services.PaperStatus.MISMATCH],
        "counted": services.ballot_count(budget)["paper"],
        "upload_errors": errors or [],
        "discard_form": DiscardForm(),
    }, status=status)


@login_required
@require_POST
def paper_import(request, pk):
    budget = _get_budget(request, pk, "pb.enter_paper_ballots")
    upload = UploadForm(request.POST, request.FILES, **_csv_upload())
    errors = []
    if upload.is_valid():
        try:
            report = services.import_paper_ballots(budget, upload.data_bytes(),
                                                   actor=request.user)
        except services.UploadRejected as error:
            errors = error.errors
        else:
            messages.success(request, _(
                "Imported: %(counted)s ballots count, %(waiting)s wait for a second entry, "
                "%(mismatch)s disagree.") % vars(report))
            return redirect("pb:paper", budget.pk)
    return _render_paper(request, budget, PaperEntryForm(budget=budget), upload, status=400,
                         errors=errors)


@login_required
@require_POST
def paper_discard(request, pk, entry):
    budget = _get_budget(request, pk, "pb.enter_paper_ballots")
    entry = get_object_or_404(PaperEntry, budget=budget, pk=entry)
    form = DiscardForm(request.POST)
    if form.is_valid():
        try:
            services.discard_paper_entry(entry, reason=form.cleaned_data["reason"],
                                         actor=request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("The entry for ballot %(sheet)s is discarded.")
                             % {"sheet": entry.sheet})
    else:
        messages.error(request, _("Give a reason for discarding the entry."))
    return redirect("pb:paper", budget.pk)


# Result -----------------------------------------------------------------------------------


@login_required
@require_POST
def count(request, pk):
    budget = _get_budget(request, pk, "pb.count_result")
    try:
        services.compute_result(budget, actor=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(budget)
    messages.success(request, _("The votes are counted; the result is published."))
    return redirect("pb:result", budget.pk)


def result(request, pk):
    budget = _get_budget(request, pk, "pb.read_result")
    outcome = budget.result
    funded, unfunded, deviations = services.result_rows(budget, outcome)
    return render(request, "pb/result.html", {
        "budget": budget, "result": outcome, "ancestors": _crumbs(budget),
        "funded": funded, "unfunded": unfunded, "deviations": deviations,
        "spent_cents": sum(row["decided_cents"] for row in funded),
        "computed_cents": sum(row["amount_cents"] for row in funded),
        "command": _count_command(budget),
        "can_deviate": request.user.has_perm("pb.deviate", budget),
    })


def _count_command(budget: Budget) -> str:
    """The `quartier pb count` call that recounts the export (docs/pb-counting.md)."""
    rule = {"greedy": "greedy", "equal_shares": "equal-shares",
            "max_welfare": "max-welfare"}[budget.rule]
    parts = ["quartier pb count", services.export_filename(budget), "--rule", rule,
             "--sat", budget.sat()]
    if budget.rule == Budget.Rule.GREEDY:
        if not budget.greedy_skip:
            parts.append("--no-skip")
        if budget.min_votes:
            parts += ["--min-score", str(budget.min_votes)]
    return " ".join(parts)


@login_required
@require_http_methods(["GET", "POST"])
def deviate(request, pk):
    budget = _get_budget(request, pk, "pb.deviate")
    form = DeviationForm(request.POST or None, budget=budget)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.set_deviation(budget, data["proposal"], amount_cents=data["amount_eur"] * 100,
                                   reason=data["reason"], actor=request.user)
        except ValidationError as error:
            form.add_error("amount_eur", error)
        else:
            messages.success(request, _("The decision is saved and shown with its reason on "
                                        "the result page."))
            return redirect("pb:result", budget.pk)
    return render(request, "pb/deviate.html", {
        "budget": budget, "form": form, "ancestors": _crumbs(budget),
    }, status=_status(form))


def export(request, pk):
    budget = _get_budget(request, pk, "pb.export_budget")
    response = HttpResponse(services.export_pb(budget), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{services.export_filename(budget)}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def budget_import(request, quarter):
    quarter = _get_quarter(request, quarter, "pb.import_budget")
    form = UploadForm(request.POST or None, request.FILES or None, label=_("Pabulib file (.pb)"),
                      accept=".pb,text/plain",
                      help_text=_("A finished election in the Pabulib format; it is counted at "
                                  "once with the rule named in the file."))
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            budget = services.import_pb(quarter, form.data_bytes(), actor=request.user)
        except services.UploadRejected as error:
            errors = error.errors
        else:
            messages.success(request, _("The election is imported and counted."))
            return redirect("pb:result", budget.pk)
    status = 400 if errors or (form.is_bound and form.errors) else 200
    return render(request, "pb/import.html", {
        "form": form, "quarter": quarter, "errors": errors,
    }, status=status)
