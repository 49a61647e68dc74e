"""Properties of the allocation (hypothesis): never over the pot, every rule holds, the
optimum is never below fund-down-the-list when that keeps the rules, and equals a brute force."""

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quartier.calls.engine.allocation import (
    AllocationError,
    allocate_list,
    allocate_optimal,
    make_problem,
    violations_of,
)

applications = st.lists(
    st.fixed_dictionaries({
        "score": st.floats(min_value=-5, max_value=10, allow_nan=False).map(lambda s: round(s, 3)),
        "amount": st.integers(min_value=1, max_value=10_000_000),
        "regierungsbezirk": st.sampled_from(["081", "082", "083", "084"]),
        "kreis": st.sampled_from(["k1", "k2", "k3", "k4", "k5"]),
    }),
    min_size=0, max_size=14,
).map(lambda rows: [{"id": f"a{i}", **row} for i, row in enumerate(rows)])

problems = st.builds(
    lambda rows, pot_share, minimum, maximum, partial, min_award: make_problem(
        rows, pot_cents=int(sum(r["amount"] for r in rows) * pot_share),
        min_per_regierungsbezirk=minimum, max_per_kreis=maximum, partial=partial,
        min_award_cents=min_award,
    ),
    applications, st.floats(min_value=0, max_value=1.2), st.integers(0, 2),
    st.one_of(st.none(), st.integers(0, 3)), st.booleans(), st.integers(0, 5_000_000),
)

CHECKS = settings(max_examples=150, deadline=None,
                  suppress_health_check=[HealthCheck.too_slow])


def check(problem, allocation):
    assert allocation.spent_cents <= problem.pot_cents
    index = {key: i for i, key in enumerate(problem.ids)}
    for key, cents in allocation.awards.items():
        request = int(problem.amounts[index[key]])
        assert 0 < cents <= request
        if cents < request:
            assert problem.partial
            assert cents >= min(problem.min_award_cents, request)
    return [index[key] for key in allocation.awards]


@CHECKS
@given(problems)
def test_the_optimum_keeps_the_pot_and_every_rule_and_beats_a_feasible_list(problem):
    listed = allocate_list(problem)
    check(problem, listed)
    try:
        optimum = allocate_optimal(problem, time_limit_s=30)
    except AllocationError:
        assert not listed.feasible
        return
    positions = check(problem, optimum)
    assert not violations_of(problem, positions)
    assert optimum.optimal and optimum.gap == 0
    if listed.feasible:
        assert optimum.total_score >= listed.total_score - 1e-6


@CHECKS
@given(applications, st.floats(min_value=0, max_value=1), st.integers(0, 1),
       st.one_of(st.none(), st.integers(1, 2)))
def test_the_optimum_of_whole_applications_equals_a_brute_force(rows, share, minimum, maximum):
    rows = rows[:9]
    problem = make_problem(rows, pot_cents=int(sum(r["amount"] for r in rows) * share),
                           min_per_regierungsbezirk=minimum, max_per_kreis=maximum)
    best = None
    for size in range(len(problem) + 1):
        for subset in itertools.combinations(range(len(problem)), size):
            if sum(int(problem.amounts[i]) for i in subset) <= problem.pot_cents and \
                    not violations_of(problem, subset):
                score = sum(float(problem.scores[i]) for i in subset)
                best = score if best is None else max(best, score)
    if best is None:
        with pytest.raises(AllocationError):
            allocate_optimal(problem)
    else:
        assert allocate_optimal(problem).total_score == pytest.approx(best, abs=1e-6)
