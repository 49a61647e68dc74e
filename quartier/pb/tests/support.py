"""Test support: the shipped Pabulib files, the recorded pabutools outcomes, small elections."""

import json
from fractions import Fraction
from functools import cache
from pathlib import Path

from quartier.pb.engine.pabulib import Election, Project, read_pabulib
from quartier.pb.engine.profile import Profile, build_profile

DATA = Path(__file__).resolve().parent.parent / "data" / "pabulib"
REFERENCE = Path(__file__).resolve().parent / "reference" / "outcomes.json"
FILES = sorted(path.name for path in DATA.glob("*.pb"))


@cache
def election(name: str) -> Election:
    return read_pabulib(DATA / name)


@cache
def profile(name: str, sat: str) -> Profile:
    return build_profile(election(name), sat)


@cache
def reference() -> dict:
    """pabutools 1.2.3 outcomes per file and "rule/sat" (see scripts/record_pabutools.py)."""
    return json.loads(REFERENCE.read_text(encoding="utf-8"))["files"]


def ids(election: Election, selected: list[int]) -> list[str]:
    return [election.projects[j].project_id for j in selected]


def make_election(
    costs: dict[str, int | Fraction],
    budget: int | Fraction,
    ballots: list[list[str]],
    points: list[list[int]] | None = None,
    vote_type: str | None = None,
) -> Election:
    """An election built in memory: project ids to costs, ballots as lists of ids."""
    vote_type = vote_type or ("cumulative" if points is not None else "approval")
    projects = [Project(pid, Fraction(cost)) for pid, cost in costs.items()]
    index = {pid: j for j, pid in enumerate(costs)}
    return Election(
        meta={"budget": str(budget), "vote_type": vote_type, "rule": "greedy"},
        budget=Fraction(budget),
        vote_type=vote_type,
        projects=projects,
        voter_ids=[str(i) for i in range(len(ballots))],
        votes=[tuple(index[pid] for pid in ballot) for ballot in ballots],
        points=[tuple(p) for p in points] if points is not None else None,
    )


# Budgets in the database ------------------------------------------------------------------

DAY = 86_400


def phase_dates(phase: str) -> dict:
    """Dates that put a budget in `phase` now."""
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    # Offsets in days of proposals_open, proposals_close, voting_opens, voting_closes.
    offsets = {
        "upcoming": (1, 2, 3, 4),
        "proposal": (-1, 1, 2, 3),
        "review": (-2, -1, 1, 2),
        "voting": (-3, -2, -1, 1),
        "result": (-4, -3, -2, -1),
    }[phase]
    names = ("proposals_open", "proposals_close", "voting_opens", "voting_closes")
    return {name: now + timedelta(days=days) for name, days in zip(names, offsets, strict=True)}


def make_budget(quarter, phase: str = "voting", **fields):
    from quartier.pb.models import Budget

    data = {"title": "Bürgerbudget Südstadt", "amount_cents": 10_000_00,
            "ballot_type": "approval", "min_projects": 1, "max_projects": 3, "min_votes": 1,
            "access": "both", **phase_dates(phase)}
    data.update(fields)
    budget = Budget(quarter=quarter, **data)
    budget.full_clean()
    budget.save()
    return budget


def make_proposals(budget, costs: dict[str, int], status: str = "feasible", **fields) -> list:
    """Proposals titled by the keys of `costs` (whole euros), numbered 1, 2, 3 … in the budget,
    feasible unless told otherwise."""
    from quartier.pb.models import Proposal

    start = budget.proposals.count()
    return [Proposal.objects.create(budget=budget, ref=str(start + n), title=title,
                                    cost_cents=cost * 100, status=status,
                                    description=f"Beschreibung {title}", **fields)
            for n, (title, cost) in enumerate(costs.items(), 1)]


def set_phase(budget, phase: str):
    for name, value in phase_dates(phase).items():
        setattr(budget, name, value)
    budget.save()
    return budget
