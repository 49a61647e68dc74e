"""Every write to the budget ledger. Amounts are integer cents.

Invariants (docs/budget.md): per line 0 ≤ disbursed ≤ committed ≤ amount; per commitment
0 ≤ disbursed ≤ net committed; entries are never changed. Each write locks its line first
(`select_for_update` on PostgreSQL; on SQLite the IMMEDIATE transaction holds the write lock),
so concurrent decisions queue instead of overspending, and the line's check constraint
refuses any row that would break the invariant even if a caller forgot the lock.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from quartier.accounts.models import AuditEvent
from quartier.accounts.services import record_event
from quartier.budget.models import BudgetLine, Entry
from quartier.places.models import Place


class Overspend(ValidationError):
    """The booking would take a line (or a commitment) below zero; nothing was booked."""


def euros(cents: int) -> str:
    """A German money text: 1234567 → '12.345,67 €'."""
    sign = "−" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{whole:,}".replace(",", ".") + f",{rest:02d} €"


@transaction.atomic
def create_line(
    *, code: str, title: str, first_year: int, last_year: int, amount_cents: int,
    description: str = "", is_demo: bool = False, actor,
) -> BudgetLine:
    line = BudgetLine(
        code=code.strip(), title=title.strip(), description=description,
        first_year=first_year, last_year=last_year, amount_cents=amount_cents,
        is_demo=is_demo, created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    line.full_clean()
    line.save()
    record_event("budget.line_created", line, actor=actor,
                 summary=_("Budget line %(line)s created with %(amount)s")
                 % {"line": line, "amount": euros(amount_cents)}, amount_cents=amount_cents)
    return line


def _locked(line: BudgetLine) -> BudgetLine:
    # Lock: two decisions against one line may arrive at the same moment.
    return BudgetLine.objects.select_for_update().get(pk=line.pk)


def _replayed(idempotency_key: str | None) -> Entry | None:
    """The entry an earlier identical request booked, so a repeated request books once."""
    if not idempotency_key:
        return None
    entry = Entry.objects.filter(idempotency_key=idempotency_key).first()
    if entry is not None:
        entry.replayed = True
    return entry


def _fiscal_year(line: BudgetLine, fiscal_year: int | None) -> int:
    if fiscal_year is None:
        year = timezone.localdate().year
        return min(max(year, line.first_year), line.last_year)
    if fiscal_year not in line.years():
        raise ValidationError(
            {"fiscal_year": _("The fiscal year must be one of the line's years (%(years)s).")
             % {"years": line.years_label}}
        )
    return fiscal_year


def _check_place(place) -> None:
    # Reports roll a Gemeinde up to its Kreis by the AGS prefix; other levels cannot be.
    if place is not None and place.kind not in (Place.Kind.KREIS, Place.Kind.GEMEINDE):
        raise ValidationError({"place": _("The place must be a Kreis or a Gemeinde.")})


def _check_positive(amount_cents: int) -> None:
    if not isinstance(amount_cents, int) or isinstance(amount_cents, bool) or amount_cents <= 0:
        raise ValidationError({"amount_cents": _("The amount must be more than 0 cents.")})


def _save_entry(entry: Entry) -> Entry:
    try:
        # A savepoint, so a refused row leaves the caller's transaction usable.
        with transaction.atomic():
            entry.save()
    except IntegrityError as error:
        raise Overspend(_("The ledger refused the booking: %(error)s") % {"error": error}) from None
    return entry


def _move_totals(line: BudgetLine, *, committed: int = 0, disbursed: int = 0) -> None:
    try:
        with transaction.atomic():
            BudgetLine.objects.filter(pk=line.pk).update(
                committed_cents=F("committed_cents") + committed,
                disbursed_cents=F("disbursed_cents") + disbursed,
            )
    except IntegrityError:
        # The check constraint: only reachable if a caller skipped the lock.
        raise Overspend(_("The line %(line)s would be overspent.") % {"line": line}) from None


@transaction.atomic
def commit_funds(
    line: BudgetLine, amount_cents: int, *, measure: str, actor, source: str = "",
    reference: str = "", place=None, note: str = "", fiscal_year: int | None = None,
    idempotency_key: str | None = None,
) -> Entry:
    """Commit money of a line to a measure. Raises Overspend if the line has too little left."""
    _check_positive(amount_cents)
    _check_place(place)
    line = _locked(line)
    if replay := _replayed(idempotency_key):
        return replay
    if line.available_cents < amount_cents:
        raise Overspend(
            _("Only %(available)s are left on %(line)s; %(amount)s cannot be committed.")
            % {"available": euros(line.available_cents), "line": line,
               "amount": euros(amount_cents)}
        )
    entry = _save_entry(Entry(
        line=line, kind=Entry.Kind.COMMITMENT, amount_cents=amount_cents,
        fiscal_year=_fiscal_year(line, fiscal_year), measure=measure[:200], place=place,
        source=source, reference=str(reference), note=note, idempotency_key=idempotency_key,
        actor=_person(actor),
    ))
    _move_totals(line, committed=amount_cents)
    record_event("budget.committed", line, actor=actor,
                 summary=_("%(amount)s committed for %(measure)s")
                 % {"amount": euros(amount_cents), "measure": measure},
                 entry=entry.pk, amount_cents=amount_cents, source=source,
                 reference=str(reference))
    return entry


@transaction.atomic
def disburse(
    commitment: Entry, amount_cents: int, *, actor, note: str = "",
    fiscal_year: int | None = None, idempotency_key: str | None = None,
) -> Entry:
    """Pay out (part of) a commitment. Raises Overspend beyond what is committed and unpaid."""
    _check_positive(amount_cents)
    line = _locked(commitment.line)
    if replay := _replayed(idempotency_key):
        return replay
    if commitment.kind != Entry.Kind.COMMITMENT or commitment.is_reversal():
        raise ValidationError(_("Only a commitment can be paid out."))
    open_cents = commitment.net_cents() - commitment.disbursed_cents()
    if amount_cents > open_cents:
        raise Overspend(
            _("Only %(open)s of this commitment are not yet paid out.")
            % {"open": euros(open_cents)}
        )
    entry = _save_entry(Entry(
        line=line, kind=Entry.Kind.DISBURSEMENT, amount_cents=amount_cents,
        fiscal_year=_fiscal_year(line, fiscal_year), commitment=commitment,
        measure=commitment.measure, place=commitment.place, source=commitment.source,
        reference=commitment.reference, note=note, idempotency_key=idempotency_key,
        actor=_person(actor),
    ))
    _move_totals(line, disbursed=amount_cents)
    record_event("budget.disbursed", line, actor=actor,
                 summary=_("%(amount)s paid out for %(measure)s")
                 % {"amount": euros(amount_cents), "measure": commitment.measure},
                 entry=entry.pk, commitment=commitment.pk, amount_cents=amount_cents)
    return entry


@transaction.atomic
def reverse_entry(
    entry: Entry, amount_cents: int | None = None, *, reason: str, actor,
    idempotency_key: str | None = None,
) -> Entry:
    """Take back (part of) an entry with a reversing entry; `amount_cents` defaults to all that
    may still be reversed. A commitment can only be reversed as far as it is not paid out."""
    line = _locked(entry.line)
    if replay := _replayed(idempotency_key):
        return replay
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the correction.")})
    if entry.is_reversal():
        raise ValidationError(_("A reversing entry cannot be reversed; book the amount again "
                                "instead."))
    reversible = entry.reversible_cents()
    if reversible <= 0:
        raise Overspend(_("Nothing of this entry is left to reverse."))
    amount_cents = reversible if amount_cents is None else amount_cents
    _check_positive(amount_cents)
    if amount_cents > reversible:
        raise Overspend(
            _("At most %(max)s of this entry can be reversed.") % {"max": euros(reversible)}
        )
    reversal = _save_entry(Entry(
        line=line, kind=entry.kind, amount_cents=-amount_cents, fiscal_year=entry.fiscal_year,
        commitment=entry.commitment, reverses=entry, measure=entry.measure, place=entry.place,
        source=entry.source, reference=entry.reference, note=reason.strip(),
        idempotency_key=idempotency_key, actor=_person(actor),
    ))
    if entry.kind == Entry.Kind.COMMITMENT:
        _move_totals(line, committed=-amount_cents)
    else:
        _move_totals(line, disbursed=-amount_cents)
    record_event("budget.reversed", line, actor=actor,
                 summary=_("%(amount)s of entry %(entry)s reversed: %(reason)s")
                 % {"amount": euros(amount_cents), "entry": entry.pk, "reason": reason.strip()},
                 entry=reversal.pk, reverses=entry.pk, amount_cents=amount_cents)
    return reversal


def release_commitments(source: str, reference, *, reason: str, actor) -> list[Entry]:
    """Reverse whatever is still committed and unpaid for one object of another app
    (a withdrawn award, a cancelled consulting case)."""
    with transaction.atomic():
        commitments = list(Entry.objects.for_source(source, reference).filter(
            kind=Entry.Kind.COMMITMENT, reverses__isnull=True
        ).order_by("pk"))
        # Lock the lines before reading what is left, so a concurrent release waits and
        # then finds nothing to reverse instead of failing.
        list(BudgetLine.objects.select_for_update().filter(
            pk__in={entry.line_id for entry in commitments}).order_by("pk"))
        return [
            reverse_entry(entry, reason=reason, actor=actor)
            for entry in commitments
            if entry.reversible_cents() > 0
        ]


@dataclass(frozen=True)
class Booked:
    """What another app has booked for one of its objects, net of reversals, in cents."""

    committed_cents: int
    disbursed_cents: int

    @property
    def outstanding_cents(self) -> int:
        return self.committed_cents - self.disbursed_cents


def booked_for(source: str, reference) -> Booked:
    rows = dict(
        Entry.objects.for_source(source, reference).values_list("kind")
        .annotate(total=Sum("amount_cents")).values_list("kind", "total")
    )
    return Booked(rows.get(Entry.Kind.COMMITMENT) or 0, rows.get(Entry.Kind.DISBURSEMENT) or 0)


def reconcile(line: BudgetLine) -> bool:
    """True when the line's running totals equal the sums of its entries."""
    line.refresh_from_db()
    sums = dict(
        line.entries.values_list("kind").annotate(total=Sum("amount_cents"))
        .values_list("kind", "total")
    )
    return (line.committed_cents == (sums.get(Entry.Kind.COMMITMENT) or 0)
            and line.disbursed_cents == (sums.get(Entry.Kind.DISBURSEMENT) or 0))


