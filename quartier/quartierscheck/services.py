"""The quarter check: residents on the census grid, the recomputation of every quarter's
figures in the background, and reading the stored results. Every write goes through here;
pages only read what a run stored (they never compute).
"""

import csv
import datetime
import io
import itertools
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from quartier.accounts.services import record_event
from quartier.anchors import services as anchors
from quartier.formats import number
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
from quartier.quartierscheck.models import AreaFigures, Cell, CheckRun, CurrentResults

# Census files (Zensus 2011 and 2022): id, cell midpoint in EPSG:3035, residents.
GRID_COLUMNS = ("gitter_id_100m", "x_mp_100m", "y_mp_100m", "einwohner")
# Counts the census keeps secret (fewer than 3 residents) are written as -1 or a dash.
SUPPRESSED = {"-1", "–", "-", ""}
# The census grid of the whole state is about 25 MB; Germany's about 150 MB.
GRID_MAX_BYTES = IMPORT_MAX_BYTES * 5
_ID = re.compile(r"^CRS3035RES100mN(\d+)E(\d+)$")
_BATCH = 5000
_MAX_ERRORS = 100


def import_grid(path: Path, *, progress: Progress = no_progress) -> int:
    """Replace all cells by a census grid CSV (`;` or `,` separated, columns
    Gitter_ID_100m, x_mp_100m, y_mp_100m, Einwohner). Checked completely first; one bad row
    and nothing changes. Suppressed counts (-1, –) are taken as no residents. Returns the
    number of populated cells."""
    path = Path(path)
    name = path.name
    if path.stat().st_size > GRID_MAX_BYTES:
        raise ImportRejected([RowError(name, 0, "file", _("larger than %(mb)s MB")
                                       % {"mb": GRID_MAX_BYTES >> 20})])
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRejected([RowError(name, 0, "file", _("not UTF-8 (byte %(pos)s)")
                                       % {"pos": error.start})]) from None
    delimiter = ";" if text.split("\n", 1)[0].count(";") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader, [])]
    except csv.Error as error:
        raise ImportRejected([RowError(name, 1, "header", _("not a CSV file: %(error)s")
                                       % {"error": error})]) from None
    missing = [c for c in GRID_COLUMNS if c not in header]
    if missing:
        raise ImportRejected([RowError(name, 1, "header", _("missing columns: %(cols)s")
                                       % {"cols": ", ".join(missing)})])
    at = [header.index(c) for c in GRID_COLUMNS]
    errors: list[RowError] = []
    ids, east, north, people, lines = [], [], [], [], []
    seen: set[str] = set()
    rows = iter(reader)
    while True:
        try:
            row = next(rows, None)
        except csv.Error as error:  # e.g. a field longer than the csv module allows
            errors.append(RowError(name, reader.line_num, "row", _("not a CSV file: %(error)s")
                                   % {"error": error}))
            break
        if row is None:
            break
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
        except (ValueError, OverflowError):  # not a number, or nan / inf
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
            lines.append(line)
        if len(errors) >= _MAX_ERRORS:
            break
        if line % 100_000 == 0:
            progress(_("%(n)s lines checked") % {"n": number(line)})
    if not errors and ids:
        x, y = cell_centres_utm(np.array(east), np.array(north))
        outside = np.flatnonzero(~shapely.contains_xy(geo.bw_outline(), x, y))
        if len(outside) > _MAX_ERRORS:
            errors.append(RowError(name, 0, "Gitter_ID_100m", _(
                "%(count)s populated cells lie outside Baden-Württemberg; cut the file to the "
                "state first. The first of them:") % {"count": len(outside)}))
        for index in outside[:_MAX_ERRORS]:
            errors.append(RowError(name, lines[index], "Gitter_ID_100m",
                                   _("%(id)s lies outside Baden-Württemberg") % {"id": ids[index]}))
    if errors:
        raise ImportRejected(errors)
    if not ids:
        raise ImportRejected([RowError(name, 0, "file", _("holds no populated cell"))])
    return _replace_cells(ids, x, y, np.array(people), is_demo=False, progress=progress)


