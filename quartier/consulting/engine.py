"""Matching of open consulting requests to consultants; pure computation, no Django.

One optimisation over all open requests together (docs/consulting.md, "Matching"):

    minimise   Σ km_ij x_ij + Σ_i V_i u_i + Σ_j (λ₁ s₁_j + λ₂ s₂_j)
    subject to Σ_j x_ij + u_i = 1                        every request served once or not at all
               Σ_i a_ijm x_ij ≤ cap_jm                    capacity of consultant j in month m
               B_j + Σ_i d_i x_ij − s₁_j ≤ 0.5 H_j         load above half of the capacity …
               B_j + Σ_i d_i x_ij − s₂_j ≤ 0.8 H_j         … and above 80 % costs extra
               x_ij ∈ {0, 1} only for pairs that fit (topic and level, language, region, no
               declared conflict, enough working days outside absences); u, s ≥ 0.

`km_ij` = 2 × d_i × road km (a round trip per day on site), road km = straight line between
the Gemeinde points (EPSG:25832) × ROAD_DETOUR_FACTOR; online requests travel 0 km but prefer
nearby consultants with ONLINE_REGION_SHARE of that. `V_i` = DAY_VALUE_KM × d_i × weight
(2 for priority) is what leaving a request unserved costs. `a_ijm` spreads d_i over the months
of the period in proportion to j's working days (Monday–Friday, not absent) in each; `cap_jm`
is the monthly capacity, shrunk by absences, less days already booked; `H_j` is the capacity
over all planning months, `B_j` what is booked in them.

Requests take whole, unequal numbers of days and may not be split between consultants: a
generalised assignment problem. Its matrix is not totally unimodular (a transportation
problem with unit or splittable demands would be, and its LP would do; scipy's
linear_sum_assignment solves only one-to-one assignments), so HiGHS solves a mixed-integer
programme. To keep it small and still prove the optimum, `optimise` works by LP duality:
column generation for the LP bound over all pairs, a MIP over the pairs that can matter, and
reduced-cost fixing to show that no pair left out could improve the plan.

Days are proleptic ordinals (`date.toordinal()`); months are `year * 12 + month - 1`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date

import highspy
import numpy as np
from scipy import sparse

# Road km ≈ straight-line km × 1.3: "typically you have to drive about 1.3 times as far as
# the crow flies" (S. Wang, H. M. Bette, M. Schreckenberg, T. Guhr: How much longer do you
# have to drive than the crow has to fly?, 2024, arXiv:2406.06490; motorway networks incl.
# Germany's). Short trips are more circuitous; see docs/consulting.md.
ROAD_DETOUR_FACTOR = 1.3
# Online consulting travels nowhere, but a consultant from the region knows it: online pairs
# cost this share of the road distance (in the objective only, never in the travel figures).
ONLINE_REGION_SHARE = 0.1
# Fairness: each day of a consultant's load above half of their capacity over the planning
# months costs as much as this many km of travel, each day above 80 % that much more.
HALF_LOAD_SHARE = 0.5
HIGH_LOAD_SHARE = 0.8
HALF_LOAD_KM_PER_DAY = 10.0
HIGH_LOAD_KM_PER_DAY = 40.0
# A request from a quarter with one of the largest gaps counts double.
PRIORITY_WEIGHT = 2
# Leaving a consulting day unserved costs this many km: more than the longest day trip in the
# state (about 2 × 1.3 × 300 km) plus the highest fairness cost, so a request stays unserved
# only when no consultant with room fits it, or serving it would push others further away by
# more than that.
DAY_VALUE_KM = 1_000.0
# HiGHS proves the optimum to within this share of the objective (its default).
MIP_REL_GAP = 1e-4
TIME_LIMIT_S = 30.0
# Column generation starts from each request's cheapest pairs.
START_PAIRS_PER_REQUEST = 3
_EPS = 1e-9
DEBUG = False


@dataclass(frozen=True)
class Request:
    id: int
    topic: str
    language: str
    x: float  # EPSG:25832 metres of the Gemeinde where the consulting takes place
    y: float
    days: int
    start: int  # first day of the period (ordinal)
    end: int  # last day of the period, inclusive
    submitted: int  # day of arrival (ordinal); first come, first served follows it
    on_site: bool = True
    organisation: int = 0
    kreis: str = ""  # AGS of the Kreis, for the region a consultant serves
    min_level: int = 1
    priority: bool = False

    @property
    def weight(self) -> int:
        return PRIORITY_WEIGHT if self.priority else 1


@dataclass(frozen=True)
class Consultant:
    id: int
    topics: dict[str, int]  # topic → level (1 basic, 2 advanced, 3 expert)
    languages: frozenset[str]
    x: float  # home base, EPSG:25832 metres
    y: float
    capacity_per_month: float  # consulting days in a month without absences
    absences: tuple[tuple[int, int], ...] = ()  # inclusive ordinal ranges
    booked: dict[int, float] = field(default_factory=dict)  # month → days already booked
    conflicts: frozenset[int] = frozenset()  # organisations the consultant must not advise
    region: frozenset[str] = frozenset()  # Kreis AGS served; empty: the whole state


@dataclass(frozen=True)
class Assignment:
    request: int
    consultant: int
    travel_km: float
    waiting_days: int  # from arrival to the first day the consultant can start


@dataclass(frozen=True)
class Plan:
    method: str  # "optimal" or "fcfs"
    assignments: tuple[Assignment, ...]
    unassigned: tuple[int, ...]
    travel_km: float
    # Total over all requests; an unassigned request counts until the end of its period.
    waiting_days: int
    served_weight: int  # consulting days served, a priority request's counted twice
    optimal: bool
    seconds: float
    loads: dict[int, float]  # consultant → days assigned in this plan

    def consultant_of(self) -> dict[int, int]:
        return {a.request: a.consultant for a in self.assignments}


@dataclass(frozen=True)
class Proposal:
    optimal: Plan
    fcfs: Plan
    pairs: int  # request–consultant pairs that fit

    @property
    def travel_saved_km(self) -> float:
        return self.fcfs.travel_km - self.optimal.travel_km

    @property
    def waiting_saved_days(self) -> int:
        return self.fcfs.waiting_days - self.optimal.waiting_days


@dataclass(frozen=True)
class Params:
    detour_factor: float = ROAD_DETOUR_FACTOR
    half_load_km_per_day: float = HALF_LOAD_KM_PER_DAY
    high_load_km_per_day: float = HIGH_LOAD_KM_PER_DAY
    time_limit_s: float = TIME_LIMIT_S


def month_of(day: int) -> int:
    d = date.fromordinal(day)
    return d.year * 12 + d.month - 1


def month_bounds(month: int) -> tuple[int, int]:
    """First and last day (ordinals) of a month."""
    year, index = divmod(month, 12)
    first = date(year, index + 1, 1).toordinal()
    following = date(year + (index == 11), 1 if index == 11 else index + 2, 1).toordinal()
    return first, following - 1


def road_km(ax: float, ay: float, bx: float, by: float, detour: float = ROAD_DETOUR_FACTOR):
    """Road km between two points in EPSG:25832 metres (straight line × detour factor)."""
    return float(np.hypot(ax - bx, ay - by)) * detour / 1000.0


# The problem as arrays ---------------------------------------------------------------------


class _Problem:
    """Everything both plans need: which pairs fit, their km, month coefficients, capacities."""

    def __init__(self, requests, consultants, params: Params):
        self.requests, self.consultants, self.params = requests, consultants, params
        n, m = len(requests), len(consultants)
        first_month = month_of(min(r.start for r in requests))
        last_month = month_of(max(r.end for r in requests))
        self.first_day = month_bounds(first_month)[0]
        self.months = last_month - first_month + 1
        last_day = month_bounds(last_month)[1]
        days = np.arange(self.first_day, last_day + 1)
        bounds = [month_bounds(first_month + k) for k in range(self.months)]
        day_month = np.repeat(np.arange(self.months), [b - a + 1 for a, b in bounds])
        weekday = (days - 1) % 7 < 5  # ordinal 1 (1 January of year 1) was a Monday
        # avail[j, t]: consultant j can work on day t (a weekday outside their absences).
        self.avail = np.tile(weekday, (m, 1))
        for j, c in enumerate(consultants):
            for a, b in c.absences:
                lo, hi = max(a, self.first_day), min(b, last_day)
                if lo <= hi:
                    self.avail[j, lo - self.first_day: hi - self.first_day + 1] = False
        cum = np.zeros((m, len(days) + 1))
        cum[:, 1:] = np.cumsum(self.avail, axis=1)
        # Capacity per consultant and month: shrunk by absences, less what is already booked.
        month_starts = np.array([a - self.first_day for a, _b in bounds])
        month_ends = np.array([b - self.first_day for _a, b in bounds])
        work_month = np.array([weekday[a: b + 1].sum()
                               for a, b in zip(month_starts, month_ends, strict=True)])
        free_month = cum[:, month_ends + 1] - cum[:, month_starts]
        capacity = np.array([c.capacity_per_month for c in consultants], dtype=float)
        cap_full = capacity[:, None] * free_month / np.maximum(work_month, 1)
        booked = np.zeros((m, self.months))
        for j, c in enumerate(consultants):
            for month, value in c.booked.items():
                if 0 <= month - first_month < self.months:
                    booked[j, month - first_month] += value
        self.cap = cap_full - booked
        self.horizon_cap = cap_full.sum(axis=1)
        self.booked_total = booked.sum(axis=1)
        # Segments: each request's period cut at month ends.
        seg_req, seg_month, seg_a, seg_b = [], [], [], []
        self.seg_first = np.zeros(n + 1, dtype=np.int64)
        for i, r in enumerate(requests):
            a = r.start - self.first_day
            k = int(day_month[a])
            while a <= r.end - self.first_day:
                b = min(r.end - self.first_day, int(month_ends[k]))
                seg_req.append(i)
                seg_month.append(k)
                seg_a.append(a)
                seg_b.append(b)
                a, k = b + 1, k + 1
            self.seg_first[i + 1] = len(seg_req)
        self.seg_req = np.array(seg_req, dtype=np.int64)
        self.seg_month = np.array(seg_month, dtype=np.int64)
        seg_a, seg_b = np.array(seg_a, dtype=np.int64), np.array(seg_b, dtype=np.int64)
        # seg_avail[j, s]: consultant j's working days in segment s; req_avail sums a request.
        self.seg_avail = cum[:, seg_b + 1] - cum[:, seg_a]
        self.req_avail = np.add.reduceat(self.seg_avail, self.seg_first[:-1], axis=1)
        self.req_days = np.array([r.days for r in requests], dtype=float)
        self.weights = np.array([r.weight for r in requests], dtype=float)
        self.fits = self._fits()
        self.pair_req, self.pair_con = np.nonzero(self.fits)
        self.travel, self.km = self._km()

    def _fits(self) -> np.ndarray:
        requests, consultants = self.requests, self.consultants
        m = len(consultants)
        # Topic levels, languages and regions as consultant × value tables, looked up by
        # each request's value.
        topic, topics = np.unique([r.topic for r in requests], return_inverse=True)[::-1]
        language, languages = np.unique([r.language for r in requests],
                                        return_inverse=True)[::-1]
        kreis, kreise = np.unique([r.kreis for r in requests], return_inverse=True)[::-1]
        level = np.array([[c.topics.get(t, 0) for t in topics] for c in consultants],
                         dtype=float).reshape(m, len(topics))
        speaks = np.array([[lang in c.languages for lang in languages] for c in consultants],
                          dtype=bool).reshape(m, len(languages))
        serves = np.array([[not c.region or k in c.region for k in kreise]
                           for c in consultants], dtype=bool).reshape(m, len(kreise))
        minimum = np.array([r.min_level for r in requests])
        fits = (level[:, topic] >= minimum).T & speaks[:, language].T & serves[:, kreis].T
        organisation = np.array([r.organisation for r in requests])
        for j, c in enumerate(consultants):
            if c.conflicts:
                fits[:, j] &= ~np.isin(organisation, list(c.conflicts))
        # Enough working days in the period, and each month's share within that month's room.
        fits &= (self.req_avail >= self.req_days[None, :] - _EPS).T
        month_ok = self._shares() <= self.cap[:, self.seg_month] + _EPS
        fits &= np.logical_and.reduceat(month_ok, self.seg_first[:-1], axis=1).T
        return fits

    def _shares(self) -> np.ndarray:
        """Days of each request's segment for each consultant: d_i × seg_avail / req_avail."""
        per_day = self.req_days[self.seg_req] / np.maximum(self.req_avail[:, self.seg_req], _EPS)
        return self.seg_avail * per_day

    def _km(self) -> tuple[np.ndarray, np.ndarray]:
        """Travel of every pair (km, 0 online) and its cost in the objective."""
        if not len(self.pair_req):
            return np.zeros(0), np.zeros(0)
        rxy = np.array([(r.x, r.y) for r in self.requests])[self.pair_req]
        cxy = np.array([(c.x, c.y) for c in self.consultants])[self.pair_con]
        on_site = np.array([r.on_site for r in self.requests], dtype=bool)[self.pair_req]
        km = np.hypot(*(rxy - cxy).T) * self.params.detour_factor / 1000.0 \
            * 2 * self.req_days[self.pair_req]
        return np.where(on_site, km, 0.0), np.where(on_site, km, ONLINE_REGION_SHARE * km)

    def pair_segments(self):
        """For every pair its segments: (pair index, row of the month, coefficient)."""
        counts = np.diff(self.seg_first)[self.pair_req]
        pair = np.repeat(np.arange(len(self.pair_req)), counts)
        offset = np.arange(len(pair)) - np.repeat(np.cumsum(counts) - counts, counts)
        seg = self.seg_first[self.pair_req][pair] + offset
        j = self.pair_con[pair]
        coef = self.req_days[self.seg_req[seg]] * self.seg_avail[j, seg] \
            / np.maximum(self.req_avail[j, self.seg_req[seg]], _EPS)
        keep = coef > _EPS
        return pair[keep], j[keep] * self.months + self.seg_month[seg][keep], coef[keep]

    def waiting(self, i: int, j: int) -> int:
        """Days from arrival to the first day in the period on which consultant j can work."""
        r = self.requests[i]
        row = self.avail[j, r.start - self.first_day: r.end - self.first_day + 1]
        free = np.flatnonzero(row)
        begin = r.start + int(free[0]) if len(free) else r.end
        return max(0, begin - r.submitted)

    def unserved_waiting(self, i: int) -> int:
        r = self.requests[i]
        return max(0, r.end + 1 - r.submitted)


