"""Random small elections, counted by us and by pabutools 1.2.3 directly."""

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st
from pabutools.election import Additive_Cardinal_Sat, Cardinality_Sat, Cost_Sat
from pabutools.election.pabulib import parse_pabulib_from_string
from pabutools.rules import (
    completion_by_rule_combination,
    greedy_utilitarian_welfare,
    max_additive_utilitarian_welfare,
    method_of_equal_shares,
)

from quartier.pb.engine.equal_shares import equal_shares
from quartier.pb.engine.greedy import greedy
from quartier.pb.engine.max_welfare import max_welfare
from quartier.pb.engine.pabulib import format_pabulib
from quartier.pb.engine.profile import build_profile
from quartier.pb.tests.support import make_election

SAT_CLASSES = {"cost": Cost_Sat, "cardinality": Cardinality_Sat, "points": Additive_Cardinal_Sat}
# Ids whose string order differs from their numeric order, to exercise the tie-breaking.
IDS = ["1", "2", "10", "9", "a", "B", "b"]


@st.composite
def elections(draw):
    count = draw(st.integers(1, 6))
    ids = draw(st.permutations(IDS))[:count]
    # Equal costs and small numbers make ties likely; halves make them decimal.
    costs = [
        Fraction(
            draw(st.integers(1, 12)) * draw(st.sampled_from([1, 5, 10])),
            draw(st.sampled_from([1, 2])),
        )
        for _ in ids
    ]
    budget = Fraction(draw(st.integers(1, 60)), draw(st.sampled_from([1, 2])))
    vote_type = draw(st.sampled_from(["approval", "ordinal", "cumulative"]))
    voters = draw(st.integers(1, 7))
    ballots, points = [], []
    for _ in range(voters):
        size = draw(st.integers(1 if vote_type == "cumulative" else 0, count))
        ballots.append(draw(st.permutations(ids))[:size])
        points.append([draw(st.integers(1, 3)) for _ in range(size)])
    sat = draw(
        st.sampled_from(["points"] if vote_type == "cumulative" else ["cost", "cardinality"])
    )
    election = make_election(
        dict(zip(ids, costs, strict=True)),
        budget,
        ballots,
        points=points if vote_type == "cumulative" else None,
        vote_type=vote_type,
    )
    return election, sat


def names(outcome, election):
    return [election.projects[j].project_id for j in outcome.selected]


@settings(max_examples=250, deadline=None)
@given(elections())
def test_greedy_equal_shares_and_max_welfare_agree_with_pabutools(case):
    election, sat = case
    instance, profile = parse_pabulib_from_string(format_pabulib(election))
    sat_class = SAT_CLASSES[sat]
    ours = build_profile(election, sat)

    outcome = greedy(ours)
    assert outcome.spent <= election.budget
    theirs = greedy_utilitarian_welfare(instance, profile, sat_class=sat_class)
    assert names(outcome, election) == [p.name for p in theirs]

    outcome = equal_shares(ours)
    assert outcome.spent <= election.budget
    theirs = completion_by_rule_combination(
        instance,
        profile,
        [method_of_equal_shares, greedy_utilitarian_welfare],
        [{"sat_class": sat_class, "voter_budget_increment": 1}, {"sat_class": sat_class}],
    )
    assert names(outcome, election) == [p.name for p in theirs]

    outcome = max_welfare(ours)
    assert outcome.spent <= election.budget
    theirs = max_additive_utilitarian_welfare(instance, profile, sat_class=sat_class)
    welfare = Fraction(str(profile.as_sat_profile(sat_class).total_satisfaction(theirs)))
    if all(ours.total_satisfaction(j).denominator == 1 for j in range(ours.num_projects)):
        assert outcome.details["welfare"] == welfare
    else:
        # Pabutools bounds with floor(), valid for integer welfare only: with decimal costs it
        # can prune the optimum (see test_pabutools_misses_the_optimum_with_decimal_costs).
        assert outcome.details["welfare"] >= welfare


def test_pabutools_misses_the_optimum_with_decimal_costs():
    # Welfare 1.5 for "10" (3 approvals x 0.5), 2 for "1"; "10" ranks first (3 per cost unit).
    election = make_election({"1": 1, "10": Fraction(1, 2)}, 1, [["1", "10"], ["1", "10"], ["10"]])
    instance, profile = parse_pabulib_from_string(format_pabulib(election))
    theirs = max_additive_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    assert [p.name for p in theirs] == ["10"]
    outcome = max_welfare(build_profile(election, "cost"))
    assert names(outcome, election) == ["1"]
    assert outcome.details["welfare"] == 2