def generate_demo_grid(*, seed: int = 2018, progress: Progress = no_progress) -> int:
    """Replace all cells by the demo grid built from the real Gemeinde populations."""
    gemeinden = list(Place.objects.filter(kind=Place.Kind.GEMEINDE).order_by("ags"))
    progress(_("Building the grid for %(n)s Gemeinden") % {"n": number(len(gemeinden))})
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
    total = len(ids)
    # Plain executemany: half a million model instances would take most of the time.
    sql = (f"INSERT INTO {Cell._meta.db_table} (grid_id, x, y, population, is_demo)"
           " VALUES (%s, %s, %s, %s, %s)")
    rows = zip(ids, np.asarray(x).tolist(), np.asarray(y).tolist(),
               np.asarray(population).tolist(), itertools.repeat(is_demo), strict=False)
    with connection.cursor() as cursor:
        for start in range(0, total, _BATCH):
            stop = min(start + _BATCH, total)
            cursor.executemany(sql, list(itertools.islice(rows, _BATCH)))
            if stop % 50_000 < _BATCH or stop == total:
                progress(_("%(done)s of %(total)s cells saved")
                         % {"done": number(stop), "total": number(total)})
    return total


# Recomputation ------------------------------------------------------------------------


class CheckFailed(Exception):
    """A run could not finish; the last good results stay in place."""


# A run still "running" this long after it started lost its worker.
RUN_TIMEOUT = datetime.timedelta(hours=1)
# A waiting run whose task no worker took this long is handed to the queue again.
REQUEUE_AFTER = datetime.timedelta(minutes=10)

# Why a quarter kept its last good figures (AreaFigures.stale_reason).
STALE_NO_BOUNDARY = "no_boundary"
STALE_INVALID_BOUNDARY = "invalid_boundary"


def _lock_results() -> CurrentResults:
    """The one CurrentResults row, locked until the transaction ends."""
    state = CurrentResults.objects.select_for_update().filter(pk=1).first()
    if state is None:
        CurrentResults.objects.get_or_create(pk=1)
        state = CurrentResults.objects.select_for_update().get(pk=1)
    return state


@transaction.atomic
def request_recompute(*, actor=None) -> CheckRun:
    """Queue a recomputation in the background. A run still waiting takes later requests
    too, so a burst of edits gives one run. Safe inside a transaction: the task is queued
    when it commits."""
    _lock_results()
    waiting = CheckRun.objects.filter(status=CheckRun.Status.QUEUED).order_by("pk").first()
    if waiting is not None:
        if timezone.now() - waiting.created_at > REQUEUE_AFTER:
            transaction.on_commit(lambda: _enqueue(waiting.pk))
        return waiting
    person = actor if getattr(actor, "is_authenticated", False) else None
    run = CheckRun.objects.create(requested_by=person, detour=settings.WALKING_DETOUR_FACTOR,
                                  message=gettext_noop("Waiting for the background worker"))
    if person is not None:
        record_event("quartierscheck.recompute_requested", run, actor=person,
                     summary="Recomputation of the quarter check requested")
    transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def _enqueue(run_id: int) -> None:
    from quartier.quartierscheck.tasks import recompute_task

    recompute_task.enqueue(run_id)


def recompute_soon() -> None:
    """After quarters or anchors changed: one background run once the change commits (an
    import of thousands of anchors in one transaction queues it once)."""
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        request_recompute()
        return
    if any(entry[1] is _request_after_commit for entry in conn.run_on_commit):
        return
    # robust: a failure to queue must not turn the saved edit into an error page.
    transaction.on_commit(_request_after_commit, robust=True)


def _request_after_commit() -> None:
    request_recompute()