def _plan(problem: _Problem, method: str, chosen: list[int], optimal: bool, seconds: float):
    requests, consultants = problem.requests, problem.consultants
    assignments, served = [], set()
    loads = {c.id: 0.0 for c in consultants}
    for p in chosen:
        i, j = int(problem.pair_req[p]), int(problem.pair_con[p])
        served.add(i)
        loads[consultants[j].id] += requests[i].days
        assignments.append(Assignment(requests[i].id, consultants[j].id,
                                      round(float(problem.travel[p]), 3), problem.waiting(i, j)))
    unassigned = [i for i in range(len(requests)) if i not in served]
    waiting = sum(a.waiting_days for a in assignments) + sum(
        problem.unserved_waiting(i) for i in unassigned)
    return Plan(
        method=method,
        assignments=tuple(sorted(assignments, key=lambda a: a.request)),
        unassigned=tuple(sorted(requests[i].id for i in unassigned)),
        travel_km=round(float(sum(problem.travel[p] for p in chosen)), 3),
        waiting_days=int(waiting),
        served_weight=int(sum(requests[i].weight * requests[i].days for i in served)),
        optimal=optimal, seconds=seconds, loads=loads,
    )


# First come, first served ------------------------------------------------------------------


def first_come_first_served(problem: _Problem) -> Plan:
    """Each request in order of arrival to the nearest consultant who fits and still has room
    in every month of its period (ties: the least load so far, then the lower id)."""
    started = time.perf_counter()
    room = problem.cap.copy()
    load = np.zeros(len(problem.consultants))
    km = np.round(problem.km, 6)
    consultant_id = np.array([c.id for c in problem.consultants])[problem.pair_con]
    # The pairs of each request by distance and id, in one sort; the load breaks ties of
    # distance (rare) when the request's turn comes.
    by_request = np.lexsort((consultant_id, km, problem.pair_req))
    bounds = np.searchsorted(problem.pair_req[by_request], np.arange(len(problem.requests) + 1))
    order = sorted(range(len(problem.requests)),
                   key=lambda i: (problem.requests[i].submitted, problem.requests[i].id))
    chosen = []
    for i in order:
        candidates = by_request[bounds[i]:bounds[i + 1]]
        if np.any(np.diff(km[candidates]) == 0):
            candidates = sorted(candidates, key=lambda p: (
                km[p], load[problem.pair_con[p]], consultant_id[p]))
        first, last = problem.seg_first[i], problem.seg_first[i + 1]
        months = problem.seg_month[first:last]
        for p in candidates:
            j = problem.pair_con[p]
            share = problem.req_days[i] * problem.seg_avail[j, first:last] \
                / max(problem.req_avail[j, i], _EPS)
            if np.all(share <= room[j, months] + _EPS):
                room[j, months] -= share
                load[j] += problem.req_days[i]
                chosen.append(p)
                break
    return _plan(problem, "fcfs", chosen, False, time.perf_counter() - started)


