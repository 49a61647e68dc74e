"""Reach of anchors from residents: the core of the quarter check (Sozialraumanalyse).

Pure computation on NumPy arrays in EPSG:25832 metres; no Django.

Walking distance is approximated as straight-line distance × a detour factor until a street
network is configured (docs/quartierscheck.md gives the factor's source). For every cell and
every kind of anchor the engine gives the walking distance to the nearest anchor of that kind
and how many anchors of that kind lie within each radius (walking distance ≤ radius), then
aggregates these to areas (quarters) as shares of residents, also per age group.
"""

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.spatial import cKDTree

# Typical ratio of network to straight-line distance for walking in German towns; see docs.
DEFAULT_DETOUR = 1.3
RADII_M = (300, 500, 1000)


@dataclass(frozen=True)
class Reach:
    """Per kind and cell: nearest walking distance (inf where the kind has no anchor) and
    the number of anchors within each radius."""

    kinds: tuple[str, ...]
    radii_m: tuple[int, ...]
    nearest_m: np.ndarray  # float64, shape (kinds, cells)
    within: np.ndarray  # int32, shape (kinds, radii, cells)


def reach(
    cell_xy: np.ndarray,
    anchor_xy: np.ndarray,
    anchor_kind: np.ndarray,
    kinds: tuple[str, ...],
    *,
    detour: float = DEFAULT_DETOUR,
    radii_m: tuple[int, ...] = RADII_M,
    nearest: bool = True,
) -> Reach:
    """cell_xy (n, 2) and anchor_xy (m, 2) in metres; anchor_kind (m,) indexes kinds.

    All anchor–cell pairs within the largest radius come from one pass over two KD-trees;
    counts and nearest distances follow from them. Only cells with no anchor of a kind
    within the largest radius need a nearest-neighbour search for that kind; with
    nearest=False that search is skipped and nearest_m is inf beyond the largest radius
    (enough for shares within the radii).
    """
    if detour < 1:
        raise ValueError("the detour factor is at least 1")
    cell_xy = np.ascontiguousarray(cell_xy, dtype=np.float64)
    anchor_xy = np.ascontiguousarray(anchor_xy, dtype=np.float64).reshape(-1, 2)
    anchor_kind = np.asarray(anchor_kind, dtype=np.int64)
    n, kind_count = len(cell_xy), len(kinds)
    flat_nearest = np.full(kind_count * n, np.inf)
    within = np.zeros((kind_count, len(radii_m), n), dtype=np.int32)
    if n == 0 or len(anchor_xy) == 0:
        return Reach(tuple(kinds), tuple(radii_m), flat_nearest.reshape(kind_count, n), within)
    # A little beyond the largest radius, so rounding never loses an anchor at the edge;
    # the exact test below is walking distance ≤ radius.
    bound = max(radii_m) / detour * (1 + 1e-9) + 1e-6
    # The cells' tree unbalanced and not shrunk to its points: built in half the time, and
    # the pair search over it is no slower (measured: 0.22 s against 0.35 s for both).
    cell_tree = cKDTree(cell_xy, balanced_tree=False, compact_nodes=False)
    pairs = cKDTree(anchor_xy).sparse_distance_matrix(cell_tree, bound, output_type="ndarray")
    walking = pairs["v"] * detour
    key = anchor_kind[pairs["i"]] * n + pairs["j"]
    for r, radius in enumerate(radii_m):
        hit = walking <= radius
        within[:, r, :] = np.bincount(key[hit], minlength=kind_count * n).reshape(kind_count, n)
    np.minimum.at(flat_nearest, key, walking)
    nearest_m = flat_nearest.reshape(kind_count, n)
    for k in range(kind_count if nearest else 0):
        far = np.flatnonzero(~np.isfinite(nearest_m[k]))
        points = anchor_xy[anchor_kind == k]
        if len(far) and len(points):
            distance = cKDTree(points).query(cell_xy[far], k=1, workers=-1)[0]
            nearest_m[k, far] = distance * detour
    return Reach(tuple(kinds), tuple(radii_m), nearest_m, within)


@dataclass(frozen=True)
class AreaShares:
    """Per area, group, kind and radius: the share of residents (0–1) who reach at least one
    anchor of the kind within the radius; population per area and group; NaN where an area
    has no residents of a group."""

    shares: np.ndarray  # float64, shape (areas, groups, kinds, radii)
    population: np.ndarray  # float64, shape (areas, groups)


@dataclass(frozen=True)
class Patterns:
    """Which (kind, radius) bits each cell reaches, as an index into distinct patterns:
    neighbouring cells mostly reach the same kinds, so there are far fewer patterns than
    cells. Computed once, shared by every level of areas."""

    index: np.ndarray  # int64, shape (cells,): the pattern of each cell
    bits: np.ndarray  # float64 0/1, shape (patterns, kinds × radii)


def reach_patterns(result: Reach) -> Patterns:
    kinds, radii, cells = result.within.shape
    reached = (result.within > 0).reshape(kinds * radii, cells)
    packed = np.packbits(reached, axis=0, bitorder="little")
    # Each cell's bits as one number (up to 64 bits: a uint64, whose sort is four times as
    # fast as that of raw bytes), else as raw bytes.
    width = 8 if len(packed) <= 8 else len(packed)
    rows = np.zeros((cells, width), dtype=np.uint8)
    rows[:, :len(packed)] = packed.T
    codes = rows.view(np.uint64 if width == 8 else np.dtype((np.void, width))).ravel()
    unique, inverse = np.unique(codes, return_inverse=True)
    bits = np.unpackbits(unique.view(np.uint8).reshape(len(unique), width), axis=1,
                         bitorder="little")[:, : kinds * radii]
    return Patterns(inverse.ravel().astype(np.int64), bits.astype(np.float64))


def area_shares(result: Reach, cell_area: np.ndarray, group_population: np.ndarray,
                areas: int, *, patterns: Patterns | None = None) -> AreaShares:
    """cell_area (cells,) is the area index of each cell, -1 for none; group_population
    (groups, cells) the residents of each group in each cell (group 0 usually everyone).
    Pass `patterns` (reach_patterns(result)) when aggregating several levels of areas."""
    patterns = patterns if patterns is not None else reach_patterns(result)
    cell_area = np.asarray(cell_area, dtype=np.int64)
    inside = cell_area >= 0
    area = cell_area[inside]
    groups = np.asarray(group_population, dtype=np.float64)[:, inside]
    kinds, radii = result.within.shape[:2]
    # Sum residents per (area, pattern) first, then spread the rows over their bits with
    # one sparse product per group.
    count = len(patterns.bits)
    key, row = np.unique(area * count + patterns.index[inside], return_inverse=True)
    row = row.ravel()
    row_area, row_pattern = key // count, key % count
    bits = patterns.bits[row_pattern]
    population = np.stack([np.bincount(area, weights=g, minlength=areas) for g in groups], 1)
    shares = np.empty((areas, len(groups), kinds * radii))
    for g, weights in enumerate(groups):
        per_row = np.bincount(row, weights=weights, minlength=len(key))
        by_area = csr_matrix((per_row, (row_area, np.arange(len(key)))),
                             shape=(areas, len(key)))
        shares[:, g, :] = by_area @ bits
    with np.errstate(invalid="ignore", divide="ignore"):
        shares /= population[:, :, None]
    return AreaShares(shares.reshape(areas, len(groups), kinds, radii), population)
