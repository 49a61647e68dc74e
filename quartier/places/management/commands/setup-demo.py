from django.core.management import call_command
from django.core.management.base import BaseCommand

from quartier.anchors.models import Anchor
from quartier.places.models import Place, Quarter


class Command(BaseCommand):
    help = (
        "Load the Baden-Württemberg places, demo quarters, demo accounts and demo anchors "
        "where missing."
    )

    def handle(self, *args, **options):
        if not Place.objects.filter(kind=Place.Kind.GEMEINDE).exists():
            call_command("import-places", stdout=self.stdout)
        if not Quarter.objects.exists():
            call_command("demo-quarters", stdout=self.stdout)
        call_command("demo-accounts", stdout=self.stdout)
        if not Anchor.objects.exists():
            call_command("demo-anchors", stdout=self.stdout)