def recompute(run: CheckRun | None = None, *, progress: Progress = no_progress
              ) -> CheckRun | None:
    """Compute the figures of every quarter (published and draft), Kreis and the Land from
    the cells and the published anchors, and make them the current results.

    Without `run`, takes the oldest waiting run (an edit's) or starts a new one. Returns
    None when another worker has already taken the run. On failure the run is marked failed
    with its reason, CheckFailed is raised, and the earlier results stay in place.
    """
    run = _claim(run)
    if run is None:
        return None
    started = time.perf_counter()

    def step(pct: int, message: str, detail: str = "") -> None:
        # The run keeps the untranslated text; each reader sees it in their language.
        CheckRun.objects.filter(pk=run.pk).update(progress_pct=pct, message=message)
        progress(f"{pct:3d} % {detail or _(message)}")

    try:
        outcome = _compute(run.detour, step)
        step(90, gettext_noop("Saving the results"))
        _store(run, outcome, time.perf_counter() - started)
    except Exception as error:
        reason = str(error) if isinstance(error, CheckFailed) else (
            f"{type(error).__name__}: {error}")
        CheckRun.objects.filter(pk=run.pk).update(
            status=CheckRun.Status.FAILED, finished_at=timezone.now(), message=reason)
        progress(_("Failed: %(reason)s") % {"reason": _(reason)})
        raise CheckFailed(reason) from error
    run.refresh_from_db()
    if run.status == CheckRun.Status.SUPERSEDED:
        progress(_("A newer computation finished first; its figures stay."))
    else:
        progress(_("%(quarters)s quarters computed in %(seconds)s s")
                 % {"quarters": number(run.quarters), "seconds": number(run.seconds, 1)})
    return run


def _claim(run: CheckRun | None) -> CheckRun | None:
    with transaction.atomic():
        _lock_results()
        now = timezone.now()
        CheckRun.objects.filter(status=CheckRun.Status.RUNNING,
                                started_at__lt=now - RUN_TIMEOUT).update(
            status=CheckRun.Status.FAILED, finished_at=now,
            message=gettext_noop("Interrupted: the worker stopped before the run finished."))
        if run is None:
            run = CheckRun.objects.filter(status=CheckRun.Status.QUEUED).order_by("pk").first()
        if run is None:
            run = CheckRun.objects.create(detour=settings.WALKING_DETOUR_FACTOR)
        taken = CheckRun.objects.filter(pk=run.pk, status=CheckRun.Status.QUEUED).update(
            status=CheckRun.Status.RUNNING, started_at=now, progress_pct=0,
            message=gettext_noop("Starting"))
    if not taken:
        return None
    run.refresh_from_db()
    return run


@dataclass
class _Outcome:
    rows: list[tuple[dict, dict]] = field(default_factory=list)  # (owner, figures)
    counts: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # Quarters computed from nothing this time: their last good figures stay, with why.
    left_out: dict[int, str] = field(default_factory=dict)


def _store(run: CheckRun, outcome: _Outcome, seconds: float) -> None:
    """Make the run's figures the current results, unless a newer run already did."""
    with transaction.atomic():
        state = _lock_results()
        previous = state.run_id
        now = timezone.now()
        if previous is not None and previous > run.pk:
            CheckRun.objects.filter(pk=run.pk).update(
                status=CheckRun.Status.SUPERSEDED, finished_at=now, progress_pct=100,
                seconds=seconds, message=gettext_noop("Replaced by a newer computation"))
            return
        AreaFigures.objects.bulk_create(
            [AreaFigures(run=run, gap_score=figures["gap"], figures=figures, computed_at=now,
                         **owner) for owner, figures in outcome.rows], batch_size=500)
        if previous is not None and outcome.left_out:
            kept = list(AreaFigures.objects.filter(run_id=previous,
                                                   quarter_id__in=list(outcome.left_out)))
            for row in kept:
                row.pk, row.run = None, run
                row.stale_reason = outcome.left_out[row.quarter_id]
            AreaFigures.objects.bulk_create(kept, batch_size=500)
        AreaFigures.objects.exclude(run=run).delete()
        state.run = run
        state.save(update_fields=["run"])
        CheckRun.objects.filter(pk=run.pk).update(
            status=CheckRun.Status.DONE, progress_pct=100, finished_at=now, seconds=seconds,
            warnings=outcome.warnings, message=gettext_noop("Finished"), **outcome.counts)


