import sys

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from quartier.anchors.services import write_csv, write_geojson
from quartier.formats import number


class Command(BaseCommand):
    help = (
        "Export the published anchors with their offers as CSV (the import format) or as a "
        "GeoJSON FeatureCollection in WGS84."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=("csv", "geojson"), default="csv")
        parser.add_argument("--output", "-o", default="-", help="A file; '-' is standard output.")

    def handle(self, *args, format, output, **options):
        write = write_csv if format == "csv" else write_geojson
        if output == "-":
            count = write(self.stdout)
        else:
            with open(output, "w", encoding="utf-8", newline="") as stream:
                count = write(stream)
        sys.stderr.write(ngettext("%(n)s anchor exported.", "%(n)s anchors exported.", count)
                         % {"n": number(count)} + "\n")
