from fractions import Fraction

from quartier.pb.engine.equal_shares import equal_shares
from quartier.pb.engine.profile import build_profile
from quartier.pb.tests.support import make_election


def selected(outcome, election):
    return [election.projects[j].project_id for j in outcome.selected]


def test_it_funds_the_smallest_share_first_and_drops_what_supporters_cannot_pay():
    # 4 voters with 25 each. a costs 20 per supporter; b needs 50 from voters left with 5 + 25.
    election = make_election(
        {"a": 60, "b": 50, "c": 20}, 100, [["a"], ["a"], ["a", "b"], ["b", "c"]]
    )
    outcome = equal_shares(build_profile(election, "cost"))
    assert selected(outcome, election) == ["a", "c"]
    assert outcome.spent == 80
    assert outcome.details["runs"] == 1


def test_equal_shares_are_broken_by_project_id():
    # Each voter pays exactly all of its budget for its project: a tie on the edge.
    election = make_election({"b": 10, "a": 10}, 20, [["b"], ["a"]])
    outcome = equal_shares(build_profile(election, "cost"), complete=False)
    assert selected(outcome, election) == ["a", "b"]
    assert outcome.details["exact_rounds"] >= 1


def test_add1_raises_every_voters_budget_by_one_until_the_outcome_is_exhaustive():
    # Budget 1 for 3 voters: 1/3 each, not a float. x and y tie; y is then unaffordable
    # until each voter has 4/3.
    election = make_election(
        {"x": Fraction("0.5"), "y": Fraction("0.5")}, 1, [["x"], ["x", "y"], ["y"]]
    )
    outcome = equal_shares(build_profile(election, "cardinality"), complete=False)
    assert selected(outcome, election) == ["x", "y"]
    assert outcome.details["runs"] == 2
    assert outcome.details["budget_per_voter"] == Fraction(4, 3)


def test_add1_keeps_the_last_outcome_within_the_budget():
    # 5 per voter: only a. At 8 per voter b and c are affordable too, 26 in all: over budget.
    election = make_election({"a": 10, "b": 8, "c": 8}, 20, [["a"], ["a"], ["b"], ["c"]])
    outcome = equal_shares(build_profile(election, "cost"))
    assert outcome.details["mes"] == [0]
    assert outcome.details["runs"] == 4
    assert outcome.details["budget_per_voter"] == 7
    assert selected(outcome, election) == ["a", "b"]
    assert outcome.spent == 18


def test_empty_ballots_count_in_the_budget_per_voter():
    election = make_election({"a": 10}, 10, [["a"], []])
    outcome = equal_shares(build_profile(election, "cost"))
    assert selected(outcome, election) == ["a"]
    assert outcome.details["runs"] == 6  # 5, 6, ... 10 per voter


def test_the_greedy_finish_spends_what_mes_leaves():
    election = make_election({"a": 60, "b": 50, "z": 20}, 100, [["a"], ["a"], ["a", "b"], ["b"]])
    outcome = equal_shares(build_profile(election, "cost"))
    assert outcome.details["mes"] == [0]
    assert selected(outcome, election) == ["a", "z"]


def test_points_pay_in_proportion_to_points():
    election = make_election({"a": 30, "b": 30}, 60, [["a", "b"], ["a"]], points=[[1, 2], [3]])
    outcome = equal_shares(build_profile(election, "points"))
    assert outcome.spent <= 60
    assert set(selected(outcome, election)) == {"a", "b"}


def test_without_add1_it_is_a_single_run():
    election = make_election({"a": 10}, 10, [["a"], []])
    outcome = equal_shares(build_profile(election, "cost"), increment=None, complete=False)
    assert outcome.selected == []
    assert outcome.details["runs"] == 1


def test_running_on_until_over_budget_can_fund_more():
    election = make_election(
        {"a": 40, "b": 30, "c": 30}, 100, [["a"], ["a", "b"], ["b", "c"], ["c"]]
    )
    profile = build_profile(election, "cost")
    stopping = equal_shares(profile, complete=False)
    running_on = equal_shares(profile, stop_when_exhaustive=False, complete=False)
    assert running_on.spent <= 100
    assert running_on.details["runs"] >= stopping.details["runs"]
