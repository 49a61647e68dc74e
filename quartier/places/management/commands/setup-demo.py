from django.core.management import call_command
from django.core.management.base import BaseCommand

from quartier.anchors.models import Anchor
from quartier.places.models import Place, Quarter
from quartier.quartierscheck.models import Cell


class Command(BaseCommand):
    help = (
        "Load the Baden-Württemberg places, demo quarters, demo accounts, demo anchors and "
        "the demo grid of the quarter check where missing."
    )

    def handle(self, *args, **options):
        if not Place.objects.filter(kind=Place.Kind.GEMEINDE).exists():
            call_command("import-places", stdout=self.stdout)
        if not Quarter.objects.exists():
            call_command("demo-quarters", stdout=self.stdout)
        call_command("demo-accounts", stdout=self.stdout)
        if not Anchor.objects.exists():
            call_command("demo-anchors", stdout=self.stdout)
        if not Cell.objects.exists():
            # The demo residents on the census grid, then the first quarter check.
            call_command("quartierscheck", "demo-grid", stdout=self.stdout)
        # The budget lines the demo calls and consulting book against (idempotent).
        call_command("budget", "demo", stdout=self.stdout)
        # The ideas competition (decided, booked on the 2018/2019 line) and an open call.
        call_command("calls", "demo", stdout=self.stdout)
        # A year of consulting: formats, consultants, requests, cases, sessions (idempotent).
        call_command("consulting", "demo", stdout=self.stdout)
        # News articles telling the strategy's story, with related articles (idempotent).
        call_command("news", "demo", stdout=self.stdout)
        # Quarter budgets in Tübingen: one counted, one open for voting (idempotent).
        call_command("pb", "demo", stdout=self.stdout)
        # Participation processes, ideas, comments, polls and meetings (idempotent).
        call_command("demo-participation", stdout=self.stdout)
