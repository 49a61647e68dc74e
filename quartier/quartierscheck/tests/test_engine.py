import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quartier.quartierscheck import engine

KINDS = ("mehrgenerationenhaus", "seniorentreff")


def brute_force(cells, anchors, kinds_of, kinds, detour, radii):
    nearest = np.full((len(kinds), len(cells)), np.inf)
    within = np.zeros((len(kinds), len(radii), len(cells)), dtype=int)
    for c, (cx, cy) in enumerate(cells):
        for (ax, ay), k in zip(anchors, kinds_of, strict=True):
            walking = math.hypot(ax - cx, ay - cy) * detour
            nearest[k, c] = min(nearest[k, c], walking)
            for r, radius in enumerate(radii):
                within[k, r, c] += walking <= radius
    return nearest, within


def test_it_computes_walking_distance_and_counts_by_hand():
    cells = np.array([[0.0, 0.0], [1000.0, 0.0]])
    # Two houses 200 m and 400 m east of the first cell, a meeting place 1,000 m north.
    anchors = np.array([[200.0, 0.0], [400.0, 0.0], [0.0, 1000.0]])
    result = engine.reach(cells, anchors, np.array([0, 0, 1]), KINDS, detour=1.5)

    assert result.nearest_m[0].tolist() == [300.0, 900.0]  # 200 × 1.5, 600 × 1.5
    assert result.nearest_m[1, 0] == 1500.0
    assert math.isclose(result.nearest_m[1, 1], math.hypot(1000, 1000) * 1.5)
    # 300 m: only the first house for cell 0 (300 ≤ 300); 500 m: still one (600 > 500).
    assert result.within[0, :, 0].tolist() == [1, 1, 2]
    assert result.within[0, :, 1].tolist() == [0, 0, 1]
    assert result.within[1].sum() == 0


def test_a_kind_without_anchors_is_out_of_reach_everywhere():
    result = engine.reach(np.array([[0.0, 0.0]]), np.array([[5.0, 5.0]]), np.array([0]), KINDS)
    assert math.isinf(result.nearest_m[1, 0])
    assert result.within[1].sum() == 0


def test_it_refuses_a_detour_below_one():
    try:
        engine.reach(np.zeros((1, 2)), np.zeros((1, 2)), np.array([0]), KINDS, detour=0.5)
    except ValueError:
        return
    raise AssertionError("detour 0.5 accepted")


points = st.lists(st.tuples(st.floats(0, 3000), st.floats(0, 3000)), min_size=1, max_size=25)


@settings(max_examples=60, deadline=None)
@given(cells=points, anchors=points, data=st.data(), detour=st.floats(1, 2))
def test_it_agrees_with_brute_force(cells, anchors, data, detour):
    kinds_of = data.draw(st.lists(st.integers(0, 1), min_size=len(anchors),
                                  max_size=len(anchors)))
    result = engine.reach(np.array(cells), np.array(anchors), np.array(kinds_of), KINDS,
                          detour=detour)
    nearest, within = brute_force(cells, anchors, kinds_of, KINDS, detour, engine.RADII_M)
    finite = np.isfinite(nearest)
    assert (np.isfinite(result.nearest_m) == finite).all()
    assert np.allclose(result.nearest_m[finite], nearest[finite], rtol=0, atol=1e-6)
    assert (result.within == within).all()


wide = st.lists(st.tuples(st.floats(0, 15_000), st.floats(0, 15_000)), min_size=1,
                max_size=25)


@settings(max_examples=60, deadline=None)
@given(cells=wide, anchors=wide, data=st.data())
def test_it_agrees_with_brute_force_far_from_every_anchor(cells, anchors, data):
    # Cells far beyond the largest radius from every anchor of a kind.
    kinds_of = data.draw(st.lists(st.integers(0, 1), min_size=len(anchors),
                                  max_size=len(anchors)))
    result = engine.reach(np.array(cells), np.array(anchors), np.array(kinds_of), KINDS)
    nearest, _within = brute_force(cells, anchors, kinds_of, KINDS, engine.DEFAULT_DETOUR,
                                   engine.RADII_M)
    finite = np.isfinite(nearest)
    assert (np.isfinite(result.nearest_m) == finite).all()
    assert np.allclose(result.nearest_m[finite], nearest[finite], rtol=0, atol=1e-6)


