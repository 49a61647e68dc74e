from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from quartier.anchors.services import import_anchors
from quartier.formats import number
from quartier.places.services import ImportRejected


class Command(BaseCommand):
    help = (
        "Import anchors with their offers from CSV or GeoJSON files (docs/anchors.md). Every "
        "row is checked first; one bad row and nothing changes. Rows are keyed by `ref`."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)

    def handle(self, *args, files, **options):
        try:
            report = import_anchors(files, progress=self.stdout.write)
        except ImportRejected as rejected:
            for error in rejected.errors:
                self.stderr.write(str(error))
            errors = len(rejected.errors)
            raise CommandError(ngettext("%(n)s error; nothing was imported.",
                                        "%(n)s errors; nothing was imported.", errors)
                               % {"n": number(errors)}) from None
        self.stdout.write(self.style.SUCCESS(
            ngettext("%(created)s anchor created, %(updated)s updated.",
                     "%(created)s anchors created, %(updated)s updated.", report.created)
            % {"created": number(report.created), "updated": number(report.updated)}))
