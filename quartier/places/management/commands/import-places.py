from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quartier.places.services import ImportRejected, default_import_files, import_places


class Command(BaseCommand):
    help = (
        "Import Regierungsbezirke, Kreise, Gemeinden (CSV) and Kreis/Gemeinde boundaries "
        "(GeoJSON, WGS84). All files are checked first; one bad row and nothing changes. "
        "Without files, imports the Baden-Württemberg data shipped with Quartier."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", type=Path)

    def handle(self, *args, files, **options):
        try:
            report = import_places(files or default_import_files(), progress=self.stdout.write)
        except ImportRejected as rejected:
            for error in rejected.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(rejected.errors)} errors; nothing was imported.") from None
        created = sum(report.created.values())
        updated = sum(report.updated.values())
        self.stdout.write(self.style.SUCCESS(
            f"{created} places created, {updated} updated, {report.boundaries} boundaries."
        ))