# The optimum -------------------------------------------------------------------------------


class _Model:
    """The programme of the module docstring as arrays. Columns: the pairs, then u_i of every
    request, then s₁ and s₂ of every consultant. Request rows are equalities, the others `≤`;
    `extra` rows (the guarantees towards FCFS) are `≤` over the pairs."""

    def __init__(self, problem: _Problem):
        self.problem = problem
        self.n = n = len(problem.requests)
        self.m = m = len(problem.consultants)
        self.pairs = pairs = len(problem.pair_req)
        self.slacks = n + 2 * m
        fair = n + m * problem.months
        seg_pair, seg_row, seg_coef = problem.pair_segments()
        self.days = days = problem.req_days[problem.pair_req]
        s1, s2 = pairs + n, pairs + n + m
        col = np.concatenate([np.arange(pairs), seg_pair, np.arange(pairs), np.arange(pairs),
                              pairs + np.arange(n), s1 + np.arange(m), s2 + np.arange(m)])
        row = np.concatenate([problem.pair_req, n + seg_row, fair + 2 * problem.pair_con,
                              fair + 2 * problem.pair_con + 1, np.arange(n),
                              fair + 2 * np.arange(m), fair + 2 * np.arange(m) + 1])
        entries = np.concatenate([np.ones(pairs), seg_coef, days, days, np.ones(n),
                                  -np.ones(m), -np.ones(m)])
        self.matrix = sparse.csc_matrix((entries, (row, col)),
                                        shape=(fair + 2 * m, pairs + self.slacks))
        self.matrix.sort_indices()
        self.pair_matrix_t = self.matrix[:, :pairs].T.tocsr()
        self.lower = np.concatenate([np.ones(n), np.full(fair + 2 * m - n, -np.inf)])
        self.upper = np.concatenate([
            np.ones(n), np.maximum(problem.cap.reshape(-1), 0.0) + _EPS,
            np.ravel(np.column_stack([
                HALF_LOAD_SHARE * problem.horizon_cap - problem.booked_total,
                HIGH_LOAD_SHARE * problem.horizon_cap - problem.booked_total,
            ])),
        ])
        params = problem.params
        self.weights = problem.weights[problem.pair_req] * days
        self.worth = DAY_VALUE_KM * problem.weights * problem.req_days
        self.cost = np.concatenate([problem.km, self.worth,
                                    np.full(m, params.half_load_km_per_day),
                                    np.full(m, params.high_load_km_per_day)])
        self.extra: list[tuple[np.ndarray, float]] = []

    def with_slacks(self, x: np.ndarray) -> np.ndarray:
        """The pairs `x` and the smallest slacks that make them feasible."""
        p = self.problem
        load = p.booked_total + np.bincount(p.pair_con, weights=x * self.days, minlength=self.m)
        unserved = 1.0 - np.bincount(p.pair_req, weights=x, minlength=self.n)
        s1 = np.maximum(0.0, load - HALF_LOAD_SHARE * p.horizon_cap)
        s2 = np.maximum(0.0, load - HIGH_LOAD_SHARE * p.horizon_cap)
        return np.concatenate([x, unserved, s1, s2])

    def objective(self, x: np.ndarray) -> float:
        return float(np.dot(self.cost, self.with_slacks(x)))

    def reduced_costs(self, row_dual: np.ndarray) -> np.ndarray:
        """c − Aᵀy of every pair, for the duals of a restricted LP."""
        base = len(self.lower)
        rc = self.cost[:self.pairs] - self.pair_matrix_t @ row_dual[:base]
        for k, (a, _b) in enumerate(self.extra):
            rc -= a * row_dual[base + k]
        return rc

    def _with_slack_columns(self, columns: np.ndarray) -> np.ndarray:
        return np.concatenate([columns, self.pairs + np.arange(self.slacks)])

    def _rows(self, columns: np.ndarray) -> sparse.csc_matrix:
        """The constraint matrix over the given pair columns (then the slacks), with the
        `extra` rows."""
        cols = self._with_slack_columns(columns)
        matrix = self.matrix[:, cols]
        if self.extra:
            extra = sparse.csr_matrix(np.vstack([np.concatenate([a, np.zeros(self.slacks)])
                                                 for a, _b in self.extra])[:, cols])
            matrix = sparse.vstack([matrix, extra]).tocsc()
        matrix.sort_indices()
        return matrix

    def highs(self, columns: np.ndarray, *, integral: bool, time_limit: float,
              fixed: np.ndarray | None = None) -> highspy.Highs:
        """HiGHS with the programme over the given pair columns (the others at 0; `fixed`, a
        subset, at 1), then the slacks."""
        matrix = self._rows(columns)
        lower = np.concatenate([self.lower, np.full(len(self.extra), -np.inf)])
        upper = np.concatenate([self.upper, [b for _a, b in self.extra]])
        h = highspy.Highs()
        h.setOptionValue("output_flag", DEBUG)
        h.setOptionValue("time_limit", max(0.1, time_limit))
        h.setOptionValue("random_seed", 1)
        # `threads` stays at its default: HiGHS starts one thread pool per process with the
        # first run, and a run asking for another number fails (the calls allocation shares
        # the process).
        h.setOptionValue("mip_rel_gap", MIP_REL_GAP)
        # Presolve finds little to remove in these models and costs most of the time.
        h.setOptionValue("presolve", "off")
        # Every MIP here starts from a feasible plan (FCFS or better): the feasibility jump
        # heuristic would search for one first (a third of the time of the last MIP).
        h.setOptionValue("mip_heuristic_run_feasibility_jump", False)
        # Symmetry detection costs more than it saves in these models (measured: the two
        # MIPs of the benchmark take 1.0 s instead of 1.27 s without it).
        h.setOptionValue("mip_detect_symmetry", False)
        if not integral:
            h.setOptionValue("simplex_strategy", 4)  # primal simplex: fastest here
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = matrix.shape[1], matrix.shape[0]
        lp.col_cost_ = self.cost[self._with_slack_columns(columns)]
        lp.col_lower_ = np.zeros(matrix.shape[1])
        if fixed is not None:
            lp.col_lower_[:len(columns)] = np.isin(columns, fixed).astype(float)
        lp.col_upper_ = np.concatenate([np.ones(len(columns)),
                                        np.full(self.slacks, highspy.kHighsInf)])
        lp.row_lower_ = np.where(np.isinf(lower), -highspy.kHighsInf, lower)
        lp.row_upper_ = upper
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
        lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
        lp.a_matrix_.value_ = matrix.data.astype(np.float64)
        if integral:
            lp.integrality_ = [highspy.HighsVarType.kInteger] * len(columns) \
                + [highspy.HighsVarType.kContinuous] * self.slacks
        h.passModel(lp)
        return h

    def add_columns(self, h: highspy.Highs, pairs: np.ndarray) -> None:
        """Add pair columns to an LP made by `highs` (after its other columns)."""
        matrix = self._rows(pairs)[:, :len(pairs)]
        h.addCols(len(pairs), self.cost[pairs], np.zeros(len(pairs)), np.ones(len(pairs)),
                  matrix.nnz, matrix.indptr[:-1].astype(np.int32),
                  matrix.indices.astype(np.int32), matrix.data.astype(np.float64))

    def solve(self, columns: np.ndarray, *, integral: bool, start: np.ndarray | None,
              time_limit: float, fixed: np.ndarray | None = None):
        """Solve over the given pair columns (the others at 0; `fixed`, a subset, at 1).
        Returns (optimal, pair values or None, objective, row duals for an LP)."""
        h = self.highs(columns, integral=integral, time_limit=time_limit, fixed=fixed)
        if integral and start is not None:
            solution = highspy.HighsSolution()
            solution.col_value = list(self.with_slacks(start)[self._with_slack_columns(columns)])
            solution.value_valid = True
            h.setSolution(solution)
        return self.run(h, columns, integral=integral)

    def run(self, h: highspy.Highs, columns: np.ndarray, *, integral: bool):
        """Run HiGHS; `columns` are the pairs of its first columns (then the slacks)."""
        h.run()
        optimal = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        info = h.getInfo()
        if info.primal_solution_status != highspy.SolutionStatus.kSolutionStatusFeasible:
            return False, None, None, None
        solution = h.getSolution()
        x = np.zeros(self.pairs)
        x[columns] = np.array(solution.col_value)[:len(columns)]
        if integral:
            return optimal, np.round(x), info.objective_function_value, None
        return optimal, x, info.objective_function_value, np.array(solution.row_dual)


