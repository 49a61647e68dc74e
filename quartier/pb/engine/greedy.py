"""Greedy counting: pabutools' `greedy_utilitarian_welfare` and the variants cities use.

The rule ranks projects by total satisfaction per cost, highest first (0 for a project nobody
supports), ties by project id in string order (pabutools' lexicographic tie-breaking), then
walks down the ranking and funds every project that still fits in the remaining budget.
With `cost` satisfaction the ratio is the number of supporters, so this is the usual
"most votes first" city rule.

Options for city rules (none of them in pabutools):

- `skip=False` stops at the first project that does not fit (Pabulib rule `greedy-no-skip`);
- `min_score` leaves out projects whose score (supporters, or total points) is below it
  (`greedy-threshold`, META `min_project_score_threshold`);
- `by_score=True` ranks by score instead of satisfaction per cost (cities rank cumulative and
  ordinal ballots by total points, not points per cost).

All comparisons are exact (`Fraction`).
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

from quartier.pb.engine.outcome import Outcome, total_cost
from quartier.pb.engine.profile import Profile


def greedy(
    profile: Profile,
    *,
    skip: bool = True,
    min_score: Fraction | int | None = None,
    by_score: bool = False,
    initial: Iterable[int] = (),
) -> Outcome:
    """Fund projects in ranking order; `initial` projects are funded already (a completion).

    `selected` lists the initial projects first, then the ones this rule added.
    """
    selected = list(initial)
    taken = set(selected)
    remaining = profile.budget - total_cost(profile.costs, selected)
    totals = profile.totals
    for j in sorted(
        (j for j in range(profile.num_projects) if j not in taken),
        key=lambda j: (-_value(profile, totals, j, by_score), profile.project_ids[j]),
    ):
        if min_score is not None and profile.scores[j] < min_score:
            continue
        if profile.costs[j] <= remaining:
            selected.append(j)
            remaining -= profile.costs[j]
        elif not skip:
            break
    return Outcome(selected, total_cost(profile.costs, selected))


def _value(profile: Profile, totals, j: int, by_score: bool) -> Fraction:
    if by_score:
        return profile.scores[j]
    total = int(totals[j]) * profile.unit_value[j]
    return total / profile.costs[j] if total > 0 else Fraction(0)
