"""Calls, applications, the jury and awards (docs/calls.md).

Money is in integer cents. A call's definition is fixed once it is published; an application
is read-only once submitted, and its submitted content is kept with its SHA-256 hash. Awards
are booked in the budget ledger through `budget.services` (source "calls.award", reference the
Decision's key).
"""

import hashlib
import json

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quartier.accounts.models import Organisation


class ApplicantType(models.TextChoices):
    KOMMUNE = "kommune", _("Kommune")
    LANDKREIS = "landkreis", _("Landkreis")
    CIVIL_SOCIETY = "civil_society", _("Civil-society actor (provider or association)")


# Which organisations count as which applicant type.
KINDS_OF_TYPE = {
    ApplicantType.KOMMUNE: (Organisation.Kind.KOMMUNE,),
    ApplicantType.LANDKREIS: (Organisation.Kind.LANDKREIS,),
    ApplicantType.CIVIL_SOCIETY: (Organisation.Kind.PROVIDER, Organisation.Kind.ASSOCIATION),
}


class TargetGroup(models.TextChoices):
    CHILDREN = "children", _("Children")
    YOUTH = "youth", _("Young people")
    FAMILIES = "families", _("Families")
    ADULTS = "adults", _("Adults of working age")
    OLDER = "older", _("Older people")
    VERY_OLD = "very_old", _("Very old people and people in need of care")
    DISABILITIES = "disabilities", _("People with disabilities")
    MIGRATION = "migration", _("People with a migration history")


# The generation each target group belongs to; "across generations" means two or more.
GENERATION_OF = {
    TargetGroup.CHILDREN: "young", TargetGroup.YOUTH: "young",
    TargetGroup.FAMILIES: "middle", TargetGroup.ADULTS: "middle",
    TargetGroup.OLDER: "old", TargetGroup.VERY_OLD: "old",
}


class CallQuerySet(models.QuerySet):
    def visible(self):
        return self.exclude(phase=Call.Phase.DRAFT)


