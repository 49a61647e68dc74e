import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person with an account; e-mail is the login (django-allauth)."""


class Role(models.TextChoices):
    PROGRAMME_STAFF = "programme_staff", _("Programme staff")
    JURY_MEMBER = "jury_member", _("Jury member")
    CONSULTANT = "consultant", _("Consultant")
    MUNICIPAL_COORDINATOR = "municipal_coordinator", _("Municipal coordinator")
    MEMBER = "member", _("Organisation member")
    MODERATOR = "moderator", _("Moderator")
    RESIDENT = "resident", _("Resident")


# Roles that see confidential data and therefore must sign in with a second factor.
STAFF_ROLES = frozenset(
    {Role.PROGRAMME_STAFF, Role.JURY_MEMBER, Role.CONSULTANT, Role.MODERATOR}
)


class Organisation(models.Model):
    class Kind(models.TextChoices):
        LAND = "land", _("Land / ministry")
        LANDKREIS = "landkreis", _("Landkreis")
        KOMMUNE = "kommune", _("Kommune")
        PROVIDER = "provider", _("Provider (Träger)")
        ASSOCIATION = "association", _("Civil-society association")
        CONSULTING_FIRM = "consulting_firm", _("Consulting firm")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    # A Kommune is bound to its Gemeinde, a Landkreis to its Kreis (by AGS).
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("place"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["kommune", "landkreis"], place__isnull=False)
                | (~Q(kind__in=["kommune", "landkreis"]) & Q(place__isnull=True)),
                name="organisation_place_iff_public_body",
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("accounts:organisation", args=[self.pk])


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="one_membership_per_role"
            )
        ]

    def __str__(self):
        return f"{self.user} – {self.organisation} ({self.get_role_display()})"


def _new_token() -> str:
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} → {self.organisation}"

    def is_open(self) -> bool:
        return self.accepted_at is None


class AuditEventQuerySet(models.QuerySet):
    # The trail is append-only: bulk writes would bypass AuditEvent.save() and delete().
    def update(self, **kwargs):
        raise TypeError("audit events are append-only")

    def delete(self):
        raise TypeError("audit events are append-only")

    def for_object(self, obj):
        return self.filter(target_type=obj._meta.label_lower, target_id=str(obj.pk))


class AuditEvent(models.Model):
    """Who did what when, for every module: one append-only trail that staff read.

    `target_type` is the model label (`calls.application`) and `target_id` its key, so the
    trail depends on no app it records; `action` is a dotted verb (`calls.submitted`).
    """

    action = models.CharField(_("action"), max_length=60)
    target_type = models.CharField(_("object type"), max_length=60)
    target_id = models.CharField(_("object"), max_length=40)
    # What happened in the words shown to staff, written when it happened.
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            # The trail of one object (an application, a case, a budget line), newest first.
            models.Index(fields=["target_type", "target_id", "-created_at"],
                         name="audit_target_newest"),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_type}:{self.target_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("audit events are append-only")
