from fractions import Fraction
from itertools import combinations

import highspy
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quartier.pb.engine.max_welfare import max_welfare
from quartier.pb.engine.profile import SATS_BY_VOTE_TYPE, build_profile
from quartier.pb.tests.support import FILES, election, make_election, profile


def test_it_finds_the_optimum_greedy_misses():
    # Greedy by votes takes a (60) and then nothing fits; b and c together please more voters.
    election = make_election(
        {"a": 60, "b": 50, "c": 50}, 100, [["a"], ["a"], ["a"], ["b"], ["b"], ["c"], ["c"]]
    )
    outcome = max_welfare(build_profile(election, "cardinality"))
    assert [election.projects[j].project_id for j in outcome.selected] == ["b", "c"]
    assert outcome.details["welfare"] == 4


def test_it_lists_the_projects_in_file_order():
    election = make_election({"z": 10, "a": 10}, 20, [["a"], ["a"], ["z"]])
    outcome = max_welfare(build_profile(election, "cost"))
    assert outcome.selected == [0, 1]


def test_decimal_costs_and_budgets_stay_exact():
    election = make_election(
        {"a": Fraction("0.1"), "b": Fraction("0.2"), "c": Fraction("0.3")},
        Fraction("0.3"),
        [["a"], ["b"], ["c"], ["c"]],
    )
    outcome = max_welfare(build_profile(election, "cost"))
    assert outcome.spent == Fraction("0.3")
    assert outcome.details["welfare"] == Fraction("0.6")


@settings(max_examples=150, deadline=None)
@given(
    costs=st.lists(st.integers(1, 40), min_size=1, max_size=8),
    budget=st.integers(1, 120),
    ballots=st.lists(st.sets(st.integers(0, 7)), min_size=1, max_size=8),
    sat=st.sampled_from(["cost", "cardinality"]),
)
def test_its_welfare_equals_the_brute_force_optimum(costs, budget, ballots, sat):
    ids = [f"p{j}" for j in range(len(costs))]
    election = make_election(
        dict(zip(ids, costs, strict=True)),
        budget,
        [[ids[j] for j in b if j < len(ids)] for b in ballots],
    )
    profile = build_profile(election, sat)
    outcome = max_welfare(profile)
    assert outcome.spent <= budget
    value = [profile.total_satisfaction(j) for j in range(len(costs))]
    best = max(
        sum(value[j] for j in subset)
        for size in range(len(costs) + 1)
        for subset in combinations(range(len(costs)), size)
        if sum(costs[j] for j in subset) <= budget
    )
    assert outcome.details["welfare"] == best


def highs_optimum(profile) -> float:
    """The optimal welfare by HiGHS' integer programming, as an independent check."""
    n = profile.num_projects
    columns = np.arange(n, dtype=np.int32)
    profits = np.array([float(profile.total_satisfaction(j)) for j in range(n)])
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("mip_rel_gap", 0.0)
    for _ in range(n):
        highs.addVar(0.0, 1.0)
    highs.changeColsIntegrality(n, columns, np.array([highspy.HighsVarType.kInteger] * n))
    highs.changeColsCost(n, columns, -profits)
    costs = np.array([float(c) for c in profile.costs])
    highs.addRow(-highspy.kHighsInf, float(profile.budget), n, columns, costs)
    highs.run()
    return -highs.getInfo().objective_function_value


@pytest.mark.parametrize(
    ("name", "sat"),
    [(name, sat) for name in FILES for sat in SATS_BY_VOTE_TYPE[election(name).vote_type]],
)
def test_its_welfare_is_the_optimum_highs_finds_on_every_shipped_file(name, sat):
    outcome = max_welfare(profile(name, sat))
    assert float(outcome.details["welfare"]) == pytest.approx(highs_optimum(profile(name, sat)))