def _cheapest(model: _Model, count: int) -> np.ndarray:
    """Of every request the `count` pairs of least cost."""
    problem = model.problem
    order = np.lexsort((problem.km, problem.pair_req))
    group_start = np.searchsorted(problem.pair_req[order], problem.pair_req[order])
    rank = np.arange(len(order)) - group_start
    return np.sort(order[rank < count])


def _prove(model: _Model, incumbent: np.ndarray, deadline: float) -> tuple[bool, np.ndarray]:
    """The optimal pairs, proven by LP duality (see `optimise`); `incumbent` is feasible."""
    tolerance = 1e-7
    columns = np.union1d(_cheapest(model, START_PAIRS_PER_REQUEST), np.flatnonzero(incumbent))
    # 1. Column generation: the LP over all pairs, solved over few; each round adds the
    # missing pairs to the same LP and starts from the last basis.
    h = model.highs(columns, integral=False, time_limit=deadline - time.perf_counter())
    first = columns
    while True:
        h.setOptionValue("time_limit", max(0.1, deadline - time.perf_counter()))
        ok, _x, bound, duals = model.run(h, first, integral=False)
        if not ok:
            break
        reduced = model.reduced_costs(duals)
        missing = np.setdiff1d(np.flatnonzero(reduced < -tolerance * max(1.0, abs(bound))),
                               columns)
        if not len(missing):
            break
        model.add_columns(h, missing)
        columns = np.union1d(columns, missing)
    if not ok:
        ok, x, _obj, _d = model.solve(np.arange(model.pairs), integral=True, start=incumbent,
                                      time_limit=deadline - time.perf_counter())
        return ok, incumbent if x is None else x
    # 2. A first plan: the MIP over the generated pairs.
    _ok, x, _obj, _d = model.solve(columns, integral=True, start=incumbent,
                                   time_limit=deadline - time.perf_counter())
    if x is not None and model.objective(x) < model.objective(incumbent):
        incumbent = x
    # 3. Every pair that could still beat it, and 4. the MIP over them.
    for _round in range(3):
        gap = model.objective(incumbent) - bound + tolerance * max(1.0, abs(bound))
        # obj(x) ≥ bound + Σ rc·(x − x_LP): a pair with rc > gap is in no better plan.
        columns = np.union1d(columns, np.flatnonzero(reduced <= gap))
        ok, x, _obj, _d = model.solve(columns, integral=True, start=incumbent,
                                      time_limit=deadline - time.perf_counter())
        if x is None:
            return False, incumbent
        if model.objective(x) < model.objective(incumbent) - 1e-9:
            incumbent = x
        gap = model.objective(incumbent) - bound + tolerance * max(1.0, abs(bound))
        if not len(np.setdiff1d(np.flatnonzero(reduced <= gap), columns)):
            return ok, incumbent
    return False, incumbent


