from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from quartier.formats import number
from quartier.places.demo import generate_demo_quarters


class Command(BaseCommand):
    help = "Generate demo quarters (marked as demo data) for every Gemeinde that has none."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2018)

    def handle(self, *args, seed, **options):
        created = generate_demo_quarters(seed=seed, progress=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(
            ngettext("%(n)s demo quarter created.", "%(n)s demo quarters created.", created)
            % {"n": number(created)}))
