"""Award allocation under a pot: fund down the ranked list, and the optimum (HiGHS).

Pure computation: stdlib, NumPy and highspy, never Django. Money is integer cents; a score is
any finite number, higher is better (the calls app passes the corrected jury score).

The optimum (docs/calls.md, "Allocation model"), for applications i with score s_i and
requested amount a_i, pot P, at least L awards per Regierungsbezirk r and at most U per Kreis k:

    whole applications   maximise Σ s_i·x_i            x_i ∈ {0, 1}
                         Σ a_i·x_i ≤ P,  Σ_{i∈r} x_i ≥ L,  Σ_{i∈k} x_i ≤ U
    partial funding      maximise Σ s_i·y_i / a_i       y_i cents, x_i ∈ {0, 1}
                         m_i·x_i ≤ y_i ≤ a_i·x_i,  Σ y_i ≤ P,  the same rules on x

where m_i = min(minimum award, a_i). A partially funded application earns its score in
proportion to the share of its request that is funded. The rule on Regierungsbezirke applies
to every Regierungsbezirk with at least one application.

An allocation is called optimal only when HiGHS has proven it so (model status optimal with a
relative gap of 0 and an absolute gap of at most OPTIMALITY_TOLERANCE); when the time limit
stops the search, the best allocation found is returned with its proven gap.
"""

import math
import os
import sys
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

# Proven optimal means: no allocation can score more than this above the one returned.
OPTIMALITY_TOLERANCE = 1e-6
DEFAULT_TIME_LIMIT_S = 10.0
# Bounds that keep sums exact in int64 and float64: 100 billion euros, a billion points, a
# million awards per rule.
MAX_CENTS = 10**13
MAX_SCORE = 1e9
MAX_COUNT = 10**6


def gettext_noop(message: str) -> str:
    """Marks a message for the catalog (makemessages); translating is the caller's part."""
    return message


def _as_written(message: str) -> str:
    return message


class ProblemError(ValueError):
    """The problem is malformed (a missing or wrong value); the message names it.

    `reason` % `values` is the English message (a msgid and its values); `application` is the
    number (from 1) and, once known, the id of the application it concerns. `text(gettext)`
    gives the message in the caller's language; str() is English.
    """

    def __init__(self, reason: str, values: dict | None = None, *,
                 application: tuple[int, str | None] | None = None):
        self.reason = reason
        self.values = values or {}
        self.application = application
        super().__init__(self.text())

    def text(self, gettext=_as_written) -> str:
        message = gettext(self.reason) % self.values
        if self.application is None:
            return message
        number, key = self.application
        where = (gettext(gettext_noop("application %(number)s")) if key is None
                 else gettext(gettext_noop("application %(number)s (%(id)s)")))
        return gettext(gettext_noop("%(application)s: %(reason)s")) % {
            "application": where % {"number": number, "id": key}, "reason": message}


class AllocationError(Exception):
    """No allocation can be given: `code` says why, `params` carry the figures.

    Codes: too_few_in_regierungsbezirk (regierungsbezirk, count, need), capped_by_kreis
    (regierungsbezirk, possible, need), pot_too_small (need_cents, pot_cents), infeasible,
    no_solution (the time limit came before any allocation was found), solver (status).
    `reason` % `values` is the English message (a msgid; `values` are the params and any
    figures only the message uses).
    """

    def __init__(self, code: str, reason: str, *, values: dict | None = None, **params):
        self.code = code
        self.reason = reason
        self.params = params
        self.values = {**params, **(values or {})}
        super().__init__(reason % self.values)


@dataclass(frozen=True)
class Problem:
    """Applications in ranked order (best first) as parallel arrays, and the rules."""

    ids: tuple[str, ...]
    scores: np.ndarray  # float64
    amounts: np.ndarray  # int64, requested cents, each > 0
    regierungsbezirke: tuple[str, ...]
    kreise: tuple[str, ...]
    pot_cents: int
    min_per_regierungsbezirk: int = 0
    max_per_kreis: int | None = None
    partial: bool = False
    # The least amount a partially funded application may get (cents).
    min_award_cents: int = 0

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class Violation:
    """A rule an allocation breaks: too few awards in a Regierungsbezirk, too many in a Kreis."""

    rule: str  # "min_per_regierungsbezirk" | "max_per_kreis"
    place: str
    count: int
    limit: int

    def as_dict(self) -> dict:
        return {"rule": self.rule, "place": self.place, "count": self.count, "limit": self.limit}


