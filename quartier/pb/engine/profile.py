"""Ballots as satisfaction numbers: the common input of the counting rules.

Satisfaction measures (pabutools' names in brackets), for voter i and project j:

- `cost`        (Cost_Sat): cost of j if i approves j, else 0 — approval, choose-1, ordinal
- `cardinality` (Cardinality_Sat): 1 if i approves j, else 0 — approval, choose-1, ordinal
- `points`      (Additive_Cardinal_Sat): the points i gave j — cumulative, scoring

An ordinal ballot approves every ranked project; a choose-1 ballot approves its one project.

Voters with the same ballot are one group with a weight. Satisfaction is stored exactly as an
integer matrix `units` (groups x projects) times a per-project `unit_value`: 0/1 times the cost
(or times 1) for approval, points times 1/D for points (D the common denominator, usually 1).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from math import lcm

import numpy as np

from quartier.pb.engine.pabulib import Election

SATS_BY_VOTE_TYPE = {
    "approval": ("cost", "cardinality"),
    "choose-1": ("cost", "cardinality"),
    "ordinal": ("cost", "cardinality"),
    "cumulative": ("points",),
    "scoring": ("points",),
}


@dataclass(frozen=True)
class Profile:
    project_ids: list[str]
    costs: list[Fraction]
    budget: Fraction
    sat: str
    num_voters: int
    weights: np.ndarray  # (groups,) int64, voters per distinct ballot, all > 0
    units: np.ndarray  # (groups, projects) int64, satisfaction in units, >= 0
    unit_value: list[Fraction]  # per project, satisfaction of one unit
    totals: np.ndarray  # (projects,) int64, weights @ units: total satisfaction in units
    # Per project the number of supporters (approval, ordinal) or total points: the `votes` or
    # `score` a city ranks by.
    scores: list[Fraction]

    @property
    def num_projects(self) -> int:
        return len(self.costs)

    def total_satisfaction(self, project: int) -> Fraction:
        """Sum over voters of their satisfaction with `project`, exact."""
        return int(self.totals[project]) * self.unit_value[project]


class SatisfactionError(ValueError):
    """A satisfaction that the ballots do not allow; `sat`, `vote_type` and `allowed` say
    which, so that callers can word it in their language."""

    def __init__(self, sat: str, vote_type: str, allowed: tuple[str, ...]):
        self.sat, self.vote_type, self.allowed = sat, vote_type, tuple(allowed)
        super().__init__(f"--sat {sat} does not apply to {vote_type} ballots "
                         f"(use {' or '.join(allowed)})")


def build_profile(election: Election, sat: str) -> Profile:
    """Group equal ballots and express `sat` (cost, cardinality or points) as integers."""
    allowed = SATS_BY_VOTE_TYPE[election.vote_type]
    if sat not in allowed:
        raise SatisfactionError(sat, election.vote_type, allowed)
    num_projects = len(election.projects)
    costs = [p.cost for p in election.projects]
    if sat == "points":
        raw = Counter(zip(election.votes, election.points or [], strict=True))
        keys: Counter = Counter()
        for (ballot, points), count in raw.items():
            keys[tuple(sorted(zip(ballot, points, strict=True)))] += count
        denominator = lcm(*(Fraction(v).denominator for key in keys for _, v in key), 1)
        unit_value = [Fraction(1, denominator)] * num_projects
    else:
        keys = Counter()
        # An empty ballot stays a group of its own: it counts in the number of voters.
        for ballot, count in Counter(election.votes).items():
            keys[tuple(sorted(ballot))] += count
        denominator = 1
        unit_value = list(costs) if sat == "cost" else [Fraction(1)] * num_projects
    weights = np.fromiter(keys.values(), dtype=np.int64, count=len(keys))
    lengths = np.fromiter((len(key) for key in keys), dtype=np.int64, count=len(keys))
    rows = np.repeat(np.arange(len(keys)), lengths)
    units = np.zeros((len(keys), num_projects), dtype=np.int64)
    if sat == "points":
        items = [item for key in keys for item in key]
        cols = np.array([project for project, _ in items], dtype=np.int64)
        units[rows, cols] = [int(value * denominator) for _, value in items]
    else:
        cols = np.fromiter((j for key in keys for j in key), dtype=np.int64, count=len(rows))
        units[rows, cols] = 1
    totals = weights @ units
    scores = [Fraction(int(t), denominator) for t in totals]
    return Profile(
        project_ids=[p.project_id for p in election.projects],
        costs=costs,
        budget=election.budget,
        sat=sat,
        num_voters=election.num_voters,
        weights=weights,
        units=units,
        unit_value=unit_value,
        totals=totals,
        scores=scores,
    )
