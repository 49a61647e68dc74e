"""A hand-computable world for the quarter check: one quarter in Tübingen, three cells,
anchors placed at known distances."""

from quartier.anchors.tests.support import make_anchor
from quartier.quartierscheck.models import Cell


def add_cells(gemeinde, cells) -> None:
    """cells: (dx, dy, population) from the Gemeinde's point."""
    Cell.objects.bulk_create([
        Cell(grid_id=f"test-{i}", x=gemeinde.x + dx, y=gemeinde.y + dy, population=p)
        for i, (dx, dy, p) in enumerate(cells)
    ])


def small_world(gemeinde):
    """Cells A (100 residents, 200 m west), B (300, 200 m east) inside the 600 m square
    quarter around the Gemeinde's point, C (50) 2 km east outside it; one barrier-free
    Mehrgenerationenhaus 100 m north of A with one offer (meeting).

    Walking distance (× 1.3): A 130 m, B 536 m, C 2,873 m.
    """
    add_cells(gemeinde, [(-200, 0, 100), (200, 0, 300), (2000, 0, 50)])
    return make_anchor(gemeinde, dx=-200, dy=100, step_free_entrance=True,
                       accessible_toilet=True)
