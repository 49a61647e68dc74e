"""A hand-computable world for the quarter check: one quarter in Tübingen, three cells,
anchors placed at known distances (walking distance = straight line × 1.3)."""

from quartier.anchors.tests.support import make_anchor, offer
from quartier.quartierscheck.models import Cell


def add_cells(gemeinde, cells, *, prefix: str = "test") -> None:
    """cells: (dx, dy, population) from the Gemeinde's point."""
    Cell.objects.bulk_create([
        Cell(grid_id=f"{prefix}-{i}", x=gemeinde.x + dx, y=gemeinde.y + dy, population=p)
        for i, (dx, dy, p) in enumerate(cells)
    ])


def small_world(gemeinde):
    """Cells A (100 residents, 200 m west), B (300, 200 m east) inside the 600 m square
    quarter of conftest.make_quarter around the Gemeinde's point, C (50) 2 km east outside
    it; one barrier-free Mehrgenerationenhaus 100 m north of A with one offer (meeting).

    Walking distance (× 1.3): A 130 m, B 536 m, C 2,873 m.
    """
    add_cells(gemeinde, [(-200, 0, 100), (200, 0, 300), (2000, 0, 50)])
    return make_anchor(gemeinde, dx=-200, dy=100, step_free_entrance=True,
                       accessible_toilet=True)


def full_world(gemeinde):
    """small_world plus one anchor for each other success factor (see
    test_indicators_by_hand for the figures they give)."""
    small_world(gemeinde)
    # A counselling centre 250 m north of B: B walks 325 m, A 613 m.
    make_anchor(gemeinde, kind="beratungsstelle", name="Beratungsstelle", dx=200, dy=250,
                offers=[offer(category="counselling"), offer(category="care", title="Pflege")])
    # A barrier-free square 50 m west of A (not itself step-free): A 65 m, B 585 m.
    make_anchor(gemeinde, kind="barrierefreier-ort", name="Marktplatz", dx=-250, dy=0,
                offers=[])
    # A volunteer agency outside the quarter, 700 m east of B: B 910 m, A 1,430 m.
    make_anchor(gemeinde, kind="freiwilligenagentur", name="Freiwilligenagentur", dx=900,
                dy=0, offers=[offer(category="volunteer_matching")])