@dataclass
class _Areas:
    """One level of areas (quarters, drafts, Kreise, the Land) for aggregation."""

    owners: list[dict]
    cell_area: np.ndarray  # per cell, the index of its area or -1
    point_area: np.ndarray  # per anchor, the index of its area or -1
    bands: list[dict[str, int]]
    populations: list[int]
    weights: np.ndarray  # per cell and group, the group's share of its residents


def _compute(detour: float, step) -> _Outcome:
    outcome = _Outcome()
    step(5, gettext_noop("Reading the residents on the grid"))
    x, y, population = _read_cells()
    if not len(x):
        raise CheckFailed(gettext_noop(
            "There are no residents on the grid yet: import a census grid or create the "
            "demo grid first (quartier quartierscheck import-grid / demo-grid)."))
    land = Place.objects.filter(kind=Place.Kind.LAND).first()
    if land is None:
        raise CheckFailed(gettext_noop("The places of the state are not imported yet."))
    published, drafts = _checkable_quarters(outcome)
    kreise = list(Place.objects.filter(kind=Place.Kind.KREIS).exclude(boundary="")
                  .order_by("ags"))

    step(10, gettext_noop("Finding the quarter and Kreis of every cell"))
    cells = _PointIndex(x, y)
    owner = cells.areas([q.shape for q in published])
    draft_owner = cells.areas([q.shape for q in drafts])
    kreis = cells.areas([geo.loads(k.boundary) for k in kreise])
    _nearest_for_rest(kreis, [geo.loads(k.boundary) for k in kreise], x, y)
    real = len(x)
    # A quarter no cell centre falls in (small, or where the grid has nobody) is taken as
    # one cell at its inner point with its own residents; it counts for the quarter only.
    lonely = [(0, i) for i in range(len(published)) if not (owner == i).any()]
    lonely += [(1, i) for i in range(len(drafts)) if not (draft_owner == i).any()]
    if lonely:
        quarter_of = [published[i] if level == 0 else drafts[i] for level, i in lonely]
        x = np.concatenate([x, [q.x for q in quarter_of]])
        y = np.concatenate([y, [q.y for q in quarter_of]])
        population = np.concatenate([population, [q.population for q in quarter_of]])
        extra = np.full(len(lonely), -1, dtype=np.int64)
        owner = np.concatenate([owner, [i if lv == 0 else -1 for lv, i in lonely]])
        draft_owner = np.concatenate([draft_owner, [i if lv == 1 else -1 for lv, i in lonely]])
        kreis = np.concatenate([kreis, extra])
    in_state = np.arange(len(x)) < real

    step(20, gettext_noop("Reading the anchors"))
    points = anchors.points_for_check()
    keys, point_xy, point_key = _reach_points(points)
    anchor_xy = np.column_stack([points.x, points.y]).reshape(-1, 2).astype(float)
    anchor_index = _PointIndex(anchor_xy[:, 0], anchor_xy[:, 1])
    kreis_position = {k.pk: i for i, k in enumerate(kreise)}
    kreis_of_gemeinde = dict(Place.objects.filter(kind=Place.Kind.GEMEINDE)
                             .values_list("pk", "parent_id"))
    anchor_kreis = np.array([kreis_position.get(kreis_of_gemeinde.get(g), -1)
                             for g in points.gemeinde_id], dtype=np.int64)

    step(30, gettext_noop("Measuring walking distances"),
         _("Measuring walking distances from %(cells)s cells to %(points)s anchors")
         % {"cells": number(len(x)), "points": number(len(points.x))})
    result = engine.reach(np.column_stack([x, y]), point_xy, point_key, tuple(keys),
                          detour=detour, nearest=False)

    step(60, gettext_noop("Adding up quarters, Kreise and the Land"))
    quarter_bands = [_bands(q) for q in published]
    kreis_bands = _sum_bands(len(kreise), quarter_bands, [
        kreis_position.get(q.gemeinde.parent_id, -1) for q in published])
    land_bands = _sum_bands(1, quarter_bands, [0] * len(published))
    # Cells take the age profile of their quarter; cells outside quarters that of the
    # quarters of their Kreis, else of the Land.
    land_weights = indicators.group_weights(land_bands[0])
    profile = np.array([indicators.group_weights(b) if any(b.values()) else land_weights
                        for b in kreis_bands] + [land_weights]).reshape(-1, len(GROUPS))
    weights = profile[np.where(kreis >= 0, kreis, len(kreise))]
    draft_weights = weights.copy()
    for chosen, level, into in ((owner, published, weights), (draft_owner, drafts,
                                                              draft_weights)):
        inside = chosen >= 0
        if level and inside.any():
            own = np.array([indicators.group_weights(_bands(q)) for q in level])
            into[inside] = own[chosen[inside]]

    levels = (
        _Areas([{"quarter": q} for q in published], owner, anchor_index.areas(
            [q.shape for q in published]), quarter_bands, [q.population for q in published],
            weights),
        _Areas([{"quarter": q} for q in drafts], draft_owner, anchor_index.areas(
            [q.shape for q in drafts]), [_bands(q) for q in drafts],
            [q.population for q in drafts], draft_weights),
        _Areas([{"place": k} for k in kreise], kreis, anchor_kreis, kreis_bands,
               [k.population for k in kreise], weights),
        _Areas([{"place": land}], np.where(in_state, 0, -1),
               np.zeros(len(points.x), dtype=np.int64), land_bands, [land.population],
               weights),
    )
    patterns = engine.reach_patterns(result)
    for level in levels:
        outcome.rows += _level_figures(result, patterns, level, population, points)
    step(85, gettext_noop("Done computing"))
    outcome.counts = {"cells": real, "anchors": len(points.x),
                      "quarters": len(published) + len(drafts)}
    return outcome


