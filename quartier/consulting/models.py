"""Free expert and process consulting: the catalogue, consultants, requests, cases.

A request of an organisation for its quarters is triaged by programme staff, matched to a
consultant (engine.py) and becomes a case; the case's consulting days are committed against a
budget line when it is assigned and paid out session by session (budget.services), so the
ledger always knows what consulting costs. Life cycle and rules: docs/consulting.md.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def _localised(obj, field: str) -> str:
    english = getattr(obj, f"{field}_en")
    if english and (get_language() or "de").startswith("en"):
        return english
    return getattr(obj, f"{field}_de")


class Kind(models.TextChoices):
    EXPERT = "expert", _("Expert consulting")
    PROCESS = "process", _("Process consulting")


class Mode(models.TextChoices):
    ON_SITE = "on_site", _("On site")
    ONLINE = "online", _("Online")


class Level(models.IntegerChoices):
    BASIC = 1, _("Basic knowledge")
    ADVANCED = 2, _("Advanced")
    EXPERT = 3, _("Expert")


class Topic(models.Model):
    """A topic of expert consulting (age and care, inclusion …) or of process consulting
    (starting a quarter process …): data, so programme staff extend the list."""

    slug = models.SlugField(_("key"), max_length=50, unique=True)
    name_de = models.CharField(_("name (German)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    kind = models.CharField(_("kind of consulting"), max_length=10, choices=Kind.choices)
    position = models.PositiveSmallIntegerField(_("position in lists"), default=100)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        ordering = ["kind", "position", "slug"]
        verbose_name = _("consulting topic")
        verbose_name_plural = _("consulting topics")

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return _localised(self, "name")


class Format(models.Model):
    """A consulting format of the catalogue: what it is, who may ask for it, how many days
    it usually takes, on site or online, and the day rate the budget is charged."""

    class Delivery(models.TextChoices):
        ON_SITE = "on_site", _("On site")
        ONLINE = "online", _("Online")
        EITHER = "either", _("On site or online")

    slug = models.SlugField(_("key"), max_length=50, unique=True)
    name_de = models.CharField(_("name (German)"), max_length=150)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)
    description_de = models.TextField(_("description (German)"), max_length=2000)
    description_en = models.TextField(_("description (English)"), max_length=2000, blank=True)
    kind = models.CharField(_("kind of consulting"), max_length=10, choices=Kind.choices)
    for_kommune = models.BooleanField(_("Kommunen may request it"), default=True)
    for_landkreis = models.BooleanField(_("Landkreise may request it"), default=True)
    for_civil_society = models.BooleanField(_("civil-society actors may request it"),
                                            default=True)
    usual_days = models.PositiveSmallIntegerField(_("usual number of consulting days"))
    delivery = models.CharField(_("on site or online"), max_length=10, choices=Delivery.choices)
    # Whole cents per day, even, so that half a day is whole cents too.
    day_rate_cents = models.PositiveIntegerField(_("day rate in cents"))
    min_level = models.PositiveSmallIntegerField(
        _("lowest level of the consultant"), choices=Level.choices, default=Level.BASIC
    )
    position = models.PositiveSmallIntegerField(_("position in lists"), default=100)
    is_active = models.BooleanField(_("offered"), default=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["kind", "position", "slug"]
        verbose_name = _("consulting format")
        verbose_name_plural = _("consulting formats")
        constraints = [
            models.CheckConstraint(condition=Q(usual_days__gte=1, usual_days__lte=60),
                                   name="format_usual_days_1_to_60"),
            models.CheckConstraint(condition=Q(day_rate_cents__gt=0),
                                   name="format_day_rate_positive"),
            models.CheckConstraint(
                condition=Q(for_kommune=True) | Q(for_landkreis=True) | Q(for_civil_society=True),
                name="format_someone_may_request",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return _localised(self, "name")

    @property
    def description(self) -> str:
        return _localised(self, "description")

    def requester_labels(self) -> list[str]:
        labels = []
        if self.for_kommune:
            labels.append(_("Kommunen"))
        if self.for_landkreis:
            labels.append(_("Landkreise"))
        if self.for_civil_society:
            labels.append(_("civil-society actors"))
        return labels

    def modes(self) -> list[str]:
        if self.delivery == self.Delivery.EITHER:
            return [Mode.ON_SITE, Mode.ONLINE]
        return [self.delivery]


def _new_token() -> str:
    return secrets.token_urlsafe(32)


class ConsultantProfile(models.Model):
    """A consultant: programme staff of the Land or staff of a contracted consulting firm."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="consultant_profile", verbose_name=_("account"))
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="consultants",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=150)
    home_base = models.ForeignKey(
        "places.Place", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("home base (Gemeinde)"),
    )
    # Language codes as in anchors.models.Language ("de", "en", "tr", …).
    languages = models.JSONField(_("languages"), default=list)
    capacity_days_per_month = models.PositiveSmallIntegerField(
        _("capacity in consulting days per month")
    )
    # The Kreise served; none means the whole state.
    region = models.ManyToManyField("places.Place", blank=True, related_name="+",
                                    verbose_name=_("Kreise served"))
    # Organisations the consultant must not advise (former employer, own association …).
    conflicts = models.ManyToManyField("accounts.Organisation", blank=True, related_name="+",
                                       verbose_name=_("declared conflicts of interest"))
    bio = models.TextField(_("about me"), blank=True, max_length=2000)
    is_active = models.BooleanField(_("takes new cases"), default=True)
    # The secret of the consultant's calendar feed URL; a new one revokes the old URL.
    calendar_token = models.CharField(max_length=64, unique=True, default=_new_token,
                                      editable=False)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("consultant")
        verbose_name_plural = _("consultants")
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity_days_per_month__gte=1, capacity_days_per_month__lte=23),
                name="consultant_capacity_1_to_23",
            ),
        ]

    def __str__(self):
        return self.name


