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
