"""A plausible populated 100 m grid for demo and benchmark, from real Gemeinde figures.

Cells lie on the grid of the German census (EPSG:3035, 100 m), keyed like the census
("CRS3035RES100mN2689100E4337000": the cell's lower-left corner). Settlements cluster: a dense
core around each Gemeinde's centroid and, outside the cities, a few villages around it;
people per populated cell grow with the degree of urbanisation. Pure NumPy/pyproj/shapely.
"""

from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import Transformer

CELL_M = 100
# Residents per populated 100 m cell by degree of urbanisation (1 dense … 3 thin).
PEOPLE_PER_CELL = {1: 45.0, 2: 22.0, 3: 12.0}

_utm_to_laea = Transformer.from_crs(25832, 3035, always_xy=True)
_laea_to_utm = Transformer.from_crs(3035, 25832, always_xy=True)


@dataclass(frozen=True)
class Grid:
    ids: np.ndarray  # str, census grid id
    x: np.ndarray  # float64, cell centre, EPSG:25832
    y: np.ndarray
    population: np.ndarray  # int64, ≥ 1
    gemeinde: np.ndarray  # int64, index into the input arrays


def grid_id(east: np.ndarray, north: np.ndarray) -> np.ndarray:
    """Census ids of the cells whose lower-left corners are (east, north) in EPSG:3035."""
    east = np.asarray(east, dtype=np.int64)
    north = np.asarray(north, dtype=np.int64)
    return np.char.add(
        np.char.add("CRS3035RES100mN", north.astype(str)), np.char.add("E", east.astype(str))
    )


def cell_centres_utm(east: np.ndarray, north: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return _laea_to_utm.transform(np.asarray(east) + CELL_M / 2, np.asarray(north) + CELL_M / 2)


def demo_grid(x, y, population, area_km2, urbanisation, *, outline=None, seed=2018) -> Grid:
    """Populated cells for Gemeinden given by centroid (EPSG:25832), residents, area and
    urbanisation; every Gemeinde's cells add up to its population. Cells outside outline
    (a shapely geometry in EPSG:25832), if given, are not used."""
    rng = np.random.default_rng(seed)
    ex, ny = _utm_to_laea.transform(np.asarray(x, float), np.asarray(y, float))
    parts = []
    prepared = outline
    if prepared is not None:
        shapely.prepare(prepared)
    for g in range(len(ex)):
        people = int(population[g])
        if people <= 0:
            continue
        level = int(urbanisation[g]) if urbanisation[g] else 2
        count = max(1, int(np.ceil(people / PEOPLE_PER_CELL[level])))
        radius = np.sqrt(max(float(area_km2[g] or 1), 0.5) / np.pi) * 1000
        east, north, weight = _settlement(rng, ex[g], ny[g], radius, count, level, prepared)
        parts.append((east, north, _split(people, weight, rng), np.full(len(east), g)))
    east = np.concatenate([p[0] for p in parts])
    north = np.concatenate([p[1] for p in parts])
    people = np.concatenate([p[2] for p in parts])
    gemeinde = np.concatenate([p[3] for p in parts])
    # Neighbouring Gemeinden may reach into the same cell: one cell, residents added up,
    # kept with the Gemeinde that came first.
    key = east * 10_000_000 + north
    unique, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    east, north = east[first], north[first]
    cx, cy = cell_centres_utm(east, north)
    populated = np.bincount(inverse, weights=people).astype(np.int64) > 0
    return Grid(
        ids=grid_id(east, north)[populated],
        x=np.asarray(cx)[populated],
        y=np.asarray(cy)[populated],
        population=np.bincount(inverse, weights=people).astype(np.int64)[populated],
        gemeinde=gemeinde[first][populated],
    )


def _settlement(rng, ex, ny, radius, count, level, outline):
    """Distinct cells (lower-left corners) around a centre, denser towards the core."""
    villages = {1: 0, 2: 2, 3: 4}[level] + int(rng.integers(0, 2))
    centres = [(ex, ny, radius * 0.25)]
    for _v in range(villages):
        angle, distance = rng.uniform(0, 2 * np.pi), radius * rng.uniform(0.35, 0.8)
        centres.append((ex + distance * np.cos(angle), ny + distance * np.sin(angle),
                        radius * 0.08))
    # The core holds about two thirds of the cells, the villages share the rest.
    share = np.array([2.0] + [1.0 / max(villages, 1)] * villages)
    share /= share.sum()
    cells: dict[tuple[int, int], float] = {}
    attempts = 0
    while len(cells) < count and attempts < 50:
        attempts += 1
        need = (count - len(cells)) * 2 + 8
        which = rng.choice(len(centres), size=need, p=share)
        cx = np.array([centres[i][0] for i in which])
        cy = np.array([centres[i][1] for i in which])
        sigma = np.array([centres[i][2] for i in which]) * (1 + attempts * 0.15)
        px = cx + rng.normal(0, 1, need) * sigma
        py = cy + rng.normal(0, 1, need) * sigma
        if outline is not None:
            ux, uy = _laea_to_utm.transform(px, py)
            keep = shapely.contains_xy(outline, ux, uy)
            px, py, cx, cy, sigma = px[keep], py[keep], cx[keep], cy[keep], sigma[keep]
        corner_e = (np.floor(px / CELL_M) * CELL_M).astype(np.int64)
        corner_n = (np.floor(py / CELL_M) * CELL_M).astype(np.int64)
        density = np.exp(-np.hypot(px - cx, py - cy) / np.maximum(sigma, 1))
        for key in zip(corner_e.tolist(), corner_n.tolist(), density.tolist(), strict=True):
            if len(cells) >= count:
                break
            cells.setdefault(key[:2], key[2])
    keys = list(cells)
    east = np.array([k[0] for k in keys], dtype=np.int64)
    north = np.array([k[1] for k in keys], dtype=np.int64)
    weight = np.array([cells[k] for k in keys]) * rng.lognormal(0, 0.4, len(keys))
    return east, north, weight


def _split(total: int, weight: np.ndarray, rng) -> np.ndarray:
    """At least one resident per cell; the rest by weight, largest remainder; sums to total."""
    n = len(weight)
    if total < n:
        # Fewer people than cells: keep the heaviest cells only by giving the rest none.
        parts = np.zeros(n, dtype=np.int64)
        parts[np.argsort(-weight)[:total]] = 1
        return parts
    exact = (total - n) * weight / weight.sum()
    parts = np.floor(exact).astype(np.int64)
    remainder = int(total - n - parts.sum())
    parts[np.argsort(parts - exact)[:remainder]] += 1
    return parts + 1