class Expertise(models.Model):
    profile = models.ForeignKey(ConsultantProfile, on_delete=models.CASCADE,
                                related_name="expertise")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("topic"))
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)

    class Meta:
        ordering = ["topic__kind", "topic__position"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "topic"], name="one_level_per_topic"),
        ]

    def __str__(self):
        return f"{self.topic} ({self.get_level_display()})"


class Absence(models.Model):
    profile = models.ForeignKey(ConsultantProfile, on_delete=models.CASCADE,
                                related_name="absences")
    start = models.DateField(_("from"))
    end = models.DateField(_("until"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["start"]
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")),
                                   name="absence_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.start:%d.%m.%Y}–{self.end:%d.%m.%Y}"


class RequestQuerySet(models.QuerySet):
    def open(self):
        """Requests still waiting for a consultant."""
        return self.filter(state__in=ConsultingRequest.OPEN_STATES)


class ConsultingRequest(models.Model):
    """A request of an organisation (Kommune, Landkreis, civil-society actor) for consulting
    in one or more of its quarters; it always shows its state to the requester."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted, awaiting review")
        QUESTION = "question", _("Question from programme staff")
        ACCEPTED = "accepted", _("Accepted, awaiting a consultant")
        DECLINED = "declined", _("Declined")
        ASSIGNED = "assigned", _("Consultant assigned")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    OPEN_STATES = (State.SUBMITTED, State.QUESTION, State.ACCEPTED)

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="consulting_requests",
        verbose_name=_("organisation"),
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, related_name="+", verbose_name=_("requested by"))
    quarters = models.ManyToManyField("places.Quarter", related_name="consulting_requests",
                                      verbose_name=_("quarters"))
    # Where the consulting takes place: the Gemeinde of the first quarter (travel, coverage).
    gemeinde = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("Gemeinde"))
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="requests",
                              verbose_name=_("topic"))
    format = models.ForeignKey(Format, on_delete=models.PROTECT, related_name="requests",
                               verbose_name=_("format"))
    mode = models.CharField(_("on site or online"), max_length=10, choices=Mode.choices)
    language = models.CharField(_("language of the consulting"), max_length=8, default="de")
    goals = models.TextField(_("what you want to achieve"), max_length=4000)
    people = models.TextField(_("people involved"), max_length=2000)
    earliest = models.DateField(_("earliest start"))
    latest = models.DateField(_("latest end"))
    days = models.PositiveSmallIntegerField(_("consulting days"))
    state = models.CharField(_("state"), max_length=20, choices=State.choices,
                             default=State.SUBMITTED)
    # The staff's question, or the reason for declining.
    staff_message = models.TextField(_("message from programme staff"), blank=True,
                                     max_length=2000)
    answer = models.TextField(_("answer"), blank=True, max_length=4000)
    # Marked when one of the quarters has one of the largest gaps in the quarter check.
    priority = models.BooleanField(_("priority"), default=False)
    gap_score = models.FloatField(_("largest gap score of its quarters"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    objects = RequestQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("consulting request")
        verbose_name_plural = _("consulting requests")
        constraints = [
            models.CheckConstraint(condition=Q(latest__gte=F("earliest")),
                                   name="request_period_ends_after_start"),
            models.CheckConstraint(condition=Q(days__gte=1), name="request_days_positive"),
        ]
        indexes = [
            # The triage queue and the matching read open requests in order of arrival.
            models.Index(fields=["state", "submitted_at"], name="request_state_submitted"),
            # A requester's list: the requests of their organisation.
            models.Index(fields=["organisation", "submitted_at"], name="request_org_submitted"),
        ]

    def __str__(self):
        return _("Request %(number)s") % {"number": self.pk}

    def get_absolute_url(self):
        return reverse("consulting:request", args=[self.pk])

    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES


class Case(models.Model):
    """The consulting a consultant gives for one accepted request."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Running")
        COMPLETED = "completed", _("Completed, awaiting feedback")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    request = models.OneToOneField(ConsultingRequest, on_delete=models.PROTECT,
                                   related_name="case", verbose_name=_("request"))
    consultant = models.ForeignKey(ConsultantProfile, on_delete=models.PROTECT,
                                   related_name="cases", verbose_name=_("consultant"))
    # What the matching proposed; differs from `consultant` when staff changed it.
    proposed_consultant = models.ForeignKey(
        ConsultantProfile, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("proposed consultant"),
    )
    assignment_reason = models.TextField(_("reason for the assignment"), blank=True,
                                         max_length=2000)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    booked_days = models.PositiveSmallIntegerField(_("booked consulting days"))
    day_rate_cents = models.PositiveIntegerField(_("day rate in cents"))
    budget_line = models.ForeignKey("budget.BudgetLine", on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("budget line"))
    commitment = models.ForeignKey("budget.Entry", on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+", verbose_name=_("commitment"))
    travel_km = models.FloatField(_("road km per round trip"), default=0)
    state = models.CharField(_("state"), max_length=20, choices=State.choices,
                             default=State.ACTIVE)
    outcome = models.TextField(_("outcome"), blank=True, max_length=4000)
    created_at = models.DateTimeField(_("assigned at"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["-start", "-pk"]
        verbose_name = _("consulting case")
        verbose_name_plural = _("consulting cases")
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")),
                                   name="case_period_ends_after_start"),
            models.CheckConstraint(condition=Q(booked_days__gte=1), name="case_days_positive"),
        ]
        indexes = [
            # A consultant's cases, newest first.
            models.Index(fields=["consultant", "start"], name="case_consultant_start"),
            # Coverage and reports count cases per year.
            models.Index(fields=["start"], name="case_start"),
        ]

    def __str__(self):
        return _("Case %(number)s") % {"number": self.pk}

    def get_absolute_url(self):
        return reverse("consulting:case", args=[self.pk])

    @property
    def committed_cents(self) -> int:
        return self.booked_days * self.day_rate_cents

    def is_active(self) -> bool:
        return self.state == self.State.ACTIVE


class Session(models.Model):
    """One consulting session of a case; its cost is paid out from the case's commitment."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="sessions",
                             verbose_name=_("case"))
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    # Duration in half consulting days, so every sum is exact.
    half_days = models.PositiveSmallIntegerField(_("duration in half days"))
    mode = models.CharField(_("on site or online"), max_length=10, choices=Mode.choices)
    participants = models.PositiveSmallIntegerField(_("participants"))
    topics = models.ManyToManyField(Topic, related_name="+", verbose_name=_("topics"))
    protocol = models.TextField(_("short protocol"), blank=True, max_length=4000)
    cost_cents = models.PositiveIntegerField(_("cost in cents"))
    disbursement = models.ForeignKey("budget.Entry", on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="+",
                                     verbose_name=_("disbursement"))
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, related_name="+", verbose_name=_("logged by"))
    created_at = models.DateTimeField(_("logged at"), auto_now_add=True)

    class Meta:
        ordering = ["date", "start_time", "pk"]
        verbose_name = _("consulting session")
        verbose_name_plural = _("consulting sessions")
        constraints = [
            models.CheckConstraint(condition=Q(half_days__gte=1), name="session_duration_positive"),
        ]
        indexes = [
            # Coverage counts consulting days per year.
            models.Index(fields=["date"], name="session_date"),
        ]

    def __str__(self):
        return f"{self.case} – {self.date:%Y-%m-%d}"

    @property
    def days(self) -> float:
        return self.half_days / 2


def _document_path(instance, filename: str) -> str:
    # A random name: the original name is kept in the row, never used on disk.
    return f"consulting/{secrets.token_hex(12)}.pdf"


class Document(models.Model):
    """A PDF of a session (agenda, results); confidential like the protocol."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="documents",
                                verbose_name=_("session"))
    file = models.FileField(_("file"), upload_to=_document_path)
    name = models.CharField(_("file name"), max_length=200)
    size_bytes = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("consulting:document", args=[self.pk])


class Feedback(models.Model):
    """The requester's short survey after the case is completed."""

    class Reached(models.TextChoices):
        YES = "yes", _("Yes")
        PARTLY = "partly", _("Partly")
        NO = "no", _("No")

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="feedback")
    satisfaction = models.PositiveSmallIntegerField(
        _("How satisfied are you with the consulting?"),
        choices=[(n, str(n)) for n in range(1, 6)],
    )
    goals_reached = models.CharField(_("Did you reach your goals?"), max_length=10,
                                     choices=Reached.choices)
    would_recommend = models.BooleanField(_("Would you recommend it to others?"))
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                 null=True, related_name="+")
    created_at = models.DateTimeField(_("given at"), auto_now_add=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.CheckConstraint(condition=Q(satisfaction__gte=1, satisfaction__lte=5),
                                   name="feedback_satisfaction_1_to_5"),
        ]

    def __str__(self):
        return f"{self.case}: {self.satisfaction}/5"


