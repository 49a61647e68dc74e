from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Cell(models.Model):
    """A populated 100 m cell of the census grid (EPSG:3035), its centre in EPSG:25832.

    Which quarter and Kreis a cell lies in is found at every recomputation from the current
    boundaries, so it is never stored (and never stale).
    """

    grid_id = models.CharField(_("census grid id"), max_length=40, unique=True)
    x = models.FloatField()
    y = models.FloatField()
    population = models.PositiveIntegerField(_("residents"))
    is_demo = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("grid cell")
        verbose_name_plural = _("grid cells")

    def __str__(self):
        return self.grid_id


class CheckRun(models.Model):
    """One recomputation of the quarter check. The run `CurrentResults` points at holds the
    current figures; a failed run leaves them in place."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Failed")
        # A later run finished first; its figures are newer, so this run's were dropped.
        SUPERSEDED = "superseded", _("Replaced by a newer computation")

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress_pct = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    message = models.TextField(_("message"), blank=True)
    # Quarters left out (no usable boundary …); shown to programme staff.
    warnings = models.JSONField(default=list, blank=True)
    requested_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    cells = models.PositiveIntegerField(default=0)
    anchors = models.PositiveIntegerField(default=0)
    quarters = models.PositiveIntegerField(default=0)
    detour = models.FloatField(default=1.3)
    seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("quarter check run")
        verbose_name_plural = _("quarter check runs")
        indexes = [
            # The status fragment asks for the oldest waiting or running run.
            models.Index(fields=["status"], name="checkrun_status"),
        ]

    def __str__(self):
        return f"{self.pk} {self.status}"

    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class CurrentResults(models.Model):
    """One row: the run whose figures the pages show. Runs that finish lock this row, so
    two of them never replace the figures at the same time."""

    run = models.ForeignKey(CheckRun, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("current results")
        verbose_name_plural = _("current results")

    def __str__(self):
        return f"current: {self.run_id}"


class AreaFigures(models.Model):
    """The figures of one quarter, Kreis or the Land (the JSON layout: indicators.py)."""

    run = models.ForeignKey(CheckRun, on_delete=models.CASCADE, related_name="figures")
    quarter = models.ForeignKey(
        "places.Quarter", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    place = models.ForeignKey(
        "places.Place", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    figures = models.JSONField()
    # Residents missing success factors (docs/quartierscheck.md): the gap list's order.
    gap_score = models.FloatField(default=0)
    # When the figures were computed: earlier than the run when they were kept from the last
    # good run because the quarter could not be computed now (stale_reason says why).
    computed_at = models.DateTimeField()
    stale_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("figures of an area")
        verbose_name_plural = _("figures of areas")
        constraints = [
            models.CheckConstraint(
                condition=Q(quarter__isnull=True) ^ Q(place__isnull=True),
                name="figures_of_quarter_or_place",
            ),
            models.UniqueConstraint(fields=["run", "quarter"], name="figures_once_per_quarter"),
            models.UniqueConstraint(fields=["run", "place"], name="figures_once_per_place"),
        ]
        indexes = [
            # The gap list reads the current run's quarters by falling gap score.
            models.Index(fields=["run", "-gap_score"], name="figures_gap"),
        ]

    def __str__(self):
        return f"{self.run_id}: {self.quarter_id or self.place_id}"
