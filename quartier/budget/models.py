"""Budget lines and the append-only ledger of commitments and disbursements against them.

Money is in integer cents. Entries are never changed or deleted: a correction is a new entry
that reverses (part of) an earlier one. Writes go through `budget.services`, which lock the
line; the running totals on the line are guarded by check constraints, so the database itself
refuses a line that would be overspent (docs/budget.md).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete a ledger entry."""


class EntryQuerySet(models.QuerySet):
    # Bulk writes would bypass Entry.save() and Entry.delete().
    def update(self, **kwargs):
        raise AppendOnlyError("ledger entries are append-only")

    def delete(self):
        raise AppendOnlyError("ledger entries are append-only")

    def for_source(self, source: str, reference):
        return self.filter(source=source, reference=str(reference))


class BudgetLine(models.Model):
    """A budget line (Haushaltstitel) of one fiscal year or of a double budget.

    `committed_cents` and `disbursed_cents` are the net sums of the line's entries, kept in
    the same transaction as each entry; the constraints make 0 ≤ disbursed ≤ committed ≤
    amount a property of the database, not only of the code.
    """

    code = models.CharField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    first_year = models.PositiveSmallIntegerField(_("first fiscal year"))
    # Equal to first_year for a single fiscal year, first_year + 1 for a double budget.
    last_year = models.PositiveSmallIntegerField(_("last fiscal year"))
    amount_cents = models.BigIntegerField(_("amount in cents"))
    committed_cents = models.BigIntegerField(_("committed in cents"), default=0, editable=False)
    disbursed_cents = models.BigIntegerField(_("disbursed in cents"), default=0, editable=False)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-first_year", "code"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="budgetline_amount_gt_0"),
            models.CheckConstraint(
                condition=Q(first_year__gte=2000, first_year__lte=2100)
                & (Q(last_year=F("first_year")) | Q(last_year=F("first_year") + 1)),
                name="budgetline_one_or_two_years",
            ),
            models.CheckConstraint(
                condition=Q(disbursed_cents__gte=0)
                & Q(disbursed_cents__lte=F("committed_cents"))
                & Q(committed_cents__lte=F("amount_cents")),
                name="budgetline_never_overspent",
            ),
        ]

    def __str__(self):
        return f"{self.code} – {self.title} ({self.years_label})"

    def get_absolute_url(self):
        return reverse("budget:line", args=[self.pk])

    @property
    def years_label(self) -> str:
        if self.last_year == self.first_year:
            return str(self.first_year)
        return f"{self.first_year}/{self.last_year}"

    def years(self) -> range:
        return range(self.first_year, self.last_year + 1)

    @property
    def available_cents(self) -> int:
        return self.amount_cents - self.committed_cents

    @property
    def outstanding_cents(self) -> int:
        """Committed but not yet paid out."""
        return self.committed_cents - self.disbursed_cents


class Entry(models.Model):
    """One booking on a line. Originals are positive; a reversal carries the negative amount
    and the kind of the entry it reverses and points to it, so sums per kind are net."""

    class Kind(models.TextChoices):
        COMMITMENT = "commitment", _("Commitment")
        DISBURSEMENT = "disbursement", _("Disbursement")

    line = models.ForeignKey(
        BudgetLine, on_delete=models.PROTECT, related_name="entries", verbose_name=_("budget line")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    amount_cents = models.BigIntegerField(_("amount in cents"))
    # A fiscal year of the line the booking counts for (a double budget has two).
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    # The commitment a disbursement (or its reversal) pays out.
    commitment = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="disbursements",
        verbose_name=_("commitment"),
    )
    reverses = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversals",
        verbose_name=_("reverses"),
    )
    measure = models.CharField(_("measure"), max_length=200)
    # The Kreis or Gemeinde the money goes to; empty for statewide measures.
    place = models.ForeignKey(
        "places.Place", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("Kreis or Gemeinde"),
    )
    # What the money pays for in another app, e.g. ("calls.award", "17"): no foreign key,
    # so the ledger depends on no app that books against it.
    source = models.CharField(_("source"), max_length=50, blank=True)
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    # For a reversal the reason; otherwise an optional note (invoice number, decision).
    note = models.TextField(_("note"), blank=True, max_length=2000)
    # Set by forms and callers, so a request sent twice books once.
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, unique=True,
                                       editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("booked by"),
    )
    created_at = models.DateTimeField(_("booked at"), auto_now_add=True)

    objects = EntryQuerySet.as_manager()

    # Not a column: True on the entry a service returns for a repeated request (same
    # idempotency key), so a page can say "already booked" instead of "booked".
    replayed = False

    class Meta:
        ordering = ["line", "created_at", "pk"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.CheckConstraint(
                condition=(Q(reverses__isnull=True) & Q(amount_cents__gt=0))
                | (Q(reverses__isnull=False) & Q(amount_cents__lt=0) & ~Q(note="")),
                name="entry_original_positive_reversal_negative_with_reason",
            ),
            models.CheckConstraint(
                condition=(Q(kind="commitment") & Q(commitment__isnull=True))
                | (Q(kind="disbursement") & Q(commitment__isnull=False)),
                name="entry_disbursement_pays_a_commitment",
            ),
            models.CheckConstraint(
                condition=Q(source="", reference="") | (~Q(source="") & ~Q(reference="")),
                name="entry_source_and_reference_together",
            ),
        ]
        indexes = [
            # Reports sum a line's entries per kind.
            models.Index(fields=["line", "kind"], name="entry_line_kind"),
            # Other apps look up what they have booked for one of their objects.
            models.Index(fields=["source", "reference"], name="entry_source_reference"),
            # The line page lists a line's entries newest first, a page at a time.
            models.Index(fields=["line", "-id"], name="entry_line_newest"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.pk}: {self.amount_cents} ct"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("ledger entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("ledger entries are append-only")

    def is_reversal(self) -> bool:
        return self.reverses_id is not None

    def reversed_cents(self) -> int:
        """How much of this entry has been reversed (positive)."""
        return -(self.reversals.aggregate(total=Sum("amount_cents"))["total"] or 0)

    def net_cents(self) -> int:
        return self.amount_cents - self.reversed_cents()

    def disbursed_cents(self) -> int:
        """For a commitment: what has been paid out against it, net of reversals."""
        return self.disbursements.aggregate(total=Sum("amount_cents"))["total"] or 0

    def reversible_cents(self) -> int:
        """The most a reversal may take back: of a commitment only what is not paid out."""
        if self.is_reversal():
            return 0
        if self.kind == self.Kind.COMMITMENT:
            return self.net_cents() - self.disbursed_cents()
        return self.net_cents()
