import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from quartier.formats import number
from quartier.pb.engine.count import RULES, SATS, count
from quartier.pb.engine.pabulib import PabulibError, parse_number, read_pabulib
from quartier.pb.engine.profile import SatisfactionError
from quartier.pb.engine.published import UnknownRule
from quartier.pb.pabulib_messages import describe


class Command(BaseCommand):
    help = (
        "Quarter budgets (participatory budgeting): `pb count FILE.pb` prints the outcome of a "
        "rule as JSON; `pb import`, `pb export` and `pb demo` work with the database."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        counting = actions.add_parser(
            "count",
            help="Count a Pabulib file; exit status 2 on a bad file.",
            description=(
                "Prints one JSON object: selected (project ids, in the order the rule funded "
                "them; file order for max-welfare), spent, budget, rule, sat, voters."
            ),
        )
        counting.add_argument("file", type=Path)
        counting.add_argument("--rule", choices=RULES, default="greedy")
        counting.add_argument(
            "--sat",
            choices=SATS,
            help="satisfaction: cost or cardinality for approval, choose-1 and ordinal "
            "ballots, points for cumulative and scoring ballots (default: the first)",
        )
        counting.add_argument(
            "--no-skip",
            action="store_true",
            help="greedy: stop at the first project that does not fit",
        )
        counting.add_argument(
            "--min-score", help="greedy: leave out projects with fewer votes (or points)"
        )

        importing = actions.add_parser(
            "import", help="Import a finished election from a .pb file into a quarter and "
            "count it (all or nothing; no size limit, unlike the web upload).")
        importing.add_argument("file", type=Path)
        importing.add_argument("--quarter", type=int, required=True, help="the quarter's id")
        importing.add_argument("--title", default="", help="title (default: from the file)")
        exporting = actions.add_parser(
            "export", help="Write a counted quarter budget as a .pb file (stdout or --output).")
        exporting.add_argument("budget", type=int, help="the quarter budget's id")
        exporting.add_argument("--output", type=Path)
        demo = actions.add_parser(
            "demo", help="Demo quarter budgets in Tübingen (finished, voting, proposals) "
            "unless there are demo budgets already.")
        demo.add_argument("--seed", type=int, default=2018)

    def handle(self, *args, action, **options):
        if action == "import":
            return self.import_file(**options)
        if action == "export":
            return self.export(**options)
        if action == "demo":
            return self.demo(**options)
        return self.count(**options)

    def import_file(self, *, file, quarter, title, **options):
        from quartier.pb import services
        from quartier.places.models import Quarter

        place = Quarter.objects.filter(pk=quarter).first()
        if place is None:
            raise CommandError(_("there is no quarter with the id %(id)s") % {"id": quarter},
                               returncode=2)
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(_("%(file)s: %(error)s") % {"file": file, "error": error.strerror},
                               returncode=2) from None
        try:
            budget = services.import_pb(place, data, actor=None, max_bytes=len(data),
                                        title=title, progress=self.stdout.write)
        except services.UploadRejected as error:
            raise CommandError(_("%(file)s: %(error)s")
                               % {"file": file, "error": "; ".join(error.errors)},
                               returncode=2) from None
        self.stdout.write(self.style.SUCCESS(
            _("Quarter budget %(budget)s imported and counted: %(url)s")
            % {"budget": budget.pk, "url": budget.get_absolute_url()}))

    def export(self, *, budget, output, **options):
        from quartier.pb import services
        from quartier.pb.models import Budget

        found = Budget.objects.select_related("quarter__gemeinde").filter(pk=budget).first()
        if found is None:
            raise CommandError(_("there is no quarter budget with the id %(id)s")
                               % {"id": budget}, returncode=2)
        if found.counted() is None:
            raise CommandError(_("the votes of this budget have not been counted yet"),
                               returncode=2)
        text = services.export_pb(found)
        if output:
            output.write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")

    def demo(self, *, seed, **options):
        from quartier.pb.demo import create_demo_budgets

        made = create_demo_budgets(seed=seed, progress=self.stdout.write)
        if made:
            self.stdout.write(self.style.SUCCESS(
                ngettext("%(n)s demo quarter budget created.",
                         "%(n)s demo quarter budgets created.", made) % {"n": number(made)}))
        else:
            self.stdout.write(_("Demo quarter budgets exist already (or there is no quarter)."))

    def count(self, *, file, rule, sat, no_skip, min_score, **options):
        try:
            election = read_pabulib(file)
        except OSError as error:
            raise CommandError(_("%(file)s: %(error)s") % {"file": file, "error": error.strerror},
                               returncode=2) from None
        except PabulibError as error:
            raise CommandError(_("%(file)s: %(error)s") % {"file": file, "error": describe(error)},
                               returncode=2) from None
        try:
            threshold = parse_number(min_score) if min_score is not None else None
        except ValueError:
            raise CommandError(_("--min-score “%(value)s” is not a number") % {"value": min_score},
                               returncode=2) from None
        try:
            result = count(election, rule, sat, skip=not no_skip, min_score=threshold)
        except SatisfactionError as error:
            raise CommandError(
                _("%(file)s: --sat %(sat)s does not apply to %(vote_type)s ballots (use "
                  "%(allowed)s)") % {"file": file, "sat": error.sat, "vote_type": error.vote_type,
                                     "allowed": _(" or ").join(error.allowed)},
                returncode=2) from None
        except UnknownRule as error:
            raise CommandError(
                _("%(file)s: the rule “%(rule)s” is not implemented (known: %(known)s)")
                % {"file": file, "rule": error.rule, "known": ", ".join(error.known)},
                returncode=2) from None
        self.stdout.write(json.dumps({"file": file.name, **result}, ensure_ascii=False))
