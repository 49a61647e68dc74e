"""The allocation engine: fund down the list, the optimum, the rules, bad problems."""

import itertools

import pytest

from quartier.calls.engine.allocation import (
    AllocationError,
    ProblemError,
    allocate_list,
    allocate_optimal,
    make_problem,
    problem_from_json,
)


def app(id, score, amount, bezirk="081", kreis="08111"):
    return {"id": id, "score": score, "amount": amount, "regierungsbezirk": bezirk,
            "kreis": kreis}


def test_the_list_funds_the_best_first_and_passes_over_what_does_not_fit():
    problem = make_problem([app("a", 9, 60), app("b", 8, 50), app("c", 7, 40)], pot_cents=100)
    allocation = allocate_list(problem)
    assert allocation.selected == ["a", "c"]
    assert allocation.spent_cents == 100 and allocation.total_score == 16


def test_the_optimum_beats_the_list_where_two_smaller_ones_score_more():
    problem = make_problem([app("a", 9, 60), app("b", 8, 50), app("c", 7, 50)], pot_cents=100)
    assert allocate_list(problem).total_score == 9
    optimum = allocate_optimal(problem)
    assert optimum.selected == ["b", "c"] and optimum.total_score == 15
    assert optimum.optimal and optimum.gap == 0 and optimum.status == "optimal"


def test_the_optimum_keeps_at_least_one_award_per_regierungsbezirk():
    problem = make_problem(
        [app("a", 9, 50, "081"), app("b", 8, 50, "081"), app("c", 1, 50, "084", "08416")],
        pot_cents=100, min_per_regierungsbezirk=1,
    )
    listed = allocate_list(problem)
    assert listed.selected == ["a", "b"]
    assert [(v.rule, v.place, v.count) for v in listed.violations] == [
        ("min_per_regierungsbezirk", "084", 0)]
    assert not listed.feasible
    optimum = allocate_optimal(problem)
    assert optimum.selected == ["a", "c"] and optimum.feasible


def test_the_optimum_keeps_at_most_n_awards_per_kreis():
    problem = make_problem(
        [app("a", 9, 10), app("b", 8, 10), app("c", 7, 10, kreis="08115")],
        pot_cents=100, max_per_kreis=1,
    )
    assert [v.place for v in allocate_list(problem).violations] == ["08111"]
    assert allocate_optimal(problem).selected == ["a", "c"]


def test_partial_funding_gives_the_rest_of_the_pot_at_least_the_minimum_award():
    problem = make_problem([app("a", 9, 60), app("b", 8, 60)], pot_cents=100, partial=True,
                           min_award_cents=30)
    listed = allocate_list(problem)
    assert listed.awards == {"a": 60, "b": 40} and listed.partial_ids == ("b",)
    optimum = allocate_optimal(problem)
    assert optimum.awards == {"a": 60, "b": 40}
    assert optimum.total_score == pytest.approx(9 + 8 * 40 / 60)


def test_partial_funding_never_goes_below_the_minimum_award():
    problem = make_problem([app("a", 9, 80), app("b", 8, 60)], pot_cents=100, partial=True,
                           min_award_cents=50)
    assert allocate_list(problem).awards == {"a": 80}
    optimum = allocate_optimal(problem)
    assert optimum.awards == {"a": 50, "b": 50}
    assert optimum.total_score == pytest.approx(9 * 50 / 80 + 8 * 50 / 60)


def test_an_empty_problem_is_trivially_optimal():
    optimum = allocate_optimal(make_problem([], pot_cents=100))
    assert optimum.selected == [] and optimum.optimal


@pytest.mark.parametrize(("rules", "code"), [
    ({"min_per_regierungsbezirk": 2}, "too_few_in_regierungsbezirk"),
    ({"min_per_regierungsbezirk": 1, "pot_cents": 10}, "pot_too_small"),
])
def test_an_infeasible_problem_is_explained(rules, code):
    applications = [app("a", 1, 50, "081"), app("b", 1, 50, "082", "08211")]
    with pytest.raises(AllocationError) as error:
        allocate_optimal(make_problem(applications, **{"pot_cents": 100, **rules}))
    assert error.value.code == code


def test_a_regierungsbezirk_capped_by_the_rule_per_kreis_is_explained():
    applications = [app("a", 1, 5), app("b", 1, 5)]
    with pytest.raises(AllocationError) as error:
        allocate_optimal(make_problem(applications, pot_cents=100, min_per_regierungsbezirk=2,
                                      max_per_kreis=1))
    assert error.value.code == "capped_by_kreis"


def test_an_infeasibility_only_the_solver_finds_is_reported():
    # Each Bezirk's cheapest fits alone, but the Kreis rule forces a dearer one.
    applications = [app("a", 1, 10, "081", "k1"), app("b", 1, 10, "082", "k1"),
                    app("c", 1, 90, "082", "k2")]
    with pytest.raises(AllocationError) as error:
        allocate_optimal(make_problem(applications, pot_cents=25, min_per_regierungsbezirk=1,
                                      max_per_kreis=1))
    assert error.value.code == "infeasible"


