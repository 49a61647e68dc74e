"""Benchmark: the optimal award allocation for 2,000 applications with regional rules.

Builds a realistic competition without a database: 2,000 applications spread unevenly over
the 44 Kreise of the four Regierungsbezirke, requested amounts from 10,000 to 150,000 euros
(log-normal, in whole hundreds, not tied to the scores), each scored by 3 of 25 jurors on
4 weighted criteria (0–10) with lenient and strict jurors, ranked with the z-score correction
(calls.engine.ranking). The pot is 30 % of all requests; at least 60 awards per
Regierungsbezirk, at most 25 per Kreis (both rules bind).

It runs the platform's allocation (calls.engine.allocation.allocate_optimal: checks, model
built as CSR arrays and passed to HiGHS in one call, solve, reading the result) several times
and reports the median wall time ("seconds"), the median time of HiGHS's own run() on the same
model ("highs_seconds"), the platform's overhead (the difference, goal ≤ 20 % of
highs_seconds), whether HiGHS proved the allocation optimal, the gap, and the score gained
over fund-down-the-list, and the median CPU time (on a busy shared machine the wall time
grows with the load, the CPU time does not). The LAST line is one JSON object. Goal: proven
optimal in < 2 s.

    .venv/bin/python benchmarks/allocation.py [--applications 2000] [--repeat 5] [--seed 2018]
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from quartier.calls.engine import allocation  # noqa: E402
from quartier.calls.engine.ranking import Review, rank, weighted_score  # noqa: E402

# The 44 Stadt- and Landkreise of Baden-Württemberg by Regierungsbezirk (AGS).
KREISE = {
    "081": ["08111", "08115", "08116", "08117", "08118", "08119", "08121", "08125", "08126",
            "08127", "08128", "08135", "08136"],
    "082": ["08211", "08212", "08215", "08216", "08221", "08222", "08225", "08226", "08231",
            "08235", "08236", "08237"],
    "083": ["08311", "08315", "08316", "08317", "08325", "08326", "08327", "08335", "08336",
            "08337"],
    "084": ["08415", "08416", "08417", "08421", "08425", "08426", "08435", "08436", "08437"],
}
WEIGHTS = [3, 2, 2, 1]
JURORS = 25
REVIEWS = 3


def competition(n: int, seed: int) -> tuple[list[dict], int]:
    rng = np.random.default_rng(seed)
    kreise = [(bezirk, kreis) for bezirk, codes in KREISE.items() for kreis in codes]
    # Some Kreise send many more applications than others (cities, active counties).
    popularity = rng.gamma(0.8, 1.0, len(kreise))
    where = rng.choice(len(kreise), size=n, p=popularity / popularity.sum())
    amounts = np.clip(np.round(rng.lognormal(np.log(45_000), 0.6, n), -2), 10_000, 150_000)
    quality = rng.normal(6.0, 1.4, n)
    leniency = rng.normal(0.0, 0.9, JURORS)
    reviews = []
    for i in range(n):
        for juror in rng.choice(JURORS, size=REVIEWS, replace=False):
            points = np.clip(np.round(quality[i] + leniency[juror]
                                      + rng.normal(0, 1.0, len(WEIGHTS))), 0, 10)
            score = weighted_score(points.tolist(), WEIGHTS)
            reviews.append(Review(f"A{i:04d}", int(juror), score))
    ranked = rank(reviews, spread_limit=3.0)
    applications = []
    for row in ranked:
        i = int(row.application[1:])
        bezirk, kreis = kreise[where[i]]
        applications.append({
            "id": row.application, "score": round(row.corrected, 4),
            "amount": int(amounts[i]) * 100, "regierungsbezirk": bezirk, "kreis": kreis,
        })
    pot = int(sum(a["amount"] for a in applications) * 0.30)
    return applications, pot


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--time-limit", type=float, default=60.0)
    args = parser.parse_args()

    applications, pot = competition(args.applications, args.seed)
    rules = dict(min_per_regierungsbezirk=60, max_per_kreis=25)
    print(f"{len(applications)} applications, pot {pot / 100:,.0f} €, rules {rules}")
    problem = allocation.make_problem(applications, pot_cents=pot, **rules)
    listed = allocation.allocate_list(problem)
    print(f"fund down the list: {len(listed.selected)} awards, score {listed.total_score:.2f}, "
          f"{len(listed.violations)} rule(s) broken: "
          + ", ".join(f"{v.rule} {v.place} ({v.count}/{v.limit})" for v in listed.violations))

    allocation.allocate_optimal(problem, time_limit_s=args.time_limit)  # warm-up
    walls, runs, results, cpus = [], [], [], []
    for _ in range(args.repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        result = allocation.allocate_optimal(problem, time_limit_s=args.time_limit)
        walls.append(time.perf_counter() - started)
        # CPU time of the process (all threads): tells a slow solve from a busy machine.
        cpus.append(time.process_time() - cpu_started)
        runs.append(result.highs_seconds)
        results.append(result)
    optimum = results[-1]
    seconds, highs_seconds = statistics.median(walls), statistics.median(runs)
    overhead = statistics.median(w - r for w, r in zip(walls, runs, strict=True))
    print(f"optimum: {len(optimum.selected)} awards, score {optimum.total_score:.2f}, "
          f"spent {optimum.spent_cents / 100:,.2f} € of {pot / 100:,.2f} €, "
          f"status {optimum.status}, gap {optimum.gap}")
    print(f"CPU time per run {statistics.median(cpus):.3f} s (median)")
    print(f"wall {seconds:.3f} s (runs: {', '.join(f'{w:.3f}' for w in walls)}), HiGHS run "
          f"{highs_seconds:.3f} s, overhead {overhead * 1000:.1f} ms "
          f"({overhead / highs_seconds:.1%} of HiGHS)")
    print(json.dumps({
        "applications": len(applications),
        "seconds": round(seconds, 4),
        "highs_seconds": round(highs_seconds, 4),
        "overhead_seconds": round(overhead, 4),
        "overhead_share": round(overhead / highs_seconds, 4),
        "cpu_seconds": round(statistics.median(cpus), 4),
        "optimal": all(r.optimal for r in results),
        "gap": optimum.gap,
        "score_gain_vs_list": round(optimum.total_score - listed.total_score, 4),
        "list_feasible": listed.feasible,
        "list_violations": len(listed.violations),
        "awards": len(optimum.selected),
        "repeat": args.repeat,
    }))


if __name__ == "__main__":
    main()
