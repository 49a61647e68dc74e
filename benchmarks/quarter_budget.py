"""Quarter budget counting: our engine against pabutools 1.2.3.

    .venv/bin/python benchmarks/quarter_budget.py

Method of Equal Shares with cost satisfaction, Add1 completion (1 per voter and run) and a
greedy finish, end to end from the .pb file (parsing included for both), on Łódź 2022 and
Warszawa 2026; then greedy on every shipped file (our time). Each measurement runs in a fresh
process so that peak memory is its own. pabutools needs about 10 minutes here.

The last line is one JSON object: files, seconds and reference_seconds (per file), ratio (the
smallest reference/ours over the files), identical (same projects in the same order), peak
memory of our runs in MB, and the greedy figures.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "quartier" / "pb" / "data" / "pabulib"
MES_FILES = ["Poland_Lodz_2022.pb", "Poland_Warszawa_2026.pb"]
REPEAT = 3


def ours_equal_shares(path: Path) -> list[str]:
    from quartier.pb.engine.equal_shares import equal_shares
    from quartier.pb.engine.pabulib import read_pabulib
    from quartier.pb.engine.profile import build_profile

    election = read_pabulib(path)
    outcome = equal_shares(build_profile(election, "cost"))
    return [election.projects[j].project_id for j in outcome.selected]


def ours_greedy(path: Path) -> list[str]:
    from quartier.pb.engine.greedy import greedy
    from quartier.pb.engine.pabulib import read_pabulib
    from quartier.pb.engine.profile import SATS_BY_VOTE_TYPE, build_profile

    election = read_pabulib(path)
    sat = SATS_BY_VOTE_TYPE[election.vote_type][0]
    outcome = greedy(build_profile(election, sat))
    return [election.projects[j].project_id for j in outcome.selected]


def pabutools_equal_shares(path: Path) -> list[str]:
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.rules import (
        completion_by_rule_combination,
        greedy_utilitarian_welfare,
        method_of_equal_shares,
    )

    instance, profile = parse_pabulib(str(path))
    outcome = completion_by_rule_combination(
        instance,
        profile,
        [method_of_equal_shares, greedy_utilitarian_welfare],
        [{"sat_class": Cost_Sat, "voter_budget_increment": 1}, {"sat_class": Cost_Sat}],
    )
    return [p.name for p in outcome]


WORKERS = {
    "ours-equal-shares": ours_equal_shares,
    "ours-greedy": ours_greedy,
    "pabutools-equal-shares": pabutools_equal_shares,
}


def worker(kind: str, name: str, repeat: int) -> None:
    """Run in a child process: time `repeat` runs, print one JSON line."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        selected = WORKERS[kind](DATA / name)
        times.append(time.perf_counter() - start)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": times, "selected": selected, "peak_mb": peak_mb}))


def measure(kind: str, name: str, repeat: int = 1) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--worker", kind, name, str(repeat)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    summary: dict = {
        "files": MES_FILES,
        "rule": "equal-shares (MES + Add1 + greedy), cost satisfaction",
        "seconds": {},
        "reference_seconds": {},
        "ratios": {},
        "identical": True,
    }
    peaks = []
    for name in MES_FILES:
        ours = measure("ours-equal-shares", name, REPEAT)
        seconds = statistics.median(ours["seconds"])
        peaks.append(ours["peak_mb"])
        print(
            f"{name}: ours {seconds:.2f} s (median of {REPEAT}), {ours['peak_mb']:.0f} MB",
            flush=True,
        )
        theirs = measure("pabutools-equal-shares", name)
        reference = theirs["seconds"][0]
        ratio = reference / seconds
        same = ours["selected"] == theirs["selected"]
        print(
            f"{name}: pabutools {reference:.1f} s, {theirs['peak_mb']:.0f} MB; "
            f"ratio {ratio:.0f}x; identical: {same}",
            flush=True,
        )
        summary["seconds"][name] = round(seconds, 3)
        summary["reference_seconds"][name] = round(reference, 1)
        summary["ratios"][name] = round(ratio, 1)
        summary["identical"] &= same
    summary["ratio"] = min(summary["ratios"].values())

    greedy_seconds = {}
    for path in sorted(DATA.glob("*.pb")):
        result = measure("ours-greedy", path.name, REPEAT)
        greedy_seconds[path.name] = round(statistics.median(result["seconds"]), 3)
        peaks.append(result["peak_mb"])
        print(f"greedy {path.name}: {greedy_seconds[path.name]:.3f} s", flush=True)
    summary["greedy_seconds"] = greedy_seconds
    summary["greedy_max_seconds"] = max(greedy_seconds.values())
    summary["peak_memory_mb"] = round(max(peaks), 1)
    print(json.dumps(summary))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--worker":
        sys.path.insert(0, str(ROOT))
        worker(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        main()
