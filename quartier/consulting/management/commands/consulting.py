from django.core.management.base import BaseCommand

from quartier.consulting import services
from quartier.consulting.demo import generate_demo_consulting


class Command(BaseCommand):
    help = "Consulting: `demo` loads the demo year, `match` proposes consultants for all " \
           "accepted requests (docs/consulting.md)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        demo = sub.add_parser("demo", help="Demo formats, consultants, requests, cases and "
                              "sessions (marked as demo data); does nothing if present.")
        demo.add_argument("--seed", type=int, default=2018)
        sub.add_parser("match", help="Compute the proposed matching of all accepted requests "
                       "next to first come, first served, as staff see it on the matching page.")

    def handle(self, *args, action, **options):
        if action == "demo":
            counts = generate_demo_consulting(seed=options["seed"], progress=self.stdout.write)
            if counts:
                self.stdout.write(self.style.SUCCESS(
                    f"Demo consulting: {counts['requests']} requests, {counts['cases']} cases, "
                    f"{counts['sessions']} sessions."))
            return
        run = services.compute_matching(actor=None, progress=self.stdout.write)
        s = run.summary
        self.stdout.write(self.style.SUCCESS(
            f"{s['served']} of {s['requests']} requests proposed; travel {s['travel_km']:,.0f} km "
            f"(first come, first served {s['fcfs_travel_km']:,.0f} km); waiting "
            f"{s['waiting_days']:,} days (FCFS {s['fcfs_waiting_days']:,}); optimal: "
            f"{s['optimal']}; {s['seconds']:.2f} s."))
