from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from quartier.consulting import services
from quartier.consulting.demo import generate_demo_consulting
from quartier.formats import number


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
                requests, cases, sessions = counts["requests"], counts["cases"], counts["sessions"]
                self.stdout.write(self.style.SUCCESS(
                    _("Demo consulting: %(requests)s, %(cases)s, %(sessions)s.") % {
                        "requests": ngettext("%(n)s request", "%(n)s requests", requests)
                        % {"n": number(requests)},
                        "cases": ngettext("%(n)s case", "%(n)s cases", cases)
                        % {"n": number(cases)},
                        "sessions": ngettext("%(n)s session", "%(n)s sessions", sessions)
                        % {"n": number(sessions)}}))
            return
        run = services.compute_matching(actor=None, progress=self.stdout.write)
        s = run.summary
        proposed = ngettext("%(served)s of %(requests)s request proposed",
                            "%(served)s of %(requests)s requests proposed", s["requests"]) % {
            "served": number(s["served"]), "requests": number(s["requests"])}
        waiting = ngettext("%(n)s day", "%(n)s days", s["waiting_days"]) % {
            "n": number(s["waiting_days"])}
        self.stdout.write(self.style.SUCCESS(
            _("%(proposed)s; travel %(km)s km (first come, first served %(fcfs_km)s km); "
              "waiting %(days)s (FCFS %(fcfs_days)s); optimal: %(optimal)s; %(seconds)s s.") % {
                "proposed": proposed, "km": number(s["travel_km"], 0),
                "fcfs_km": number(s["fcfs_travel_km"], 0), "days": waiting,
                "fcfs_days": number(s["fcfs_waiting_days"]),
                "optimal": _("yes") if s["optimal"] else _("no"),
                "seconds": number(s["seconds"], 2)}))
