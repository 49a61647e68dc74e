"""Participation in a quarter: processes with phases, ideas, comments, support, moderation,
polls and meetings (docs/participation.md)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

# Plain-text limits, also enforced by the forms and services.
COMMENT_MAX_LENGTH = 3000
IDEA_TEXT_MAX_LENGTH = 5000
HIDE_REASON_MAX_LENGTH = 500


class Category(models.TextChoices):
    MEETING_PLACES = "meeting_places", _("Meeting places")
    GREEN = "green", _("Green spaces and climate")
    MOBILITY = "mobility", _("Ways and mobility")
    ACCESSIBILITY = "accessibility", _("Accessibility")
    CHILDREN_YOUTH = "children_youth", _("Children and young people")
    OLDER_PEOPLE = "older_people", _("Older people")
    NEIGHBOURHOOD_HELP = "neighbourhood_help", _("Neighbourhood help")
    CULTURE = "culture", _("Culture and leisure")
    OTHER = "other", _("Other")


class ProcessQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Process.Status.PUBLISHED)


class Process(models.Model):
    """A participation process of one quarter, opened by a coordinator of its Gemeinde or
    Kreis. What people can do at a moment follows from the phases open at that moment."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    class Participants(models.TextChoices):
        REGISTERED = "registered", _("Everyone with an account")
        RESIDENTS = "residents", _("Registered residents of the quarter's Gemeinde")
        INVITED = "invited", _("Members of invited organisations")

    quarter = models.ForeignKey(
        "places.Quarter", on_delete=models.PROTECT, related_name="participation_processes",
        verbose_name=_("quarter"),
    )
    title = models.CharField(_("title"), max_length=200)
    goal = models.TextField(_("goal"), max_length=4000)
    open_for_decision = models.TextField(_("what is open for decision"), max_length=2000)
    not_open_for_decision = models.TextField(
        _("what is not open for decision"), max_length=2000, blank=True
    )
    summary_simple = models.TextField(
        _("the process in simple language"), max_length=4000, blank=True
    )
    participants = models.CharField(
        _("who may take part"), max_length=20, choices=Participants.choices,
        default=Participants.REGISTERED,
    )
    invited_organisations = models.ManyToManyField(
        "accounts.Organisation", blank=True, related_name="+",
        verbose_name=_("invited organisations"),
    )
    result = models.TextField(_("result and what happened next"), max_length=8000, blank=True)
    result_simple = models.TextField(
        _("result in simple language"), max_length=4000, blank=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    # Bumped whenever an idea's point, title, status or visibility changes: the key of the
    # cached GeoJSON of the process map.
    map_version = models.PositiveIntegerField(default=0, editable=False)
    # Bumped whenever anything its idea lists show changes (ideas, support, comment counts,
    # answers): the key of the idea-list fragments cached for visitors without an account.
    version = models.PositiveIntegerField(default=0, editable=False)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProcessQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("participation process")
        verbose_name_plural = _("participation processes")
        indexes = [
            # The quarter's participation section lists its published processes, newest first.
            models.Index(fields=["quarter", "status", "-created_at"], name="process_quarter"),
            # The overview of all processes lists published ones, newest first.
            models.Index(fields=["status", "-created_at"], name="process_status_new"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("participation:process", args=[self.pk])

    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def name(self) -> str:
        """For breadcrumbs, which name places by .name."""
        return self.title

    @cached_property
    def phase_list(self) -> list["Phase"]:
        """The phases in order; prefetched lists are used, so one query per page at most."""
        return list(self.phases.all())

    def open_phases(self, now=None) -> list["Phase"]:
        now = now or timezone.now()
        return [phase for phase in self.phase_list if phase.is_open(now)]

    def open_kinds(self, now=None) -> set[str]:
        return {phase.kind for phase in self.open_phases(now)}

    def current_phase(self, now=None) -> "Phase | None":
        open_phases = self.open_phases(now)
        return open_phases[-1] if open_phases else None

    def accepts_ideas(self, now=None) -> bool:
        return Phase.Kind.IDEAS in self.open_kinds(now)

    def accepts_comments(self, now=None) -> bool:
        return bool(self.open_kinds(now) & {Phase.Kind.IDEAS, Phase.Kind.DISCUSSION})

    def accepts_support(self, now=None) -> bool:
        return bool(self.open_kinds(now) & {Phase.Kind.IDEAS, Phase.Kind.DISCUSSION})

    def has_ideas_phase(self) -> bool:
        return any(phase.kind == Phase.Kind.IDEAS for phase in self.phase_list)

    def ags(self) -> str:
        return self.quarter.gemeinde.ags


class Phase(models.Model):
    """A step of a process with its dates; open from starts_at (inclusive) to ends_at."""

    class Kind(models.TextChoices):
        INFORMATION = "information", _("Information")
        IDEAS = "ideas", _("Collecting ideas")
        DISCUSSION = "discussion", _("Discussion")
        POLL = "poll", _("Poll")
        BUDGET = "budget", _("Quarter budget")
        RESULT = "result", _("Result and what happened next")

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    description = models.TextField(_("what happens in this phase"), max_length=2000, blank=True)
    budget = models.ForeignKey(
        "pb.Budget", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="participation_phases", verbose_name=_("quarter budget"),
    )

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=F("ends_at")), name="participation_phase_dates"
            ),
            models.CheckConstraint(
                condition=Q(kind="budget") | Q(budget__isnull=True),
                name="participation_phase_budget_only_for_budget_kind",
            ),
        ]
        indexes = [
            # A process page reads its phases in order.
            models.Index(fields=["process", "starts_at"], name="phase_process_start"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.starts_at:%Y-%m-%d} – {self.ends_at:%Y-%m-%d})"

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.starts_at <= now < self.ends_at

    def is_past(self, now=None) -> bool:
        return (now or timezone.now()) >= self.ends_at


