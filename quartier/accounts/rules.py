import rules

from quartier.accounts import services


@rules.predicate
def is_programme_staff(user):
    return services.is_programme_staff(user)


@rules.predicate
def is_member_of(user, organisation):
    return any(g.organisation_id == organisation.pk for g in services.grants_of(user))


rules.add_perm("accounts.manage_organisations", is_programme_staff)
rules.add_perm("accounts.view_organisation", is_programme_staff | is_member_of)

# Programme staff run the Django admin for accounts and organisations.
rules.add_perm("accounts", is_programme_staff)
for model in ("organisation", "membership", "invitation", "user"):
    for action in ("view", "add", "change", "delete"):
        if f"accounts.{action}_{model}" != "accounts.view_organisation":
            rules.add_perm(f"accounts.{action}_{model}", is_programme_staff)
