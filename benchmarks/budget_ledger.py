"""Benchmark of the budget ledger: bookings through the services, reports and the pages.

Builds its own database (SQLite under /tmp, or PostgreSQL with DB=postgres and the usual
DB_* variables; DB_NAME defaults to quartier_bench_budget there and must be an empty database
you created), loads the places of
Baden-Württemberg, then books through `budget.services` what a year of the strategy might:
commitments to measures in Gemeinden, Kreise and statewide, payments of most of them in
parts, reversals of some. It times the bookings, each report (line, year, Kreis, measure),
the line page and the public overview through Django's test client, and checks that the
line reconciles. Prints figures; the LAST line is one JSON object.

    .venv/bin/python benchmarks/budget_ledger.py [--commitments 2000] [--keep]
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = Path("/tmp/quartier-bench-budget")


def setup_django(keep: bool) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quartier.settings")
    os.environ.setdefault("HTTPS", "0")
    os.environ.setdefault("VAR_DIR", str(WORK))
    if os.environ.get("DB") == "postgres":
        os.environ.setdefault("DB_NAME", "quartier_bench_budget")
    else:
        WORK.mkdir(parents=True, exist_ok=True)
        database = WORK / "bench.sqlite3"
        if not keep and database.exists():
            database.unlink()
        os.environ["DB_NAME"] = str(database)
    import django

    django.setup()


def timed(function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - started


def page_ms(client, url: str, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--commitments", type=int, default=2000)
    parser.add_argument("--keep", action="store_true",
                        help="reuse the SQLite file (its places), not its ledger")
    args = parser.parse_args()
    setup_django(args.keep)

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from quartier.accounts.models import Organisation, User
    from quartier.accounts.services import add_member
    from quartier.budget import services
    from quartier.budget.models import BudgetLine
    from quartier.places.models import Place
    from quartier.places.services import default_import_files, import_places

    # Django's test client is the load generator; pages render as in production.
    settings.ALLOWED_HOSTS.append("testserver")
    call_command("migrate", verbosity=0)
    if not Place.objects.filter(kind=Place.Kind.GEMEINDE).exists():
        _, seconds = timed(import_places, default_import_files())
        print(f"places imported in {seconds:.1f} s")
    if BudgetLine.objects.filter(code="BENCH").exists():
        sys.exit("the database already holds the benchmark; run without --keep")

    staff, _ = User.objects.get_or_create(username="bench@example.org",
                                          email="bench@example.org")
    land, _ = Organisation.objects.get_or_create(name="Bench-Ministerium", kind="land")
    add_member(land, staff, "programme_staff", actor=None)
    # Staff must have a second factor; the benchmark reads pages, it does not sign in.
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(staff, generate_totp_secret())
    line = services.create_line(code="BENCH", title="Benchmark", first_year=2018,
                                last_year=2019, amount_cents=10_000_000_000_00, actor=staff)
    places = list(Place.objects.filter(kind__in=("gemeinde", "kreis")))
    rng = random.Random(2018)

    commit_times, pay_times, reverse_times = [], [], []
    commitments = []
    started = time.perf_counter()
    for number in range(args.commitments):
        place = rng.choice(places) if rng.random() < 0.9 else None
        amount = rng.randrange(1_000_00, 200_000_00)
        t = time.perf_counter()
        commitments.append(services.commit_funds(
            line, amount, measure=f"Maßnahme {number % 400}", place=place, actor=staff,
            fiscal_year=rng.choice((2018, 2019)), idempotency_key=f"bench-c-{number}"))
        commit_times.append(time.perf_counter() - t)
    for number, commitment in enumerate(commitments):
        if rng.random() < 0.8:
            for part in range(2):
                t = time.perf_counter()
                payment = services.disburse(commitment, commitment.amount_cents // 3,
                                            actor=staff, idempotency_key=f"bench-d-{number}-{part}")
                pay_times.append(time.perf_counter() - t)
            if rng.random() < 0.1:
                t = time.perf_counter()
                services.reverse_entry(payment, reason="Korrektur", actor=staff)
                reverse_times.append(time.perf_counter() - t)
        elif rng.random() < 0.3:
            t = time.perf_counter()
            services.reverse_entry(commitment, reason="Zurückgezogen", actor=staff)
            reverse_times.append(time.perf_counter() - t)
    booking_seconds = time.perf_counter() - started
    entries = line.entries.count()
    bookings = len(commit_times) + len(pay_times) + len(reverse_times)

    reports = {}
    for by in services.REPORT_BY:
        _, seconds = timed(services.report, by=by, line=line)
        reports[by] = round(seconds * 1000, 1)
    _, reconcile_seconds = timed(services.reconcile, line)
    assert services.reconcile(line)

    client = Client()
    overview_ms = page_ms(client, "/budget/")
    client.force_login(staff)
    line_ms = page_ms(client, line.get_absolute_url())
    last_page_ms = page_ms(client, line.get_absolute_url() + "?page=9999")
    report_page_ms = page_ms(client, "/budget/reports/?line=BENCH&by=kreis")

    ms = lambda values: round(statistics.median(values) * 1000, 2)  # noqa: E731
    p95 = lambda values: round(sorted(values)[int(len(values) * 0.95)] * 1000, 2)  # noqa: E731
    print(f"database: {connection.vendor}")
    print(f"{bookings:,} bookings ({entries:,} entries) in {booking_seconds:.1f} s: "
          f"{bookings / booking_seconds:,.0f} per second")
    print(f"commit p50 {ms(commit_times)} ms, p95 {p95(commit_times)} ms; "
          f"disburse p50 {ms(pay_times)} ms; reverse p50 {ms(reverse_times)} ms")
    print("reports over the whole line (ms): " + ", ".join(f"{k} {v}" for k, v in reports.items()))
    print(f"reconcile {reconcile_seconds * 1000:.1f} ms")
    print(f"pages (median ms): line {line_ms:.1f}, its last page {last_page_ms:.1f}, "
          f"report by Kreis {report_page_ms:.1f}, public overview {overview_ms:.1f}")
    print(json.dumps({
        "database": connection.vendor, "entries": entries, "bookings": bookings,
        "bookings_per_second": round(bookings / booking_seconds),
        "commit_p50_ms": ms(commit_times), "commit_p95_ms": p95(commit_times),
        "disburse_p50_ms": ms(pay_times), "reverse_p50_ms": ms(reverse_times),
        "report_ms": reports, "reconcile_ms": round(reconcile_seconds * 1000, 1),
        "line_page_ms": round(line_ms, 1), "line_last_page_ms": round(last_page_ms, 1),
        "report_page_ms": round(report_page_ms, 1), "overview_page_ms": round(overview_ms, 1),
    }))


if __name__ == "__main__":
    main()
