"""Benchmark of the quarter check engine on the whole state.

About 490,000 populated 100 m cells (the demo grid, clustered from the real Gemeinde
populations) and 20,000 anchors in 10 kinds: walking distance to the nearest anchor of each
kind and counts within 300/500/1,000 m for every cell, aggregated to every quarter as shares
of residents (everyone, under 18, 65+, 80+). The same per-cell figures are computed the
straightforward way with geopandas (sjoin_nearest per kind, sjoin dwithin per radius with a
group count) on the same data, for the ratio and to check that both agree.

Run: .venv/bin/python benchmarks/quartierscheck.py — the last line is one JSON object.
"""

import csv
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from quartier.places import geo  # noqa: E402
from quartier.quartierscheck import engine  # noqa: E402
from quartier.quartierscheck.grid import demo_grid  # noqa: E402

KINDS = tuple(f"kind{i}" for i in range(10))
KIND_SHARES = np.array([0.05, 0.08, 0.10, 0.06, 0.12, 0.10, 0.04, 0.20, 0.05, 0.20])
ANCHORS = 20_000
RESIDENTS_PER_QUARTER = 6_000


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load():
    rows = list(csv.DictReader(open(geo.DATA_DIR / "gemeinden.csv", encoding="utf-8")))
    xy = np.array([geo.lonlat_to_utm(float(r["lon"]), float(r["lat"])) for r in rows])
    grid = demo_grid(
        xy[:, 0], xy[:, 1], [int(r["population"]) for r in rows],
        [float(r["area_km2"]) for r in rows], [int(r["urbanisation"]) for r in rows],
        outline=geo.bw_outline(),
    )
    rng = np.random.default_rng(7)
    cell_xy = np.column_stack([grid.x, grid.y])
    # Anchors where people live, each a little off its cell's centre.
    chosen = rng.choice(len(cell_xy), size=ANCHORS, p=grid.population / grid.population.sum())
    anchor_xy = cell_xy[chosen] + rng.uniform(-50, 50, (ANCHORS, 2))
    anchor_kind = rng.choice(len(KINDS), size=ANCHORS, p=KIND_SHARES / KIND_SHARES.sum())
    # Quarters: each Gemeinde split around seed cells, about one per 6,000 residents.
    people = np.bincount(grid.gemeinde, weights=grid.population)
    seeds = []
    for g in np.flatnonzero(people):
        cells = np.flatnonzero(grid.gemeinde == g)
        count = max(1, int(people[g] // RESIDENTS_PER_QUARTER))
        seeds.extend(rng.choice(cells, size=min(count, len(cells)), replace=False))
    seeds = np.array(seeds)
    offset = grid.gemeinde * 1e7  # the nearest seed of the same Gemeinde
    from scipy.spatial import cKDTree

    tree = cKDTree(np.column_stack([grid.x[seeds] + offset[seeds], grid.y[seeds]]))
    cell_area = tree.query(np.column_stack([grid.x + offset, grid.y]))[1]
    groups = np.stack([
        grid.population,
        grid.population * 0.17,  # under 18
        grid.population * 0.22,  # 65 and over
        grid.population * 0.07,  # 80 and over
    ])
    return cell_xy, anchor_xy, anchor_kind, cell_area, len(seeds), groups


def ours(cell_xy, anchor_xy, anchor_kind, cell_area, areas, groups):
    result = engine.reach(cell_xy, anchor_xy, anchor_kind, KINDS)
    shares = engine.area_shares(result, cell_area, groups, areas)
    return result, shares


def reference(cell_xy, anchor_xy, anchor_kind, cell_area, areas, groups):
    """geopandas: per kind sjoin_nearest and sjoin dwithin per radius with a group count."""
    import geopandas as gpd
    import pandas as pd

    detour = engine.DEFAULT_DETOUR
    cells = gpd.GeoDataFrame(
        {"cell": np.arange(len(cell_xy))},
        geometry=gpd.points_from_xy(cell_xy[:, 0], cell_xy[:, 1]), crs=25832,
    )
    anchors = gpd.GeoDataFrame(
        {"kind": anchor_kind}, geometry=gpd.points_from_xy(anchor_xy[:, 0], anchor_xy[:, 1]),
        crs=25832,
    )
    nearest = np.full((len(KINDS), len(cell_xy)), np.inf)
    within = np.zeros((len(KINDS), len(engine.RADII_M), len(cell_xy)), dtype=np.int32)
    for k in range(len(KINDS)):
        of_kind = anchors[anchors["kind"] == k]
        joined = gpd.sjoin_nearest(cells, of_kind, distance_col="d")
        d = joined.groupby("cell")["d"].min()
        nearest[k, d.index.to_numpy()] = d.to_numpy() * detour
        for r, radius in enumerate(engine.RADII_M):
            pairs = gpd.sjoin(cells, of_kind, predicate="dwithin", distance=radius / detour)
            counts = pairs.groupby("cell").size()
            within[k, r, counts.index.to_numpy()] = counts.to_numpy()
    frame = pd.DataFrame({"area": cell_area})
    for k in range(len(KINDS)):
        for r in range(len(engine.RADII_M)):
            frame[f"{k}_{r}"] = (within[k, r] > 0) * groups[0]
    frame.groupby("area").sum()
    return nearest, within


def save(shares) -> int:
    """Write the per-quarter shares to a temporary CSV file; returns the number of rows."""
    import tempfile

    areas, groups, kinds, radii = shares.shares.shape
    index = np.indices(shares.shares.shape).reshape(4, -1).T
    values = shares.shares.reshape(-1, 1)
    with tempfile.TemporaryFile("w+") as handle:
        handle.write("quarter,group,kind,radius_index,share\n")
        np.savetxt(handle, np.hstack([index, values]), fmt="%d,%d,%d,%d,%.4f")
    return len(values)


def main():
    started = time.perf_counter()
    data = load()
    load_seconds = time.perf_counter() - started
    cell_xy, anchor_xy = data[0], data[1]
    print(f"cells {len(cell_xy):,}, residents {int(data[5][0].sum()):,}, anchors {len(anchor_xy):,}"
          f" in {len(KINDS)} kinds, quarters {data[4]:,}; generated in {load_seconds:.2f} s")

    ours(*data)  # warm-up: imports, thread pools
    runs = []
    for _run in range(3):
        started = time.perf_counter()
        result, shares = ours(*data)
        runs.append(time.perf_counter() - started)
    seconds = min(runs)
    own_peak = peak_mb()
    each = ", ".join(f"{r:.3f}" for r in runs)
    print(f"quarter check engine: {seconds:.3f} s (best of 3: {each})")

    # Saving, reported apart: the per-quarter shares as CSV (quarter, group, kind, radius).
    started = time.perf_counter()
    save_rows = save(shares)
    save_seconds = time.perf_counter() - started
    print(f"saved {save_rows:,} per-quarter figures as CSV in {save_seconds:.2f} s")

    started = time.perf_counter()
    nearest, within = reference(*data)
    reference_seconds = time.perf_counter() - started
    print(f"geopandas reference: {reference_seconds:.3f} s")

    finite = np.isfinite(nearest)
    max_diff = float(np.abs(result.nearest_m[finite] - nearest[finite]).max())
    mismatches = int((result.within != within).sum())
    summary = {
        "cells": int(len(cell_xy)),
        "anchors": int(len(anchor_xy)),
        "kinds": len(KINDS),
        "quarters": int(data[4]),
        "seconds": round(seconds, 3),
        "reference_seconds": round(reference_seconds, 3),
        "ratio": round(reference_seconds / seconds, 1),
        "max_diff_m": max_diff,
        "count_mismatches": mismatches,
        "peak_mb": round(own_peak, 1),
        "peak_mb_with_reference": round(peak_mb(), 1),
        "load_seconds": round(load_seconds, 2),
        "save_seconds": round(save_seconds, 2),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
