"""Quarter budgets (participatory budgeting): see docs/pb.md for the data model and rules.

Money is integer cents (`*_cents`) like everywhere on the platform; the engine counts in
euros, so an Add1 step of the Method of Equal Shares is one euro per voter.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Phase(models.TextChoices):
    UPCOMING = "upcoming", _("Not started yet")
    PROPOSAL = "proposal", _("Proposals")
    REVIEW = "review", pgettext_lazy("pb phase", "Review")
    VOTING = "voting", _("Voting")
    RESULT = "result", _("Result")


def _new_salt() -> str:
    return secrets.token_hex(16)


class BudgetQuerySet(models.QuerySet):
    def visible_to_public(self):
        return self.filter(quarter__status="published")


class Budget(models.Model):
    """A quarter budget: residents propose projects and decide by vote how `amount_cents` is
    spent. The phase follows from the four dates (stored in UTC, entered in Europe/Berlin):
    upcoming < proposals_open ≤ proposal < proposals_close ≤ review < voting_opens ≤ voting <
    voting_closes ≤ result.

    Stable for other modules (participation links a phase to a budget): the model name,
    `get_absolute_url()`, `phase()`, `phase_label()` and `services.budgets_of(quarter)`.
    """

    class BallotType(models.TextChoices):
        APPROVAL = "approval", _("Approval (tick the projects you support)")
        CUMULATIVE = "cumulative", _("Cumulative (share out points)")
        RANKING = "ranking", _("Ranking (put projects in order)")
        CHOOSE_ONE = "choose_one", _("Choose one project")

    class Rule(models.TextChoices):
        GREEDY = "greedy", _("Greedy: most votes first")
        EQUAL_SHARES = "equal_shares", _("Method of Equal Shares")
        MAX_WELFARE = "max_welfare", _("Utilitarian optimum (most satisfaction)")

    class Access(models.TextChoices):
        ACCOUNTS = "accounts", _("With a verified account")
        CODES = "codes", _("With a voting code from a letter")
        BOTH = "both", _("With an account or a voting code")

    quarter = models.ForeignKey(
        "places.Quarter", on_delete=models.PROTECT, related_name="budgets",
        verbose_name=_("quarter"),
    )
    title = models.CharField(pgettext_lazy("pb", "title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    amount_cents = models.PositiveBigIntegerField(_("amount"))
    access = models.CharField(
        _("online voting"), max_length=10, choices=Access.choices, default=Access.ACCOUNTS
    )
    residents_only = models.BooleanField(
        _("accounts only of residents of the quarter's Gemeinde"), default=True
    )
    min_age = models.PositiveSmallIntegerField(_("minimum age"), default=14)
    ballot_type = models.CharField(
        _("ballot"), max_length=20, choices=BallotType.choices, default=BallotType.APPROVAL
    )
    min_projects = models.PositiveSmallIntegerField(_("at least this many projects"), default=1)
    max_projects = models.PositiveSmallIntegerField(_("at most this many projects"), default=5)
    points_total = models.PositiveSmallIntegerField(_("points per voter"), default=10)
    max_ranks = models.PositiveSmallIntegerField(_("projects to rank at most"), default=3)
    proposals_open = models.DateTimeField(_("proposals open"))
    proposals_close = models.DateTimeField(_("proposals close"))
    voting_opens = models.DateTimeField(_("voting opens"))
    voting_closes = models.DateTimeField(_("voting closes"))
    rule = models.CharField(
        _("counting rule"), max_length=20, choices=Rule.choices, default=Rule.GREEDY
    )
    # Greedy variants used in practice: stop at the first project that does not fit, and a
    # minimum number of votes (or points) a project needs.
    greedy_skip = models.BooleanField(_("skip projects that do not fit"), default=True)
    min_votes = models.PositiveIntegerField(_("minimum votes for funding"), default=1)
    # The META of an imported .pb file, written back on export.
    pb_meta = models.JSONField(default=dict, blank=True)
    # Voting codes are stored as SHA-256 of salt + code, so a leaked table reveals no code.
    code_salt = models.CharField(max_length=32, default=_new_salt, editable=False)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BudgetQuerySet.as_manager()

    class Meta:
        ordering = ["-voting_closes", "pk"]
        verbose_name = _("quarter budget")
        verbose_name_plural = _("quarter budgets")
        constraints = [
            models.CheckConstraint(
                condition=Q(proposals_open__lt=F("proposals_close"))
                & Q(proposals_close__lte=F("voting_opens"))
                & Q(voting_opens__lt=F("voting_closes")),
                name="pb_budget_phases_in_order",
            ),
            models.CheckConstraint(
                condition=Q(amount_cents__gt=0), name="pb_budget_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(min_projects__lte=F("max_projects")) & Q(max_projects__gt=0)
                & Q(points_total__gt=0) & Q(max_ranks__gt=0),
                name="pb_budget_ballot_rules",
            ),
        ]
        indexes = [
            # The quarter page lists its budgets.
            models.Index(fields=["quarter", "voting_closes"], name="pb_budget_quarter"),
            # The list of open votes filters by the closing date.
            models.Index(fields=["voting_closes"], name="pb_budget_closes"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("pb:budget", args=[self.pk])

    def phase(self, now=None) -> str:
        now = now or timezone.now()
        if now < self.proposals_open:
            return Phase.UPCOMING
        if now < self.proposals_close:
            return Phase.PROPOSAL
        if now < self.voting_opens:
            return Phase.REVIEW
        if now < self.voting_closes:
            return Phase.VOTING
        return Phase.RESULT

    def phase_label(self) -> str:
        return Phase(self.phase()).label

    def before_voting(self) -> bool:
        return self.phase() in (Phase.UPCOMING, Phase.PROPOSAL, Phase.REVIEW)

    def counted(self):
        """The stored Result, or None (no query when loaded with select_related)."""
        try:
            return self.result
        except Result.DoesNotExist:
            return None

    def allows_accounts(self) -> bool:
        return self.access in (self.Access.ACCOUNTS, self.Access.BOTH)

    def allows_codes(self) -> bool:
        return self.access in (self.Access.CODES, self.Access.BOTH)

    def sat(self) -> str:
        """Voters' satisfaction for the engine: points for cumulative ballots, else cost
        (a project is worth its cost to each supporter; greedy then ranks by votes)."""
        return "points" if self.ballot_type == self.BallotType.CUMULATIVE else "cost"


class ProposalQuerySet(models.QuerySet):
    def on_ballot(self):
        return self.filter(status=Proposal.Status.FEASIBLE)

    def public(self):
        return self.filter(status__in=[Proposal.Status.FEASIBLE, Proposal.Status.INFEASIBLE])


class Proposal(models.Model):
    """A project proposed for a budget; on the ballot once reviewed as feasible."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting review")
        FEASIBLE = "feasible", _("Feasible, on the ballot")
        INFEASIBLE = "infeasible", _("Not feasible")
        REMOVED = "removed", _("Removed (breaks the rules of participation)")

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="proposals")
    # The project id of ballots and .pb files: 1, 2, 3 … in a budget, or an imported file's.
    ref = models.CharField(_("number"), max_length=40)
    title = models.CharField(pgettext_lazy("pb", "title"), max_length=200)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    # Where, in words: for everyone who does not use the map.
    location = models.CharField(_("location"), max_length=200, blank=True)
    cost_cents = models.PositiveBigIntegerField(_("estimated cost"))
    reviewed_cost_cents = models.PositiveBigIntegerField(
        _("cost after review"), null=True, blank=True
    )
    # An optional point in EPSG:25832 metres.
    x = models.FloatField(null=True, blank=True)
    y = models.FloatField(null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    reason = models.TextField(_("reason"), blank=True, max_length=2000)
    # The other PROJECTS columns of an imported .pb file (name, category …), for export.
    pb_fields = models.JSONField(default=dict, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="pb_proposals",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["budget", "pk"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        constraints = [
            models.UniqueConstraint(fields=["budget", "ref"], name="pb_proposal_ref_unique"),
            models.CheckConstraint(
                condition=Q(x__isnull=True, y__isnull=True) | Q(x__isnull=False, y__isnull=False),
                name="pb_proposal_point_complete",
            ),
            models.CheckConstraint(
                condition=Q(cost_cents__gt=0)
                & (Q(reviewed_cost_cents__isnull=True) | Q(reviewed_cost_cents__gt=0)),
                name="pb_proposal_cost_positive",
            ),
        ]
        indexes = [
            # The ballot and the review queue filter a budget's proposals by status.
            models.Index(fields=["budget", "status"], name="pb_proposal_budget_status"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("pb:proposal", args=[self.budget_id, self.pk])

    @property
    def project_id(self) -> str:
        return self.ref

    @property
    def final_cost_cents(self) -> int:
        if self.reviewed_cost_cents is not None:
            return self.reviewed_cost_cents
        return self.cost_cents

    def is_public(self) -> bool:
        return self.status in (self.Status.FEASIBLE, self.Status.INFEASIBLE)

    def lonlat(self) -> tuple[float, float] | None:
        from quartier.places import geo

        return geo.utm_to_lonlat(self.x, self.y) if self.x is not None else None


class VotingCode(models.Model):
    """A single-use voting code for a letter to a household. Only its hash is stored; the
    code itself is printed once, on the letters made when it is generated."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)
    # Printed on the letter beside the code, so a lost letter's code can be voided.
    serial = models.PositiveIntegerField()
    batch = models.PositiveIntegerField(default=1)
    is_void = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["budget", "serial"]
        constraints = [
            # The lookup by entered code; also no two equal codes in one budget.
            models.UniqueConstraint(fields=["budget", "code_hash"], name="pb_code_unique"),
            models.UniqueConstraint(fields=["budget", "serial"], name="pb_code_serial_unique"),
        ]

    def __str__(self):
        return f"{self.budget_id}/{self.serial}"


class Ballot(models.Model):
    """One voter's ballot. One per account and one per voting code in a budget (database
    constraints); changing a vote replaces its choices in the same row, so it counts once."""

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online")
        PAPER = "paper", _("Paper")
        IMPORTED = "imported", _("Imported")

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="ballots")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="pb_ballots",
    )
    # Codes and proposals are never deleted on their own, only with their budget.
    code = models.OneToOneField(
        VotingCode, on_delete=models.CASCADE, null=True, blank=True, related_name="ballot"
    )
    # The number written on a paper ballot (double entry), or the voter id of an import.
    sheet = models.CharField(max_length=40, blank=True)
    # The other VOTES columns of an imported .pb file (age, sex …), for export.
    pb_fields = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["budget", "pk"]
        constraints = [
            # One person, one ballot: also the lookup of a voter's ballot.
            models.UniqueConstraint(
                fields=["budget", "voter"], condition=Q(voter__isnull=False),
                name="pb_one_ballot_per_account",
            ),
            models.UniqueConstraint(
                fields=["budget", "sheet"], condition=~Q(sheet=""),
                name="pb_one_ballot_per_sheet",
            ),
            models.CheckConstraint(
                condition=Q(channel="online", sheet="")
                & (Q(voter__isnull=False) | Q(code__isnull=False))
                | ~Q(channel="online") & Q(voter__isnull=True) & Q(code__isnull=True),
                name="pb_ballot_has_a_voter",
            ),
        ]

    def __str__(self):
        return f"{self.budget_id}/{self.pk}"


class BallotChoice(models.Model):
    """A project on a ballot: value 1 (approval, choose one), the points (cumulative) or the
    rank, 1 first (ranking). 0 points only come from imported files."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="choices")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="choices")
    value = models.PositiveIntegerField()

    class Meta:
        ordering = ["ballot", "value", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["ballot", "proposal"], name="pb_choice_once"),
        ]

    def __str__(self):
        return f"{self.ballot_id}: {self.proposal_id}={self.value}"


class PaperEntry(models.Model):
    """One typing of one paper ballot. A sheet's ballot counts once two entries by different
    people agree; the entries stay as the record (a wrong one is discarded, not deleted)."""

    class Source(models.TextChoices):
        FORM = "form", _("Form")
        CSV = "csv", _("CSV import")

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="paper_entries")
    sheet = models.CharField(_("ballot number"), max_length=40)
    # {project number: value} with the project numbers (refs) as keys, for every ballot type.
    selection = models.JSONField()
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.FORM)
    created_at = models.DateTimeField(auto_now_add=True)
    discarded_at = models.DateTimeField(null=True, blank=True)
    discarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    discard_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["budget", "sheet", "pk"]
        constraints = [
            # Double entry means different people: one live entry per person and sheet.
            models.UniqueConstraint(
                fields=["budget", "sheet", "entered_by"], condition=Q(discarded_at__isnull=True),
                name="pb_paper_entry_per_person",
            ),
        ]
        indexes = [
            # The entries of one sheet, looked up at every typing.
            models.Index(fields=["budget", "sheet"], name="pb_paper_sheet"),
        ]

    def __str__(self):
        return f"{self.budget_id}/{self.sheet}"


class Result(models.Model):
    """The computed outcome, as the engine returned it, and per project what it means."""

    budget = models.OneToOneField(Budget, on_delete=models.CASCADE, related_name="result")
    outcome = models.JSONField()
    # [{proposal, project_id, title, cost_cents, funded, amount_cents, supporters, score,
    #   reason, params}] in display order: funded first, in funding order.
    projects = models.JSONField()
    ballots_online = models.PositiveIntegerField()
    ballots_paper = models.PositiveIntegerField()
    ballots_imported = models.PositiveIntegerField(default=0)
    # SHA-256 of the .pb export counted, so anyone can check they count the same ballots.
    election_sha256 = models.CharField(max_length=64)
    computed_at = models.DateTimeField(auto_now_add=True)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )

    def __str__(self):
        return f"{self.budget}: {self.outcome.get('selected')}"

    @property
    def ballots_total(self) -> int:
        return self.ballots_online + self.ballots_paper + self.ballots_imported


class Deviation(models.Model):
    """The coordinator's decision to give a project other money than the computed result,
    always with a written reason that the result page shows."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="deviations")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="deviations")
    amount_cents = models.PositiveBigIntegerField(_("money the project gets"))
    reason = models.TextField(_("reason"), max_length=4000)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["budget", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "proposal"], name="pb_one_deviation"),
            models.CheckConstraint(condition=~Q(reason=""), name="pb_deviation_has_reason"),
        ]

    def __str__(self):
        return f"{self.proposal}: {self.amount_cents}"
