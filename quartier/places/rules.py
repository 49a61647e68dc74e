import rules

from quartier.accounts import services as accounts


def _coordinates(user, gemeinde) -> bool:
    # A Kommune's coordinator holds its Gemeinde's AGS, a Landkreis' the 5-digit Kreis AGS.
    return any(gemeinde.ags.startswith(ags) for ags in accounts.coordinated_ags(user))


@rules.predicate
def is_programme_staff(user):
    return accounts.is_programme_staff(user)


@rules.predicate
def coordinates_gemeinde(user, gemeinde):
    return gemeinde is not None and _coordinates(user, gemeinde)


@rules.predicate
def coordinates_quarter(user, quarter):
    return quarter is not None and _coordinates(user, quarter.gemeinde)


@rules.predicate
def is_published(user, quarter):
    return quarter is not None and quarter.is_published()


rules.add_perm("places.add_quarter", is_programme_staff | coordinates_gemeinde)
rules.add_perm("places.change_quarter", is_programme_staff | coordinates_quarter)
rules.add_perm("places.view_quarter", is_published | is_programme_staff | coordinates_quarter)

# Programme staff run the Django admin for places; quarters also through the pages above.
rules.add_perm("places", is_programme_staff)
for action in ("view", "add", "change", "delete"):
    rules.add_perm(f"places.{action}_place", is_programme_staff)
rules.add_perm("places.delete_quarter", is_programme_staff)