@settings(max_examples=60, deadline=None)
@given(cells=points, anchors=points, extra=st.tuples(st.floats(0, 3000), st.floats(0, 3000)))
def test_adding_an_anchor_never_makes_a_distance_larger(cells, anchors, extra):
    kinds = np.zeros(len(anchors), dtype=int)
    before = engine.reach(np.array(cells), np.array(anchors), kinds, KINDS)
    after = engine.reach(np.array(cells), np.array([*anchors, extra]), np.append(kinds, 0), KINDS)
    assert (after.nearest_m <= before.nearest_m).all()
    assert (after.within >= before.within).all()


@settings(max_examples=60, deadline=None)
@given(population=st.lists(st.integers(0, 500), min_size=4, max_size=4),
       moved=st.integers(0, 500), source=st.integers(0, 3), target=st.integers(0, 3))
def test_moving_residents_never_changes_the_total(population, moved, source, target):
    cells = np.array([[0.0, 0.0], [100.0, 0.0], [2000.0, 0.0], [2100.0, 0.0]])
    result = engine.reach(cells, np.array([[0.0, 50.0]]), np.array([0]), KINDS)
    area = np.array([0, 0, 1, 1])
    before = engine.area_shares(result, area, np.array([population]), 2)
    moved = min(moved, population[source])
    population[source] -= moved
    population[target] += moved
    after = engine.area_shares(result, area, np.array([population]), 2)
    assert before.population.sum() == after.population.sum() == sum(population)


def test_area_shares_count_the_residents_who_reach_a_kind():
    cells = np.array([[0.0, 0.0], [800.0, 0.0], [5000.0, 0.0]])
    result = engine.reach(cells, np.array([[0.0, 0.0]]), np.array([0]), KINDS, detour=1.0)
    groups = np.array([[100, 300, 50], [10, 0, 5]])  # everyone; 80 and over
    shares = engine.area_shares(result, np.array([0, 0, 1]), groups, 2)

    assert shares.population.tolist() == [[400, 10], [50, 5]]
    # Area 0: 100 of 400 within 300/500 m, all 400 within 1,000 m; the 80+ all close by.
    assert shares.shares[0, 0, 0].tolist() == [0.25, 0.25, 1.0]
    assert shares.shares[0, 1, 0].tolist() == [1.0, 1.0, 1.0]
    assert shares.shares[1, 0, 0].tolist() == [0.0, 0.0, 0.0]
    assert np.isnan(shares.shares[0, 0, 1]).sum() == 0 and shares.shares[0, 0, 1].sum() == 0


def test_cells_outside_every_area_are_left_out():
    result = engine.reach(np.array([[0.0, 0.0], [10.0, 0.0]]), np.array([[0.0, 0.0]]),
                          np.array([0]), KINDS)
    shares = engine.area_shares(result, np.array([0, -1]), np.array([[7, 9]]), 1)
    assert shares.population.tolist() == [[7]]


def test_the_engine_walks_with_the_platforms_detour_factor(settings):
    # One factor for the anchor search and the quarter check.
    assert engine.DEFAULT_DETOUR == settings.WALKING_DETOUR_FACTOR


@settings(max_examples=60, deadline=None)
@given(cells=points, anchors=points, data=st.data())
def test_area_shares_agree_with_adding_up_by_hand(cells, anchors, data):
    n = len(cells)
    kinds_of = data.draw(st.lists(st.integers(0, 1), min_size=len(anchors),
                                  max_size=len(anchors)))
    area = np.array(data.draw(st.lists(st.integers(-1, 2), min_size=n, max_size=n)))
    people = np.array(data.draw(st.lists(st.integers(0, 50), min_size=n, max_size=n)),
                      dtype=float)
    groups = np.stack([people, people / 2])
    result = engine.reach(np.array(cells), np.array(anchors), np.array(kinds_of), KINDS)
    shares = engine.area_shares(result, area, groups, 3)
    for a in range(3):
        for g in range(2):
            total = groups[g][area == a].sum()
            assert shares.population[a, g] == pytest.approx(total)
            for k in range(len(KINDS)):
                for r in range(len(engine.RADII_M)):
                    reached = groups[g][(area == a) & (result.within[k, r] > 0)].sum()
                    expected = reached / total if total else math.nan
                    assert shares.shares[a, g, k, r] == pytest.approx(expected, nan_ok=True)
