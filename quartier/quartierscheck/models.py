from django.db import models
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
