import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from quartier.calls.engine import allocation
from quartier.formats import number


class Command(BaseCommand):
    # call_command(..., stdin=io.StringIO(...)) reads the problem from there (tests).
    stealth_options = ("stdin",)
    help = ("Calls and competition: `calls allocate PROBLEM.json` prints an allocation as JSON; "
            "`calls demo` creates the demo calls.")

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        allocate = actions.add_parser(
            "allocate",
            help="Allocate a pot to scored applications; exit status 2 on a bad or infeasible "
                 "problem.",
            description=(
                'Reads {"pot": cents, "applications": [{"id", "score", "amount" (cents), '
                '"regierungsbezirk", "kreis"}, ...], "min_per_regierungsbezirk", '
                '"max_per_kreis", "allow_partial", "min_award"} (the last four optional) and '
                "prints one JSON object with selected (ids), awards, total_score, spent, "
                "optimal (true only when proven), gap, status and violations (rules the "
                "allocation breaks)."
            ),
        )
        allocate.add_argument("problem", type=Path, help="the problem as JSON; - for stdin")
        allocate.add_argument(
            "--method", choices=("optimal", "list"), default="optimal",
            help="optimal: highest total score under the pot and the rules (HiGHS); "
                 "list: fund down the ranked list for comparison (rules only reported)")
        allocate.add_argument(
            "--time-limit", type=float, default=None,
            help="seconds for the optimisation (default: the setting "
                 "CALLS_ALLOCATION_TIME_LIMIT_S)")
        actions.add_parser(
            "demo", help="Create the demo calls where missing (the ideas competition, decided, "
                         "and an open call).")

    def handle(self, *args, action, **options):
        if action == "demo":
            from quartier.calls.demo import create_demo_calls

            created = create_demo_calls(progress=self.stdout.write)
            self.stdout.write(self.style.SUCCESS(
                ngettext("%(n)s demo call created.", "%(n)s demo calls created.", len(created))
                % {"n": number(len(created))}))
            return
        self._allocate(options["problem"], options["method"], options["time_limit"],
                       options.get("stdin") or sys.stdin)

    def _allocate(self, path: Path, method: str, time_limit: float | None, stdin) -> None:
        from quartier.calls.services import allocation_time_limit_s

        name = "stdin" if str(path) == "-" else str(path)
        try:
            text = stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
        except OSError as error:
            raise CommandError(_("%(file)s: %(error)s") % {"file": name, "error": error.strerror},
                               returncode=2) from None
        except UnicodeDecodeError:
            raise CommandError(_("%(file)s: not UTF-8 text") % {"file": name},
                               returncode=2) from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise CommandError(
                _("%(file)s, line %(line)s, column %(column)s: not valid JSON (%(error)s)")
                % {"file": name, "line": error.lineno, "column": error.colno, "error": error.msg},
                returncode=2) from None
        try:
            problem = allocation.problem_from_json(data)
        except allocation.ProblemError as error:
            raise CommandError(_("%(file)s: %(error)s") % {"file": name, "error": error.text(_)},
                               returncode=2) from None
        if time_limit is not None and not time_limit > 0:
            raise CommandError(_("--time-limit must be more than 0 seconds"), returncode=2)
        if method == "list":
            result = allocation.allocate_list(problem)
        else:
            try:
                result = allocation.allocate_optimal(
                    problem, time_limit_s=time_limit or allocation_time_limit_s())
            except allocation.AllocationError as error:
                # No allocation to print: infeasible, or none found in time, or a solver fault.
                what = {"no_solution": _("no allocation found in time"),
                        "solver": _("the solver failed")}.get(error.code, _("infeasible"))
                values = {key: number(value) if isinstance(value, int | float)
                          and not isinstance(value, bool) else value
                          for key, value in error.values.items()}
                raise CommandError(_("%(file)s: %(what)s: %(reason)s") % {
                    "file": name, "what": what, "reason": _(error.reason) % values},
                    returncode=2) from None
        self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