class Call(models.Model):
    """A call for applications (Ausschreibung) with its pot, rules, criteria and jury."""

    class Phase(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        JURY_CLOSED = "jury_closed", _("Jury closed")
        DECIDED = "decided", _("Decided")

    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=500)
    text = models.TextField(_("text of the call"), max_length=20_000)
    for_kommunen = models.BooleanField(_("Kommunen may apply"), default=True)
    for_landkreise = models.BooleanField(_("Landkreise may apply"), default=True)
    for_civil_society = models.BooleanField(_("civil-society actors may apply"), default=False)
    opens_at = models.DateTimeField(_("open for applications from"))
    closes_at = models.DateTimeField(_("deadline"))
    budget_line = models.ForeignKey(
        "budget.BudgetLine", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("budget line"),
    )
    pot_cents = models.BigIntegerField(_("pot in cents"))
    min_award_cents = models.BigIntegerField(_("minimum award in cents"))
    max_award_cents = models.BigIntegerField(_("maximum award in cents"))
    allow_partial = models.BooleanField(_("partial funding allowed"), default=False)
    reviews_per_application = models.PositiveSmallIntegerField(
        _("reviews per application"), default=3
    )
    score_min = models.PositiveSmallIntegerField(_("lowest score"), default=0)
    score_max = models.PositiveSmallIntegerField(_("highest score"), default=10)
    min_awards_per_regierungsbezirk = models.PositiveSmallIntegerField(
        _("at least this many awards per Regierungsbezirk"), default=0
    )
    max_awards_per_kreis = models.PositiveSmallIntegerField(
        _("at most this many awards per Kreis"), null=True, blank=True
    )
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices,
                             default=Phase.DRAFT)
    jurors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="jury_calls", verbose_name=_("jury")
    )
    published_at = models.DateTimeField(null=True, blank=True)
    jury_closed_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CallQuerySet.as_manager()

    class Meta:
        ordering = ["-closes_at", "pk"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")),
                                   name="call_closes_after_it_opens"),
            models.CheckConstraint(
                condition=Q(min_award_cents__gt=0) & Q(max_award_cents__gte=F("min_award_cents"))
                & Q(pot_cents__gte=F("max_award_cents")),
                name="call_awards_between_0_and_pot",
            ),
            models.CheckConstraint(condition=Q(score_max__gt=F("score_min")),
                                   name="call_score_scale"),
            models.CheckConstraint(
                condition=Q(reviews_per_application__gte=1, reviews_per_application__lte=9),
                name="call_reviews_1_to_9",
            ),
            models.CheckConstraint(
                condition=Q(for_kommunen=True) | Q(for_landkreise=True)
                | Q(for_civil_society=True),
                name="call_someone_may_apply",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("calls:call", args=[self.pk])

    def applicant_types(self) -> list[str]:
        return [t for t, on in ((ApplicantType.KOMMUNE, self.for_kommunen),
                                (ApplicantType.LANDKREIS, self.for_landkreise),
                                (ApplicantType.CIVIL_SOCIETY, self.for_civil_society)) if on]

    def applicant_kinds(self) -> frozenset[str]:
        return frozenset(kind for t in self.applicant_types() for kind in KINDS_OF_TYPE[t])

    def is_open(self, now=None) -> bool:
        """Open for applications: published and between opening and deadline (server time)."""
        now = now or timezone.now()
        return self.phase == self.Phase.PUBLISHED and self.opens_at <= now < self.closes_at

    def has_closed(self, now=None) -> bool:
        return (now or timezone.now()) >= self.closes_at

    def in_review(self, now=None) -> bool:
        """The jury phase: the deadline has passed and the jury is not yet closed."""
        return self.phase == self.Phase.PUBLISHED and self.has_closed(now)

    def status_label(self, now=None) -> str:
        now = now or timezone.now()
        if self.phase == self.Phase.PUBLISHED:
            if now < self.opens_at:
                return _("Opens soon")
            if now < self.closes_at:
                return _("Open for applications")
            return _("In review")
        return self.get_phase_display()

    @property
    def spread_limit(self) -> float:
        """Reviews of one application this far apart (30 % of the scale) are flagged."""
        return 0.3 * (self.score_max - self.score_min)


class Criterion(models.Model):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("criterion"), max_length=200)
    description = models.CharField(_("what the jury looks at"), max_length=1000, blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["call", "position", "pk"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.UniqueConstraint(fields=["call", "name"], name="criterion_name_per_call"),
            models.CheckConstraint(condition=Q(weight__gte=1, weight__lte=100),
                                   name="criterion_weight_1_to_100"),
        ]

    def __str__(self):
        return self.name


class Application(models.Model):
    """One organisation's application to one call: a draft until submitted, then fixed."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    class Eligibility(models.TextChoices):
        PENDING = "pending", _("Not yet checked")
        ELIGIBLE = "eligible", _("Eligible")
        INELIGIBLE = "ineligible", _("Not eligible")

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications",
                             verbose_name=_("call"))
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="call_applications",
                                     verbose_name=_("applicant"))
    gemeinde = models.ForeignKey(
        "places.Place", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("Gemeinde"),
    )
    quarters = models.ManyToManyField("places.Quarter", blank=True, related_name="+",
                                      verbose_name=_("quarters"))
    title = models.CharField(_("title of the project"), max_length=200, blank=True)
    summary = models.TextField(_("idea in brief"), max_length=600, blank=True)
    idea = models.TextField(_("idea and concept"), max_length=10_000, blank=True)
    target_groups = models.JSONField(_("target groups"), default=list, blank=True)
    partners = models.TextField(_("partners in the quarter"), max_length=3000, blank=True)
    work_plan = models.TextField(_("work plan"), max_length=6000, blank=True)
    requested_cents = models.BigIntegerField(_("requested amount in cents"), null=True,
                                             blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    saved_at = models.DateTimeField(_("last saved"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+")
    # The submitted content as canonical JSON and its SHA-256: the receipt's proof.
    content = models.JSONField(default=dict, blank=True, editable=False)
    content_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    eligibility = models.CharField(_("eligibility"), max_length=20,
                                   choices=Eligibility.choices, default=Eligibility.PENDING)
    # The automatic checks at submission: [{"check": code, "ok": bool}, ...].
    checks = models.JSONField(default=list, blank=True, editable=False)
    eligibility_reason = models.TextField(_("reason"), max_length=2000, blank=True)
    eligibility_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                       null=True, blank=True, related_name="+")
    eligibility_at = models.DateTimeField(null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["call", "pk"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(fields=["call", "organisation"],
                                    name="one_application_per_organisation_and_call"),
            models.CheckConstraint(
                condition=Q(status="draft")
                | (Q(submitted_at__isnull=False) & Q(requested_cents__gt=0)
                   & ~Q(content_sha256="")),
                name="application_submitted_with_receipt",
            ),
        ]
        indexes = [
            # Staff lists and the jury work per call and status.
            models.Index(fields=["call", "status", "eligibility"], name="application_call_status"),
        ]

    def __str__(self):
        return self.title or _("Application of %(organisation)s") % {
            "organisation": self.organisation}

    def get_absolute_url(self):
        return reverse("calls:application", args=[self.pk])

    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def kreis_ags(self) -> str:
        """The Kreis the application comes from: of its Gemeinde, else of the applicant."""
        place = self.gemeinde or self.organisation.place
        return place.ags[:5] if place else ""

    @property
    def regierungsbezirk_ags(self) -> str:
        return self.kreis_ags[:3]


def content_hash(content: dict) -> str:
    """SHA-256 of the canonical JSON of an application's content (sorted keys, UTF-8)."""
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


class CostItem(models.Model):
    """One line of the cost breakdown; the lines add up to the requested amount."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="cost_items")
    position = models.PositiveSmallIntegerField(default=0)
    description = models.CharField(_("cost item"), max_length=200)
    amount_cents = models.BigIntegerField(_("amount in cents"))

    class Meta:
        ordering = ["application", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="cost_item_positive"),
        ]

    def __str__(self):
        return f"{self.description}: {self.amount_cents} ct"


class Attachment(models.Model):
    """A PDF attached to an application; stored under a random name, served only to those
    who may see the application."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="attachments")
    file = models.FileField(upload_to="calls/", max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    size_bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application", "uploaded_at", "pk"]

    def __str__(self):
        return self.name


class Conflict(models.Model):
    """A conflict of interest a juror declared (or staff recorded) for one application."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="conflicts")
    juror = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="call_conflicts")
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "juror"],
                                    name="one_conflict_per_juror_and_application"),
        ]

    def __str__(self):
        return f"{self.juror} × {self.application}"


class Review(models.Model):
    """A juror's assignment to an application, and their scores once given."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="reviews")
    juror = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="call_reviews")
    assigned_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(_("scored at"), null=True, blank=True)

    class Meta:
        ordering = ["application", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "juror"],
                                    name="one_review_per_juror_and_application"),
        ]
        indexes = [
            # A juror's own list of assignments.
            models.Index(fields=["juror", "application"], name="review_juror"),
        ]

    def __str__(self):
        return f"{self.juror} → {self.application}"

    def is_done(self) -> bool:
        return self.submitted_at is not None


