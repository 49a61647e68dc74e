from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from quartier.formats import number
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
            errors = len(rejected.errors)
            raise CommandError(ngettext("%(n)s error; nothing was imported.",
                                        "%(n)s errors; nothing was imported.", errors)
                               % {"n": number(errors)}) from None
        created = sum(report.created.values())
        updated = sum(report.updated.values())
        self.stdout.write(self.style.SUCCESS(
            _("%(created)s, %(updated)s updated, %(boundaries)s.") % {
                "created": ngettext("%(n)s place created", "%(n)s places created", created)
                % {"n": number(created)},
                "updated": number(updated),
                "boundaries": ngettext("%(n)s boundary", "%(n)s boundaries", report.boundaries)
                % {"n": number(report.boundaries)}}))