def _read_cells() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # One plain query: half a million rows as model tuples would take seconds longer.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT x, y, population FROM {Cell._meta.db_table} ORDER BY id")
        rows = cursor.fetchall()
    data = np.fromiter(itertools.chain.from_iterable(rows), dtype=float,
                       count=3 * len(rows)).reshape(-1, 3)
    return data[:, 0].copy(), data[:, 1].copy(), data[:, 2].copy()


class _PointIndex:
    """Points sorted by x, so the points inside a polygon's bounding box are two binary
    searches away; much faster than a tree of half a million point geometries."""

    def __init__(self, x: np.ndarray, y: np.ndarray):
        self.x, self.y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        self.order = np.argsort(self.x, kind="stable")
        self.sorted_x = self.x[self.order]

    def areas(self, shapes: list) -> np.ndarray:
        """The index of the first shape holding each point (its interior), else -1."""
        owner = np.full(len(self.x), -1, dtype=np.int64)
        if not shapes:
            return owner
        for index, (shape, (minx, miny, maxx, maxy)) in enumerate(
                zip(shapes, shapely.bounds(shapes).tolist(), strict=True)):
            low = np.searchsorted(self.sorted_x, minx, side="left")
            high = np.searchsorted(self.sorted_x, maxx, side="right")
            candidates = self.order[low:high]
            candidates = candidates[(self.y[candidates] >= miny) & (self.y[candidates] <= maxy)
                                    & (owner[candidates] < 0)]
            if len(candidates):
                shapely.prepare(shape)
                inside = shapely.contains_xy(shape, self.x[candidates], self.y[candidates])
                owner[candidates[inside]] = index
        return owner


def _nearest_for_rest(owner: np.ndarray, shapes: list, x: np.ndarray, y: np.ndarray) -> None:
    """Points outside every (generalised) shape go to the nearest one."""
    rest = np.flatnonzero(owner < 0)
    if len(rest) and shapes:
        tree = shapely.STRtree(shapes)
        near_point, near_shape = tree.query_nearest(shapely.points(x[rest], y[rest]),
                                                    all_matches=False)
        owner[rest[near_point]] = near_shape


