import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from quartier.anchors import engine


class SuccessFactor(models.TextChoices):
    """The success factors of a quarter named by the strategy; each anchor kind serves one."""

    INSTITUTIONAL_ANCHOR = "institutional_anchor", _("Institutional anchor")
    BARRIER_FREE_SPACE = "barrier_free_space", _("Barrier-free space")
    VOLUNTEER_COORDINATION = "volunteer_coordination", _("Volunteer coordination")
    SUPPORT_OFFER = "support_offer", _("Support offer")


class OfferCategory(models.TextChoices):
    COUNSELLING = "counselling", _("Counselling")
    NEIGHBOURHOOD_HELP = "neighbourhood_help", _("Neighbourhood help")
    CARE = "care", _("Care")
    MEETING = "meeting", _("Meeting")
    CHILDCARE = "childcare", _("Childcare")
    LANGUAGE_CAFE = "language_cafe", _("Language café")
    VOLUNTEER_MATCHING = "volunteer_matching", _("Volunteer matching")
    EDUCATION = "education", _("Learning and education")
    EXERCISE = "exercise", _("Exercise and health")
    CULTURE = "culture", _("Culture and leisure")
    OTHER = "other", _("Other")


class TargetGroup(models.TextChoices):
    """Across all ages, never "problem groups". Codes hold no "_" (they are matched by LIKE)."""

    CHILDREN = "children", _("Children")
    YOUTH = "youth", _("Young people")
    FAMILIES = "families", _("Families")
    ADULTS = "adults", _("Adults")
    SENIORS = "seniors", _("Older people")
    DISABILITIES = "disabilities", _("People with disabilities")
    EVERYONE = "everyone", _("Everyone")


class Language(models.TextChoices):
    """Languages spoken at an anchor (ISO 639 codes; "gsg" is German Sign Language)."""

    GERMAN = "de", _("German")
    ENGLISH = "en", _("English")
    TURKISH = "tr", _("Turkish")
    ARABIC = "ar", _("Arabic")
    RUSSIAN = "ru", _("Russian")
    UKRAINIAN = "uk", _("Ukrainian")
    POLISH = "pl", _("Polish")
    ITALIAN = "it", _("Italian")
    CROATIAN = "hr", _("Croatian")
    ROMANIAN = "ro", _("Romanian")
    GREEK = "el", _("Greek")
    FRENCH = "fr", _("French")
    SPANISH = "es", _("Spanish")
    PERSIAN = "fa", _("Persian")
    KURDISH = "ku", _("Kurdish")
    SIGN_LANGUAGE = "gsg", _("German Sign Language")


# The structured accessibility attributes: model field, label.
ACCESSIBILITY = (
    ("step_free_entrance", _("Step-free entrance")),
    ("lift", _("Lift to all floors")),
    ("accessible_toilet", _("Accessible toilet")),
    ("hearing_loop", _("Hearing loop")),
    ("tactile_guidance", _("Tactile guidance")),
    ("easy_language", _("Information in easy language")),
    ("disabled_parking", _("Parking for disabled people")),
)
ACCESSIBILITY_FIELDS = tuple(name for name, _label in ACCESSIBILITY)


class CodeListField(models.CharField):
    """A list of short codes stored as ",a,b," so one code is found with LIKE on any database.

    Codes must not hold "," "%" or "_" (TargetGroup and Language codes do not).
    """

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    def to_python(self, value):
        if isinstance(value, list):
            return value
        return [code for code in (value or "").split(",") if code]

    def get_prep_value(self, value):
        if isinstance(value, str):
            return value
        return f",{','.join(value)}," if value else ""

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))


@CodeListField.register_lookup
class HasCode(models.Lookup):
    """`field__has="tr"`: the list holds the code."""

    lookup_name = "has"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} LIKE %s", [*lhs_params, f"%,{self.rhs},%"]


class AnchorKind(models.Model):
    """A kind of anchor (Mehrgenerationenhaus, Jugendhaus, …): data, so staff extend the list."""

    slug = models.SlugField(_("key"), max_length=50, unique=True)
    name_de = models.CharField(_("name (German)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    success_factor = models.CharField(
        _("success factor"), max_length=30, choices=SuccessFactor.choices
    )
    position = models.PositiveSmallIntegerField(_("position in lists"), default=100)

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("kind of anchor")
        verbose_name_plural = _("kinds of anchors")

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "de").startswith("en") else self.name_de


class AnchorQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Anchor.Status.PUBLISHED)

    def awaiting_review(self):
        return self.filter(Q(status=Anchor.Status.PENDING) | Q(pending_version__isnull=False))


def _new_ref() -> str:
    return secrets.token_hex(6)


