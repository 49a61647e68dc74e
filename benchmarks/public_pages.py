"""Benchmark: the public pages of participation and news (issue 9), through the real HTTP stack.

Builds its own database (SQLite under /tmp, or with --db postgres its own PostgreSQL database
`quartier_bench_public` on the local server of scripts/postgres.sh): migrate, the places of
Baden-Württemberg, demo quarters, demo accounts; one process with 10,000 ideas and 100,000
comments (participation.demo.make_big_process) in the first published quarter of Tübingen;
the demo news and 2,000 more articles (news.demo.make_many_articles). It never touches the
developer's data.

Serves the app as in production (docs/operations.md): gunicorn with several sync workers
(the app loaded once before they fork, --preload),
DEBUG off, on 127.0.0.1 and a free port. A bounded load generator (--concurrency threads,
http.client, a new connection per request, at most --requests per page and MAX_SECONDS per
phase) then requests, mixed and in a fixed random order:

- the quarter page (/quarters/<id>/),
- the idea list, filtered and paginated (category, status, order, page),
- the idea with 500 comments,
- the news list (with and without tag/place filter, pages 1–5),
- the GeoJSON of all ideas of the process (a full response every time, no ETag),

and, in a second phase with the same concurrency, the Django hello-world view /healthz.
Prints p50/p95 per page and the throughputs; the LAST line is one JSON object with ideas,
comments, p95_ms (the worst page's p95), throughput_rps, hello_rps and ratio
(= throughput_rps / hello_rps). Goals: p95 < 100 ms for every page, ratio ≥ 1/3.

    .venv/bin/python benchmarks/public_pages.py [--requests 200] [--workers 4]
        [--concurrency 4] [--db sqlite|postgres] [--rebuild]
"""

import argparse
import http.client
import json
import os
import queue
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

# The code next to this file is served, with the Python that runs the benchmark (so a copy
# of a commit, `git archive HEAD | tar -x -C DIR`, can be measured with the same virtualenv).
ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
WORK = Path("/tmp/quartier-bench-public")
IDEAS, COMMENTS, ARTICLES = 10_000, 100_000, 2_000
WARMUP = 30
MAX_SECONDS = 240
PG_NAME = "quartier_bench_public"
CATEGORIES = ("meeting_places", "green", "mobility", "accessibility", "children_youth",
              "older_people", "neighbourhood_help", "culture", "other")
STATUSES = ("", "", "submitted", "under_review")
SORTS = ("new", "support", "comments", "old")

# Run inside `quartier shell`: the big process, the news, and the ids the load needs.
BUILD = f"""
import json
from django.core.management import call_command
from quartier.participation.demo import make_big_process
from quartier.participation.models import Category
from quartier.news.demo import make_many_articles
from quartier.news.models import Tag
from quartier.places.models import Quarter
quarter = Quarter.objects.published().filter(gemeinde__ags="08416041").order_by("name").first()
big = make_big_process(quarter, ideas={IDEAS}, comments={COMMENTS}, seed=2018)
call_command("news", "demo")
make_many_articles({ARTICLES}, seed=2018)
print("IDS " + json.dumps({{
    "quarter": quarter.pk, "process": big.process.pk, "idea": big.busiest_idea.pk,
    "ideas": big.ideas, "comments": big.comments, "categories": list(Category.values),
    "tags": list(Tag.objects.values_list("slug", flat=True)),
}}))
"""


def environment(db: str) -> dict:
    env = dict(os.environ)
    env.update(PYTHONPATH=str(ROOT), HTTPS="0", DEBUG="0", SECRET_KEY="benchmark-only-not-secret",
               ALLOWED_HOSTS="127.0.0.1", LOG_LEVEL="ERROR", VAR_DIR=str(WORK / db),
               QUARTIERSCHECK_AUTO_RECOMPUTE="0")
    if db == "postgres":
        env.update(DB="postgres", DB_NAME=PG_NAME, DB_USER=env.get("DB_USER", "quartier"),
                   DB_PORT=env.get("DB_PORT", "54329"))
    else:
        env.update(DB="sqlite", DB_NAME=str(WORK / db / "db.sqlite3"))
    return env


def quartier(db: str, *args: str, capture: bool = False) -> str:
    result = subprocess.run([PYTHON, "-m", "quartier", *args], env=environment(db),
                            check=True, text=True, cwd=ROOT,
                            stdout=subprocess.PIPE if capture else subprocess.DEVNULL)
    return result.stdout or ""