def _checkable_quarters(outcome: _Outcome) -> tuple[list[Quarter], list[Quarter]]:
    """Published quarters and drafts with a usable boundary (as `.shape`). The others are
    reported in the run's warnings and keep their last good figures."""
    usable: dict[bool, list[Quarter]] = {True: [], False: []}
    for quarter in Quarter.objects.select_related("gemeinde").order_by("pk"):
        reason = None
        try:
            shape = geo.loads(quarter.boundary) if quarter.boundary.strip() else None
        except (ValueError, TypeError, KeyError, AttributeError, shapely.errors.GEOSException):
            shape, reason = None, STALE_INVALID_BOUNDARY
        if shape is None:
            reason = reason or STALE_NO_BOUNDARY
        elif shape.is_empty or not shape.is_valid or shape.geom_type not in (
                "Polygon", "MultiPolygon"):
            reason = STALE_INVALID_BOUNDARY
        if reason:
            outcome.left_out[quarter.pk] = reason
            outcome.warnings.append(
                _("%(quarter)s (%(gemeinde)s, id %(id)s) has no usable boundary and keeps "
                  "its last good figures.")
                % {"quarter": quarter.name, "gemeinde": quarter.gemeinde.name, "id": quarter.pk})
            continue
        quarter.shape = shape
        usable[quarter.is_published()].append(quarter)
    return usable[True], usable[False]


def _reach_points(points) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Reach keys (kinds, offer categories, success factors) and one point per anchor and
    key it counts for."""
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
    return {name: getattr(quarter, name) for name, _label in AGE_BANDS}


def _sum_bands(areas: int, bands: list[dict], area_of: list[int]) -> list[dict[str, int]]:
    totals = [dict.fromkeys((name for name, _label in AGE_BANDS), 0) for _a in range(areas)]
    for band, area in zip(bands, area_of, strict=True):
        if area >= 0:
            for name, value in band.items():
                totals[area][name] += value
    return totals


def _level_figures(result: engine.Reach, patterns: engine.Patterns, level: _Areas,
                   population: np.ndarray, points) -> list[tuple[dict, dict]]:
    count = len(level.owners)
    if not count:
        return []
    groups = (level.weights * population[:, None]).T
    shares = engine.area_shares(result, level.cell_area, groups, count, patterns=patterns)
    mine = level.point_area >= 0
    area = level.point_area[mine]
    anchors_in = np.bincount(area, minlength=count)
    free = np.bincount(area, weights=np.asarray(points.barrier_free, dtype=float)[mine],
                       minlength=count)
    offers = np.bincount(area, weights=np.asarray(points.offers, dtype=float)[mine],
                         minlength=count)
    rounded = np.round(shares.shares, 4)
    missing = np.isnan(rounded).any(axis=(1, 2, 3))
    as_lists = rounded.tolist()
    residents = shares.population.tolist()
    out = []
    for i, owner in enumerate(level.owners):
        values = as_lists[i]  # groups × keys × radii
        if missing[i]:
            values = [[[None if v != v else v for v in radii] for radii in by_key]
                      for by_key in values]
        reach = {key: {g: values[gi][k] for gi, g in enumerate(GROUPS)}
                 for k, key in enumerate(result.kinds)}
        out.append((owner, indicators.summarise(
            reach=reach, residents=dict(zip(GROUPS, residents[i], strict=True)),
            bands=level.bands[i], population=level.populations[i],
            anchors=int(anchors_in[i]), barrier_free=int(free[i]), offers=int(offers[i]))))
    return out


# Reading the results ------------------------------------------------------------------


def current_run() -> CheckRun | None:
    """The run whose figures are the current results (one query)."""
    state = CurrentResults.objects.select_related("run").filter(pk=1).first()
    return state.run if state else None


def active_run() -> CheckRun | None:
    """The oldest run waiting or running (and not lost with its worker)."""
    return CheckRun.objects.filter(
        status__in=[CheckRun.Status.QUEUED, CheckRun.Status.RUNNING]).exclude(
        status=CheckRun.Status.RUNNING, started_at__lt=timezone.now() - RUN_TIMEOUT
    ).order_by("pk").first()


def last_finished_run() -> CheckRun | None:
    """The newest run that ended, well or not."""
    return CheckRun.objects.filter(finished_at__isnull=False).order_by("-pk").first()


def inputs_changed_since(run: CheckRun | None) -> bool:
    """Whether anchors or quarters changed after `run` started: bulk imports
    (`import-anchors`, `demo-quarters`) send no model signals, so they queue no run by
    themselves. Three small queries; for staff's "recompute" hint."""
    from quartier.anchors.models import Anchor

    if run is None or run.started_at is None:
        return False
    since = run.started_at
    return (Anchor.objects.filter(updated_at__gt=since).exists()
            or Quarter.objects.filter(updated_at__gt=since).exists()
            or Anchor.objects.published().count() != run.anchors)


