import re

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from quartier import downloads
from quartier.accounts.services import audit_trail
from quartier.budget import services
from quartier.budget.forms import (
    AuditFilterForm,
    CommitForm,
    DisburseForm,
    LineForm,
    ReportForm,
    ReverseForm,
)
from quartier.budget.models import BudgetLine, Entry

ENTRIES_PER_PAGE = 50
EVENTS_PER_PAGE = 50
LINE_AUDIT_EVENTS = 10


def _page(request, items, per_page: int):
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# Public


@permission_required("budget.view_overview", raise_exception=True)
def overview(request):
    """Transparency for press and parliament: sums per line and per Kreis, no names."""
    kreise, statewide = services.kreis_totals()
    return render(request, "budget/overview.html", {
        "lines": services.lines_for(),
        "kreise": kreise,
        "statewide": statewide,
        "kreis_total": services.ReportRow(
            "", _("Total"), sum(k.committed_cents for k in kreise) + statewide.committed_cents,
            sum(k.disbursed_cents for k in kreise) + statewide.disbursed_cents),
    })


@permission_required("budget.view_overview", raise_exception=True)
def overview_csv(request, table):
    if table == "lines":
        rows = [(line.code, line.title, line.years_label, line.amount_cents,
                 line.committed_cents, line.disbursed_cents, line.available_cents,
                 "yes" if line.is_demo else "no") for line in services.lines_for()]
        header = ["code", "title", "fiscal_years", "amount_cents", "committed_cents",
                  "disbursed_cents", "available_cents", "demo_data"]
    elif table == "kreise":
        kreise, statewide = services.kreis_totals()
        rows = [(k.ags, k.name, k.population, k.committed_cents, k.disbursed_cents)
                for k in kreise]
        rows.append(("", statewide.label, "", statewide.committed_cents,
                     statewide.disbursed_cents))
        header = ["ags", "kreis", "population", "committed_cents", "disbursed_cents"]
    else:
        raise Http404
    return downloads.csv_response(header, rows, f"budget-{table}.csv")


# The ledger, for programme staff


@permission_required("budget.view_ledger", raise_exception=True)
def lines(request):
    years = services.fiscal_years()
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() and int(year) in years else None
    groups: dict[str, list[BudgetLine]] = {}
    for line in services.lines_for(year=year):
        groups.setdefault(line.years_label, []).append(line)
    return render(request, "budget/lines.html", {
        "groups": [(label, group, _subtotal(group)) for label, group in groups.items()],
        "years": years,
        "year": year,
        "year_totals": services.report(by="year", year=year).rows,
    })


def _subtotal(group: list[BudgetLine]) -> services.ReportRow:
    return services.ReportRow(
        "", _("Subtotal"), sum(line.committed_cents for line in group),
        sum(line.disbursed_cents for line in group), sum(line.amount_cents for line in group))


@permission_required("budget.add_line", raise_exception=True)
@require_http_methods(["GET", "POST"])
def line_create(request):
    form = LineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            line = services.create_line(**form.line_fields(), actor=request.user)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The budget line %(line)s is created.")
                             % {"line": line.code})
            return redirect(line)
    return render(request, "budget/line_form.html", {"form": form},
                  status=400 if form.errors else 200)


@permission_required("budget.view_ledger", raise_exception=True)
def line(request, pk):
    line = get_object_or_404(BudgetLine, pk=pk)
    page = _page(request, services.entries_of(line), ENTRIES_PER_PAGE)
    services.with_balances(page.object_list)
    return render(request, "budget/line.html", {
        "line": line,
        "page": page,
        "year_rows": services.report(by="year", line=line).rows,
        "events": audit_trail(line)[:LINE_AUDIT_EVENTS],
        "audit_query": f"target_type={line._meta.label_lower}&target_id={line.pk}",
        "can_book": request.user.has_perm("budget.book"),
        "can_audit": request.user.has_perm("budget.view_audit"),
    })


def _booked(request, entry: Entry, text: str) -> None:
    if entry.replayed:
        messages.info(request, _("This form had been sent already; the booking was saved "
                                 "once (entry %(entry)s).") % {"entry": entry.pk})
    else:
        messages.success(request, text)