class Anchor(models.Model):
    """A place that makes a quarter work: an institutional anchor, a barrier-free space, a
    volunteer agency or a support offer's home, run by a provider organisation.

    The row holds what the public sees once published; a change to a published anchor by
    anyone but programme staff waits as `pending_version` until staff publish it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")

    # Stable key for imports and exports; the public URL uses the id.
    ref = models.CharField(_("reference"), max_length=40, unique=True, default=_new_ref)
    kind = models.ForeignKey(
        AnchorKind, on_delete=models.PROTECT, related_name="anchors", verbose_name=_("kind")
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    provider = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="anchors",
        verbose_name=_("provider"),
    )
    gemeinde = models.ForeignKey(
        "places.Place", on_delete=models.PROTECT, related_name="anchors",
        verbose_name=_("Gemeinde"),
    )
    # The published quarter of the Gemeinde the point lies in, if any.
    quarter = models.ForeignKey(
        "places.Quarter", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="anchors", verbose_name=_("quarter"),
    )
    street = models.CharField(_("street and number"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=5)
    city = models.CharField(_("town"), max_length=100)
    # The point in EPSG:25832 metres.
    x = models.FloatField()
    y = models.FloatField()
    opening_hours = models.CharField(_("opening hours"), max_length=500, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    languages = CodeListField(_("languages spoken"), max_length=200, blank=True, default=list)
    step_free_entrance = models.BooleanField(_("step-free entrance"), default=False)
    lift = models.BooleanField(_("lift to all floors"), default=False)
    accessible_toilet = models.BooleanField(_("accessible toilet"), default=False)
    hearing_loop = models.BooleanField(_("hearing loop"), default=False)
    tactile_guidance = models.BooleanField(_("tactile guidance"), default=False)
    easy_language = models.BooleanField(_("information in easy language"), default=False)
    disabled_parking = models.BooleanField(_("parking for disabled people"), default=False)
    image = models.ImageField(_("image"), upload_to="anchors/", blank=True)
    image_alt = models.CharField(_("image description (alt text)"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    pending_version = models.OneToOneField(
        "AnchorVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = AnchorQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("anchor")
        verbose_name_plural = _("anchors")
        constraints = [
            models.CheckConstraint(
                condition=Q(image="") | ~Q(image_alt=""), name="anchor_image_has_alt_text"
            ),
        ]
        indexes = [
            # The search cuts a bounding box out of the published anchors first.
            models.Index(fields=["status", "x", "y"], name="anchor_status_xy"),
            # Without a place to start from, the search lists published anchors by name.
            models.Index(fields=["status", "name"], name="anchor_status_name"),
            # Quarter pages list their published anchors.
            models.Index(fields=["quarter", "status"], name="anchor_quarter_status"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("anchors:anchor", args=[self.pk])

    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @cached_property
    def intervals(self) -> list[engine.Interval]:
        # Stored hours were validated on the way in; a broken row shows no hours, not a 500.
        try:
            return engine.parse_hours(self.opening_hours)
        except engine.HoursError:
            return []

    def is_open_at(self, minute_of_week: int) -> bool:
        return engine.is_open(self.intervals, minute_of_week)

    def accessibility(self) -> list[tuple[str, str, bool]]:
        """(field, label, present) for every structured accessibility attribute."""
        return [(name, label, getattr(self, name)) for name, label in ACCESSIBILITY]

    def language_labels(self) -> list[str]:
        return [str(Language(code).label) for code in self.languages if code in Language.values]

    def lonlat(self) -> tuple[float, float]:
        from quartier.places import geo

        return geo.utm_to_lonlat(self.x, self.y)


class Offer(models.Model):
    """What an anchor offers, for whom and when."""

    anchor = models.ForeignKey(Anchor, on_delete=models.CASCADE, related_name="offers")
    category = models.CharField(_("category"), max_length=30, choices=OfferCategory.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    target_groups = CodeListField(_("for whom"), max_length=200, default=list)
    when = models.CharField(_("when"), max_length=200, blank=True)
    is_free = models.BooleanField(_("free of charge"), default=True)
    booking_required = models.BooleanField(_("booking needed"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["anchor", "position", "pk"]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        indexes = [
            # The search asks "has this anchor an offer of category c?".
            models.Index(fields=["anchor", "category"], name="offer_anchor_category"),
        ]

    def __str__(self):
        return self.title

    def target_group_labels(self) -> list[str]:
        return [str(TargetGroup(c).label) for c in self.target_groups if c in TargetGroup.values]


class OpeningInterval(models.Model):
    """One opening interval in minutes since Monday 00:00, derived from Anchor.opening_hours,
    so "open now" is one indexed query."""

    anchor = models.ForeignKey(Anchor, on_delete=models.CASCADE, related_name="opening_intervals")
    start_minute = models.PositiveIntegerField()
    end_minute = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(start_minute__lt=models.F("end_minute"))
                & Q(end_minute__lte=engine.MINUTES_PER_WEEK),
                name="opening_interval_in_week",
            ),
        ]
        indexes = [
            # "Open now" looks up an anchor's intervals around one minute of the week.
            models.Index(fields=["anchor", "start_minute", "end_minute"], name="opening_lookup"),
        ]

    def __str__(self):
        return f"{self.anchor_id}: {self.start_minute}–{self.end_minute}"


class AnchorVersion(models.Model):
    """Append-only history: every submission, change, decision and import of an anchor, with
    a JSON snapshot of the anchor and its offers as they stood or were proposed."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted for review")
        PROPOSED = "proposed", _("Change proposed")
        CHANGED = "changed", _("Changed by programme staff")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")
        IMPORTED = "imported", _("Imported")
        GENERATED = "generated", _("Generated as demo data")

    anchor = models.ForeignKey(Anchor, on_delete=models.CASCADE, related_name="versions")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    snapshot = models.JSONField()
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["anchor", "-created_at", "-pk"]
        verbose_name = _("version")
        verbose_name_plural = _("versions")

    def __str__(self):
        return f"{self.anchor_id} {self.action} {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        # Append-only: a version once written is never changed.
        if self.pk is not None:
            raise ValueError("AnchorVersion rows are append-only")
        super().save(*args, **kwargs)
