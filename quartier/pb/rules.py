"""Who may do what with a quarter budget (docs/pb.md, "Permissions").

Those who *run* a budget: programme staff and the coordinators of the quarter's Gemeinde or
of its Landkreis. Paper ballots may also be typed by members of the Gemeinde's Kommune
(municipal staff), since double entry needs two people.
"""

import rules

from quartier.accounts import services as accounts
from quartier.accounts.models import Organisation, Role
from quartier.pb.models import Phase


def _coordinates(user, gemeinde) -> bool:
    # A Kommune's coordinator holds its Gemeinde's AGS, a Landkreis' the 5-digit Kreis AGS.
    return any(gemeinde.ags.startswith(ags) for ags in accounts.coordinated_ags(user))


def is_resident_of(user, gemeinde) -> bool:
    """A resident of the Gemeinde: the resident role in its Kommune."""
    return any(
        g.role == Role.RESIDENT and g.ags == gemeinde.ags for g in accounts.grants_of(user)
    )


def _works_for(user, gemeinde) -> bool:
    return any(
        g.role == Role.MEMBER and g.organisation_kind == Organisation.Kind.KOMMUNE
        and g.ags == gemeinde.ags for g in accounts.grants_of(user)
    )


@rules.predicate
def is_programme_staff(user):
    return accounts.is_programme_staff(user)


@rules.predicate
def runs_quarter(user, quarter):
    return quarter is not None and (
        accounts.is_programme_staff(user) or _coordinates(user, quarter.gemeinde))


@rules.predicate
def runs_budget(user, budget):
    return budget is not None and (
        accounts.is_programme_staff(user) or _coordinates(user, budget.quarter.gemeinde))


@rules.predicate
def works_for_gemeinde(user, budget):
    return budget is not None and _works_for(user, budget.quarter.gemeinde)


@rules.predicate
def quarter_is_published(user, budget):
    return budget is not None and budget.quarter.is_published()


@rules.predicate
def may_take_part(user, budget):
    """Signed in with a verified account; a resident of the Gemeinde where the budget asks."""
    if budget is None or not user.is_authenticated:
        return False
    if budget.residents_only:
        return is_resident_of(user, budget.quarter.gemeinde)
    return user.emailaddress_set.filter(verified=True).exists()


@rules.predicate
def in_proposal_phase(user, budget):
    return budget is not None and budget.phase() == Phase.PROPOSAL


@rules.predicate
def in_voting_phase(user, budget):
    return budget is not None and budget.phase() == Phase.VOTING


@rules.predicate
def voting_closed(user, budget):
    return budget is not None and budget.phase() == Phase.RESULT


@rules.predicate
def voting_has_opened(user, budget):
    return budget is not None and budget.phase() in (Phase.VOTING, Phase.RESULT)


@rules.predicate
def before_voting(user, budget):
    return budget is not None and budget.before_voting()


@rules.predicate
def is_counted(user, budget):
    return budget is not None and budget.counted() is not None


@rules.predicate
def uses_accounts(user, budget):
    return budget is not None and budget.allows_accounts()


@rules.predicate
def uses_codes(user, budget):
    return budget is not None and budget.allows_codes()


@rules.predicate
def proposal_is_public(user, proposal):
    return proposal is not None and proposal.is_public()


@rules.predicate
def is_author(user, proposal):
    return proposal is not None and user.is_authenticated and proposal.author_id == user.pk


@rules.predicate
def runs_proposals_budget(user, proposal):
    return proposal is not None and runs_budget(user, proposal.budget)


@rules.predicate
def may_see_proposals_budget(user, proposal):
    return proposal is not None and view_budget(user, proposal.budget)


@rules.predicate
def has_object(user, obj):
    return obj is not None


view_budget = quarter_is_published | runs_budget

rules.add_perm("pb.add_budget", runs_quarter)
rules.add_perm("pb.import_budget", runs_quarter)
# Without an object: the Django admin's list, read only for programme staff.
rules.add_perm("pb.view_budget", view_budget | (is_programme_staff & ~has_object))
rules.add_perm("pb.manage_budget", runs_budget)
rules.add_perm("pb.change_budget", runs_budget & before_voting)
rules.add_perm("pb.review_proposal", runs_budget & before_voting)
rules.add_perm("pb.propose", view_budget & may_take_part & in_proposal_phase)
rules.add_perm("pb.vote", view_budget & uses_accounts & may_take_part & in_voting_phase)
rules.add_perm("pb.vote_with_code", view_budget & uses_codes & in_voting_phase)
rules.add_perm("pb.view_codes", runs_budget & uses_codes)
rules.add_perm("pb.generate_codes", runs_budget & uses_codes & ~voting_closed)
rules.add_perm("pb.enter_paper_ballots",
               (runs_budget | works_for_gemeinde) & voting_has_opened & ~is_counted)
rules.add_perm("pb.count_result", runs_budget & voting_closed & ~is_counted)
rules.add_perm("pb.deviate", runs_budget & is_counted)
rules.add_perm("pb.read_result", view_budget & is_counted)
rules.add_perm("pb.export_budget", view_budget & is_counted)
rules.add_perm(
    "pb.view_proposal",
    may_see_proposals_budget & (proposal_is_public | is_author | runs_proposals_budget)
    | (is_programme_staff & ~has_object),
)

# Programme staff look into the Django admin for quarter budgets (read only).
rules.add_perm("pb", is_programme_staff)
for model in ("result", "deviation"):
    rules.add_perm(f"pb.view_{model}", is_programme_staff)
