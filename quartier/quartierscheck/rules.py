import rules

from quartier.accounts import services as accounts


@rules.predicate
def is_programme_staff(user):
    return accounts.is_programme_staff(user)


# Starting a recomputation and the statewide gap list are for programme staff.
rules.add_perm("quartierscheck.recompute", is_programme_staff)
rules.add_perm("quartierscheck.view_gaps", is_programme_staff)
