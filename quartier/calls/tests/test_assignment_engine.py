"""Jury assignment: K reviews per application, conflicts excluded, balanced load."""

from collections import Counter

from quartier.calls.engine.assignment import assign_reviewers


def test_every_application_gets_k_reviews_and_loads_differ_by_at_most_one():
    applications = [f"a{i}" for i in range(20)]
    jurors = ["j1", "j2", "j3", "j4", "j5", "j6", "j7"]
    result = assign_reviewers(applications, jurors, k=3)
    per_application = Counter(a for a, _j in result.pairs)
    assert set(per_application.values()) == {3} and len(per_application) == 20
    assert max(result.loads.values()) - min(result.loads.values()) <= 1
    assert sum(result.loads.values()) == 60
    assert not result.shortfall


def test_a_juror_never_gets_an_application_they_have_a_conflict_with():
    applications = ["a", "b", "c", "d"]
    conflicts = {("a", "j1"), ("b", "j1"), ("a", "j2")}
    result = assign_reviewers(applications, ["j1", "j2", "j3"], k=1, conflicts=conflicts)
    assert not set(result.pairs) & conflicts
    assert ("a", "j3") in result.pairs


def test_too_few_eligible_jurors_is_reported_as_a_shortfall():
    result = assign_reviewers(["a", "b"], ["j1", "j2"], k=2, conflicts={("a", "j1")})
    assert result.shortfall == {"a": 1}
    assert ("a", "j2") in result.pairs and ("b", "j1") in result.pairs


def test_existing_reviews_count_and_stay():
    existing = {("a", "j1"), ("b", "j1")}
    result = assign_reviewers(["a", "b", "c", "d"], ["j1", "j2"], k=1, existing=existing)
    assert set(result.pairs) == {("c", "j2"), ("d", "j2")}
    assert result.loads == {"j1": 2, "j2": 2}


def test_conflicts_that_force_an_uneven_load_still_cover_everyone():
    # Only j1 may review a, b and c.
    conflicts = {(a, "j2") for a in "abc"}
    result = assign_reviewers(["a", "b", "c", "d"], ["j1", "j2"], k=1, conflicts=conflicts)
    assert not result.shortfall
    assert result.loads == {"j1": 3, "j2": 1}


def test_the_same_input_gives_the_same_assignment():
    args = ([f"a{i}" for i in range(30)], [f"j{i}" for i in range(6)])
    assert assign_reviewers(*args, k=2, seed=4) == assign_reviewers(*args, k=2, seed=4)
