"""The quarter check: residents on the census grid. Every write goes through here."""

import csv
import io
import itertools
import re
import time
from pathlib import Path

import numpy as np
import shapely
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from quartier.anchors import services as anchors
from quartier.places import geo
from quartier.places.models import AGE_BANDS, Place, Quarter
from quartier.places.services import (
    IMPORT_MAX_BYTES,
    ImportRejected,
    Progress,
    RowError,
    no_progress,
)
from quartier.quartierscheck import engine, indicators
from quartier.quartierscheck.grid import CELL_M, cell_centres_utm, demo_grid
from quartier.quartierscheck.indicators import GROUPS
from quartier.quartierscheck.models import AreaFigures, Cell, CheckRun

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


# Recomputation ------------------------------------------------------------------------


class CheckFailed(Exception):
    """A run could not finish; the last good results stay in place."""


def request_recompute(*, user=None) -> CheckRun:
    """Queue a recomputation in the background (once: a waiting run takes later requests
    too). Safe inside a transaction: the task starts after the commit."""
    with transaction.atomic():
        waiting = CheckRun.objects.select_for_update().filter(
            status=CheckRun.Status.QUEUED).first()
        if waiting:
            return waiting
        run = CheckRun.objects.create(requested_by=user, detour=settings.WALKING_DETOUR_FACTOR)
    from quartier.quartierscheck.tasks import recompute_task

    transaction.on_commit(lambda: recompute_task.enqueue(run.pk))
    return run


def recompute(run: CheckRun | None = None, *, progress: Progress = no_progress) -> CheckRun:
    """Compute the figures of every published quarter, Kreis and the Land from the cells and
    the published anchors and store them as the current results. On failure the run is
    marked failed with its reason, CheckFailed is raised and earlier results stay."""
    run = run or CheckRun.objects.create(detour=settings.WALKING_DETOUR_FACTOR)
    started = time.perf_counter()

    def step(pct: int, message: str) -> None:
        CheckRun.objects.filter(pk=run.pk).update(progress_pct=pct, message=message)
        progress(f"{pct:3d} % {message}")

    CheckRun.objects.filter(pk=run.pk).update(
        status=CheckRun.Status.RUNNING, started_at=timezone.now(), progress_pct=0)
    try:
        figures, counts, warnings = _compute(run.detour, step)
        step(90, _("Saving the results"))
        with transaction.atomic():
            AreaFigures.objects.bulk_create(
                [AreaFigures(run=run, gap_score=f["gap"], **owner, figures=f)
                 for owner, f in figures], batch_size=500)
            AreaFigures.objects.exclude(run=run).delete()
            CheckRun.objects.filter(pk=run.pk).update(
                status=CheckRun.Status.DONE, progress_pct=100, finished_at=timezone.now(),
                seconds=time.perf_counter() - started, warnings=warnings,
                message=_("Finished"), **counts)
    except Exception as error:  # noqa: BLE001 — any failure keeps the last good results
        reason = str(error) if isinstance(error, CheckFailed) else repr(error)
        CheckRun.objects.filter(pk=run.pk).update(
            status=CheckRun.Status.FAILED, finished_at=timezone.now(), message=reason)
        progress(_("Failed: %(reason)s") % {"reason": reason})
        raise CheckFailed(reason) from error
    run.refresh_from_db()
    progress(_("%(quarters)s quarters computed in %(seconds).1f s")
             % {"quarters": run.quarters, "seconds": run.seconds})
    return run