@dataclass(frozen=True)
class Allocation:
    """The outcome of one method. `awards` maps id → cents in ranked order."""

    method: str  # "optimal" | "list"
    awards: dict[str, int]
    total_score: float
    spent_cents: int
    pot_cents: int
    optimal: bool
    status: str  # "optimal", "time_limit", "list"
    # Relative gap proven by the solver, (bound − total) / |total|; None for the list.
    gap: float | None = None
    bound: float | None = None
    seconds: float = 0.0
    highs_seconds: float = 0.0
    violations: tuple[Violation, ...] = ()
    partial_ids: tuple[str, ...] = field(default=())

    @property
    def selected(self) -> list[str]:
        return list(self.awards)

    @property
    def feasible(self) -> bool:
        return self.spent_cents <= self.pot_cents and not self.violations

    def as_dict(self) -> dict:
        return {
            "method": self.method,
            "selected": self.selected,
            "awards": self.awards,
            "total_score": round(self.total_score, 9),
            "spent": self.spent_cents,
            "pot": self.pot_cents,
            "optimal": self.optimal,
            "status": self.status,
            "gap": self.gap,
            "bound": None if self.bound is None else round(self.bound, 9),
            "feasible": self.feasible,
            "violations": [v.as_dict() for v in self.violations],
            "partial": list(self.partial_ids),
            "seconds": round(self.seconds, 6),
            "highs_seconds": round(self.highs_seconds, 6),
        }


# Building problems ---------------------------------------------------------------------


