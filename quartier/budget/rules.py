import rules

from quartier.accounts import services as accounts


@rules.predicate
def is_programme_staff(user):
    return accounts.is_programme_staff(user)


# Transparency: the overview of lines and Kreise (sums only, no names of people) is public.
rules.add_perm("budget.view_overview", rules.always_allow)
# The ledger itself (measures, notes, who booked) and its reports are for programme staff.
rules.add_perm("budget.view_ledger", is_programme_staff)
rules.add_perm("budget.add_line", is_programme_staff)
# Commitments, disbursements and reversals by hand; other modules book through services.
rules.add_perm("budget.book", is_programme_staff)
# The audit trail of every module: who did what when.
rules.add_perm("budget.view_audit", is_programme_staff)