class Score(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="+")
    # On the call's scale (score_min..score_max), checked by services.score_review.
    value = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), max_length=3000)

    class Meta:
        ordering = ["review", "criterion__position", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"],
                                    name="one_score_per_criterion"),
        ]

    def __str__(self):
        return f"{self.criterion}: {self.value}"


class AllocationRun(models.Model):
    """Both computed allocations of a call at one moment, as shown to staff."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="allocation_runs")
    # Allocation.as_dict() of each method; the optimum may hold {"error": ...} instead.
    list_result = models.JSONField()
    optimal_result = models.JSONField()
    # The applications and scores the run used: [{"id", "score", "amount", ...}, ...].
    problem = models.JSONField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        get_latest_by = ["created_at", "pk"]

    def __str__(self):
        return f"{self.call} {self.created_at:%Y-%m-%d %H:%M}"

    def result(self, method: str) -> dict:
        return self.optimal_result if method == "optimal" else self.list_result


class Decision(models.Model):
    """Staff's decision on one eligible application: the award (0 = none), what the computed
    allocation proposed, and the reason for any deviation. The ledger commitment is booked
    with source "calls.award" and this row's key as reference."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="decisions")
    application = models.OneToOneField(Application, on_delete=models.PROTECT,
                                       related_name="decision")
    amount_cents = models.BigIntegerField(_("award in cents"))
    proposed_cents = models.BigIntegerField(_("computed award in cents"))
    reason = models.TextField(_("reason for the deviation"), max_length=2000, blank=True)
    base_method = models.CharField(max_length=20)
    commitment = models.ForeignKey("budget.Entry", on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    decided_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["call", "-amount_cents", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gte=0) & Q(proposed_cents__gte=0),
                                   name="decision_amounts_not_negative"),
            models.CheckConstraint(
                condition=Q(amount_cents=F("proposed_cents")) | ~Q(reason=""),
                name="decision_deviation_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.application}: {self.amount_cents} ct"

    def is_award(self) -> bool:
        return self.amount_cents > 0 and self.revoked_at is None