def _whole_number(value, name: str, *, minimum: int, maximum: int, application=None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProblemError(gettext_noop("%(name)s must be a whole number, not %(value)s"),
                           {"name": name, "value": repr(value)}, application=application)
    if value < minimum:
        raise ProblemError(gettext_noop("%(name)s must be at least %(minimum)s, not %(value)s"),
                           {"name": name, "minimum": minimum, "value": value},
                           application=application)
    if value > maximum:
        raise ProblemError(gettext_noop("%(name)s must be at most %(maximum)s, not %(value)s"),
                           {"name": name, "maximum": maximum, "value": value},
                           application=application)
    return value


def make_problem(
    applications: Iterable[Mapping], *, pot_cents: int, min_per_regierungsbezirk: int = 0,
    max_per_kreis: int | None = None, partial: bool = False, min_award_cents: int = 0,
) -> Problem:
    """A checked problem from mappings with id, score, amount (cents), regierungsbezirk and
    kreis (the last two needed only when a rule uses them). Raises ProblemError."""
    pot_cents = _whole_number(pot_cents, "pot", minimum=0, maximum=MAX_CENTS)
    min_per_regierungsbezirk = _whole_number(
        min_per_regierungsbezirk, "min_per_regierungsbezirk", minimum=0, maximum=MAX_COUNT
    )
    if max_per_kreis is not None:
        max_per_kreis = _whole_number(max_per_kreis, "max_per_kreis", minimum=0,
                                      maximum=MAX_COUNT)
    min_award_cents = _whole_number(min_award_cents, "min_award", minimum=0, maximum=MAX_CENTS)
    ids, scores, amounts, bezirke, kreise = [], [], [], [], []
    seen = set()
    for number, application in enumerate(applications, start=1):
        if not isinstance(application, Mapping):
            raise ProblemError(gettext_noop("must be an object"), application=(number, None))
        key = application.get("id")
        if isinstance(key, bool) or not isinstance(key, str | int) or str(key) == "":
            raise ProblemError(gettext_noop("id must be a non-empty string"),
                               application=(number, None))
        key = str(key)
        if key in seen:
            raise ProblemError(gettext_noop("the id %(id)s is used twice"), {"id": repr(key)},
                               application=(number, None))
        seen.add(key)
        where = (number, key)
        score = application.get("score")
        if isinstance(score, bool) or not isinstance(score, int | float) or not math.isfinite(
            score
        ):
            raise ProblemError(gettext_noop("score must be a finite number, not %(value)s"),
                               {"value": repr(score)}, application=where)
        if abs(score) > MAX_SCORE:
            raise ProblemError(
                gettext_noop("score must be between %(minimum)s and %(maximum)s, not %(value)s"),
                {"minimum": f"{-MAX_SCORE:g}", "maximum": f"{MAX_SCORE:g}",
                 "value": repr(score)}, application=where)
        amount = _whole_number(application.get("amount"), "amount", minimum=1,
                               maximum=MAX_CENTS, application=where)
        bezirk = application.get("regierungsbezirk", "")
        kreis = application.get("kreis", "")
        for name, value, needed in (
            ("regierungsbezirk", bezirk, min_per_regierungsbezirk > 0),
            ("kreis", kreis, max_per_kreis is not None),
        ):
            if not isinstance(value, str) or (needed and not value):
                raise ProblemError(gettext_noop("%(name)s must be a non-empty string"),
                                   {"name": name}, application=where)
        ids.append(key)
        scores.append(float(score))
        amounts.append(amount)
        bezirke.append(bezirk)
        kreise.append(kreis)
    return Problem(
        ids=tuple(ids), scores=np.asarray(scores, dtype=np.float64),
        amounts=np.asarray(amounts, dtype=np.int64), regierungsbezirke=tuple(bezirke),
        kreise=tuple(kreise), pot_cents=pot_cents,
        min_per_regierungsbezirk=min_per_regierungsbezirk, max_per_kreis=max_per_kreis,
        partial=bool(partial), min_award_cents=min_award_cents,
    )


def problem_from_json(data) -> Problem:
    """The CLI's format: {"pot": cents, "applications": [{"id", "score", "amount",
    "regierungsbezirk", "kreis"}, ...], "min_per_regierungsbezirk", "max_per_kreis",
    "allow_partial", "min_award"} (the last four optional)."""
    if not isinstance(data, Mapping):
        raise ProblemError(gettext_noop("the problem must be a JSON object"))
    if "pot" not in data:
        raise ProblemError(gettext_noop("pot (cents) is missing"))
    applications = data.get("applications")
    if not isinstance(applications, list):
        raise ProblemError(gettext_noop("applications must be a list"))
    allow_partial = data.get("allow_partial", False)
    if not isinstance(allow_partial, bool):
        raise ProblemError(gettext_noop("allow_partial must be true or false"))
    return make_problem(
        applications, pot_cents=data["pot"],
        min_per_regierungsbezirk=data.get("min_per_regierungsbezirk") or 0,
        max_per_kreis=data.get("max_per_kreis"), partial=allow_partial,
        min_award_cents=data.get("min_award") or 0,
    )


# Checking allocations ------------------------------------------------------------------


def violations_of(problem: Problem, selected: Sequence[int]) -> tuple[Violation, ...]:
    """The rules broken by awarding the applications at these positions."""
    found = []
    if problem.min_per_regierungsbezirk:
        counts = dict.fromkeys(problem.regierungsbezirke, 0)
        for i in selected:
            counts[problem.regierungsbezirke[i]] += 1
        found += [
            Violation("min_per_regierungsbezirk", bezirk, count, problem.min_per_regierungsbezirk)
            for bezirk, count in sorted(counts.items())
            if count < problem.min_per_regierungsbezirk
        ]
    if problem.max_per_kreis is not None:
        counts = {}
        for i in selected:
            counts[problem.kreise[i]] = counts.get(problem.kreise[i], 0) + 1
        found += [
            Violation("max_per_kreis", kreis, count, problem.max_per_kreis)
            for kreis, count in sorted(counts.items())
            if count > problem.max_per_kreis
        ]
    return tuple(found)


def _least_awards(problem: Problem) -> np.ndarray:
    return np.minimum(problem.amounts, max(problem.min_award_cents, 1))


def _score_of(problem: Problem, amounts: np.ndarray) -> float:
    """Total score of awarding these amounts (cents per application)."""
    return float(np.sum(problem.scores * (amounts / problem.amounts)))


def _allocation(problem: Problem, method: str, amounts: np.ndarray, **fields) -> Allocation:
    positions = np.flatnonzero(amounts > 0)
    if method == "list":
        positions = fields.pop("order")
    else:
        fields.pop("order", None)
    awards = {problem.ids[i]: int(amounts[i]) for i in positions}
    partial = tuple(problem.ids[i] for i in positions if amounts[i] < problem.amounts[i])
    return Allocation(
        method=method, awards=awards, total_score=_score_of(problem, amounts),
        spent_cents=int(amounts.sum()), pot_cents=problem.pot_cents,
        violations=violations_of(problem, positions), partial_ids=partial, **fields,
    )


# Fund down the list ---------------------------------------------------------------------


def ranked_order(problem: Problem) -> np.ndarray:
    """Positions by score, best first; ties keep the given (ranked) order."""
    return np.argsort(-problem.scores, kind="stable")


def allocate_list(problem: Problem) -> Allocation:
    """Fund down the ranked list: each application in turn gets its request if it fits in
    what is left of the pot, else it is passed over (smaller ones further down may fit);
    with partial funding the first that does not fit gets the rest if that reaches the
    minimum award. The regional rules are not applied, only reported (violations)."""
    started = time.perf_counter()
    left = problem.pot_cents
    amounts = np.zeros(len(problem), dtype=np.int64)
    least = _least_awards(problem)
    order = []
    for i in ranked_order(problem):
        request = int(problem.amounts[i])
        if request <= left:
            amounts[i] = request
        elif problem.partial and left >= least[i]:
            amounts[i] = left
        else:
            continue
        left -= int(amounts[i])
        order.append(int(i))
    return _allocation(problem, "list", amounts, order=order, optimal=False, status="list",
                       seconds=time.perf_counter() - started)


# The optimum ----------------------------------------------------------------------------

_banner_lock = threading.Lock()
_banner_shown = False


def _new_highs():
    """A silent HiGHS instance. The first one in a process prints a banner straight to file
    descriptor 1, which would corrupt the JSON the CLI prints, so that one is muted."""
    global _banner_shown
    import highspy

    with _banner_lock:
        if _banner_shown:
            highs = highspy.Highs()
        else:
            sys.stdout.flush()
            saved = os.dup(1)
            try:
                with open(os.devnull, "wb") as devnull:
                    os.dup2(devnull.fileno(), 1)
                    highs = highspy.Highs()
            finally:
                os.dup2(saved, 1)
                os.close(saved)
            _banner_shown = True
    highs.silent()
    return highs


def _check_rules_can_hold(problem: Problem) -> None:
    """Explain the infeasibilities that can be named before solving."""
    need = problem.min_per_regierungsbezirk
    if not need:
        return
    bezirke = np.asarray(problem.regierungsbezirke, dtype=object)
    kreise = np.asarray(problem.kreise, dtype=object)
    least = _least_awards(problem) if problem.partial else problem.amounts
    cheapest_total = 0
    for bezirk in sorted(set(problem.regierungsbezirke)):
        members = np.flatnonzero(bezirke == bezirk)
        if len(members) < need:
            raise AllocationError(
                "too_few_in_regierungsbezirk",
                gettext_noop("%(regierungsbezirk)s has %(count)s application(s); the rule "
                             "asks for %(need)s awards"),
                regierungsbezirk=bezirk, count=len(members), need=need,
            )
        if problem.max_per_kreis is not None:
            _names, per_kreis = np.unique(kreise[members], return_counts=True)
            possible = int(np.minimum(per_kreis, problem.max_per_kreis).sum())
            if possible < need:
                raise AllocationError(
                    "capped_by_kreis",
                    gettext_noop("%(regierungsbezirk)s can have at most %(possible)s awards "
                                 "under the rule per Kreis; the rule asks for %(need)s"),
                    regierungsbezirk=bezirk, possible=possible, need=need,
                )
        cheapest_total += int(np.sort(least[members])[:need].sum())
    if cheapest_total > problem.pot_cents:
        raise AllocationError(
            "pot_too_small",
            gettext_noop("the %(need)s cheapest applications of each Regierungsbezirk need "
                         "%(need_cents)s cents, more than the pot of %(pot_cents)s"),
            need_cents=cheapest_total, pot_cents=problem.pot_cents, values={"need": need},
        )


def _group_rows(codes: np.ndarray, offset: int) -> tuple[np.ndarray, np.ndarray, int]:
    """CSR starts and column indices of one row per group (a row of ones over its members)."""
    order = np.argsort(codes, kind="stable")
    counts = np.bincount(codes)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    return starts, order + offset, len(counts)


def _model(problem: Problem):
    """The integer programme as arrays: costs, bounds, rows in CSR, integrality."""
    n = len(problem)
    amounts = problem.amounts.astype(np.float64)
    inf = np.inf
    if problem.partial:
        # Columns 0..n-1: x (awarded or not); n..2n-1: y (cents awarded).
        cost = np.concatenate((np.zeros(n), problem.scores / amounts))
        lower, upper = np.zeros(2 * n), np.concatenate((np.ones(n), amounts))
        integrality = np.concatenate((np.ones(n), np.zeros(n))).astype(np.uint8)
        x = np.arange(n)
        # Pot over y; then per application y − a·x ≤ 0 and y − m·x ≥ 0.
        pot_index, pot_value = np.arange(n, 2 * n), np.ones(n)
        link_index = np.column_stack((x + n, x)).ravel()
        least = _least_awards(problem).astype(np.float64)
        upper_value = np.column_stack((np.ones(n), -amounts)).ravel()
        lower_value = np.column_stack((np.ones(n), -least)).ravel()
        row_blocks = [
            (np.array([0]), pot_index, pot_value, [-inf], [problem.pot_cents]),
            (np.arange(0, 2 * n, 2), link_index, upper_value, np.full(n, -inf), np.zeros(n)),
            (np.arange(0, 2 * n, 2), link_index, lower_value, np.zeros(n), np.full(n, inf)),
        ]
    else:
        cost = problem.scores.copy()
        lower, upper = np.zeros(n), np.ones(n)
        integrality = np.ones(n, dtype=np.uint8)
        row_blocks = [(np.array([0]), np.arange(n), amounts, [-inf], [problem.pot_cents])]
    if problem.min_per_regierungsbezirk:
        _names, codes = np.unique(np.asarray(problem.regierungsbezirke), return_inverse=True)
        starts, index, count = _group_rows(codes.ravel(), 0)
        least_awards = np.full(count, problem.min_per_regierungsbezirk, dtype=np.float64)
        row_blocks.append((starts, index, np.ones(n), least_awards, np.full(count, inf)))
    if problem.max_per_kreis is not None:
        _names, codes = np.unique(np.asarray(problem.kreise), return_inverse=True)
        starts, index, count = _group_rows(codes.ravel(), 0)
        row_blocks.append((starts, index, np.ones(n), np.full(count, -inf),
                           np.full(count, problem.max_per_kreis, dtype=np.float64)))
    starts, indices, values, row_lower, row_upper = [], [], [], [], []
    nonzeros = 0
    for block_starts, block_index, block_values, block_lower, block_upper in row_blocks:
        starts.append(np.asarray(block_starts) + nonzeros)
        indices.append(block_index)
        values.append(block_values)
        row_lower.append(np.asarray(block_lower, dtype=np.float64))
        row_upper.append(np.asarray(block_upper, dtype=np.float64))
        nonzeros += len(block_index)
    return dict(
        cost=cost, lower=lower, upper=upper, integrality=integrality,
        start=np.concatenate(starts).astype(np.int32),
        index=np.concatenate(indices).astype(np.int32),
        value=np.concatenate(values).astype(np.float64),
        row_lower=np.concatenate(row_lower), row_upper=np.concatenate(row_upper),
    )


def build_highs(problem: Problem, *, time_limit_s: float = DEFAULT_TIME_LIMIT_S):
    """A HiGHS instance holding the model, passed in one call as CSR arrays."""
    import highspy

    model = _model(problem)
    highs = _new_highs()
    for name, value in (
        ("time_limit", float(time_limit_s)), ("mip_rel_gap", 0.0),
        ("mip_abs_gap", OPTIMALITY_TOLERANCE / 10),
    ):
        highs.setOptionValue(name, value)
    inf = highspy.kHighsInf
    row_lower = np.where(np.isinf(model["row_lower"]), -inf, model["row_lower"])
    row_upper = np.where(np.isinf(model["row_upper"]), inf, model["row_upper"])
    columns, rows = len(model["cost"]), len(row_lower)
    status = highs.passModel(
        columns, rows, len(model["index"]), int(highspy.MatrixFormat.kRowwise),
        int(highspy.ObjSense.kMaximize), 0.0, model["cost"], model["lower"], model["upper"],
        row_lower, row_upper, model["start"], model["index"], model["value"],
        model["integrality"].astype(np.int32),
    )
    if status == highspy.HighsStatus.kError:
        raise AllocationError("solver", gettext_noop("HiGHS refused the model"),
                              status=str(status))
    return highs


def _read_amounts(problem: Problem, values: np.ndarray) -> np.ndarray:
    """Whole cents from the solver's values, never above the pot or outside m_i..a_i."""
    n = len(problem)
    chosen = values[:n] > 0.5
    if not problem.partial:
        return np.where(chosen, problem.amounts, 0)
    least = _least_awards(problem)
    # Values within a millionth of a cent count as that cent; otherwise round down.
    cents = np.floor(values[n:] + 1e-6).astype(np.int64)
    amounts = np.where(chosen, np.clip(cents, least, problem.amounts), 0)
    excess = int(amounts.sum()) - problem.pot_cents
    for i in np.flatnonzero(amounts > least):
        if excess <= 0:
            break
        cut = min(excess, int(amounts[i] - least[i]))
        amounts[i] -= cut
        excess -= cut
    return amounts


def allocate_optimal(problem: Problem, *, time_limit_s: float = DEFAULT_TIME_LIMIT_S
                     ) -> Allocation:
    """The allocation with the highest total score under the pot and the rules.

    Raises AllocationError when no allocation satisfies them (or none was found in time).
    """
    import highspy

    started = time.perf_counter()
    if len(problem) == 0:
        return _allocation(problem, "optimal", np.zeros(0, dtype=np.int64), optimal=True,
                           status="optimal", gap=0.0, bound=0.0,
                           seconds=time.perf_counter() - started)
    _check_rules_can_hold(problem)
    highs = build_highs(problem, time_limit_s=time_limit_s)
    solve_started = time.perf_counter()
    highs.run()
    highs_seconds = time.perf_counter() - solve_started
    status = highs.getModelStatus()
    info = highs.getInfo()
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    Status = highspy.HighsModelStatus
    if status == Status.kInfeasible:
        raise AllocationError(
            "infeasible", gettext_noop("no allocation satisfies the pot and the rules together")
        )
    if not has_solution:
        if status == Status.kTimeLimit:
            raise AllocationError(
                "no_solution", gettext_noop("no allocation was found within %(seconds)s s"),
                seconds=time_limit_s,
            )
        raise AllocationError("solver", gettext_noop("HiGHS stopped: %(status)s"),
                              status=highs.modelStatusToString(status))
    amounts = _read_amounts(problem, np.asarray(highs.getSolution().col_value))
    total = _score_of(problem, amounts)
    bound = float(info.mip_dual_bound)
    if not math.isfinite(bound):
        bound = math.inf
    proven = status == Status.kOptimal and bound - total <= OPTIMALITY_TOLERANCE
    gap = 0.0 if proven else _relative_gap(total, bound)
    return _allocation(
        problem, "optimal", amounts, optimal=proven,
        status="optimal" if proven else ("time_limit" if status == Status.kTimeLimit
                                         else highs.modelStatusToString(status)),
        gap=gap, bound=max(bound, total) if math.isfinite(bound) else None,
        highs_seconds=highs_seconds, seconds=time.perf_counter() - started,
    )


def _relative_gap(total: float, bound: float) -> float | None:
    if not math.isfinite(bound):
        return None
    return max(bound - total, 0.0) / max(abs(total), 1e-9)