class Contribution(models.Model):
    """What every moderated contribution has: an author, a visibility and a public reason
    when moderators hide it. Comment and Idea inherit it (abstract, no table)."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("author"),
    )
    hidden = models.BooleanField(_("hidden by moderation"), default=False)
    hidden_reason = models.CharField(
        _("public reason for hiding"), max_length=HIDE_REASON_MAX_LENGTH, blank=True
    )
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)

    class Meta:
        abstract = True


class IdeaQuerySet(models.QuerySet):
    def visible(self):
        return self.filter(hidden=False)


class Idea(Contribution):
    """An idea proposed in a process; optionally with an image and a point on the map."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        UNDER_REVIEW = "under_review", _("Under review")
        ACCEPTED = "accepted", _("Accepted")
        IMPLEMENTED = "implemented", _("Implemented")
        NOT_FEASIBLE = "not_feasible", _("Not feasible")

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="ideas")
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("description"), max_length=IDEA_TEXT_MAX_LENGTH)
    text_simple = models.TextField(
        _("description in simple language"), max_length=IDEA_TEXT_MAX_LENGTH, blank=True
    )
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    image = models.ImageField(_("image"), upload_to="participation/ideas/", blank=True)
    image_alt = models.CharField(_("image description (alt text)"), max_length=300, blank=True)
    # An optional point in EPSG:25832 metres.
    x = models.FloatField(null=True, blank=True)
    y = models.FloatField(null=True, blank=True)
    location_text = models.CharField(_("where (in words)"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    status_reason = models.TextField(_("reason for the status"), max_length=2000, blank=True)
    answer = models.TextField(_("official answer"), max_length=4000, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    # Counters kept by services in the transaction of each support and comment (F()
    # updates), so lists sort by them without counting 100,000 rows.
    support_count = models.PositiveIntegerField(_("supporters"), default=0)
    comment_count = models.PositiveIntegerField(_("comments"), default=0)
    # Bumped whenever one of its comments is added, edited, hidden or shown again: the key
    # of the comment threads cached for visitors without an account.
    comments_version = models.PositiveIntegerField(default=0, editable=False)

    objects = IdeaQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        constraints = [
            models.CheckConstraint(
                condition=Q(image="") | ~Q(image_alt=""), name="participation_idea_image_alt"
            ),
            models.CheckConstraint(
                condition=Q(x__isnull=True, y__isnull=True) | Q(x__isnull=False, y__isnull=False),
                name="participation_idea_point_complete",
            ),
            models.CheckConstraint(
                condition=~Q(status="not_feasible") | ~Q(status_reason=""),
                name="participation_idea_not_feasible_has_reason",
            ),
        ]
        indexes = [
            # The idea lists cover visible ideas only: partial indexes (hidden = false), so
            # SQLite, too, reads them in order instead of sorting 10,000 rows.
            # The idea list of a process, newest first (the default order), and its count.
            models.Index(fields=["process", "-created_at"], condition=Q(hidden=False),
                         name="idea_process_new"),
            # The idea list filtered by category.
            models.Index(fields=["process", "category", "-created_at"],
                         condition=Q(hidden=False), name="idea_process_cat"),
            # The idea list filtered by status.
            models.Index(fields=["process", "status", "-created_at"],
                         condition=Q(hidden=False), name="idea_process_status"),
            # ... by category and status: their count from the index alone (with one of the
            # two indexes above it read every matching row: 4 ms at 10,000 ideas).
            models.Index(fields=["process", "category", "status", "-created_at"],
                         condition=Q(hidden=False), name="idea_process_cat_status"),
            # The idea list sorted by most support.
            models.Index(fields=["process", "-support_count", "-created_at"],
                         condition=Q(hidden=False), name="idea_process_support"),
            # The idea list sorted by most comments.
            models.Index(fields=["process", "-comment_count", "-created_at"],
                         condition=Q(hidden=False), name="idea_process_comments"),
            # Rate limit and "my contributions": an author's newest ideas.
            models.Index(fields=["author", "-created_at"], name="idea_author_new"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("participation:idea", args=[self.pk])

    def has_point(self) -> bool:
        return self.x is not None and self.y is not None

    def lonlat(self) -> tuple[float, float] | None:
        from quartier.places import geo

        return geo.utm_to_lonlat(self.x, self.y) if self.has_point() else None

    # The comment target protocol (docs/participation.md).
    def comments_open(self) -> bool:
        return not self.hidden and self.process.accepts_comments()

    def moderation_ags(self) -> str:
        return self.process.ags()


class Support(models.Model):
    """One account supports one idea once (database constraint); withdrawn by deleting."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # Also the index for "which of these ideas did this account support".
            models.UniqueConstraint(fields=["idea", "user"], name="participation_one_support"),
        ]

    def __str__(self):
        return f"{self.user_id} → {self.idea_id}"


class Comment(Contribution):
    """A plain-text comment on any object (an idea, a news article): threads of comments
    with one level of replies. Rendered escaped with line breaks; never as HTML."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    # Replies point at the thread's top-level comment; a reply to a reply joins that thread.
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    text = models.TextField(_("comment"), max_length=COMMENT_MAX_LENGTH)
    # The AGS the comment's moderators work in ("" = any moderator), from the target.
    ags = models.CharField(max_length=8, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [
            # The threads of one target: its top-level comments (parent IS NULL) in order.
            models.Index(
                fields=["content_type", "object_id", "parent", "created_at"],
                name="comment_target_thread",
            ),
            # The replies of a page of threads, in order.
            models.Index(fields=["parent", "created_at"], name="comment_replies"),
            # Rate limit and "my contributions": an author's newest comments.
            models.Index(fields=["author", "-created_at"], name="comment_author_new"),
        ]

    def __str__(self):
        return f"{self.text[:60]}"

    def get_absolute_url(self):
        target = self.target
        base = target.get_absolute_url() if target is not None else "/"
        return f"{base}#comment-{self.pk}"

    @property
    def title(self) -> str:
        return self.text[:80]


class Report(models.Model):
    """Someone reports a contribution (a Comment or an Idea) for moderators to look at."""

    class Reason(models.TextChoices):
        INSULT = "insult", _("Insulting, discriminating or threatening")
        SPAM = "spam", _("Advertising or spam")
        PERSONAL_DATA = "personal_data", _("Personal data of other people")
        ILLEGAL = "illegal", _("Illegal content")
        OFF_TOPIC = "off_topic", _("Off topic")
        OTHER = "other", _("Something else")

    class Resolution(models.TextChoices):
        HIDDEN = "hidden", _("Hidden")
        DISMISSED = "dismissed", _("No action needed")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    explanation = models.TextField(_("explanation"), max_length=1000, blank=True)
    # Copied from the contribution, so each moderator's queue is one indexed query.
    ags = models.CharField(max_length=8, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    resolution = models.CharField(max_length=20, choices=Resolution.choices, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "reporter"],
                name="participation_one_report_per_person",
            ),
        ]
        indexes = [
            # The moderators' queue: open reports, oldest first.
            models.Index(
                fields=["ags", "created_at"], condition=Q(resolved_at__isnull=True),
                name="report_open_queue",
            ),
            # All reports of one contribution (resolving them together).
            models.Index(fields=["content_type", "object_id"], name="report_target"),
        ]

    def __str__(self):
        return f"{self.content_type_id}:{self.object_id} {self.reason}"


class Sanction(models.Model):
    """A moderator's warning or block of an account. A block stops every contribution
    (ideas, comments, support, votes, registrations) until it ends or is lifted."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("Warning")
        BLOCK = "block", _("Block")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participation_sanctions"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    reason = models.TextField(_("reason"), max_length=1000)
    until = models.DateTimeField(_("until"), null=True, blank=True)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("sanction")
        verbose_name_plural = _("sanctions")
        indexes = [
            # is_blocked(user): the account's blocks.
            models.Index(fields=["user", "kind"], name="sanction_user_kind"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.user_id}"

    def is_active(self, now=None) -> bool:
        now = now or timezone.now()
        return self.lifted_at is None and (self.until is None or self.until > now)


class Follow(models.Model):
    """An account follows an idea or a whole process, to be told of answers and changes."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    process = models.ForeignKey(
        Process, on_delete=models.CASCADE, null=True, blank=True, related_name="follows"
    )
    idea = models.ForeignKey(
        Idea, on_delete=models.CASCADE, null=True, blank=True, related_name="follows"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(process__isnull=True, idea__isnull=False)
                | Q(process__isnull=False, idea__isnull=True),
                name="participation_follow_one_thing",
            ),
            # Also the lookups "followers of this idea / process" and "do I follow it".
            models.UniqueConstraint(
                fields=["idea", "user"], condition=Q(idea__isnull=False),
                name="participation_follow_idea_once",
            ),
            models.UniqueConstraint(
                fields=["process", "user"], condition=Q(process__isnull=False),
                name="participation_follow_process_once",
            ),
        ]

    def __str__(self):
        return f"{self.user_id} follows {self.idea_id or self.process_id}"


class Notification(models.Model):
    """A line in a person's notification list ("the coordinator answered your idea")."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
        related_name="participation_notifications",
    )
    text = models.CharField(max_length=500)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # A person's notification list, newest first.
            models.Index(fields=["user", "-created_at"], name="notification_user_new"),
        ]

    def __str__(self):
        return self.text


class ParticipantSettings(models.Model):
    """A person's public name on contributions and how they want to be notified; without a
    row both channels are on and the name is a neutral "Participant 123"."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
        related_name="participation_settings",
    )
    public_name = models.CharField(_("name shown with my contributions"), max_length=60,
                                   blank=True)
    in_platform = models.BooleanField(_("in my notification list on the platform"), default=True)
    by_email = models.BooleanField(_("by e-mail"), default=True)

    def __str__(self):
        return f"{self.user_id}: {self.public_name}"


class Poll(models.Model):
    """A question with options, open while its poll phase is. Results are anonymous: who
    took part (PollParticipation) is stored apart from what was chosen (counters)."""

    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="polls")
    phase = models.ForeignKey(
        Phase, on_delete=models.CASCADE, related_name="polls", verbose_name=_("phase")
    )
    question = models.CharField(_("question"), max_length=300)
    description = models.TextField(_("explanation"), max_length=2000, blank=True)
    description_simple = models.TextField(
        _("explanation in simple language"), max_length=2000, blank=True
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    max_choices = models.PositiveSmallIntegerField(
        _("choices at most (multiple choice)"), null=True, blank=True
    )
    allow_free_text = models.BooleanField(_("with a free-text answer"), default=False)
    free_text_label = models.CharField(
        _("question for the free-text answer"), max_length=200, blank=True
    )
    participant_count = models.PositiveIntegerField(default=0)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("poll")
        verbose_name_plural = _("polls")

    def __str__(self):
        return self.question

    def get_absolute_url(self):
        return reverse("participation:poll", args=[self.pk])

    def is_open(self, now=None) -> bool:
        return self.phase.is_open(now)


class PollOption(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    text = models.CharField(_("option"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)
    # Kept by services in the transaction of each vote; no row links a vote to a person.
    vote_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["poll", "position", "pk"]

    def __str__(self):
        return self.text


class PollParticipation(models.Model):
    """That an account voted in a poll, not what: one per account (a database constraint)."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="participations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "user"], name="participation_one_vote"),
        ]

    def __str__(self):
        return f"{self.user_id} voted in {self.poll_id}"


class PollFreeText(models.Model):
    """A free-text answer, stored without its author."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="free_texts")
    text = models.TextField(max_length=1000)

    class Meta:
        ordering = ["poll", "text"]

    def __str__(self):
        return self.text[:60]


class Meeting(models.Model):
    """A meeting of a process, in a place (with its accessibility) and/or online."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    description_simple = models.TextField(
        _("description in simple language"), max_length=4000, blank=True
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    venue = models.CharField(_("place"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    step_free = models.BooleanField(_("step-free access"), default=False)
    accessible_toilet = models.BooleanField(_("accessible toilet"), default=False)
    hearing_loop = models.BooleanField(_("hearing loop"), default=False)
    sign_language = models.BooleanField(_("sign language interpreting"), default=False)
    accessibility = models.TextField(
        _("more about accessibility"), max_length=1000, blank=True
    )
    online_url = models.URLField(_("online link"), blank=True)
    capacity = models.PositiveIntegerField(
        _("places (empty: no limit)"), null=True, blank=True
    )
    registration_open = models.BooleanField(_("registration open"), default=True)
    minutes = models.TextField(_("minutes"), max_length=20000, blank=True)
    minutes_simple = models.TextField(_("minutes in simple language"), max_length=8000,
                                      blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=F("ends_at")), name="participation_meeting_dates"
            ),
            models.CheckConstraint(
                condition=~Q(venue="") | ~Q(online_url=""), name="participation_meeting_where"
            ),
        ]
        indexes = [
            # A process page lists its meetings in order.
            models.Index(fields=["process", "starts_at"], name="meeting_process_start"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("participation:meeting", args=[self.pk])

    def is_past(self, now=None) -> bool:
        return (now or timezone.now()) >= self.ends_at

    def accessibility_list(self) -> list[str]:
        fields = ("step_free", "accessible_toilet", "hearing_loop", "sign_language")
        return [str(self._meta.get_field(f).verbose_name) for f in fields if getattr(self, f)]


class Registration(models.Model):
    """A place at a meeting, or a place on its waiting list (moved up in order of sign-up)."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Registered")
        WAITING = "waiting", _("On the waiting list")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="participation_register_once"),
        ]
        indexes = [
            # Places taken, and the first on the waiting list.
            models.Index(fields=["meeting", "status", "created_at"], name="registration_queue"),
        ]

    def __str__(self):
        return f"{self.user_id} @ {self.meeting_id}: {self.status}"
