from quartier.pb.engine.greedy import greedy
from quartier.pb.engine.profile import build_profile
from quartier.pb.tests.support import make_election

# a: 3 votes, 60; b: 2 votes, 50; c: 2 votes, 20; d: 1 vote, 10
ELECTION = make_election(
    {"a": 60, "b": 50, "c": 20, "d": 10},
    100,
    [["a", "b"], ["a", "c"], ["a", "b", "c"], ["d"]],
)


def selected(outcome, election=ELECTION):
    return [election.projects[j].project_id for j in outcome.selected]


def test_cost_satisfaction_funds_most_votes_first_and_skips_what_does_not_fit():
    outcome = greedy(build_profile(ELECTION, "cost"))
    assert selected(outcome) == ["a", "c", "d"]
    assert outcome.spent == 90


def test_cardinality_satisfaction_ranks_votes_per_cost():
    # c: 2/20, d: 1/10, a: 3/60, b: 2/50
    outcome = greedy(build_profile(ELECTION, "cardinality"))
    assert selected(outcome) == ["c", "d", "a"]


def test_no_skip_stops_at_the_first_project_that_does_not_fit():
    outcome = greedy(build_profile(ELECTION, "cost"), skip=False)
    assert selected(outcome) == ["a"]


def test_min_score_leaves_out_projects_with_fewer_votes():
    outcome = greedy(build_profile(ELECTION, "cost"), min_score=2)
    assert selected(outcome) == ["a", "c"]


def test_equal_ratios_go_by_project_id_in_string_order():
    election = make_election({"9": 10, "10": 10, "b": 10}, 20, [["9", "10", "b"]])
    assert selected(greedy(build_profile(election, "cost")), election) == ["10", "9"]


def test_projects_nobody_supports_are_funded_last_if_they_fit():
    election = make_election({"a": 10, "z": 5}, 20, [["a"]])
    assert selected(greedy(build_profile(election, "cost")), election) == ["a", "z"]


def test_points_rank_points_per_cost_unless_by_score():
    election = make_election({"a": 10, "b": 40}, 40, [["a", "b"], ["b"]], points=[[3, 2], [3]])
    # a: 3 points / 10, b: 5 points / 40; cities rank by points alone.
    assert selected(greedy(build_profile(election, "points")), election) == ["a"]
    by_score = greedy(build_profile(election, "points"), by_score=True)
    assert selected(by_score, election) == ["b"]


def test_a_completion_keeps_the_initial_projects_first():
    outcome = greedy(build_profile(ELECTION, "cost"), initial=[1])
    assert selected(outcome) == ["b", "c", "d"]
    assert outcome.spent == 80
