"""Assignment of jurors to applications: K reviews each, conflicts excluded, balanced load.

Pure computation (stdlib, NumPy, SciPy). docs/calls.md, "Jury assignment":

1. A maximum flow (source → application, capacity K minus the reviews it already has;
   application → juror for every pair without a conflict; juror → sink, capacity C minus the
   juror's current load) gives every application as many reviews as its eligible jurors allow.
   C is the smallest capacity for which the flow is as large as without any capacity.
2. Then single reviews move from the most to the least loaded juror while that narrows the
   gap, so loads differ by at most one wherever the conflicts allow it.

Existing pairs stay; the result lists only new pairs. The order of jurors is a seeded
shuffle, so the same jurors do not always meet on the same applications, and equal input
gives equal output.
"""

import random
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_flow


@dataclass(frozen=True)
class Assignment:
    pairs: tuple[tuple[Hashable, Hashable], ...]  # new (application, juror) pairs
    loads: dict[Hashable, int]  # reviews per juror, existing ones included
    shortfall: dict[Hashable, int]  # applications that get fewer than K reviews → missing


def _max_flow(applications, jurors, need, free, eligible, capacity) -> list[tuple[int, int]]:
    n, m = len(applications), len(jurors)
    source, sink = 0, n + m + 1
    rows, cols, caps = [], [], []
    for a in range(n):
        if need[a]:
            rows.append(source), cols.append(1 + a), caps.append(need[a])
    for a, j in eligible:
        rows.append(1 + a), cols.append(1 + n + j), caps.append(1)
    for j in range(m):
        room = capacity - free[j]
        if room > 0:
            rows.append(1 + n + j), cols.append(sink), caps.append(room)
    graph = csr_matrix((np.asarray(caps, dtype=np.int32), (rows, cols)), shape=(n + m + 2,) * 2)
    flow = maximum_flow(graph, source, sink).flow.tocoo()
    return [
        (int(r) - 1, int(c) - 1 - n)
        for r, c, f in zip(flow.row, flow.col, flow.data, strict=True)
        if f > 0 and 1 <= r <= n and n < c <= n + m
    ]


def assign_reviewers(
    applications: Sequence[Hashable], jurors: Sequence[Hashable], *, k: int,
    conflicts: Iterable[tuple[Hashable, Hashable]] = (),
    existing: Iterable[tuple[Hashable, Hashable]] = (), seed: int = 0,
) -> Assignment:
    """New (application, juror) pairs so that each application has k reviews."""
    if k < 1:
        raise ValueError("k must be at least 1")
    jurors = list(jurors)
    random.Random(seed).shuffle(jurors)
    app_index = {a: i for i, a in enumerate(applications)}
    juror_index = {j: i for i, j in enumerate(jurors)}
    blocked = {(app_index[a], juror_index[j]) for a, j in conflicts
               if a in app_index and j in juror_index}
    have = {(app_index[a], juror_index[j]) for a, j in existing
            if a in app_index and j in juror_index}
    n, m = len(applications), len(jurors)
    load = [0] * m
    count = [0] * n
    for a, j in have:
        load[j] += 1
        count[a] += 1
    need = [max(k - count[a], 0) for a in range(n)]
    eligible = [(a, j) for a in range(n) for j in range(m)
                if need[a] and (a, j) not in blocked and (a, j) not in have]
    if not eligible:
        return Assignment((), {j: load[juror_index[j]] for j in jurors},
                          {applications[a]: need[a] for a in range(n) if need[a]})
    reachable = len(_max_flow(applications, jurors, need, load, eligible, n + max(load)))
    low = max(max(load), -(-(sum(load) + reachable) // m))
    high = n + max(load)
    while low < high:
        middle = (low + high) // 2
        if len(_max_flow(applications, jurors, need, load, eligible, middle)) >= reachable:
            high = middle
        else:
            low = middle + 1
    pairs = set(_max_flow(applications, jurors, need, load, eligible, low))
    for _a, j in pairs:
        load[j] += 1
    _balance(pairs, load, {(a, j) for a, j in eligible})
    got = [0] * n
    for a, _j in pairs:
        got[a] += 1
    return Assignment(
        pairs=tuple((applications[a], jurors[j]) for a, j in sorted(pairs)),
        loads={jurors[j]: load[j] for j in range(m)},
        shortfall={applications[a]: need[a] - got[a] for a in range(n) if got[a] < need[a]},
    )


def _balance(pairs: set, load: list[int], eligible: set) -> None:
    """Move new reviews from heavier to lighter jurors while loads differ by two or more."""
    moved = True
    while moved:
        moved = False
        for heavy in sorted(range(len(load)), key=lambda j: -load[j]):
            for light in sorted(range(len(load)), key=lambda j: load[j]):
                if load[heavy] - load[light] < 2:
                    break
                movable = sorted(a for a, j in pairs if j == heavy
                                 and (a, light) in eligible and (a, light) not in pairs)
                if movable:
                    pairs.discard((movable[0], heavy))
                    pairs.add((movable[0], light))
                    load[heavy] -= 1
                    load[light] += 1
                    moved = True
                    break
            if moved:
                break