def optimise(problem: _Problem, *, fcfs: Plan | None = None) -> Plan:
    """The optimal plan of the module docstring.

    Proven by LP duality without handing HiGHS all pairs: (1) column generation gives the LP
    bound over all pairs with the duals; (2) a MIP over the generated pairs gives a plan;
    (3) a pair left out whose reduced cost exceeds the gap between that plan and the bound
    cannot be in any better plan, since obj(x) ≥ bound + Σ rc·(x − x_LP); (4) pairs that
    could are added and the MIP solved again.

    Never serves less weight than `fcfs` and never travels more: should the optimum do
    either, both guarantees become rows and the plan is solved again (rare); `optimal` then
    means optimal among the plans that keep them."""
    started = time.perf_counter()
    deadline = started + problem.params.time_limit_s
    if not len(problem.pair_req):
        return _plan(problem, "optimal", [], True, time.perf_counter() - started)
    model = _Model(problem)
    fcfs_x = np.zeros(model.pairs)
    if fcfs is not None and fcfs.assignments:
        index = np.full(problem.fits.shape, -1)
        index[problem.pair_req, problem.pair_con] = np.arange(model.pairs)
        ids_r = {r.id: i for i, r in enumerate(problem.requests)}
        ids_c = {c.id: j for j, c in enumerate(problem.consultants)}
        fcfs_x[index[[ids_r[a.request] for a in fcfs.assignments],
                     [ids_c[a.consultant] for a in fcfs.assignments]]] = 1.0
    optimal, x = _prove(model, fcfs_x, deadline)
    if fcfs is not None:
        served_fcfs = float(np.dot(model.weights, fcfs_x))
        # Unrounded (the plans' figures are rounded to metres), with room for float sums.
        travel_fcfs = float(np.dot(problem.travel, fcfs_x))
        travel_room = 1e-6 * max(1.0, travel_fcfs)
        serves_less = float(np.dot(model.weights, x)) < served_fcfs - 0.5
        travels_more = float(np.dot(problem.travel, x)) > travel_fcfs + travel_room
        if serves_less or travels_more:
            # Both guarantees as rows; FCFS itself meets them, so the programme stays
            # feasible and the plan is at worst FCFS.
            model.extra.append((-model.weights, -served_fcfs + 0.5))
            model.extra.append((problem.travel.copy(), travel_fcfs + travel_room))
            ok, x = _prove(model, fcfs_x, deadline)
            optimal = optimal and ok
    chosen = [int(p) for p in np.flatnonzero(x > 0.5)]
    return _plan(problem, "optimal", chosen, optimal, time.perf_counter() - started)