def _compute(detour: float, step):
    """(owner kwargs, figures) per area, the run's counts and its warnings."""
    step(5, _("Assigning cells to quarters"))
    quarters, warnings = _checkable_quarters()
    cells = list(Cell.objects.order_by("pk").values_list("x", "y", "population"))
    if not cells:
        raise CheckFailed(_("There are no residents on the grid yet: import a census grid "
                            "or create the demo grid first."))
    x, y, population = (np.array(column, dtype=float) for column in zip(*cells, strict=True))
    owner = _owners(quarters, x, y)
    # A quarter no cell centre falls in counts as one cell at its inner point.
    empty = [i for i in range(len(quarters)) if not (owner == i).any()]
    if empty:
        x = np.concatenate([x, [quarters[i].x for i in empty]])
        y = np.concatenate([y, [quarters[i].y for i in empty]])
        population = np.concatenate([population, [quarters[i].population for i in empty]])
        owner = np.concatenate([owner, empty])
    step(15, _("Finding the Kreis of every cell"))
    kreise = list(Place.objects.filter(kind=Place.Kind.KREIS).exclude(boundary="")
                  .order_by("ags"))
    kreis = _kreis_of(kreise, x, y)
    land = Place.objects.get(kind=Place.Kind.LAND)

    step(25, _("Reading the anchors"))
    points = anchors.points_for_check()
    keys, point_xy, point_key = _reach_points(points)
    step(35, _("Measuring walking distances from %(cells)s cells to %(points)s anchors")
         % {"cells": len(x), "points": len(points.x)})
    result = engine.reach(np.column_stack([x, y]), point_xy, point_key, tuple(keys),
                          detour=detour)

    step(60, _("Adding up quarters, Kreise and the Land"))
    quarter_bands = [_bands(q) for q in quarters]
    kreis_position = {k.pk: i for i, k in enumerate(kreise)}
    kreis_bands = _sum_bands(len(kreise), quarter_bands, [
        kreis_position.get(q.gemeinde.parent_id, -1) for q in quarters])
    land_bands = _sum_bands(1, quarter_bands, [0] * len(quarters))
    # Cells outside quarters take the age profile of their Kreis's quarters, else the Land's.
    land_weights = indicators.group_weights(land_bands[0])
    profile = np.array([indicators.group_weights(b) if any(b.values()) else land_weights
                        for b in kreis_bands] + [land_weights]).reshape(-1, len(GROUPS))
    weights = profile[np.where(kreis >= 0, kreis, len(kreise))]
    inside = owner >= 0
    if quarters:
        own = np.array([indicators.group_weights(b) for b in quarter_bands])
        weights[inside] = own[owner[inside]]
    groups = (weights * population[:, None]).T

    kreis_of_gemeinde = {g: k for g, k in Place.objects.filter(
        kind=Place.Kind.GEMEINDE).values_list("pk", "parent_id")}
    point_kreis = np.array([kreis_position.get(kreis_of_gemeinde.get(g), -1)
                            for g in points.gemeinde_id], dtype=np.int64)
    point_quarter = np.array([q if q is not None else -1 for q in points.quarter_id],
                             dtype=np.int64)
    quarter_index = {q.pk: i for i, q in enumerate(quarters)}
    point_quarter = np.array([quarter_index.get(int(q), -1) for q in point_quarter],
                             dtype=np.int64)
    figures = []
    levels = (
        ([{"quarter": q} for q in quarters], owner, point_quarter, quarter_bands,
         [q.population for q in quarters]),
        ([{"place": k} for k in kreise], kreis, point_kreis, kreis_bands,
         [k.population for k in kreise]),
        ([{"place": land}], np.zeros(len(x), dtype=np.int64),
         np.zeros(len(points.x), dtype=np.int64), land_bands, [land.population]),
    )
    for owners, cell_area, point_area, bands, populations in levels:
        figures += _level_figures(result, owners, cell_area, point_area, groups, points,
                                  bands, populations)
    step(85, _("Done computing"))
    counts = {"cells": len(cells), "anchors": len(points.x), "quarters": len(quarters)}
    return figures, counts, warnings


def _checkable_quarters() -> tuple[list[Quarter], list[str]]:
    """Published quarters with a usable boundary; a message for each one left out."""
    usable, warnings = [], []
    for quarter in Quarter.objects.published().select_related("gemeinde").order_by("pk"):
        try:
            shape = geo.loads(quarter.boundary) if quarter.boundary else None
        except (ValueError, TypeError, KeyError, shapely.errors.GEOSException):
            shape = None
        if shape is None or shape.is_empty or not shape.is_valid:
            warnings.append(_("%(quarter)s (%(gemeinde)s) has no valid boundary and is "
                              "left out.") % {"quarter": quarter.name,
                                              "gemeinde": quarter.gemeinde.name})
            continue
        quarter.shape = shape
        usable.append(quarter)
    return usable, warnings


