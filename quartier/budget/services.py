"""Every write to the budget ledger. Amounts are integer cents.

Invariants (docs/budget.md): per line 0 ≤ disbursed ≤ committed ≤ amount; per commitment
0 ≤ disbursed ≤ net committed; entries are never changed. Each write locks its line first
(`select_for_update` on PostgreSQL; on SQLite the IMMEDIATE transaction holds the write lock),
so concurrent decisions queue instead of overspending, and the line's check constraint
refuses any row that would break the invariant even if a caller forgot the lock.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from quartier.accounts.services import record_event
from quartier.budget.models import BudgetLine, Entry


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
    return Entry.objects.filter(idempotency_key=idempotency_key).first()


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
    reversible = entry.reversible_cents()
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
        return [
            reverse_entry(entry, reason=reason, actor=actor)
            for entry in Entry.objects.for_source(source, reference).filter(
                kind=Entry.Kind.COMMITMENT, reverses__isnull=True
            )
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
