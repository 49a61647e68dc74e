"""The quarter check: residents on the census grid. Every write goes through here."""

import csv
import io
import itertools
import re
from pathlib import Path

import numpy as np
import shapely
from django.db import connection, transaction
from django.utils.translation import gettext as _

from quartier.places import geo
from quartier.places.models import Place, Quarter
from quartier.places.services import (
    IMPORT_MAX_BYTES,
    ImportRejected,
    Progress,
    RowError,
    no_progress,
)
from quartier.quartierscheck.grid import CELL_M, cell_centres_utm, demo_grid
from quartier.quartierscheck.models import Cell

# Census files (Zensus 2011 and 2022): id, cell midpoint in EPSG:3035, residents.
GRID_COLUMNS = ("gitter_id_100m", "x_mp_100m", "y_mp_100m", "einwohner")
# Counts the census keeps secret (fewer than 3 residents) are written as -1 or a dash.
SUPPRESSED = {"-1", "–", "-", ""}
_ID = re.compile(r"^CRS3035RES100mN(\d+)E(\d+)$")
_BATCH = 5000


def import_grid(path: Path, *, progress: Progress = no_progress) -> int:
    """Replace all cells by a census grid CSV (`;` or `,` separated, columns
    Gitter_ID_100m, x_mp_100m, y_mp_100m, Einwohner). Checked completely first; one bad row
    and nothing changes. Suppressed counts (-1, –) are taken as no residents. Returns the
    number of populated cells."""
    path = Path(path)
    name = path.name
    if path.stat().st_size > IMPORT_MAX_BYTES * 20:
        raise ImportRejected([RowError(name, 0, "file", _("larger than 1 GB"))])
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRejected([RowError(name, 0, "file", _("not UTF-8 (byte %(pos)s)")
                                       % {"pos": error.start})]) from None
    delimiter = ";" if text.split("\n", 1)[0].count(";") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in GRID_COLUMNS if c not in header]
    if missing:
        raise ImportRejected([RowError(name, 1, "header", _("missing columns: %(cols)s")
                                       % {"cols": ", ".join(missing)})])
    at = [header.index(c) for c in GRID_COLUMNS]
    errors: list[RowError] = []
    ids, east, north, people = [], [], [], []
    seen: set[str] = set()
    for row in reader:
        line = reader.line_num
        if not row:
            continue
        if len(row) != len(header):
            errors.append(RowError(name, line, "row", _("wrong number of columns")))
            continue
        cell_id, x_text, y_text, count = (row[i].strip() for i in at)
        match = _ID.match(cell_id)
        try:
            x_mid, y_mid = int(float(x_text)), int(float(y_text))
        except ValueError:
            errors.append(RowError(name, line, "x_mp_100m/y_mp_100m", _("must be numbers")))
            continue
        if not match or (int(match[2]) + CELL_M // 2, int(match[1]) + CELL_M // 2) != (
            x_mid, y_mid
        ):
            errors.append(RowError(name, line, "Gitter_ID_100m",
                                   _("does not name the 100 m cell at this midpoint")))
        elif cell_id in seen:
            errors.append(RowError(name, line, "Gitter_ID_100m", _("%(id)s appears twice")
                                   % {"id": cell_id}))
        seen.add(cell_id)
        if count in SUPPRESSED:
            residents = 0
        elif count.isascii() and count.isdigit():
            residents = int(count)
        else:
            errors.append(RowError(name, line, "Einwohner", _("must be a whole number ≥ 0")))
            continue
        if residents:
            ids.append(cell_id)
            east.append(x_mid - CELL_M // 2)
            north.append(y_mid - CELL_M // 2)
            people.append(residents)
        if len(errors) >= 100:
            break
        if line % 100_000 == 0:
            progress(_("%(n)s lines checked") % {"n": line})
    if not errors and ids:
        x, y = cell_centres_utm(np.array(east), np.array(north))
        outside = ~shapely.contains_xy(geo.bw_outline(), x, y)
        for index in np.flatnonzero(outside)[:100]:
            errors.append(RowError(name, 0, "Gitter_ID_100m",
                                   _("%(id)s lies outside Baden-Württemberg") % {"id": ids[index]}))
    if errors:
        raise ImportRejected(errors)
    if not ids:
        raise ImportRejected([RowError(name, 0, "file", _("holds no populated cell"))])
    return _replace_cells(ids, x, y, np.array(people), is_demo=False, progress=progress)


def generate_demo_grid(*, seed: int = 2018, progress: Progress = no_progress) -> int:
    """Replace all cells by the demo grid built from the real Gemeinde populations."""
    gemeinden = list(Place.objects.filter(kind=Place.Kind.GEMEINDE).order_by("ags"))
    progress(_("Building the grid for %(n)s Gemeinden") % {"n": len(gemeinden)})
    grid = demo_grid(
        [g.x for g in gemeinden], [g.y for g in gemeinden], [g.population for g in gemeinden],
        [g.area_km2 for g in gemeinden], [g.urbanisation for g in gemeinden],
        outline=geo.bw_outline(), seed=seed,
    )
    return _replace_cells(grid.ids.tolist(), grid.x, grid.y, grid.population, is_demo=True,
                          progress=progress)


@transaction.atomic
def _replace_cells(ids, x, y, population, *, is_demo: bool, progress: Progress) -> int:
    Cell.objects.all().delete()
    owner = quarters_at(np.asarray(x), np.asarray(y))
    total = len(ids)
    # Plain executemany: half a million model instances would take most of the time.
    sql = (f"INSERT INTO {Cell._meta.db_table} (grid_id, x, y, population, quarter_id, is_demo)"
           " VALUES (%s, %s, %s, %s, %s, %s)")
    rows = zip(ids, np.asarray(x).tolist(), np.asarray(y).tolist(),
               np.asarray(population).tolist(),
               [q if q >= 0 else None for q in owner.tolist()], [is_demo] * total, strict=True)
    with connection.cursor() as cursor:
        for start in range(0, total, _BATCH):
            stop = min(start + _BATCH, total)
            cursor.executemany(sql, list(itertools.islice(rows, _BATCH)))
            if stop % 50_000 < _BATCH or stop == total:
                progress(_("%(done)s of %(total)s cells saved")
                         % {"done": stop, "total": total})
    return total


def quarters_at(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The published quarter (pk) whose boundary holds each point, -1 where none does;
    a point on the border of two quarters goes to the first."""
    quarters = list(Quarter.objects.published().values_list("pk", "boundary"))
    owner = np.full(len(x), -1, dtype=np.int64)
    if not quarters or not len(x):
        return owner
    tree = shapely.STRtree([geo.loads(b) for _q, b in quarters])
    point_index, quarter_index = tree.query(shapely.points(x, y), predicate="within")
    first = np.unique(point_index, return_index=True)[1]
    owner[point_index[first]] = np.array([q[0] for q in quarters])[quarter_index[first]]
    return owner


@transaction.atomic
def assign_cells(*, progress: Progress = no_progress) -> int:
    """Give every cell the published quarter whose boundary holds its centre (after quarters
    changed); returns how many cells lie in a quarter."""
    cells = list(Cell.objects.values_list("pk", "x", "y", "quarter_id"))
    if not cells:
        return 0
    pk, x, y, current = (np.array(column) for column in zip(*cells, strict=True))
    current = np.where(current == None, -1, current).astype(np.int64)  # noqa: E711
    owner = quarters_at(x.astype(float), y.astype(float))
    changed = np.flatnonzero(owner != current)
    by_quarter: dict[int, list[int]] = {}
    for index in changed.tolist():
        by_quarter.setdefault(int(owner[index]), []).append(int(pk[index]))
    for quarter, members in by_quarter.items():
        for start in range(0, len(members), 900):
            Cell.objects.filter(pk__in=members[start : start + 900]).update(
                quarter_id=quarter if quarter >= 0 else None
            )
    inside = int((owner >= 0).sum())
    progress(_("%(cells)s of %(total)s cells lie in a quarter; %(changed)s changed")
             % {"cells": inside, "total": len(cells), "changed": len(changed)})
    return inside
