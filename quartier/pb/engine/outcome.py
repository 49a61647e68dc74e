"""The result of a counting rule."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction


@dataclass
class Outcome:
    # Indices of the funded projects (into Election.projects), in the order the rule funded
    # them; max-welfare, which has no order, lists them in file order.
    selected: list[int]
    spent: Fraction
    # Rule-specific figures, e.g. the Add1 rounds and the final budget per voter of MES.
    details: dict = field(default_factory=dict)


def total_cost(costs: list[Fraction], selected: list[int]) -> Fraction:
    return sum((costs[j] for j in selected), Fraction(0))
