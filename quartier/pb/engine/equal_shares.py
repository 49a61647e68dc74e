"""The Method of Equal Shares (MES), completed by Add1 and a greedy finish.

Exactly pabutools' (1.2.3)

    completion_by_rule_combination(instance, profile,
        [method_of_equal_shares, greedy_utilitarian_welfare],
        [{"sat_class": S, "voter_budget_increment": 1}, {"sat_class": S}])

MES: every voter (empty ballots included) starts with budget/n. In each round, for each project
j still in play, rho_j is the smallest factor such that its supporters can pay its cost when each
supporter i pays min(budget_i, rho_j * sat_ij). The project with the smallest rho is funded (ties:
the smallest project id in string order, pabutools' lexicographic tie-breaking) and its
supporters pay. Projects whose supporters hold less than the cost drop out; MES stops when no
project is left.

Add1: if the MES outcome is not exhaustive (a project with positive support, not funded, would
still fit in the real budget), MES runs again from scratch with 1 currency unit more per voter,
until the outcome is exhaustive (taken) or over the real budget (then the previous outcome is
taken). The greedy rule (see greedy.py) then spends what is left.

Speed: voters with equal ballots are one weighted group and each round is NumPy work over the
supporters of the few projects whose rho can still be the smallest (rho only grows during a
run, so last round's rho is a lower bound; pabutools uses the same trick).

Exactness: budgets are float64, but no decision rests on rounding. Whenever two projects' rho
are within a relative 1e-7 of each other, a supporter's budget is within 1e-7 * (budget per
voter) of what it would pay, or the supporters' money is within 1e-7 of the cost, the decision is
taken again in exact rational arithmetic. That is possible because a voter who still has money
has paid exactly tau_r * units for every funded project it supports, so its exact budget is
B0 - sum_r tau_r * units_i,r, where tau_r (the payment per unit of round r) is itself a fraction
computed from the exhausted and paying supporters of that round. The exact taus are computed
lazily, only up to the round that needs them.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from quartier.pb.engine.greedy import greedy
from quartier.pb.engine.outcome import Outcome, total_cost
from quartier.pb.engine.profile import Profile

TOL = 1e-7


def equal_shares(
    profile: Profile,
    *,
    increment: int | Fraction | None = 1,
    stop_when_exhaustive: bool = True,
    complete: bool = True,
) -> Outcome:
    """MES with Add1 (`increment` per voter and run; None: a single run) and greedy finish.

    `stop_when_exhaustive=False` raises the voters' budget until the outcome is over budget and
    takes the last one within it (equalshares.net's Add1, used by Wieliczka and Assen);
    `complete=False` leaves out the greedy finish.

    `details` has `mes` (the projects MES funded), `runs` (MES runs, 1 + Add1 increments),
    `budget_per_voter` of the run taken, and `exact_rounds` (rounds re-decided exactly).
    """
    mes = _Mes(profile)
    n = profile.num_voters
    if n == 0:
        funded, per_voter, runs = [], Fraction(0), 0
    else:
        per_voter = profile.budget / n
        funded, runs = mes.run(per_voter), 1
        if increment is not None:
            previous, previous_per_voter = [], per_voter
            while True:
                if total_cost(profile.costs, funded) > profile.budget:
                    funded, per_voter = previous, previous_per_voter
                    break
                if stop_when_exhaustive and mes.is_exhaustive(funded):
                    break
                if len(funded) == len(mes.projects):
                    break  # Everything with support is funded: more money changes nothing.
                previous, previous_per_voter = funded, per_voter
                per_voter += increment
                funded = mes.run(per_voter)
                runs += 1
    details = {
        "mes": list(funded),
        "runs": runs,
        "budget_per_voter": per_voter,
        "exact_rounds": mes.exact_rounds,
    }
    if complete:
        outcome = greedy(profile, initial=funded)
        return Outcome(outcome.selected, outcome.spent, details)
    return Outcome(list(funded), total_cost(profile.costs, funded), details)


class _Mes:
    """Precomputed supporters; `run(b0)` is one MES run with b0 per voter."""

    def __init__(self, profile: Profile):
        self.profile = profile
        self.costs = profile.costs
        self.names = profile.project_ids
        weights = profile.weights
        units = profile.units
        totals = profile.totals
        # Only projects someone is satisfied with take part (pabutools: total_sat > 0).
        self.projects = [j for j in range(profile.num_projects) if totals[j] > 0]
        self.supporters = {}
        for j in self.projects:
            idx = np.flatnonzero(units[:, j])
            m = units[idx, j]
            w = weights[idx]
            self.supporters[j] = _Supporters(idx, m, w)
        self.weights = weights
        self.units = units
        self.supports = (units > 0).view(np.uint8)
        self.cost_f = {j: float(self.costs[j]) for j in self.projects}
        # rho = tau / unit_value: pabutools compares rho, we compute tau (payment per unit).
        self.unit_value = profile.unit_value
        self.unit_value_f = [float(u) for u in profile.unit_value]
        self.exact_rounds = 0

    def is_exhaustive(self, funded: list[int]) -> bool:
        spent = total_cost(self.costs, funded)
        taken = set(funded)
        return not any(
            j not in taken and spent + self.costs[j] <= self.profile.budget for j in self.projects
        )

    def run(self, b0: Fraction) -> list[int]:
        return _Run(self, b0).count()


class _Supporters:
    __slots__ = ("idx", "m", "mf", "w", "wf", "wm", "wm_total", "wm_total_int", "single_unit")

    def __init__(self, idx, m, w):
        self.idx = idx
        self.m = m  # int64 units
        self.mf = m.astype(np.float64)
        self.w = w  # int64 weights
        self.wf = w.astype(np.float64)
        self.wm = self.wf * self.mf
        self.wm_total = float(self.wm.sum())
        self.wm_total_int = int((w * m).sum())
        self.single_unit = bool((m == 1).all())

    def subset(self, keep: np.ndarray) -> _Supporters:
        return _Supporters(self.idx[keep], self.m[keep], self.w[keep])


class _Run:
    def __init__(self, mes: _Mes, b0: Fraction):
        self.mes = mes
        self.b0 = b0
        self.b0f = float(b0)
        groups = len(mes.weights)
        self.budget = np.full(groups, self.b0f)
        self.live = np.ones(groups, dtype=bool)
        self.tol_money = TOL * max(self.b0f, 1e-300)
        # Per funded round: project, groups exhausted in it, sum of w*m of those who paid
        # tau*m, and the exact tau once computed.
        self.winners: list[int] = []
        self.exhausted: list[np.ndarray] = []
        self.payers_units: list[int] = []
        self.taus: list[Fraction] = []
        # Supporters per project without (most of) the exhausted ones, rebuilt when a third
        # of them has run out of money; `dead` counts those since the last rebuild.
        self.views = dict(mes.supporters)
        self.dead = np.zeros(mes.units.shape[1], dtype=np.int64)

    # -- the run ---------------------------------------------------------------------------

    def count(self) -> list[int]:
        mes = self.mes
        active = list(mes.projects)
        # Last known rho of each project: a lower bound of its current rho.
        lower = {
            j: mes.cost_f[j] / (mes.supporters[j].wm_total * mes.unit_value_f[j]) for j in active
        }
        while active:
            active.sort(key=lower.__getitem__)
            best = np.inf
            computed = []  # (rho, j, float tau, exact tau or None)
            dropped = []
            for j in active:
                if lower[j] > best * (1 + TOL):
                    break
                result = self._rho(j)
                if result[0] is None:
                    dropped.append(j)
                    continue
                lower[j] = result[0]
                computed.append(result)
                best = min(best, result[0])
            for j in dropped:
                active.remove(j)
            if not computed:
                break
            near = [c for c in computed if c[0] <= best * (1 + TOL)]
            winner = None
            if len(near) == 1:
                _, j, tau, exact = near[0]
                if exact is None and self._pay(j, tau):
                    winner = j
            if winner is None:
                # A near tie or a supporter on the edge of paying all: decide exactly.
                mes.exact_rounds += 1
                candidates = []
                for _, j, tau, exact in near:
                    if exact is None:
                        exact = self._exact_tau(j, tau)
                    if exact is None:
                        active.remove(j)
                        continue
                    candidates.append((exact / mes.unit_value[j], mes.names[j], j, exact))
                if not candidates:
                    continue
                _, _, winner, exact = min(candidates)
                self._pay_exact(winner, exact)
            active.remove(winner)
        return self.winners

    def _rho(self, j: int) -> tuple:
        """(rho, j, float tau, exact tau or None), or (None, j, ...) if j is unaffordable."""
        affordable, tau, unsure = self._tau(j)
        exact = None
        if affordable and unsure:
            # The supporters' money is about the cost: decide affordability exactly.
            exact = self._exact_tau(j, tau)
            affordable = exact is not None
            tau = float(exact) if affordable else tau
        if not affordable:
            return None, j, tau, None
        return tau / self.mes.unit_value_f[j], j, tau, exact

    def _view(self, j: int) -> _Supporters:
        s = self.views[j]
        if 3 * self.dead[j] > len(s.idx):
            s = self.views[j] = s.subset(self.live[s.idx])
            self.dead[j] = 0
        return s

    def _tau(self, j: int) -> tuple[bool, float, bool]:
        """(affordable, float tau, unsure): unsure when the money is too close to the cost."""
        s = self._view(j)
        cost = self.mes.cost_f[j]
        if not s.wm_total:
            return False, 0.0, False  # Every supporter has run out of money.
        b = self.budget[s.idx]
        tau = cost / s.wm_total
        # Usual case: every supporter can pay the equal share with room to spare.
        if s.single_unit:
            if b.min() > tau + self.tol_money:
                return True, tau, False
        elif (b - tau * s.mf).min() > self.tol_money:
            return True, tau, False
        wb = s.wf * b
        available = wb.sum()
        unsure = abs(available - cost) <= TOL * cost
        if available < cost and not unsure:
            return False, 0.0, False
        units = None if s.single_unit else s.mf
        poor = b < tau if units is None else b < tau * units
        count = int(np.count_nonzero(poor))
        if count:
            for _ in range(12):
                rich_units = s.wm_total - s.wm[poor].sum()
                if rich_units <= 0:
                    return True, tau, True
                tau = (cost - wb[poor].sum()) / rich_units
                poor = b < tau if units is None else b < tau * units
                new_count = int(np.count_nonzero(poor))
                if new_count == count:
                    break
                count = new_count
            else:
                tau = self._tau_sorted(s, b, wb, cost)
        return True, tau, unsure

    @staticmethod
    def _tau_sorted(s: _Supporters, b, wb, cost) -> float:
        order = np.argsort(b / s.mf, kind="stable")
        paid_before = np.concatenate(([0.0], np.cumsum(wb[order])[:-1]))
        units_from = np.cumsum(s.wm[order][::-1])[::-1]
        with np.errstate(divide="ignore", invalid="ignore"):
            taus = (cost - paid_before) / units_from
        ok = np.flatnonzero(taus * s.mf[order] <= b[order])
        return float(taus[ok[0]]) if len(ok) else float(taus[-1])

    def _pay(self, j: int, tau: float) -> bool:
        """Float payment; False (nothing paid) if a supporter is too close to the edge."""
        s = self._view(j)
        b = self.budget[s.idx]
        # Money left after paying the share; a voter has money iff its budget is > 0.
        left = b - (tau if s.single_unit else tau * s.mf)
        edge = np.abs(left) <= self.tol_money
        if tau <= self.tol_money:
            edge &= b > 0
        if edge.any():
            return False
        rich = left > 0
        exhausted = s.idx[(b > 0) & ~rich]
        self.budget[exhausted] = 0.0
        self.live[exhausted] = False
        self.budget[s.idx[rich]] = left[rich]
        units = s.w[rich] if s.single_unit else s.w[rich] * s.m[rich]
        self._record(j, exhausted, int(units.sum()))
        return True

    def _record(self, j: int, exhausted: np.ndarray, payers_units: int) -> None:
        if len(exhausted):
            self.dead += self.mes.supports[exhausted].sum(axis=0, dtype=np.int64)
        self.winners.append(j)
        self.exhausted.append(exhausted)
        self.payers_units.append(payers_units)

    # -- exact arithmetic ------------------------------------------------------------------

    def _exact_taus(self, upto: int | None = None) -> list[Fraction]:
        """Exact tau of the funded rounds before `upto` (all by default), computed once."""
        mes = self.mes
        upto = len(self.winners) if upto is None else upto
        for r in range(len(self.taus), upto):
            j = self.winners[r]
            paid_by_exhausted = self._exact_money(self.exhausted[r], upto=r)
            units = self.payers_units[r]
            # Nobody paid tau*m: tau never enters a live voter's budget.
            self.taus.append((mes.costs[j] - paid_by_exhausted) / units if units else Fraction(0))
        return self.taus

    def _exact_money(self, groups: np.ndarray, upto: int | None = None) -> Fraction:
        """Exact weighted sum of the budgets of live `groups` before round `upto`."""
        upto = len(self.winners) if upto is None else upto
        if len(groups) == 0:
            return Fraction(0)
        w = self.mes.weights[groups]
        money = self.b0 * int(w.sum())
        if upto:
            taus = self._exact_taus(upto)
            units = w @ self.mes.units[np.ix_(groups, self.winners[:upto])]
            money -= sum((taus[r] * int(u) for r, u in enumerate(units) if u), Fraction(0))
        return money

    def _exact_budget(self, group: int) -> Fraction:
        taus = self._exact_taus()
        units = self.mes.units[group, self.winners]
        return self.b0 - sum((taus[r] * int(u) for r, u in enumerate(units) if u), Fraction(0))

    def _exact_tau(self, j: int, tau_f: float) -> Fraction | None:
        """Exact tau of project j now, or None if its supporters cannot pay its cost."""
        mes = self.mes
        s = mes.supporters[j]
        cost = mes.costs[j]
        live = self.live[s.idx]
        if self._exact_money(s.idx[live]) < cost:
            return None
        b = self.budget[s.idx]
        price = tau_f * s.mf
        below = live & (b < price - self.tol_money)
        band = live & ~below & (b <= price + self.tol_money)
        above = live & ~below & ~band
        tau = self._tau_from(s, cost, below, band, above)
        if tau is not None:
            return tau
        # The float tau was off by more than the tolerance: sort every supporter exactly.
        return self._tau_from(s, cost, np.zeros_like(live), live, np.zeros_like(live))

    def _tau_from(self, s: _Supporters, cost: Fraction, below, band, above) -> Fraction | None:
        paid = self._exact_money(s.idx[below])
        units = int((s.w[band] * s.m[band]).sum()) + int((s.w[above] * s.m[above]).sum())
        edge = sorted(
            (self._exact_budget(int(g)) / int(m), int(g), int(w), int(m))
            for g, w, m in zip(s.idx[band], s.w[band], s.m[band], strict=True)
        )
        tau = None
        for ratio, _, w, m in edge:
            tau = (cost - paid) / units
            if tau <= ratio:
                break
            paid += w * ratio * m
            units -= w * m
        else:
            if units == 0:
                return None
            tau = (cost - paid) / units
        # The float classification must agree: everyone below pays all, everyone above tau*m.
        tf = float(tau)
        b = self.budget[s.idx]
        if (b[below] >= tf * s.mf[below]).any() or (b[above] <= tf * s.mf[above]).any():
            return None
        return tau

    def _pay_exact(self, j: int, tau: Fraction) -> None:
        self._exact_taus()
        s = self.mes.supporters[j]
        b = self.budget[s.idx]
        tf = float(tau)
        price = tf * s.mf
        live = self.live[s.idx]
        band = live & (np.abs(b - price) <= self.tol_money)
        poor = live & ~band & (b < price)
        rich = live & ~band & ~poor
        exhausted = list(s.idx[poor])
        self.budget[s.idx[rich]] = b[rich] - price[rich]
        payers_units = int((s.w[rich] * s.m[rich]).sum())
        for g, w, m in zip(s.idx[band], s.w[band], s.m[band], strict=True):
            left = self._exact_budget(int(g)) - tau * int(m)
            if left <= 0:
                exhausted.append(g)
            else:
                self.budget[g] = float(left)
                payers_units += int(w) * int(m)
        exhausted = np.array(sorted(exhausted), dtype=np.int64)
        self.budget[exhausted] = 0.0
        self.live[exhausted] = False
        self._record(j, exhausted, payers_units)
        self.taus.append(tau)
