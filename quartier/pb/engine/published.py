"""The rule a city announced (Pabulib META `rule`), to reproduce its published outcome.

Cities rank by score: the number of supporters (approval, choose-1), the total points
(cumulative, scoring) or positional points for a ranking (ordinal: a ballot of length k gives
k, k-1, ..., 1 points, as in the files' `score` column; Kraków ranks 3 projects: 3, 2, 1).
Equal scores are broken by project id in string order (no file states a tie-break).

    greedy            fund in score order every project that still fits
    greedy-threshold  the same, leaving out projects with score < min_project_score_threshold
    greedy-no-skip    stop at the first project that does not fit (threshold if META has one)
    greedy-exclusive  greedy; the exclusions (projects that rule each other out) are not in
                      the file, so they cannot be applied
    greedy-custom     Poznań: no-skip, then the first project that did not fit is funded from a
                      reserve if the money left covers 80 % of its cost (`details["reserve"]`)
    equalshares/add1  MES with cost satisfaction, Add1 raised until the outcome is over budget,
                      the last outcome within it, no greedy finish (equalshares.net)
    equalshares/add1-comparison
                      the same, then compared with greedy by popularity: the outcome that more
                      voters prefer (cost satisfaction, ties count for both) is kept, MES when
                      equal
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import numpy as np

from quartier.pb.engine.equal_shares import equal_shares
from quartier.pb.engine.greedy import greedy
from quartier.pb.engine.outcome import Outcome
from quartier.pb.engine.pabulib import Election, parse_number
from quartier.pb.engine.profile import SATS_BY_VOTE_TYPE, Profile, build_profile

RESERVE_SHARE = Fraction(4, 5)
RULES = (
    "greedy",
    "greedy-threshold",
    "greedy-no-skip",
    "greedy-exclusive",
    "greedy-custom",
    "equalshares/add1",
    "equalshares/add1-comparison",
)


class UnknownRule(ValueError):
    """A META rule that is not implemented; `rule` and `known` (the rules that are) for
    callers' own words."""

    def __init__(self, rule: str):
        self.rule, self.known = rule, RULES
        super().__init__(f"rule {rule!r} is not implemented (known: {', '.join(RULES)})")


def city_scores(election: Election) -> list[Fraction]:
    """Score of every project as cities rank them (see the module docstring)."""
    scores = [Fraction(0)] * len(election.projects)
    for i, ballot in enumerate(election.votes):
        for rank, j in enumerate(ballot):
            if election.points is not None:
                scores[j] += election.points[i][rank]
            elif election.vote_type == "ordinal":
                scores[j] += len(ballot) - rank
            else:
                scores[j] += 1
    return scores


def count_published(election: Election) -> Outcome:
    """Outcome of the election's META rule; UnknownRule if we do not implement it."""
    rule = election.meta.get("rule", "")
    if rule not in RULES:
        raise UnknownRule(rule)
    if rule.startswith("equalshares"):
        profile = build_profile(election, "cost")
        outcome = equal_shares(profile, stop_when_exhaustive=False, complete=False)
        if rule.endswith("-comparison"):
            other = greedy(profile)
            for_mes, for_greedy = _popularity(profile, outcome.selected, other.selected)
            outcome.details["comparison"] = {"equal-shares": for_mes, "greedy": for_greedy}
            if for_greedy > for_mes:
                other.details.update(outcome.details, kept="greedy")
                return other
            outcome.details["kept"] = "equal-shares"
        return outcome
    sat = SATS_BY_VOTE_TYPE[election.vote_type][0]
    profile = replace(build_profile(election, sat), scores=city_scores(election))
    threshold = election.meta.get("min_project_score_threshold")
    min_score = parse_number(threshold) if threshold and rule != "greedy" else None
    skip = rule not in ("greedy-no-skip", "greedy-custom")
    outcome = greedy(profile, skip=skip, min_score=min_score, by_score=True)
    if rule == "greedy-custom":
        _fund_from_reserve(profile, outcome, min_score)
    return outcome


def _fund_from_reserve(profile: Profile, outcome: Outcome, min_score) -> None:
    remaining = profile.budget - outcome.spent
    funded = set(outcome.selected)
    ranking = sorted(
        (
            j
            for j in range(profile.num_projects)
            if j not in funded and (min_score is None or profile.scores[j] >= min_score)
        ),
        key=lambda j: (-profile.scores[j], profile.project_ids[j]),
    )
    outcome.details["reserve"] = []
    if ranking and remaining >= RESERVE_SHARE * profile.costs[ranking[0]]:
        j = ranking[0]
        outcome.selected.append(j)
        outcome.spent += profile.costs[j]
        outcome.details["reserve"].append(j)


def _popularity(profile: Profile, a: list[int], b: list[int]) -> tuple[int, int]:
    """Voters at least as satisfied (cost satisfaction) with `a` as with `b`, and vice versa."""
    scale = np.lcm.reduce([c.denominator for c in profile.costs])
    costs = np.array([int(c * scale) for c in profile.costs], dtype=np.int64)
    sat_a = profile.units[:, a] @ costs[a]
    sat_b = profile.units[:, b] @ costs[b]
    weights = profile.weights
    return int(weights[sat_a >= sat_b].sum()), int(weights[sat_b >= sat_a].sum())
