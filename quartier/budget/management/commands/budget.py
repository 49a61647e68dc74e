import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from quartier import downloads
from quartier.budget import demo, services
from quartier.budget.models import BudgetLine
from quartier.formats import number


class Command(BaseCommand):
    help = "Budget ledger: `budget report` prints a report, `budget demo` creates the demo lines."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        report = actions.add_parser(
            "report", help="Committed and paid-out money of one line, net of reversals, in "
            "cents; exit status 2 on an unknown line or year.")
        report.add_argument("--line", required=True, help="the line's code")
        report.add_argument("--year", type=int, help="only bookings for this fiscal year")
        report.add_argument("--by", choices=("year", "kreis", "measure"), default="year",
                            help="group by fiscal year (default), Kreis or measure")
        report.add_argument("--format", choices=("csv", "json"), default="csv")
        actions.add_parser("demo", help="Create the demo budget lines where missing.")

    def handle(self, *args, action, **options):
        if action == "demo":
            lines = demo.ensure_demo_lines(progress=self.stdout.write)
            self.stdout.write(self.style.SUCCESS(
                ngettext("%(n)s demo budget line present.", "%(n)s demo budget lines present.",
                         len(lines)) % {"n": number(len(lines))}))
            return
        line = BudgetLine.objects.filter(code=options["line"]).first()
        if line is None:
            raise CommandError(_("No budget line with the code “%(code)s”.")
                               % {"code": options["line"]}, returncode=2)
        year = options["year"]
        if year is not None and year not in line.years():
            raise CommandError(_("The line %(line)s covers %(years)s only.")
                               % {"line": line.code, "years": line.years_label}, returncode=2)
        result = services.report(by=options["by"], line=line, year=year)
        if options["format"] == "json":
            self.stdout.write(json.dumps(_as_json(result), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(downloads.csv_text(
                ["key", "name", "committed_cents", "disbursed_cents", "outstanding_cents"],
                [(row.key, row.label, row.committed_cents, row.disbursed_cents,
                  row.outstanding_cents) for row in result.rows]), ending="")


def _as_json(result: services.Report) -> dict:
    def row(r: services.ReportRow) -> dict:
        return {"key": r.key, "name": r.label, "committed_cents": r.committed_cents,
                "disbursed_cents": r.disbursed_cents, "outstanding_cents": r.outstanding_cents}

    line = result.line
    return {
        "line": {"code": line.code, "title": line.title, "fiscal_years": list(line.years()),
                 "amount_cents": line.amount_cents, "committed_cents": line.committed_cents,
                 "disbursed_cents": line.disbursed_cents,
                 "available_cents": line.available_cents, "is_demo": line.is_demo},
        "year": result.year,
        "by": result.by,
        "rows": [row(r) for r in result.rows],
        "total": row(result.total),
    }