def _current_figures():
    return AreaFigures.objects.filter(run__in=CurrentResults.objects.values("run"))


def figures_for_quarter(quarter: Quarter) -> tuple[AreaFigures | None, ...]:
    """The current figures of the quarter, its Kreis and the Land (one query)."""
    rows = {(row.quarter_id, row.place_id): row for row in _current_figures().filter(
        Q(quarter=quarter) | Q(place_id=quarter.gemeinde.parent_id)
        | Q(place__kind=Place.Kind.LAND))}
    land = next((row for key, row in rows.items()
                 if key[1] is not None and key[1] != quarter.gemeinde.parent_id), None)
    return (rows.get((quarter.pk, None)), rows.get((None, quarter.gemeinde.parent_id)), land)


def figures_of_quarters(quarters: list[Quarter]) -> dict[int, AreaFigures]:
    """The current figures of several quarters by quarter id (one query)."""
    return {row.quarter_id: row
            for row in _current_figures().filter(quarter__in=[q.pk for q in quarters])}


def figures_of_place(place: Place) -> AreaFigures | None:
    return _current_figures().filter(place=place).first()


def gap_list(*, kreis: Place | None = None):
    """Published quarters by falling gap score, with their Gemeinde and Kreis."""
    rows = _current_figures().filter(
        quarter__status=Quarter.Status.PUBLISHED).select_related(
        "quarter__gemeinde__parent").order_by("-gap_score", "quarter__name", "quarter_id")
    if kreis is not None:
        rows = rows.filter(quarter__gemeinde__parent=kreis)
    return rows


def gap_scores() -> dict[int, float]:
    """Quarter id → gap score of every published quarter in the current results (higher =
    bigger gap: more residents missing success factors; docs/quartierscheck.md). Empty when
    nothing has been computed yet. One query; for the consulting module's priorities."""
    return dict(_current_figures().filter(quarter__status=Quarter.Status.PUBLISHED)
                .values_list("quarter_id", "gap_score"))


def gap_score(quarter: Quarter) -> float | None:
    """The gap score of one published quarter (see gap_scores); None when it has no figures
    or is a draft."""
    if not quarter.is_published():
        return None
    return _current_figures().filter(quarter=quarter).values_list(
        "gap_score", flat=True).first()


def map_rows(area: Place, key: str) -> list[tuple[object, float | None]]:
    """(area, value of indicator `key`) for the map of `area`: the Kreise for the Land, the
    published quarters for a Kreis or Gemeinde. One query."""
    rows = _current_figures()
    if area.kind == Place.Kind.LAND:
        rows = rows.filter(place__kind=Place.Kind.KREIS).select_related("place").order_by(
            "place__name")
        return [(row.place, row.figures["values"].get(key)) for row in rows]
    rows = rows.filter(quarter__status=Quarter.Status.PUBLISHED,
                       quarter__gemeinde__ags__startswith=area.ags).select_related(
        "quarter__gemeinde").order_by("quarter__gemeinde__name", "quarter__name")
    return [(row.quarter, row.figures["values"].get(key)) for row in rows]
