"""Benchmark: the public anchor search over 20,000 places, through the real HTTP stack.

Builds its own SQLite database under /tmp (migrate, the places of Baden-Württemberg, demo
quarters, 20,000 demo anchors), serves the app with gunicorn on 127.0.0.1 and a free port,
and fires a bounded number of varied search requests (place names, postcodes, positions,
distances, filters; full pages, HTMX fragments and API calls) from one load-generator thread
on loopback. Prints figures; the LAST line is one JSON object with at least "places",
"p50_ms" and "p95_ms". The goal is p95 < 100 ms.

    .venv/bin/python benchmarks/anchor_search.py [--requests 600] [--rebuild]
"""

import argparse
import csv
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
WORK = Path("/tmp/quartier-bench-anchors")
PLACES = 20_000
WARMUP = 40
# Bounds of the load: never more requests than asked, never longer than this.
MAX_SECONDS = 300
KINDS = ("mehrgenerationenhaus", "nachbarschaftszentrum", "begegnungsstaette", "jugendhaus",
         "beratungsstelle", "kinder-und-familienzentrum", "barrierefreier-ort")
CATEGORIES = ("counselling", "meeting", "childcare", "care", "language_cafe",
              "neighbourhood_help", "volunteer_matching")
GROUPS = ("children", "youth", "families", "adults", "seniors", "disabilities", "everyone")
LANGUAGES = ("en", "tr", "ar", "uk", "ru")
NEEDS = ("step_free_entrance", "lift", "accessible_toilet", "hearing_loop", "easy_language",
         "disabled_parking")
RADII = (1000, 2000, 5000, 5000, 10_000)


def environment() -> dict:
    env = dict(os.environ)
    env.update(
        DB="sqlite", DB_NAME=str(WORK / "db.sqlite3"), VAR_DIR=str(WORK), HTTPS="0",
        DEBUG="0", SECRET_KEY="benchmark-only-not-secret", ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="ERROR",
    )
    return env


def quartier(*args: str) -> None:
    subprocess.run([str(VENV_BIN / "quartier"), *args], env=environment(), check=True,
                   stdout=subprocess.DEVNULL)


