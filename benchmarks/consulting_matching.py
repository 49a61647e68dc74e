"""Benchmark of the consulting matching: 1,000 open requests, 120 consultants.

Requests and consultants are placed on the real Gemeinden of Baden-Württemberg (the shipped
quartier/places/data/bw/gemeinden.csv, no database): requests weighted by the square root of
population (small Gemeinden ask too), consultants' home bases by population. Topics, levels,
languages, regions (a Regierungsbezirk or the whole state), capacities of 4–10 days a month,
absences and periods of one to four months are drawn from a fixed seed, so every run solves
the same problem. Prints the figures of the optimal plan next to first come, first served;
the LAST line is one JSON object. The goal is the proven optimum in under 2 s.

    .venv/bin/python benchmarks/consulting_matching.py [--requests 1000] [--consultants 120]
"""

import argparse
import csv
import json
import os
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from quartier.consulting import engine  # noqa: E402
from quartier.places import geo  # noqa: E402

TOPICS = ("age_care", "inclusion", "children_families", "volunteering", "participation",
          "funding", "housing_mobility", "process_start", "workshop_moderation", "strategy")
TOPIC_SHARES = np.array([16, 12, 12, 10, 12, 12, 8, 8, 6, 4], dtype=float)
LANGUAGES = ("en", "tr", "ar", "ru", "uk")
LANGUAGE_SHARES = (0.25, 0.08, 0.05, 0.04, 0.04)
# Formats' usual days and how often they are asked for.
DAYS = np.array([1, 2, 3, 5, 8])
DAY_SHARES = np.array([0.25, 0.30, 0.20, 0.17, 0.08])


def load_gemeinden():
    with open(geo.DATA_DIR / "gemeinden.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    xy = np.array([geo.lonlat_to_utm(float(r["lon"]), float(r["lat"])) for r in rows])
    population = np.array([int(r["population"]) for r in rows], dtype=float)
    return rows, xy, population


def generate(n_requests: int, n_consultants: int, seed: int = 2018):
    rng = np.random.default_rng(seed)
    rows, xy, population = load_gemeinden()
    today = date(2026, 1, 5).toordinal()
    consultants = []
    homes = rng.choice(len(rows), size=n_consultants, p=population / population.sum())
    for j, home in enumerate(homes):
        topics = rng.choice(len(TOPICS), size=rng.integers(2, 5), replace=False,
                            p=TOPIC_SHARES / TOPIC_SHARES.sum())
        languages = {"de"} | {code for code, share in zip(LANGUAGES, LANGUAGE_SHARES, strict=True)
                              if rng.random() < share}
        absences = []
        for _ in range(rng.integers(0, 3)):
            begin = today + int(rng.integers(0, 330))
            absences.append((begin, begin + int(rng.integers(4, 21))))
        region = frozenset()
        if rng.random() < 0.5:  # half serve their Regierungsbezirk only
            rb = rows[home]["regierungsbezirk"]
            region = frozenset(r["kreis"] for r in rows if r["regierungsbezirk"] == rb)
        consultants.append(engine.Consultant(
            id=j + 1, topics={TOPICS[t]: int(rng.integers(1, 4)) for t in topics},
            languages=frozenset(languages), x=float(xy[home, 0]), y=float(xy[home, 1]),
            capacity_per_month=float(rng.choice([4, 6, 8, 10])), absences=tuple(absences),
            region=region,
        ))
    weights = np.sqrt(population)
    places = rng.choice(len(rows), size=n_requests, p=weights / weights.sum())
    requests = []
    for i, place in enumerate(places):
        start = today + int(rng.integers(14, 300))
        days = int(rng.choice(DAYS, p=DAY_SHARES))
        # Longer formats run over longer periods: about two weeks per day, at least a month.
        length = max(30, 14 * days) + int(rng.integers(0, 61))
        topic = TOPICS[rng.choice(len(TOPICS), p=TOPIC_SHARES / TOPIC_SHARES.sum())]
        language = "de"
        if rng.random() < 0.04:
            language = str(rng.choice(LANGUAGES[:3]))
        requests.append(engine.Request(
            id=i + 1, topic=topic, language=language, x=float(xy[place, 0]),
            y=float(xy[place, 1]), days=days, start=start, end=start + length,
            submitted=today - int(rng.integers(0, 60)),
            on_site=bool(rng.random() < 0.7), organisation=int(place),
            kreis=rows[place]["kreis"], min_level=2 if topic == "strategy" else 1,
            priority=bool(rng.random() < 0.15),
        ))
    return requests, consultants


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--consultants", type=int, default=120)
    parser.add_argument("--seed", type=int, default=2018)
    args = parser.parse_args()
    started = time.perf_counter()
    requests, consultants = generate(args.requests, args.consultants, args.seed)
    generated = time.perf_counter() - started
    print(f"{len(requests):,} open requests, {len(consultants)} consultants on the real "
          f"Gemeinden; generated in {generated:.2f} s")

    started, cpu = time.perf_counter(), time.process_time()
    proposal = engine.propose(requests, consultants)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    best, fcfs = proposal.optimal, proposal.fcfs
    print(f"pairs that fit: {proposal.pairs:,}")
    for plan in (best, fcfs):
        served = len(plan.assignments)
        print(f"{plan.method:>8}: {served:,} served, {len(plan.unassigned):,} not served, "
              f"travel {plan.travel_km:,.0f} km, waiting {plan.waiting_days:,} days, "
              f"{plan.seconds:.2f} s")
    loads = np.array([best.loads[c.id] for c in consultants])
    fcfs_loads = np.array([fcfs.loads[c.id] for c in consultants])
    print(f"saves {proposal.travel_saved_km:,.0f} km of travel "
          f"({proposal.travel_saved_km / max(fcfs.travel_km, 1e-9):.1%}) and "
          f"{proposal.waiting_saved_days:,} days of waiting; busiest consultant "
          f"{loads.max():.0f} days (FCFS {fcfs_loads.max():.0f}); optimal: {best.optimal}; "
          f"total {seconds:.2f} s ({cpu:.2f} s of CPU; the machine's load average was "
          f"{os.getloadavg()[0]:.1f})")
    print(json.dumps({
        "requests": len(requests), "consultants": len(consultants), "pairs": proposal.pairs,
        "seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3),
        "load_average": round(os.getloadavg()[0], 2), "optimal": best.optimal,
        "travel_km": round(best.travel_km, 1), "fcfs_travel_km": round(fcfs.travel_km, 1),
        "travel_saved_km": round(proposal.travel_saved_km, 1),
        "served": len(best.assignments), "fcfs_served": len(fcfs.assignments),
        "waiting_days": best.waiting_days, "fcfs_waiting_days": fcfs.waiting_days,
        "max_load_days": float(loads.max()), "fcfs_max_load_days": float(fcfs_loads.max()),
    }))


if __name__ == "__main__":
    main()
