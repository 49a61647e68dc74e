"""Record pabutools 1.2.3 outcomes on the shipped Pabulib files for the reference tests.

Runs every file x every implemented rule x every applicable satisfaction and writes
quartier/pb/tests/reference/outcomes.json after each run, so a partial recording is usable.
Files are taken smallest first; entries already in the JSON are skipped (delete the file to
record anew). The biggest files need minutes per run: start it in the background,

    PYTHONHASHSEED=0 nohup .venv/bin/python scripts/record_pabutools.py > var/record.log 2>&1 &

Rules, exactly as quartier.pb.engine implements them:

- greedy:       greedy_utilitarian_welfare(instance, profile, sat_class=S)
- equal-shares: completion_by_rule_combination(instance, profile,
                    [method_of_equal_shares, greedy_utilitarian_welfare],
                    [{"sat_class": S, "voter_budget_increment": 1}, {"sat_class": S}])
- max-welfare:  max_additive_utilitarian_welfare(instance, profile, sat_class=S)

max-welfare in pabutools sorts projects by satisfaction per cost after iterating a set, so
projects with equal ratios come in hash order: such files are marked "efficiency_ties" and the
tests compare the optimal welfare there rather than the set.

--lean-mes drops pabutools' per-voter cache of budget/satisfaction (MESVoter.budget_over_sat_map),
which keeps an entry for every budget of every Add1 run and grows past 15 GB on Warszawa 2026
with cardinality satisfaction. The cache only stores the fraction it would recompute, so the
outcome is unchanged (it was used to record that one entry).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "quartier" / "pb" / "data" / "pabulib"
OUT = ROOT / "quartier" / "pb" / "tests" / "reference" / "outcomes.json"

SATS_BY_VOTE_TYPE = {
    "approval": ["cost", "cardinality"],
    "choose-1": ["cost", "cardinality"],
    "ordinal": ["cost", "cardinality"],
    "cumulative": ["points"],
    "scoring": ["points"],
}
RULES = ["greedy", "equal-shares", "max-welfare"]


def vote_type_of(path: Path) -> str:
    with open(path, encoding="utf-8-sig") as f:
        for line in f:
            key, _, value = line.strip().partition(";")
            if key == "vote_type":
                return value.strip()
            if key == "PROJECTS":
                break
    raise SystemExit(f"{path.name}: no vote_type")


def sat_class(sat: str):
    from pabutools.election import Additive_Cardinal_Sat, Cardinality_Sat, Cost_Sat

    return {"cost": Cost_Sat, "cardinality": Cardinality_Sat, "points": Additive_Cardinal_Sat}[sat]


def run_rule(rule: str, instance, profile, sat: str):
    from pabutools.rules import (
        completion_by_rule_combination,
        greedy_utilitarian_welfare,
        max_additive_utilitarian_welfare,
        method_of_equal_shares,
    )

    cls = sat_class(sat)
    if rule == "greedy":
        return greedy_utilitarian_welfare(instance, profile, sat_class=cls)
    if rule == "equal-shares":
        return completion_by_rule_combination(
            instance,
            profile,
            [method_of_equal_shares, greedy_utilitarian_welfare],
            [{"sat_class": cls, "voter_budget_increment": 1}, {"sat_class": cls}],
        )
    if rule == "max-welfare":
        return max_additive_utilitarian_welfare(instance, profile, sat_class=cls)
    raise ValueError(rule)


def efficiency_ties(instance, profile, sat: str) -> list[list[str]]:
    """Projects with equal satisfaction per cost: pabutools orders them in hash order."""
    sat_profile = profile.as_sat_profile(sat_class(sat))
    by_ratio: dict = {}
    for p in instance:
        ratio = sat_profile.total_satisfaction_project(p) / p.cost
        by_ratio.setdefault(ratio, []).append(p.name)
    return sorted(sorted(names) for names in by_ratio.values() if len(names) > 1)


def save(data: dict) -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    tmp = OUT.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, OUT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", help="file names in the data folder (default: all)")
    parser.add_argument("--rules", default=",".join(RULES))
    parser.add_argument("--lean-mes", action="store_true", help="no MES budget/sat cache")
    args = parser.parse_args()
    if args.lean_mes:
        from pabutools.fractions import frac
        from pabutools.rules.mes.mes_rule import MESVoter

        MESVoter.budget_over_sat_project = lambda self, proj: frac(
            self.budget, self.sat.sat_project(proj)
        )

    from importlib.metadata import version

    import pabutools
    from pabutools.election import parse_pabulib

    data = json.loads(OUT.read_text(encoding="utf-8")) if OUT.exists() else {}
    data.setdefault("pabutools", version("pabutools"))
    data.setdefault("python_hash_seed", os.environ.get("PYTHONHASHSEED", "random"))
    files = data.setdefault("files", {})
    paths = sorted(DATA.glob("*.pb"), key=lambda p: p.stat().st_size)
    if args.files:
        paths = [p for p in paths if p.name in args.files]
    rules = args.rules.split(",")
    print(f"pabutools {pabutools.__name__} {data['pabutools']}", flush=True)

    for path in paths:
        sats = SATS_BY_VOTE_TYPE[vote_type_of(path)]
        todo = [(r, s) for r in rules for s in sats if f"{r}/{s}" not in files.get(path.name, {})]
        if not todo:
            continue
        start = time.perf_counter()
        instance, profile = parse_pabulib(str(path))
        parse_seconds = time.perf_counter() - start
        entry = files.setdefault(path.name, {})
        entry["parse_seconds"] = round(parse_seconds, 3)
        for rule, sat in todo:
            start = time.perf_counter()
            outcome = run_rule(rule, instance, profile, sat)
            seconds = time.perf_counter() - start
            record = {
                "selected": [p.name for p in outcome],
                "spent": str(sum((p.cost for p in outcome), 0)),
                "seconds": round(seconds, 3),
            }
            if args.lean_mes and rule == "equal-shares":
                record["lean_mes"] = True
            if rule == "max-welfare":
                sat_profile = profile.as_sat_profile(sat_class(sat))
                record["welfare"] = str(sat_profile.total_satisfaction(outcome))
                record["efficiency_ties"] = efficiency_ties(instance, profile, sat)
            entry[f"{rule}/{sat}"] = record
            save(data)
            print(f"{path.name} {rule}/{sat}: {seconds:.2f} s", flush=True)
    print("done", flush=True)


if __name__ == "__main__":
    sys.exit(main())