def _person(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


# Reads: pages, reports, the public overview, the command and the audit trail page.

_COMMITTED = Sum("amount_cents", filter=Q(kind=Entry.Kind.COMMITMENT), default=0)
_DISBURSED = Sum("amount_cents", filter=Q(kind=Entry.Kind.DISBURSEMENT), default=0)

REPORT_BY = ("line", "year", "kreis", "measure")


def lines_for(*, year: int | None = None):
    """The budget lines, newest budget first; with `year` only the lines of that fiscal year."""
    lines = BudgetLine.objects.all()
    if year is not None:
        lines = lines.filter(first_year__lte=year, last_year__gte=year)
    return lines


def fiscal_years() -> list[int]:
    """Every fiscal year of any line, newest first."""
    years = set()
    for first, last in BudgetLine.objects.values_list("first_year", "last_year"):
        years.update(range(first, last + 1))
    return sorted(years, reverse=True)


@dataclass(frozen=True)
class ReportRow:
    """Net sums of one group of entries in cents; `amount_cents` only for whole lines."""

    key: str
    label: str
    committed_cents: int
    disbursed_cents: int
    amount_cents: int | None = None

    @property
    def outstanding_cents(self) -> int:
        return self.committed_cents - self.disbursed_cents

    @property
    def available_cents(self) -> int | None:
        return None if self.amount_cents is None else self.amount_cents - self.committed_cents


@dataclass(frozen=True)
class Report:
    by: str
    line: BudgetLine | None
    year: int | None
    rows: list[ReportRow]

    @cached_property
    def total(self) -> ReportRow:
        amounts = [row.amount_cents for row in self.rows]
        return ReportRow(
            key="", label=_("Total"),
            committed_cents=sum(row.committed_cents for row in self.rows),
            disbursed_cents=sum(row.disbursed_cents for row in self.rows),
            amount_cents=sum(amounts) if amounts and None not in amounts else None,
        )


def report(*, by: str = "year", line: BudgetLine | None = None,
           year: int | None = None) -> Report:
    """Committed and disbursed money, net of reversals, grouped by line, fiscal year, Kreis
    (a Gemeinde counts for its Kreis, by the first five digits of its AGS) or measure.
    `line` and `year` restrict the entries; the available amount needs whole lines, so it is
    only given by line without a year."""
    if by not in REPORT_BY:
        raise ValueError(f"unknown grouping {by!r}")
    entries = Entry.objects.order_by()
    if line is not None:
        entries = entries.filter(line=line)
    if year is not None:
        entries = entries.filter(fiscal_year=year)
    rows = {"line": _by_line, "year": _by_year, "kreis": _by_kreis, "measure": _by_measure}[by](
        entries, line, year)
    return Report(by=by, line=line, year=year, rows=rows)


def _by_line(entries, line, year) -> list[ReportRow]:
    lines = lines_for(year=year)
    if line is not None:
        lines = lines.filter(pk=line.pk)
    if year is None:
        # The running totals are the sums of the entries (reconcile), so no sum is needed.
        return [ReportRow(each.code, each.title, each.committed_cents, each.disbursed_cents,
                          each.amount_cents) for each in lines]
    sums = {row["line_id"]: row for row in entries.values("line_id").annotate(
        committed=_COMMITTED, disbursed=_DISBURSED)}
    return [ReportRow(each.code, each.title, sums.get(each.pk, {}).get("committed", 0),
                      sums.get(each.pk, {}).get("disbursed", 0)) for each in lines]


def _by_year(entries, line, year) -> list[ReportRow]:
    sums = {row["fiscal_year"]: row for row in entries.values("fiscal_year").annotate(
        committed=_COMMITTED, disbursed=_DISBURSED)}
    # Years without bookings are shown too: a line's or every line's years.
    if year is not None:
        years = [year]
    elif line is not None:
        years = list(line.years())
    else:
        years = sorted(set(fiscal_years()) | set(sums))
    return [ReportRow(str(y), str(y), sums.get(y, {}).get("committed", 0),
                      sums.get(y, {}).get("disbursed", 0)) for y in years]


def _kreis_sums(entries) -> dict[str | None, dict]:
    return {row["kreis"]: row for row in entries.annotate(kreis=Substr("place__ags", 1, 5))
            .values("kreis").annotate(committed=_COMMITTED, disbursed=_DISBURSED)}


def _by_kreis(entries, line, year) -> list[ReportRow]:
    sums = _kreis_sums(entries)
    names = dict(Place.objects.filter(kind=Place.Kind.KREIS, ags__in=[k for k in sums if k])
                 .values_list("ags", "name"))
    rows = [ReportRow(kreis, names.get(kreis, kreis), row["committed"], row["disbursed"])
            for kreis, row in sums.items() if kreis]
    rows.sort(key=lambda row: row.label)
    if None in sums:
        rows.append(ReportRow("", str(STATEWIDE), sums[None]["committed"],
                              sums[None]["disbursed"]))
    return rows


def _by_measure(entries, line, year) -> list[ReportRow]:
    rows = [ReportRow(row["measure"], row["measure"], row["committed"], row["disbursed"])
            for row in entries.values("measure").annotate(committed=_COMMITTED,
                                                          disbursed=_DISBURSED)]
    rows.sort(key=lambda row: (-row.committed_cents, row.label))
    return rows


STATEWIDE = gettext_lazy("Statewide (no Kreis)")


@dataclass(frozen=True)
class KreisTotal:
    """Public figures of one Kreis: every Kreis is listed, also where nothing is booked."""

    ags: str
    name: str
    population: int
    committed_cents: int
    disbursed_cents: int

    @property
    def committed_per_resident_cents(self) -> int | None:
        return round(self.committed_cents / self.population) if self.population else None


def kreis_totals(*, line: BudgetLine | None = None) -> tuple[list[KreisTotal], ReportRow]:
    """Per Kreis what is committed and paid out (all lines, or one), and the statewide rest."""
    entries = Entry.objects.order_by()
    if line is not None:
        entries = entries.filter(line=line)
    sums = _kreis_sums(entries)
    rows = [
        KreisTotal(kreis.ags, kreis.name, kreis.population,
                   sums.get(kreis.ags, {}).get("committed", 0),
                   sums.get(kreis.ags, {}).get("disbursed", 0))
        for kreis in Place.objects.filter(kind=Place.Kind.KREIS).order_by("name")
    ]
    rest = sums.get(None, {})
    return rows, ReportRow("", str(STATEWIDE), rest.get("committed", 0),
                           rest.get("disbursed", 0))


def entries_of(line: BudgetLine):
    """A line's entries, newest first, with what a list shows of them."""
    # Keys grow with time, so the newest first is the highest key first (an index).
    return line.entries.select_related("place", "actor").order_by("-pk")


def with_balances(entries: list[Entry]) -> list[Entry]:
    """Set `reversed_total`, `paid_total`, `open_total` and `reversible_total` (cents) on each
    entry of a page, as its model methods would compute them, in two queries for all."""
    ids = [entry.pk for entry in entries]
    reversed_sums = dict(Entry.objects.filter(reverses_id__in=ids).order_by()
                         .values("reverses_id").annotate(total=Sum("amount_cents"))
                         .values_list("reverses_id", "total"))
    paid_sums = dict(Entry.objects.filter(commitment_id__in=ids).order_by()
                     .values("commitment_id").annotate(total=Sum("amount_cents"))
                     .values_list("commitment_id", "total"))
    for entry in entries:
        entry.reversed_total = -(reversed_sums.get(entry.pk) or 0)
        net = entry.amount_cents - entry.reversed_total
        is_commitment = entry.kind == Entry.Kind.COMMITMENT and not entry.is_reversal()
        entry.paid_total = (paid_sums.get(entry.pk) or 0) if is_commitment else 0
        entry.open_total = net - entry.paid_total if is_commitment else 0
        entry.reversible_total = 0 if entry.is_reversal() else net - entry.paid_total
    return entries


def audit_modules() -> list[str]:
    """The dotted prefixes of audit actions: one per app of the platform."""
    return sorted(config.label for config in apps.get_app_configs()
                  if config.name.startswith("quartier."))


def audit_target_types() -> list[str]:
    return list(AuditEvent.objects.order_by("target_type").values_list("target_type", flat=True)
                .distinct())


def audit_events(*, module: str = "", target_type: str = "", target_id: str = "",
                 actor: str = "", date_from: date | None = None, date_to: date | None = None):
    """The audit trail of every module, newest first, filtered; dates are whole days in the
    platform's time zone, both included."""
    events = AuditEvent.objects.select_related("actor")
    if module:
        events = events.filter(action__startswith=f"{module}.")
    if target_type:
        events = events.filter(target_type=target_type)
    if target_id:
        events = events.filter(target_id=target_id)
    if actor:
        events = events.filter(Q(actor__email__icontains=actor)
                               | Q(actor__username__icontains=actor)
                               | Q(actor__first_name__icontains=actor)
                               | Q(actor__last_name__icontains=actor))
    if date_from:
        events = events.filter(created_at__gte=_day_start(date_from))
    if date_to:
        events = events.filter(created_at__lt=_day_start(date_to + timedelta(days=1)))
    return events


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def place_totals(place: Place) -> ReportRow:
    """What is committed and paid out for a Kreis (with its Gemeinden) or one Gemeinde,
    over all lines: public sums for the place's page."""
    entries = Entry.objects.order_by()
    if place.kind == Place.Kind.KREIS:
        entries = entries.filter(place__ags__startswith=place.ags)
    else:
        entries = entries.filter(place=place)
    sums = entries.aggregate(committed=_COMMITTED, disbursed=_DISBURSED)
    return ReportRow(place.ags, place.name, sums["committed"], sums["disbursed"])
