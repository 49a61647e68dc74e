import rules

from quartier.accounts import services as accounts
from quartier.accounts.models import Organisation, Role

# Organisations whose members register their own anchors.
PROVIDER_KINDS = frozenset({Organisation.Kind.PROVIDER, Organisation.Kind.ASSOCIATION})


def provider_ids(user) -> frozenset[int]:
    """Organisations the user may register and edit anchors for as their member."""
    return frozenset(
        g.organisation_id for g in accounts.grants_of(user)
        if g.role == Role.MEMBER and g.organisation_kind in PROVIDER_KINDS
    )


def coordinates_ags(user, ags: str) -> bool:
    # A Kommune's coordinator holds its Gemeinde's AGS, a Landkreis' the 5-digit Kreis AGS.
    return any(ags.startswith(coordinated) for coordinated in accounts.coordinated_ags(user))


@rules.predicate
def is_programme_staff(user):
    return accounts.is_programme_staff(user)


@rules.predicate
def is_provider_member(user):
    return bool(provider_ids(user))


@rules.predicate
def is_coordinator(user):
    return bool(accounts.coordinated_ags(user))


@rules.predicate
def is_member_of_provider(user, anchor):
    return anchor is not None and anchor.provider_id in provider_ids(user)


@rules.predicate
def coordinates_anchor(user, anchor):
    return anchor is not None and coordinates_ags(user, anchor.gemeinde.ags)


@rules.predicate
def is_published(user, anchor):
    return anchor is not None and anchor.is_published()


can_change = is_programme_staff | is_member_of_provider | coordinates_anchor

rules.add_perm("anchors.add_anchor", is_programme_staff | is_provider_member | is_coordinator)
rules.add_perm("anchors.change_anchor", can_change)
rules.add_perm("anchors.view_anchor", is_published | can_change)
# The history is shown to staff and to those who keep the entry (its provider, coordinators).
rules.add_perm("anchors.view_history", can_change)
rules.add_perm("anchors.review_anchor", is_programme_staff)

# Programme staff run the Django admin for anchors; kinds of anchors are extended there.
rules.add_perm("anchors", is_programme_staff)
for model in ("anchorkind", "anchor", "offer", "anchorversion", "openinginterval"):
    for action in ("view", "add", "change", "delete"):
        if f"anchors.{action}_{model}" not in ("anchors.add_anchor", "anchors.change_anchor",
                                               "anchors.view_anchor"):
            rules.add_perm(f"anchors.{action}_{model}", is_programme_staff)