def propose(requests: list[Request], consultants: list[Consultant],
            params: Params | None = None) -> Proposal:
    """The optimal plan next to first come, first served, for the same requests."""
    params = params or Params()
    if not requests:
        loads = {c.id: 0.0 for c in consultants}
        return Proposal(Plan("optimal", (), (), 0.0, 0, 0, True, 0.0, loads),
                        Plan("fcfs", (), (), 0.0, 0, 0, False, 0.0, dict(loads)), 0)
    problem = _Problem(requests, consultants, params)
    fcfs = first_come_first_served(problem)
    return Proposal(optimise(problem, fcfs=fcfs), fcfs, len(problem.pair_req))


def unfit_reasons(request: Request, consultant: Consultant,
                  params: Params | None = None) -> list[str]:
    """Why the consultant cannot take the request, as codes: topic, language, conflict,
    region, absent, capacity. Empty when the pair fits."""
    reasons = []
    if consultant.topics.get(request.topic, 0) < request.min_level:
        reasons.append("topic")
    if request.language not in consultant.languages:
        reasons.append("language")
    if request.organisation in consultant.conflicts:
        reasons.append("conflict")
    if consultant.region and request.kreis not in consultant.region:
        reasons.append("region")
    problem = _Problem([request], [consultant], params or Params())
    if problem.req_avail[0, 0] < request.days - _EPS:
        reasons.append("absent")
    elif np.any(problem._shares()[0] > problem.cap[0, problem.seg_month] + _EPS):
        reasons.append("capacity")
    return reasons