def build_database(rebuild: bool) -> float:
    """Create the benchmark database unless a complete one is there; returns seconds."""
    marker = WORK / f"built-{PLACES}"
    if marker.exists() and not rebuild:
        return 0.0
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    started = time.perf_counter()
    quartier("migrate", "--noinput", "-v0")
    quartier("import-places")
    quartier("demo-quarters")
    quartier("demo-anchors", "--total", str(PLACES))
    marker.touch()
    return time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, workers: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "quartier.wsgi", "--workers", str(workers),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        env=environment(), cwd=ROOT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _body, _ms = fetch(port, "/anchors/?radius=1000&near=Ulm")
            if status == 200:
                return server
        except OSError:
            pass
        if server.poll() is not None:
            raise SystemExit("gunicorn stopped at start")
        time.sleep(0.3)
    stop_server(server)
    raise SystemExit("gunicorn did not answer within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def fetch(port: int, path: str, headers: dict | None = None) -> tuple[int, bytes, float]:
    """One request on a new connection (gunicorn's sync workers close after each)."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Accept-Language": "de", **(headers or {})})
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    return response.status, body, (time.perf_counter() - started) * 1000


def gemeinden() -> list[dict]:
    with open(ROOT / "quartier/places/data/bw/gemeinden.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def filters(rng: random.Random) -> list[tuple[str, str]]:
    params: list[tuple[str, str]] = []
    for _ in range(rng.choice((0, 1, 1, 2, 3))):
        choice = rng.choice(("kind", "category", "target_group", "language", "needs", "needs",
                             "open_now"))
        if choice == "kind":
            params.append(("kind", rng.choice(KINDS)))
        elif choice == "category":
            params.append(("category", rng.choice(CATEGORIES)))
        elif choice == "target_group":
            params.append(("target_group", rng.choice(GROUPS)))
        elif choice == "language":
            params.append(("language", rng.choice(LANGUAGES)))
        elif choice == "needs":
            params.append(("needs", rng.choice(NEEDS)))
        else:
            params.append(("open_now", "on"))
    return params


def requests(count: int, seed: int = 4) -> list[tuple[str, str, dict]]:
    """(label, path, headers): a realistic mix, weighted by where people live."""
    rng = random.Random(seed)
    places = gemeinden()
    weights = [int(p["population"]) for p in places]
    plan = []
    for _ in range(count):
        place = rng.choices(places, weights=weights)[0]
        roll = rng.random()
        headers: dict = {}
        if roll < 0.35:
            label = "near a Gemeinde/postcode"
            near = place["postcode"] if rng.random() < 0.3 and place["postcode"] else \
                place["name"].split(",")[0]
            params = [("near", near), ("radius", str(rng.choice(RADII)))] + filters(rng)
            path = "/anchors/?" + urllib.parse.urlencode(params)
        elif roll < 0.60:
            label = "from a position"
            lat = float(place["lat"]) + rng.uniform(-0.02, 0.02)
            lon = float(place["lon"]) + rng.uniform(-0.03, 0.03)
            params = [("lat", f"{lat:.5f}"), ("lon", f"{lon:.5f}"),
                      ("radius", str(rng.choice(RADII)))] + filters(rng)
            path = "/anchors/?" + urllib.parse.urlencode(params)
        elif roll < 0.75:
            label = "whole state, by name"
            params = filters(rng) + [("page", str(rng.randint(1, 5)))]
            path = "/anchors/?" + urllib.parse.urlencode(params)
        elif roll < 0.90:
            label = "HTMX fragment"
            params = [("near", place["name"].split(",")[0]),
                      ("radius", str(rng.choice(RADII)))] + filters(rng)
            path = "/anchors/?" + urllib.parse.urlencode(params)
            headers = {"HX-Request": "true"}
        else:
            label = "API"
            params = [("lat", place["lat"]), ("lon", place["lon"]),
                      ("radius_m", str(rng.choice(RADII))), ("limit", "20")]
            params += [(k, v) for k, v in filters(rng) if k != "open_now"]
            path = "/api/anchors?" + urllib.parse.urlencode(params)
        plan.append((label, path, headers))
    return plan


def load(port: int, plan, results: list) -> None:
    """The load generator: one request after the other, bounded in count and time."""
    deadline = time.monotonic() + MAX_SECONDS
    for label, path, headers in plan:
        if time.monotonic() > deadline:
            break
        try:
            status, body, ms = fetch(port, path, headers)
        except OSError as error:
            results.append((label, 0, float("nan"), str(error)))
            continue
        results.append((label, status, ms, len(body)))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()

    built = build_database(args.rebuild)
    if built:
        print(f"database built in {built:.0f} s: {WORK / 'db.sqlite3'}")
    port = free_port()
    server = start_server(port, args.workers)
    try:
        status, body, _ms = fetch(port, "/api/anchors?limit=1")
        places = json.loads(body)["count"] if status == 200 else 0
        warmup, results = requests(WARMUP, seed=99), []
        load(port, warmup, [])
        thread = threading.Thread(target=load, args=(port, requests(args.requests), results))
        started = time.perf_counter()
        thread.start()
        thread.join()
        seconds = time.perf_counter() - started
    finally:
        stop_server(server)

    ok = [ms for _label, status, ms, _size in results if status == 200]
    errors = [r for r in results if r[1] != 200]
    print(f"{places} published places; gunicorn with {args.workers} sync workers on "
          f"127.0.0.1:{port}; {len(results)} requests in {seconds:.1f} s from one thread")
    by_label: dict[str, list[float]] = {}
    for label, status, ms, _size in results:
        if status == 200:
            by_label.setdefault(label, []).append(ms)
    for label, values in sorted(by_label.items()):
        print(f"  {label:26} n={len(values):4}  p50 {percentile(values, .5):6.1f} ms  "
              f"p95 {percentile(values, .95):6.1f} ms  max {max(values):6.1f} ms")
    for label, status, _ms, detail in errors[:5]:
        print(f"  error: {label} → {status} {detail}", file=sys.stderr)
    summary = {
        "places": places,
        "requests": len(results),
        "errors": len(errors),
        "p50_ms": round(percentile(ok, 0.50), 1) if ok else None,
        "p95_ms": round(percentile(ok, 0.95), 1) if ok else None,
        "p99_ms": round(percentile(ok, 0.99), 1) if ok else None,
        "max_ms": round(max(ok), 1) if ok else None,
        "mean_ms": round(statistics.fmean(ok), 1) if ok else None,
        "server": f"gunicorn --workers {args.workers}",
        "goal_p95_ms": 100,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
