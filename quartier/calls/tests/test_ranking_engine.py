"""Ranking: weighted scores, z-score correction of lenient and strict jurors, spread."""

import pytest

from quartier.calls.engine.ranking import Review, rank, weighted_score


def test_the_weighted_score_is_the_weighted_mean_on_the_scale():
    assert weighted_score([10, 4], [3, 1]) == pytest.approx(8.5)


def test_weights_that_add_up_to_nothing_are_refused():
    with pytest.raises(ValueError):
        weighted_score([1], [0])


def test_a_lenient_juror_does_not_lift_their_applications_above_equally_good_ones():
    # Juror L gives everything 3 points more than juror S; both see A and B the same way.
    reviews = [
        Review("A", "L", 9), Review("B", "L", 7), Review("C", "L", 8),
        Review("D", "S", 6), Review("E", "S", 4), Review("F", "S", 5),
    ]
    ranked = {r.application: r for r in rank(reviews, spread_limit=3)}
    assert ranked["A"].raw == 9 and ranked["D"].raw == 6
    assert ranked["A"].corrected == pytest.approx(ranked["D"].corrected)
    assert ranked["B"].corrected == pytest.approx(ranked["E"].corrected)
    assert ranked["A"].corrected > ranked["C"].corrected > ranked["B"].corrected


def test_the_corrected_score_keeps_the_overall_mean_and_spread():
    reviews = [Review("A", "x", 8), Review("B", "x", 6), Review("A", "y", 4), Review("B", "y", 2)]
    ranked = rank(reviews, spread_limit=10)
    assert sum(r.corrected for r in ranked) / 2 == pytest.approx(5)


def test_a_juror_with_a_single_review_is_measured_against_everyone():
    reviews = [Review("A", "x", 8), Review("B", "x", 6), Review("C", "y", 7)]
    ranked = {r.application: r for r in rank(reviews, spread_limit=10)}
    # Overall mean 7: C is exactly average.
    assert ranked["C"].corrected == pytest.approx(7)


def test_equal_scores_everywhere_leave_the_raw_scores():
    ranked = rank([Review("A", "x", 5), Review("B", "y", 5)], spread_limit=3)
    assert [r.corrected for r in ranked] == [5, 5]
    assert [r.application for r in ranked] == ["A", "B"]


def test_a_wide_spread_between_jurors_is_flagged():
    reviews = [Review("A", "x", 9), Review("A", "y", 5), Review("B", "x", 6), Review("B", "y", 7)]
    ranked = {r.application: r for r in rank(reviews, spread_limit=3)}
    assert ranked["A"].spread == 4 and ranked["A"].flagged
    assert ranked["B"].spread == 1 and not ranked["B"].flagged


def test_ranks_run_from_one_best_first():
    reviews = [Review("A", "x", 2), Review("B", "x", 9), Review("C", "x", 5)]
    assert [(r.rank, r.application) for r in rank(reviews, spread_limit=3)] == [
        (1, "B"), (2, "C"), (3, "A")]
