from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

AGE_BANDS = (
    ("age_0_5", "0–5"),
    ("age_6_17", "6–17"),
    ("age_18_29", "18–29"),
    ("age_30_49", "30–49"),
    ("age_50_64", "50–64"),
    ("age_65_79", "65–79"),
    ("age_80_plus", "80+"),
)


class PlaceQuerySet(models.QuerySet):
    def of_kind(self, kind: str):
        return self.filter(kind=kind)

    def within(self, ags: str):
        """Places whose AGS starts with ags (the official key nests: 08 → 084 → 08416 → …)."""
        return self.filter(ags__startswith=ags).exclude(ags=ags)


class Place(models.Model):
    """An administrative unit of Baden-Württemberg, keyed by its official AGS."""

    class Kind(models.TextChoices):
        LAND = "land", _("Land")
        REGIERUNGSBEZIRK = "regierungsbezirk", _("Regierungsbezirk")
        KREIS = "kreis", _("Stadt- or Landkreis")
        GEMEINDE = "gemeinde", _("Gemeinde")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    ags = models.CharField(_("AGS"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    population = models.PositiveIntegerField(_("population"), default=0)
    male = models.PositiveIntegerField(null=True, blank=True)
    female = models.PositiveIntegerField(null=True, blank=True)
    area_km2 = models.FloatField(_("area in km²"), null=True, blank=True)
    postcode = models.CharField(_("postcode"), max_length=5, blank=True)
    urbanisation = models.PositiveSmallIntegerField(null=True, blank=True)
    # Representative point in EPSG:25832 metres.
    x = models.FloatField(null=True, blank=True)
    y = models.FloatField(null=True, blank=True)
    # GeoJSON geometry in EPSG:25832 metres; empty where no boundary is known.
    boundary = models.TextField(blank=True)
    # Folded name for forgiving search (see places.search.fold).
    search_key = models.CharField(max_length=500, blank=True, editable=False)

    objects = PlaceQuerySet.as_manager()

    class Meta:
        ordering = ["ags"]
        verbose_name = _("place")
        verbose_name_plural = _("places")
        indexes = [
            # Children lists and the search filter by kind first.
            models.Index(fields=["kind", "name"]),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("places:place", args=[self.ags])

    @property
    def density_per_km2(self) -> float | None:
        return self.population / self.area_km2 if self.area_km2 else None

    @property
    def is_stadtkreis(self) -> bool:
        return self.kind == self.Kind.KREIS and "Stadtkreis" in self.name


class QuarterQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Quarter.Status.PUBLISHED)


def _population_expression():
    expression = F(AGE_BANDS[0][0])
    for field, _label in AGE_BANDS[1:]:
        expression = expression + F(field)
    return expression


class Quarter(models.Model):
    """A Quartier: a Stadtteil, Kiez or Dorf within one Gemeinde, with its residents."""

    class Type(models.TextChoices):
        STADTTEIL = "stadtteil", _("Stadtteil")
        KIEZ = "kiez", _("Kiez")
        DORF = "dorf", _("Dorf")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    gemeinde = models.ForeignKey(
        Place, on_delete=models.PROTECT, related_name="quarters", verbose_name=_("Gemeinde")
    )
    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    # GeoJSON Polygon/MultiPolygon in EPSG:25832 metres; x/y is a point inside it.
    boundary = models.TextField(_("boundary"))
    x = models.FloatField()
    y = models.FloatField()
    age_0_5 = models.PositiveIntegerField(_("residents aged 0–5"), default=0)
    age_6_17 = models.PositiveIntegerField(_("residents aged 6–17"), default=0)
    age_18_29 = models.PositiveIntegerField(_("residents aged 18–29"), default=0)
    age_30_49 = models.PositiveIntegerField(_("residents aged 30–49"), default=0)
    age_50_64 = models.PositiveIntegerField(_("residents aged 50–64"), default=0)
    age_65_79 = models.PositiveIntegerField(_("residents aged 65–79"), default=0)
    age_80_plus = models.PositiveIntegerField(_("residents aged 80 and over"), default=0)
    population = models.GeneratedField(
        expression=_population_expression(),
        output_field=models.PositiveIntegerField(),
        db_persist=True,
    )
    disability_share_pct = models.DecimalField(
        _("share with disabilities (%)"), max_digits=5, decimal_places=2, default=0
    )
    migration_share_pct = models.DecimalField(
        _("share with migration background (%)"), max_digits=5, decimal_places=2, default=0
    )
    households = models.PositiveIntegerField(_("households"), default=0)
    is_demo = models.BooleanField(_("demo data"), default=False)
    search_key = models.CharField(max_length=500, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = QuarterQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("quarter")
        verbose_name_plural = _("quarters")
        constraints = [
            models.UniqueConstraint(fields=["gemeinde", "name"], name="quarter_name_per_gemeinde"),
            models.CheckConstraint(
                condition=Q(disability_share_pct__gte=0, disability_share_pct__lte=100)
                & Q(migration_share_pct__gte=0, migration_share_pct__lte=100),
                name="quarter_shares_are_percentages",
            ),
        ]
        indexes = [
            # Public lists of a Gemeinde show published quarters only.
            models.Index(fields=["gemeinde", "status"]),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("places:quarter", args=[self.pk])

    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def age_bands(self) -> list[tuple[str, int]]:
        return [(label, getattr(self, field)) for field, label in AGE_BANDS]
