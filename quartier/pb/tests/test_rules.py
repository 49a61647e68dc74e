"""Every quarter budget permission, for every role: who may and who may not.

The budget lies in a published quarter of Tübingen. Those who run it: programme staff, the
coordinators of Tübingen and of the Landkreis Tübingen.
"""

import pytest

from conftest import make_quarter
from quartier.pb import services
from quartier.pb.tests.support import make_budget, make_proposals, set_phase

# Roles are looked up by name, so pytest-django cannot see that these tests use the
# database; the mark keeps them before the transactional browser tests, which empty it.
pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous", "resident", "ulm_resident", "member", "town_clerk", "coordinator",
    "other_coordinator", "county_coordinator", "moderator", "juror", "consultant", "staff",
]
SIGNED_IN = set(ROLES) - {"anonymous"}
RUN = {"staff", "coordinator", "county_coordinator"}


@pytest.fixture
def user(request):
    return request.getfixturevalue(request.node.callspec.params["role"])


def may(user, perm, obj) -> bool:
    return user.has_perm(perm, obj)


@pytest.mark.parametrize("role", ROLES)
def test_staff_and_the_quarters_coordinators_open_budgets(role, user, quarter, ulm):
    ulm_quarter = make_quarter(ulm, name="Weststadt")
    assert may(user, "pb.add_budget", quarter) is (role in RUN)
    assert may(user, "pb.import_budget", quarter) is (role in RUN)
    assert may(user, "pb.add_budget", ulm_quarter) is (role in {"staff", "other_coordinator"})


@pytest.mark.parametrize("role", ROLES)
def test_everyone_sees_a_budget_of_a_published_quarter_only_runners_one_of_a_draft(
    role, user, quarter, draft_quarter
):
    assert may(user, "pb.view_budget", make_budget(quarter)) is True
    assert may(user, "pb.view_budget", make_budget(draft_quarter)) is (role in RUN)


@pytest.mark.parametrize("role", ROLES)
def test_runners_change_settings_and_review_only_before_voting(role, user, quarter):
    budget = make_budget(quarter, "proposal")
    assert may(user, "pb.manage_budget", budget) is (role in RUN)
    assert may(user, "pb.change_budget", budget) is (role in RUN)
    assert may(user, "pb.review_proposal", budget) is (role in RUN)
    set_phase(budget, "voting")
    assert may(user, "pb.manage_budget", budget) is (role in RUN)
    assert may(user, "pb.change_budget", budget) is False
    assert may(user, "pb.review_proposal", budget) is False


@pytest.mark.parametrize("role", ROLES)
def test_residents_of_the_gemeinde_propose_during_the_proposal_phase(role, user, quarter):
    budget = make_budget(quarter, "proposal", residents_only=True)
    assert may(user, "pb.propose", budget) is (role == "resident")
    open_to_all = make_budget(quarter, "proposal", residents_only=False)
    assert may(user, "pb.propose", open_to_all) is (role in SIGNED_IN)
    set_phase(open_to_all, "review")
    assert may(user, "pb.propose", open_to_all) is False


@pytest.mark.parametrize("role", ROLES)
def test_residents_vote_with_their_account_only_while_voting_is_open(role, user, quarter):
    budget = make_budget(quarter, "voting", access="accounts", residents_only=True)
    assert may(user, "pb.vote", budget) is (role == "resident")
    assert may(user, "pb.vote_with_code", budget) is False
    set_phase(budget, "result")
    assert may(user, "pb.vote", budget) is False
    set_phase(budget, "review")
    assert may(user, "pb.vote", budget) is False


@pytest.mark.parametrize("role", ROLES)
def test_anyone_with_a_code_may_try_while_voting_is_open(role, user, quarter):
    budget = make_budget(quarter, "voting", access="codes")
    assert may(user, "pb.vote", budget) is False
    assert may(user, "pb.vote_with_code", budget) is True
    set_phase(budget, "result")
    assert may(user, "pb.vote_with_code", budget) is False


@pytest.mark.parametrize("role", ROLES)
def test_runners_see_and_generate_codes_until_voting_closes(role, user, quarter):
    budget = make_budget(quarter, "review", access="codes")
    assert may(user, "pb.view_codes", budget) is (role in RUN)
    assert may(user, "pb.generate_codes", budget) is (role in RUN)
    set_phase(budget, "result")
    assert may(user, "pb.view_codes", budget) is (role in RUN)
    assert may(user, "pb.generate_codes", budget) is False
    accounts_only = make_budget(quarter, "review", access="accounts")
    assert may(user, "pb.generate_codes", accounts_only) is False


@pytest.mark.parametrize("role", ROLES)
def test_runners_and_municipal_staff_enter_paper_ballots_from_voting_until_counted(
    role, user, quarter
):
    budget = make_budget(quarter, "review")
    make_proposals(budget, {"Bank": 1000})
    enters = RUN | {"town_clerk"}
    assert may(user, "pb.enter_paper_ballots", budget) is False
    set_phase(budget, "voting")
    assert may(user, "pb.enter_paper_ballots", budget) is (role in enters)
    set_phase(budget, "result")
    assert may(user, "pb.enter_paper_ballots", budget) is (role in enters)
    services.compute_result(budget, actor=None)
    budget.refresh_from_db()
    assert may(user, "pb.enter_paper_ballots", budget) is False


@pytest.mark.parametrize("role", ROLES)
def test_runners_count_once_after_voting_and_then_may_deviate(role, user, quarter):
    budget = make_budget(quarter, "voting")
    make_proposals(budget, {"Bank": 1000})
    assert may(user, "pb.count_result", budget) is False
    set_phase(budget, "result")
    assert may(user, "pb.count_result", budget) is (role in RUN)
    assert may(user, "pb.deviate", budget) is False
    assert may(user, "pb.read_result", budget) is False
    assert may(user, "pb.export_budget", budget) is False
    services.compute_result(budget, actor=None)
    budget = type(budget).objects.select_related("result").get(pk=budget.pk)
    assert may(user, "pb.count_result", budget) is False
    assert may(user, "pb.deviate", budget) is (role in RUN)
    assert may(user, "pb.read_result", budget) is True
    assert may(user, "pb.export_budget", budget) is True


@pytest.mark.parametrize("role", ROLES)
def test_a_proposal_is_public_once_reviewed_before_only_for_its_author_and_runners(
    role, user, quarter, resident
):
    budget = make_budget(quarter, "proposal")
    proposal = services.submit_proposal(budget, title="Bank", description="Eine Bank",
                                        cost_cents=100_00, actor=resident)
    assert may(user, "pb.view_proposal", proposal) is (role in RUN | {"resident"})
    services.review_proposal(proposal, status="feasible", reason="", reviewed_cost_cents=None,
                             actor=None)
    proposal.refresh_from_db()
    assert may(user, "pb.view_proposal", proposal) is True
    services.review_proposal(proposal, status="removed", reason="Beleidigend",
                             reviewed_cost_cents=None, actor=None)
    proposal.refresh_from_db()
    assert may(user, "pb.view_proposal", proposal) is (role in RUN | {"resident"})


@pytest.mark.parametrize("role", ROLES)
def test_only_programme_staff_look_into_the_admin(role, user):
    assert may(user, "pb.view_budget", None) is (role == "staff")
    assert may(user, "pb.view_proposal", None) is (role == "staff")
    assert user.has_module_perms("pb") is (role == "staff")
