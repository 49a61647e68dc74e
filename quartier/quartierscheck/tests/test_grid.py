import re

import numpy as np
import shapely

from quartier.quartierscheck.grid import demo_grid


def test_the_demo_grid_keeps_every_resident_on_distinct_census_cells():
    outline = shapely.box(400_000, 5_200_000, 700_000, 5_500_000)
    grid = demo_grid(
        x=[513_000.0, 570_000.0], y=[5_404_000.0, 5_360_000.0],
        population=[90_000, 3_000], area_km2=[108.0, 25.0], urbanisation=[1, 3],
        outline=outline, seed=1,
    )
    assert grid.population.sum() == 93_000
    assert (grid.population >= 1).all()
    assert len(set(grid.ids.tolist())) == len(grid.ids)
    assert all(re.fullmatch(r"CRS3035RES100mN\d{5}00E\d{5}00", i) for i in grid.ids[:50])
    for g, total in ((0, 90_000), (1, 3_000)):
        assert grid.population[grid.gemeinde == g].sum() == total
    # A city is denser than a village.
    assert np.median(grid.population[grid.gemeinde == 0]) > np.median(
        grid.population[grid.gemeinde == 1])
    assert shapely.contains_xy(outline, grid.x, grid.y).all()


def test_the_demo_grid_is_the_same_for_the_same_seed():
    args = dict(x=[513_000.0], y=[5_404_000.0], population=[5_000], area_km2=[20.0],
                urbanisation=[2])
    first, second = demo_grid(**args, seed=3), demo_grid(**args, seed=3)
    assert first.ids.tolist() == second.ids.tolist()
    assert first.population.tolist() == second.population.tolist()
