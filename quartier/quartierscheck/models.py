from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Cell(models.Model):
    """A populated 100 m cell of the census grid (EPSG:3035), its centre in EPSG:25832."""

    grid_id = models.CharField(_("census grid id"), max_length=40, unique=True)
    x = models.FloatField()
    y = models.FloatField()
    population = models.PositiveIntegerField(_("residents"))
    # The published quarter whose boundary holds the centre; set by assign_cells.
    quarter = models.ForeignKey(
        "places.Quarter", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_demo = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("grid cell")
        verbose_name_plural = _("grid cells")
        indexes = [
            # Residents of one quarter are summed often.
            models.Index(fields=["quarter"]),
        ]

    def __str__(self):
        return self.grid_id


class CheckRun(models.Model):
    """One recomputation of the quarter check. The figures of the newest finished run are
    the current results; a failed run leaves them in place."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Failed")

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress_pct = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    message = models.TextField(_("message"), blank=True)
    # Quarters left out (no valid boundary …), shown with the results.
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
        ordering = ["-created_at", "-pk"]
        verbose_name = _("quarter check run")
        verbose_name_plural = _("quarter check runs")
        indexes = [models.Index(fields=["status", "-finished_at"], name="checkrun_status")]

    def __str__(self):
        return f"{self.pk} {self.status}"

    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class AreaFigures(models.Model):
    """The figures of one quarter, Kreis or the Land in one run (see indicators.py)."""

    run = models.ForeignKey(CheckRun, on_delete=models.CASCADE, related_name="figures")
    quarter = models.ForeignKey(
        "places.Quarter", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    place = models.ForeignKey(
        "places.Place", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    figures = models.JSONField()
    # Residents missing success factors, summed over the indicators (the gap list's order).
    gap_score = models.FloatField(default=0)

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
        indexes = [models.Index(fields=["run", "-gap_score"], name="figures_gap")]

    def __str__(self):
        return f"{self.run_id}: {self.quarter_id or self.place_id}"
