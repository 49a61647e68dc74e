"""Maximum utilitarian welfare: pabutools' `max_additive_utilitarian_welfare`.

A 0/1 knapsack: choose projects within the budget so that the summed satisfaction of all
voters is largest. We run the same branch and bound as pabutools (Pisinger's expanding core,
its default `PRIMAL_DUAL` algorithm) but in integers: profits and costs are scaled to integers
by their common denominators, so every bound and comparison is exact and the optimum is proven.

Among several optimal sets the search keeps the first it finds, which depends on the order of
projects by satisfaction per cost. Pabutools breaks equal ratios in the iteration order of a
set of projects, which follows Python's string hashing and changes from run to run; we break
them by project id. So when two projects have equal ratios pabutools may return another optimal
set than ours, with the same welfare. Pabutools also bounds with floating point ratios rounded
down; exact bounds can only prune less, never return a worse set.
"""

from __future__ import annotations

import sys
from fractions import Fraction
from math import lcm

from quartier.pb.engine.outcome import Outcome, total_cost
from quartier.pb.engine.profile import Profile


def max_welfare(profile: Profile) -> Outcome:
    """An optimal set of projects, listed in file order; `details["welfare"]` is its value."""
    totals = profile.totals
    profits = [int(totals[j]) * profile.unit_value[j] for j in range(profile.num_projects)]
    profit_scale = lcm(*(p.denominator for p in profits), 1)
    cost_scale = lcm(*(c.denominator for c in profile.costs), profile.budget.denominator)
    items = [
        (int(profits[j] * profit_scale), int(profile.costs[j] * cost_scale), j)
        for j in range(profile.num_projects)
    ]
    # Highest profit per cost first, ties by project id; exact: compare p1 * w2 with p2 * w1.
    items.sort(key=lambda item: (-Fraction(item[0], item[1]), profile.project_ids[item[2]]))
    capacity = int(profile.budget * cost_scale)
    chosen = _expanding_core(items, capacity)
    selected = sorted(j for _, _, j in chosen)
    welfare = sum((profits[j] for j in selected), Fraction(0))
    return Outcome(selected, total_cost(profile.costs, selected), {"welfare": welfare})


def _expanding_core(items: list[tuple[int, int, int]], capacity: int) -> list:
    """Pabutools' `primal_dual_branch` on integer (profit, weight, id) items sorted by ratio."""
    split_idx, split_weight, split_profit, room = -1, 0, 0, capacity
    for i, (profit, weight, _) in enumerate(items):
        room -= weight
        split_idx = i
        if split_idx == len(items) - 1 and room >= 0:
            split_idx += 1
        if room < 0:
            break
        split_weight += weight
        split_profit += profit

    x = [0] * len(items)
    best = {"profit": 0, "a": -1, "b": -1}

    def bound(room: int, item) -> int:
        # floor(room * profit / weight): the most the remaining room can still earn.
        return (room * item[0]) // item[1]

    def branch(a: int, b: int, profit_sum: int, weight_sum: int) -> bool:
        improved = False
        if weight_sum <= capacity:
            if profit_sum > best["profit"]:
                best.update(profit=profit_sum, a=a, b=b)
                improved = True
            if b > len(items) - 1:
                return improved
            if profit_sum + bound(capacity - weight_sum, items[b]) <= best["profit"]:
                return improved
            pb, wb, _ = items[b]
            if branch(a, b + 1, profit_sum + pb, weight_sum + wb):
                x[b] = 1
                improved = True
            if branch(a, b + 1, profit_sum, weight_sum):
                x[b] = 0
                improved = True
        else:
            if a < 0:
                return False
            if profit_sum + bound(capacity - weight_sum, items[a]) <= best["profit"]:
                return False
            pa, wa, _ = items[a]
            if branch(a - 1, b, profit_sum - pa, weight_sum - wa):
                x[a] = 0
                improved = True
            if branch(a - 1, b, profit_sum, weight_sum):
                x[a] = 1
                improved = True
        return improved

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 4 * len(items) + 100))
    try:
        branch(split_idx - 1, split_idx, split_profit, split_weight)
    finally:
        sys.setrecursionlimit(limit)

    chosen = []
    for i in range(len(items)):
        if i < best["b"]:
            if i < best["a"] + 1:
                x[i] = 1
            if x[i] == 1:
                chosen.append(items[i])
    return chosen
