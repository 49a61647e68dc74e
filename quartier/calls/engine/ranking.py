"""Ranking of applications from jury scores, corrected for lenient and strict jurors.

Pure computation (stdlib only). docs/calls.md, "Ranking", states the formulas:

    weighted score of a review   v = Σ_c w_c·s_c / Σ_c w_c        (on the call's scale)
    raw score of an application  mean of its reviews' v
    z of a review                z = (v − μ_j) / σ_j               μ_j, σ_j: mean and population
                                                                   standard deviation of juror j
    corrected score              μ + σ · mean of the application's z
                                                                   μ, σ: over all reviews

A juror with fewer than MIN_REVIEWS_FOR_Z reviews, or whose reviews are all equal (σ_j = 0),
cannot be told lenient or strict; their reviews use the overall μ and σ instead. When all
reviews are equal (σ = 0) the corrected score is the raw score. The spread of an application
is the largest minus the smallest v of its reviews; it is flagged at `spread_limit` or more.
"""

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

MIN_REVIEWS_FOR_Z = 2


@dataclass(frozen=True)
class Review:
    application: Hashable
    juror: Hashable
    weighted: float


@dataclass(frozen=True)
class Ranked:
    application: Hashable
    rank: int
    raw: float
    corrected: float
    reviews: int
    spread: float
    flagged: bool


def weighted_score(scores: Sequence[float], weights: Sequence[float]) -> float:
    """Σ w·s / Σ w; the weights must be positive."""
    if len(scores) != len(weights) or len(scores) == 0:
        raise ValueError("one score per criterion is needed")
    total = sum(weights)
    if total <= 0:
        raise ValueError("the weights must add up to more than 0")
    return sum(w * s for w, s in zip(weights, scores, strict=True)) / total


def _mean_sd(values: Sequence[float]) -> tuple[float, float]:
    mean = sum(values) / len(values)
    return mean, math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))


def juror_leniency(reviews: Iterable[Review]) -> dict[Hashable, tuple[float, float, int]]:
    """Per juror: mean, standard deviation and number of their weighted scores."""
    by_juror = defaultdict(list)
    for review in reviews:
        by_juror[review.juror].append(review.weighted)
    return {juror: (*_mean_sd(values), len(values)) for juror, values in by_juror.items()}


def rank(reviews: Sequence[Review], *, spread_limit: float) -> list[Ranked]:
    """Applications with at least one review, best first (corrected, then raw score; ties
    keep the order in which applications first appear in `reviews`)."""
    if not reviews:
        return []
    mean, sd = _mean_sd([r.weighted for r in reviews])
    jurors = juror_leniency(reviews)
    by_application: dict[Hashable, list[tuple[float, float]]] = {}
    for review in reviews:
        juror_mean, juror_sd, count = jurors[review.juror]
        if sd == 0:
            z = 0.0
        elif count >= MIN_REVIEWS_FOR_Z and juror_sd > 0:
            z = (review.weighted - juror_mean) / juror_sd
        else:
            z = (review.weighted - mean) / sd
        by_application.setdefault(review.application, []).append((review.weighted, z))
    rows = []
    for position, (application, pairs) in enumerate(by_application.items()):
        values = [v for v, _z in pairs]
        raw = sum(values) / len(values)
        corrected = raw if sd == 0 else mean + sd * sum(z for _v, z in pairs) / len(pairs)
        spread = max(values) - min(values)
        rows.append((-corrected, -raw, position, application, raw, corrected, len(values), spread))
    rows.sort(key=lambda row: row[:3])
    return [
        Ranked(application=row[3], rank=number, raw=row[4], corrected=row[5], reviews=row[6],
               spread=row[7], flagged=row[7] >= spread_limit - 1e-9)
        for number, row in enumerate(rows, start=1)
    ]
