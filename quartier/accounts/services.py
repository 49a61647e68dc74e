"""Organisations, memberships and roles: every write goes through here."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from quartier.accounts.models import (
    STAFF_ROLES,
    AuditEvent,
    Invitation,
    Membership,
    Organisation,
    Role,
    User,
)

Kind = Organisation.Kind

# Which roles an organisation of each kind can give.
ROLES_BY_KIND: dict[str, frozenset[str]] = {
    Kind.LAND: frozenset(
        {Role.PROGRAMME_STAFF, Role.JURY_MEMBER, Role.CONSULTANT, Role.MEMBER, Role.MODERATOR}
    ),
    Kind.LANDKREIS: frozenset(
        {Role.MUNICIPAL_COORDINATOR, Role.MEMBER, Role.MODERATOR, Role.JURY_MEMBER}
    ),
    Kind.KOMMUNE: frozenset(
        {Role.MUNICIPAL_COORDINATOR, Role.MEMBER, Role.MODERATOR, Role.RESIDENT,
         Role.JURY_MEMBER}
    ),
    Kind.PROVIDER: frozenset({Role.MEMBER, Role.JURY_MEMBER}),
    Kind.ASSOCIATION: frozenset({Role.MEMBER, Role.JURY_MEMBER}),
    Kind.CONSULTING_FIRM: frozenset({Role.CONSULTANT, Role.MEMBER, Role.JURY_MEMBER}),
}


@dataclass(frozen=True)
class Grant:
    role: str
    organisation_id: int
    organisation_kind: str
    ags: str | None


def grants_of(user) -> frozenset[Grant]:
    """The user's roles; cached on the user object, so once per request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_quartier_grants", None)
    if cached is None:
        rows = Membership.objects.filter(user=user).values_list(
            "role", "organisation_id", "organisation__kind", "organisation__place__ags"
        )
        cached = frozenset(Grant(*row) for row in rows)
        user._quartier_grants = cached
    return cached


def has_role(user, role: str) -> bool:
    return any(g.role == role for g in grants_of(user))


def is_programme_staff(user) -> bool:
    return bool(getattr(user, "is_superuser", False)) or has_role(user, Role.PROGRAMME_STAFF)


def coordinated_ags(user) -> frozenset[str]:
    """AGS of the Gemeinden (8 digits) and Kreise (5 digits) the user coordinates."""
    return frozenset(
        g.ags for g in grants_of(user) if g.role == Role.MUNICIPAL_COORDINATOR and g.ags
    )


def needs_second_factor(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_staff or user.is_superuser or any(g.role in STAFF_ROLES for g in grants_of(user))


@transaction.atomic
def create_organisation(*, name: str, kind: str, place=None, actor: User) -> Organisation:
    organisation = Organisation(name=name, kind=kind, place=place)
    organisation.full_clean()
    organisation.save()
    return organisation


def check_role_fits(organisation: Organisation, role: str) -> None:
    if role not in ROLES_BY_KIND[organisation.kind]:
        raise ValidationError(
            {"role": _("An organisation of type “%(kind)s” cannot give the role “%(role)s”.")
             % {"kind": organisation.get_kind_display(), "role": Role(role).label}}
        )


@transaction.atomic
def invite_member(
    organisation: Organisation, email: str, role: str, *, actor: User, accept_url_base: str
) -> Invitation:
    """Create an invitation and mail its link; accept_url_base is scheme and host."""
    check_role_fits(organisation, role)
    invitation = Invitation.objects.create(
        organisation=organisation, email=email.strip().lower(), role=role, invited_by=actor
    )
    link = accept_url_base + reverse("accounts:accept_invitation", args=[invitation.token])
    subject = _("Invitation to %(organisation)s on Quartier") % {"organisation": organisation}
    body = _(
        "You have been invited to join %(organisation)s as %(role)s.\n\n"
        "Sign up or sign in with this e-mail address, then open:\n%(link)s\n"
    ) % {"organisation": organisation, "role": Role(role).label, "link": link}
    transaction.on_commit(lambda: send_mail(subject, body, None, [invitation.email]))
    return invitation


@transaction.atomic
def accept_invitation(invitation: Invitation, *, user: User) -> Membership:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open():
        raise ValidationError(_("This invitation has already been used."))
    if not user.emailaddress_set.filter(email__iexact=invitation.email, verified=True).exists():
        raise ValidationError(
            _("This invitation is for %(email)s; sign in with that verified address.")
            % {"email": invitation.email}
        )
    membership, _created = Membership.objects.get_or_create(
        user=user, organisation=invitation.organisation, role=invitation.role
    )
    _grant_admin_access(user, invitation.role)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def add_member(
    organisation: Organisation, user: User, role: str, *, actor: User | None
) -> Membership:
    check_role_fits(organisation, role)
    membership, _created = Membership.objects.get_or_create(
        user=user, organisation=organisation, role=role
    )
    _grant_admin_access(user, role)
    return membership


def _grant_admin_access(user: User, role: str) -> None:
    # Programme staff use the Django admin; its permissions come from the rules.
    if role == Role.PROGRAMME_STAFF and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


@transaction.atomic
def remove_membership(membership: Membership, *, actor: User) -> None:
    membership.delete()
    user = membership.user
    if (
        membership.role == Role.PROGRAMME_STAFF
        and not user.is_superuser
        and not user.memberships.filter(role=Role.PROGRAMME_STAFF).exists()
    ):
        user.is_staff = False
        user.save(update_fields=["is_staff"])


def record_event(action: str, target, *, actor, summary: str = "", **data) -> AuditEvent:
    """Append one line to the audit trail; call it inside the transaction of the change, so
    the trail and the change commit (or roll back) together. `data` must be JSON-serialisable.
    """
    return AuditEvent.objects.create(
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        summary=summary[:500],
        data=data,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )


def audit_trail(target):
    """The events of one object, newest first, with their actors."""
    return AuditEvent.objects.for_object(target).select_related("actor")
