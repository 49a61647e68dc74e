import rules

from quartier.accounts import services as accounts
from quartier.accounts.models import Role
from quartier.pb.models import Phase


def _coordinates(user, gemeinde) -> bool:
    # A Kommune's coordinator holds its Gemeinde's AGS, a Landkreis' the 5-digit Kreis AGS.
    return any(gemeinde.ags.startswith(ags) for ags in accounts.coordinated_ags(user))


def is_resident_of(user, gemeinde) -> bool:
    """A resident of the Gemeinde: the resident role in its Kommune."""
    return any(
        g.role == Role.RESIDENT and g.ags == gemeinde.ags for g in accounts.grants_of(user)
    )


@rules.predicate
def is_programme_staff(user):
    return accounts.is_programme_staff(user)


@rules.predicate
def coordinates_quarter(user, quarter):
    return quarter is not None and _coordinates(user, quarter.gemeinde)


@rules.predicate
def coordinates_budget(user, budget):
    return budget is not None and _coordinates(user, budget.quarter.gemeinde)


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
def before_voting(user, budget):
    return budget is not None and budget.phase() in (Phase.UPCOMING, Phase.PROPOSAL, Phase.REVIEW)


view_budget = quarter_is_published | is_programme_staff | coordinates_budget

rules.add_perm("pb.add_budget", coordinates_quarter)
rules.add_perm("pb.view_budget", view_budget)
# Coordinators of the quarter's Gemeinde or Kreis run the budget; programme staff see all.
rules.add_perm("pb.manage_budget", coordinates_budget)
rules.add_perm("pb.oversee_budget", coordinates_budget | is_programme_staff)
rules.add_perm("pb.change_budget", coordinates_budget & before_voting)
rules.add_perm("pb.review_proposal", coordinates_budget)
rules.add_perm("pb.propose", view_budget & may_take_part & in_proposal_phase)
rules.add_perm("pb.vote", view_budget & may_take_part & in_voting_phase)
rules.add_perm("pb.enter_paper_ballots", coordinates_budget & ~before_voting)
rules.add_perm("pb.generate_codes", coordinates_budget & ~voting_closed)
rules.add_perm("pb.count_result", coordinates_budget & voting_closed)
rules.add_perm("pb.deviate", coordinates_budget & voting_closed)
rules.add_perm("pb.read_result", view_budget & voting_closed)
rules.add_perm("pb.export_budget", view_budget & voting_closed)

# Programme staff look into the Django admin for quarter budgets (read only).
rules.add_perm("pb", is_programme_staff)
for model in ("proposal", "votingcode", "ballot", "ballotchoice", "paperentry", "result",
              "deviation"):
    rules.add_perm(f"pb.view_{model}", is_programme_staff)
