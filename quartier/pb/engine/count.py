"""One entry point for the rules: an election in, a JSON-ready summary out."""

from __future__ import annotations

from fractions import Fraction

from quartier.pb.engine.equal_shares import equal_shares
from quartier.pb.engine.greedy import greedy
from quartier.pb.engine.max_welfare import max_welfare
from quartier.pb.engine.pabulib import Election
from quartier.pb.engine.profile import SATS_BY_VOTE_TYPE, build_profile
from quartier.pb.engine.published import count_published

RULES = ("greedy", "equal-shares", "max-welfare", "meta")
SATS = ("cost", "cardinality", "points")


def count(
    election: Election,
    rule: str,
    sat: str | None = None,
    *,
    skip: bool = True,
    min_score: Fraction | None = None,
) -> dict:
    """Run `rule` with satisfaction `sat` (default: the first that applies to the ballots).

    `selected` lists project ids in the order the rule funded them (file order for
    max-welfare). `rule="meta"` runs the city rule named in the file (see published.py).
    `skip` and `min_score` are the greedy variants (see greedy.py).
    """
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}")
    if rule == "meta":
        outcome = count_published(election)
        sat = None
        rule_name = f"meta:{election.meta.get('rule', '')}"
    else:
        sat = sat or SATS_BY_VOTE_TYPE[election.vote_type][0]
        profile = build_profile(election, sat)
        if rule == "greedy":
            outcome = greedy(profile, skip=skip, min_score=min_score)
        elif rule == "equal-shares":
            outcome = equal_shares(profile)
        else:
            outcome = max_welfare(profile)
        rule_name = rule
    ids = [p.project_id for p in election.projects]
    result = {
        "rule": rule_name,
        "sat": sat,
        "budget": number(election.budget),
        "spent": number(outcome.spent),
        "voters": election.num_voters,
        "projects": len(election.projects),
        "selected": [ids[j] for j in outcome.selected],
        "order": "file" if rule == "max-welfare" else "selection",
    }
    details = dict(outcome.details)
    if "mes" in details:
        details["mes"] = [ids[j] for j in details["mes"]]
    if "reserve" in details:
        details["reserve"] = [ids[j] for j in details["reserve"]]
    result.update({key: number(v) if isinstance(v, Fraction) else v for key, v in details.items()})
    return result


def number(value: Fraction | int) -> int | float:
    """Integers stay exact; other amounts (cents, budget per voter) become floats."""
    value = Fraction(value)
    return value.numerator if value.denominator == 1 else float(value)