class MatchingRun(models.Model):
    """One computation of the proposed matching of all open requests, with its figures."""

    created_at = models.DateTimeField(_("computed at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+", verbose_name=_("computed by"))
    # travel_km, fcfs_travel_km, waiting_days, fcfs_waiting_days, served, fcfs_served,
    # optimal, seconds, pairs, detour_factor …
    summary = models.JSONField(_("figures"), default=dict)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("matching run")
        verbose_name_plural = _("matching runs")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M}"


class Proposal(models.Model):
    """What one matching run proposes for one request, next to first come, first served."""

    run = models.ForeignKey(MatchingRun, on_delete=models.CASCADE, related_name="proposals")
    request = models.ForeignKey(ConsultingRequest, on_delete=models.CASCADE, related_name="+")
    consultant = models.ForeignKey(ConsultantProfile, on_delete=models.CASCADE, null=True,
                                   related_name="+")
    travel_km = models.FloatField(default=0)
    waiting_days = models.IntegerField(default=0)
    fcfs_consultant = models.ForeignKey(ConsultantProfile, on_delete=models.CASCADE,
                                        null=True, related_name="+")
    fcfs_travel_km = models.FloatField(default=0)
    fcfs_waiting_days = models.IntegerField(default=0)

    class Meta:
        ordering = ["run", "request__submitted_at", "request"]
        constraints = [
            models.UniqueConstraint(fields=["run", "request"], name="one_proposal_per_request"),
        ]

    def __str__(self):
        return f"{self.run}: {self.request_id} → {self.consultant_id}"