@pytest.mark.parametrize(("data", "message"), [
    ([], "JSON object"),
    ({"applications": []}, "pot"),
    ({"pot": -1, "applications": []}, "pot must be at least 0"),
    ({"pot": 1.5, "applications": []}, "pot must be a whole number"),
    ({"pot": 10, "applications": {}}, "applications must be a list"),
    ({"pot": 10, "applications": [{"id": "a", "score": 1}]}, "amount must be a whole number"),
    ({"pot": 10, "applications": [{"id": "a", "score": "x", "amount": 1}]}, "score must be"),
    ({"pot": 10, "applications": [{"id": "a", "score": float("nan"), "amount": 1}]},
     "finite"),
    ({"pot": 10, "applications": [{"id": "a", "score": 1, "amount": 0}]}, "at least 1"),
    ({"pot": 10, "applications": [{"id": "", "score": 1, "amount": 1}]}, "id must be"),
    ({"pot": 10, "applications": [app("a", 1, 1), app("a", 1, 1)]}, "used twice"),
    ({"pot": 10, "min_per_regierungsbezirk": 1,
      "applications": [{"id": "a", "score": 1, "amount": 1}]}, "regierungsbezirk must be"),
    ({"pot": 10, "max_per_kreis": -1, "applications": []}, "max_per_kreis must be at least 0"),
    ({"pot": 10, "allow_partial": "yes", "applications": []}, "allow_partial"),
    ({"pot": 10, "applications": ["x"]}, "must be an object"),
    ({"pot": 10**30, "applications": []}, "pot must be at most"),
    ({"pot": 10, "applications": [{"id": "a", "score": 1, "amount": 10**30}]},
     "amount must be at most"),
    ({"pot": 10, "applications": [{"id": "a", "score": 1e308, "amount": 1}]},
     "score must be between"),
    ({"pot": 10, "min_award": 10**30, "applications": []}, "min_award must be at most"),
    ({"pot": 10, "max_per_kreis": 10**30, "applications": []}, "max_per_kreis must be at most"),
])
def test_a_malformed_problem_names_what_is_wrong(data, message):
    with pytest.raises(ProblemError, match=message):
        problem_from_json(data)


def brute_force(problem):
    """The best total score over all subsets that keep the pot and the rules, or None."""
    best = None
    for size in range(len(problem) + 1):
        for subset in itertools.combinations(range(len(problem)), size):
            allocation_ok = sum(int(problem.amounts[i]) for i in subset) <= problem.pot_cents
            from quartier.calls.engine.allocation import violations_of

            if allocation_ok and not violations_of(problem, subset):
                score = sum(float(problem.scores[i]) for i in subset)
                best = score if best is None else max(best, score)
    return best


@pytest.mark.parametrize("seed", range(12))
def test_the_optimum_equals_a_brute_force_on_small_problems(seed):
    import random

    rng = random.Random(seed)
    applications = [
        app(f"a{i}", round(rng.uniform(0, 10), 2), rng.randint(1, 40),
            rng.choice("PQ"), rng.choice(["k1", "k2", "k3"]))
        for i in range(rng.randint(1, 9))
    ]
    problem = make_problem(applications, pot_cents=rng.randint(0, 120),
                           min_per_regierungsbezirk=rng.choice([0, 1]),
                           max_per_kreis=rng.choice([None, 1, 2]))
    best = brute_force(problem)
    if best is None:
        with pytest.raises(AllocationError):
            allocate_optimal(problem)
    else:
        optimum = allocate_optimal(problem)
        assert optimum.optimal
        assert optimum.total_score == pytest.approx(best, abs=1e-6)


def test_an_allocation_cut_short_by_the_time_limit_is_never_called_optimal():
    import random

    rng = random.Random(7)
    applications = [
        app(f"a{i}", round(rng.uniform(0, 10), 3), rng.randint(10_000, 150_000),
            f"08{rng.randint(1, 4)}", f"k{rng.randint(1, 44)}")
        for i in range(3000)
    ]
    problem = make_problem(applications, pot_cents=sum(a["amount"] for a in applications) // 3,
                           min_per_regierungsbezirk=50, max_per_kreis=30)
    outcomes = set()
    for seconds in (0.01, 0.8, 1.5):
        try:
            allocation = allocate_optimal(problem, time_limit_s=seconds)
        except AllocationError as error:
            assert error.code == "no_solution"
            outcomes.add("none")
            continue
        assert allocation.spent_cents <= problem.pot_cents
        if allocation.optimal:
            assert allocation.status == "optimal" and allocation.gap == 0
            assert allocation.bound - allocation.total_score <= 1e-6
        else:
            assert allocation.status == "time_limit" and allocation.gap > 0
            assert allocation.bound > allocation.total_score
        outcomes.add(allocation.status)
    # Uniform scores to the thousandth make the proof slow: the limit is reached.
    assert outcomes & {"none", "time_limit"}