def reset_postgres() -> None:
    """A fresh benchmark database on the local PostgreSQL (never the developer's)."""
    subprocess.run([str(ROOT / "scripts/postgres.sh"), "start"], check=True,
                   stdout=subprocess.DEVNULL)
    env = environment("postgres")
    for sql in (f"DROP DATABASE IF EXISTS {PG_NAME}", f"CREATE DATABASE {PG_NAME}"):
        subprocess.run(["psql", "-h", "127.0.0.1", "-p", env["DB_PORT"], "-U", env["DB_USER"],
                        "-d", "postgres", "-c", sql], check=True, stdout=subprocess.DEVNULL)


def build_database(db: str, rebuild: bool) -> tuple[dict, float]:
    """Create the benchmark database unless a complete one is there; (ids, seconds)."""
    folder = WORK / db
    marker = folder / "ids.json"
    if marker.exists() and not rebuild:
        quartier(db, "migrate", "--noinput", "-v0")  # the code may have moved on
        return json.loads(marker.read_text()), 0.0
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    if db == "postgres":
        reset_postgres()
    started = time.perf_counter()
    quartier(db, "migrate", "--noinput", "-v0")
    quartier(db, "import-places")
    quartier(db, "demo-quarters")
    quartier(db, "demo-accounts")
    output = quartier(db, "shell", "-c", BUILD, capture=True)
    ids = json.loads(next(line[4:] for line in output.splitlines() if line.startswith("IDS ")))
    marker.write_text(json.dumps(ids))
    return ids, time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(port: int, path: str) -> tuple[int, int, float]:
    """One GET on a new connection (gunicorn's sync workers close after each): status,
    bytes, milliseconds until the whole body is read."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Accept-Language": "de"})
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    return response.status, len(body), (time.perf_counter() - started) * 1000


def start_server(db: str, port: int, workers: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "quartier.wsgi", "--preload", "--workers", str(workers),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        env=environment(db), cwd=ROOT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if fetch(port, "/healthz")[0] == 200:
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


def plan(ids: dict, per_page: int, seed: int = 9) -> list[tuple[str, str]]:
    """(page, path): per_page requests of each page, varied, in a fixed random order."""
    rng = random.Random(seed)
    categories = ids.get("categories") or list(CATEGORIES)
    tags = ids.get("tags") or ["beratung"]
    process, idea, quarter = ids["process"], ids["idea"], ids["quarter"]
    requests: list[tuple[str, str]] = []
    for _ in range(per_page):
        requests.append(("quarter page", f"/quarters/{quarter}/"))
        params = [f"category={rng.choice(categories)}", f"sort={rng.choice(SORTS)}",
                  f"page={rng.randint(1, 5)}"]
        if status := rng.choice(STATUSES):
            params.append(f"status={status}")
        requests.append(("idea list (filtered)", f"/participation/{process}/ideas/?"
                         + "&".join(rng.sample(params, len(params)))))
        requests.append(("idea, 500 comments", f"/participation/ideas/{idea}/"))
        news = rng.choice([f"/news/?page={rng.randint(1, 5)}", f"/news/?tag={rng.choice(tags)}",
                           "/news/?place=08416041", "/news/places/08416/", "/news/"])
        requests.append(("news list", news))
        requests.append(("ideas GeoJSON", f"/participation/{process}/ideas.geojson"))
    rng.shuffle(requests)
    return requests


def load(port: int, requests: list[tuple[str, str]], concurrency: int) -> tuple[list, float]:
    """Bounded load: `concurrency` threads share the requests; each phase at most MAX_SECONDS.
    Returns ([(page, status, bytes, ms)], seconds)."""
    work: queue.SimpleQueue = queue.SimpleQueue()
    for item in requests:
        work.put(item)
    results: list = []
    lock = threading.Lock()
    deadline = time.monotonic() + MAX_SECONDS

    def worker():
        while time.monotonic() < deadline:
            try:
                page, path = work.get_nowait()
            except queue.Empty:
                return
            try:
                status, size, ms = fetch(port, path)
            except OSError as error:
                status, size, ms = 0, 0, float("nan")
                print(f"  error: {page} {path}: {error}", file=sys.stderr)
            with lock:
                results.append((page, status, size, ms, path))

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - started


def server_cpu_seconds(master: int) -> float:
    """CPU seconds (user + system) used so far by gunicorn's worker processes (Linux /proc):
    the server's own cost per request, whatever else runs on the machine."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:  # ppid
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per page")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--concurrency", type=int, default=4,
                        help="requests in flight at once")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()

    ids, built = build_database(args.db, args.rebuild)
    if built:
        print(f"database ({args.db}) built in {built:.0f} s")
    port = free_port()
    server = start_server(args.db, port, args.workers)
    try:
        for _page, path in plan(ids, WARMUP // 5 + 1, seed=1):
            fetch(port, path)
        # Each page on its own (its latency is not hidden behind slower pages), then all
        # pages mixed, then the hello-world view; the server's CPU time is read around each.
        cpu_ms: dict[str, float] = {}
        separate: dict[str, tuple[list, float]] = {}
        requests = plan(ids, args.requests)
        for page in sorted({page for page, _path in requests}):
            before = server_cpu_seconds(server.pid)
            separate[page] = load(port, [r for r in requests if r[0] == page],
                                  args.concurrency)
            cpu_ms[page] = (server_cpu_seconds(server.pid) - before) * 1000 / max(
                1, len(separate[page][0]))
        results, seconds = load(port, requests, args.concurrency)
        before = server_cpu_seconds(server.pid)
        hello, hello_seconds = load(port, [("hello", "/healthz")] * (args.requests * 5),
                                    args.concurrency)
        cpu_ms["hello"] = (server_cpu_seconds(server.pid) - before) * 1000 / max(1, len(hello))
    finally:
        stop_server(server)

    ok = [r for r in results if r[1] == 200]
    errors = [r for r in results if r[1] != 200]
    hello_ok = [r for r in hello if r[1] == 200]
    throughput = len(ok) / seconds if seconds else 0.0
    hello_rps = len(hello_ok) / hello_seconds if hello_seconds else 0.0
    print(f"{ids['ideas']:,} ideas, {ids['comments']:,} comments in one process; "
          f"{args.db}; gunicorn --workers {args.workers} on 127.0.0.1:{port}; "
          f"{args.concurrency} requests at once; load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} CPUs")
    print("each page on its own:")
    worst = 0.0
    by_page: dict[str, float] = {}
    for page, (rows, page_seconds) in sorted(separate.items()):
        times = [r[3] for r in rows if r[1] == 200]
        sizes = [r[2] for r in rows if r[1] == 200]
        errors += [r for r in rows if r[1] != 200]
        if not times:
            continue
        p95 = by_page[page] = percentile(times, 0.95)
        worst = max(worst, p95)
        print(f"  {page:22} n={len(times):4}  p50 {percentile(times, .5):6.1f} ms  "
              f"p95 {p95:6.1f} ms  max {max(times):6.1f} ms  "
              f"{len(times) / page_seconds:6.1f} req/s  server CPU {cpu_ms[page]:6.1f} ms/req  "
              f"{statistics.fmean(sizes) / 1024:7.1f} KiB")
    hello_times = [r[3] for r in hello_ok]
    print(f"  {'hello (/healthz)':22} n={len(hello_times):4}  "
          f"p50 {percentile(hello_times, .5):6.1f} ms  p95 {percentile(hello_times, .95):6.1f} ms"
          f"  max {max(hello_times):6.1f} ms  {hello_rps:6.1f} req/s  "
          f"server CPU {cpu_ms['hello']:6.1f} ms/req")
    mixed = [r[3] for r in ok]
    print(f"all pages mixed: n={len(mixed)} p50 {percentile(mixed, .5):.1f} ms  "
          f"p95 {percentile(mixed, .95):.1f} ms in {seconds:.1f} s")
    print(f"throughput {throughput:.1f} requests/s (pages); hello world {hello_rps:.1f} "
          f"requests/s; ratio {throughput / hello_rps if hello_rps else 0:.2f} (goal ≥ 0.33)")
    for page, status, _size, _ms, path in errors[:5]:
        print(f"  error: {page} {path} → {status}", file=sys.stderr)
    summary = {
        "ideas": ids["ideas"],
        "comments": ids["comments"],
        "articles": ARTICLES + 14,
        "db": args.db,
        "server": f"gunicorn --workers {args.workers}",
        "concurrency": args.concurrency,
        "requests": len(results),
        "errors": len(errors),
        "p95_ms": round(worst, 1),
        "p95_by_page_ms": {page: round(p95, 1) for page, p95 in by_page.items()},
        "server_cpu_ms_per_request": {page: round(ms, 1) for page, ms in cpu_ms.items()},
        "load_average": round(os.getloadavg()[0], 1),
        "throughput_rps": round(throughput, 1),
        "hello_rps": round(hello_rps, 1),
        "ratio": round(throughput / hello_rps, 3) if hello_rps else None,
        "goal_p95_ms": 100,
        "goal_ratio": round(1 / 3, 3),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