@permission_required("budget.book", raise_exception=True)
@require_http_methods(["GET", "POST"])
def commit(request, pk):
    line = get_object_or_404(BudgetLine, pk=pk)
    form = CommitForm(request.POST or None, line=line)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.commit_funds(
                line, data["amount"], measure=data["measure"], place=data["place"],
                note=data["note"].strip(), fiscal_year=data["fiscal_year"], actor=request.user,
                idempotency_key=form.key_for("commit", line),
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            _booked(request, entry, _("%(amount)s committed for “%(measure)s”.")
                    % {"amount": services.euros(entry.amount_cents), "measure": entry.measure})
            return redirect(line)
    line.refresh_from_db()
    return render(request, "budget/commit.html", {"line": line, "form": form},
                  status=400 if form.errors else 200)


def _entry(pk: int) -> Entry:
    return get_object_or_404(Entry.objects.select_related("line", "place"), pk=pk)


@permission_required("budget.book", raise_exception=True)
@require_http_methods(["GET", "POST"])
def disburse(request, pk):
    commitment = _entry(pk)
    if commitment.kind != Entry.Kind.COMMITMENT or commitment.is_reversal():
        raise Http404
    [commitment] = services.with_balances([commitment])
    form = DisburseForm(request.POST or None, commitment=commitment,
                        open_cents=commitment.open_total)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.disburse(
                commitment, data["amount"], note=data["note"].strip(),
                fiscal_year=data["fiscal_year"], actor=request.user,
                idempotency_key=form.key_for("disburse", commitment),
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            _booked(request, entry, _("%(amount)s paid out for “%(measure)s”.")
                    % {"amount": services.euros(entry.amount_cents), "measure": entry.measure})
            return redirect(commitment.line)
        [commitment] = services.with_balances([commitment])
    return render(request, "budget/disburse.html", {
        "entry": commitment, "line": commitment.line, "form": form,
    }, status=400 if form.errors else 200)


@permission_required("budget.book", raise_exception=True)
@require_http_methods(["GET", "POST"])
def reverse_entry(request, pk):
    entry = _entry(pk)
    if entry.is_reversal():
        raise Http404
    [entry] = services.with_balances([entry])
    form = ReverseForm(request.POST or None, reversible_cents=entry.reversible_total)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            reversal = services.reverse_entry(
                entry, data["amount"], reason=data["reason"], actor=request.user,
                idempotency_key=form.key_for("reverse", entry),
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            _booked(request, reversal, _("%(amount)s of entry %(entry)s reversed.")
                    % {"amount": services.euros(-reversal.amount_cents), "entry": entry.pk})
            return redirect(entry.line)
        [entry] = services.with_balances([entry])
    return render(request, "budget/reverse.html", {
        "entry": entry, "line": entry.line, "form": form,
    }, status=400 if form.errors else 200)


# Reports


def _report(request):
    form = ReportForm(request.GET or None, years=services.fiscal_years())
    if form.is_bound and not form.is_valid():
        return form, None
    data = form.cleaned_data if form.is_bound else {}
    return form, services.report(by=data.get("by") or "year", line=data.get("line"),
                                 year=data.get("year"))


@permission_required("budget.view_ledger", raise_exception=True)
def report(request):
    form, result = _report(request)
    return render(request, "budget/report.html", {
        "form": form, "report": result, "query": request.GET.urlencode(),
    }, status=400 if result is None else 200)


def _report_file_name(result: services.Report, extension: str) -> str:
    parts = ["budget", result.line.code if result.line else "all"]
    if result.year:
        parts.append(str(result.year))
    parts.append(result.by)
    # Only safe characters in the Content-Disposition header.
    return "-".join(re.sub(r"[^A-Za-z0-9_.-]", "_", part) for part in parts) + extension


@permission_required("budget.view_ledger", raise_exception=True)
def report_csv(request):
    form, result = _report(request)
    if result is None:
        return HttpResponseBadRequest(" ".join(
            f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()))
    return downloads.csv_response(
        ["key", "name", "amount_cents", "committed_cents", "disbursed_cents",
         "outstanding_cents", "available_cents"],
        [(row.key, row.label, row.amount_cents, row.committed_cents, row.disbursed_cents,
          row.outstanding_cents, row.available_cents) for row in result.rows],
        _report_file_name(result, ".csv"))


@permission_required("budget.view_ledger", raise_exception=True)
def report_pdf(request):
    form, result = _report(request)
    if result is None:
        return HttpResponseBadRequest(" ".join(
            f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()))
    return downloads.pdf_response("budget/report_pdf.html", {
        "report": result, "by_label": dict(form.fields["by"].choices)[result.by],
        "created_at": timezone.localtime(),
    }, request, _report_file_name(result, ".pdf"))


# The audit trail of every module


@permission_required("budget.view_audit", raise_exception=True)
def audit(request):
    form = AuditFilterForm(request.GET or None, modules=services.audit_modules(),
                           target_types=services.audit_target_types())
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    # Wrong filters show nothing rather than everything.
    events = services.audit_events(**filters) if not form.errors else \
        services.audit_events().none()
    page = _page(request, events, EVENTS_PER_PAGE)
    line_type = BudgetLine._meta.label_lower
    for event in page.object_list:
        if event.target_type == line_type and event.target_id.isdigit():
            event.url = reverse("budget:line", args=[event.target_id])
    return render(request, "budget/audit.html", {
        "form": form, "page": page, "query": _query_without_page(request),
    }, status=400 if form.errors else 200)