def _owners(quarters: list[Quarter], x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The index of the quarter holding each point (the first where two overlap), else -1."""
    owner = np.full(len(x), -1, dtype=np.int64)
    if not quarters or not len(x):
        return owner
    tree = shapely.STRtree([q.shape for q in quarters])
    point_index, quarter_index = tree.query(shapely.points(x, y), predicate="within")
    first = np.unique(point_index, return_index=True)[1]
    owner[point_index[first]] = quarter_index[first]
    return owner


def _kreis_of(kreise: list[Place], x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The index of the Kreis holding each point; the nearest one for points just outside
    the (generalised) boundaries."""
    kreis = np.full(len(x), -1, dtype=np.int64)
    if not kreise:
        return kreis
    tree = shapely.STRtree([geo.loads(k.boundary) for k in kreise])
    points = shapely.points(x, y)
    point_index, kreis_index = tree.query(points, predicate="within")
    first = np.unique(point_index, return_index=True)[1]
    kreis[point_index[first]] = kreis_index[first]
    outside = np.flatnonzero(kreis < 0)
    if len(outside):
        near_point, near_kreis = tree.query_nearest(points[outside], all_matches=False)
        kreis[outside[near_point]] = near_kreis
    return kreis


def _reach_points(points) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Reach keys (kinds, offer categories, success factors) and one point per anchor and
    key it belongs to."""
    from quartier.anchors.models import OfferCategory, SuccessFactor

    keys = (list(points.kinds) + [f"offer:{c}" for c in OfferCategory.values]
            + [f"factor:{f}" for f in SuccessFactor.values])
    index = {key: i for i, key in enumerate(keys)}
    xy, key = [], []
    for i, kind in enumerate(points.kind):
        for name in (kind, f"factor:{points.factor[i]}",
                     *(f"offer:{c}" for c in points.offer_categories[i])):
            if name in index:
                xy.append((points.x[i], points.y[i]))
                key.append(index[name])
    return keys, np.array(xy, dtype=float).reshape(-1, 2), np.array(key, dtype=np.int64)


def _bands(quarter: Quarter) -> dict[str, int]:
    return {field: getattr(quarter, field) for field, _label in AGE_BANDS}


def _sum_bands(areas: int, bands: list[dict], area_of: list[int]) -> list[dict[str, int]]:
    totals = [dict.fromkeys((f for f, _l in AGE_BANDS), 0) for _a in range(areas)]
    for band, area in zip(bands, area_of, strict=True):
        if area >= 0:
            for field, value in band.items():
                totals[area][field] += value
    return totals


def _level_figures(result, owners, cell_area, point_area, groups, points, bands, populations):
    shares = engine.area_shares(result, cell_area, groups, len(owners))
    area = point_area[point_area >= 0]
    count = np.bincount(area, minlength=len(owners))
    free = np.bincount(area, weights=np.array(points.barrier_free, dtype=float)[point_area >= 0],
                       minlength=len(owners))
    offers = np.bincount(area, weights=np.array(points.offers, dtype=float)[point_area >= 0],
                         minlength=len(owners))
    out = []
    for i, owner in enumerate(owners):
        reach = {
            key: {g: [None if np.isnan(s) else round(float(s), 4)
                      for s in shares.shares[i, gi, k]] for gi, g in enumerate(GROUPS)}
            for k, key in enumerate(result.kinds)
        }
        residents = {g: float(shares.population[i, gi]) for gi, g in enumerate(GROUPS)}
        out.append((owner, indicators.summarise(
            reach=reach, residents=residents, bands=bands[i], population=populations[i],
            anchors=int(count[i]), barrier_free=int(free[i]), offers=int(offers[i]))))
    return out
