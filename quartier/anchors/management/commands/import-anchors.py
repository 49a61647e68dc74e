from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quartier.anchors.services import import_anchors
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
            raise CommandError(f"{len(rejected.errors)} errors; nothing was imported.") from None
        self.stdout.write(self.style.SUCCESS(
            f"{report.created} anchors created, {report.updated} updated."
        ))
