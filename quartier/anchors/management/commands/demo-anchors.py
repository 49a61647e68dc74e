from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from quartier.anchors.demo import generate_demo_anchors
from quartier.formats import number


class Command(BaseCommand):
    help = (
        "Generate demo anchors and offers (marked as demo data) for every Gemeinde that has "
        "none: several per Gemeinde by population, inside its published quarters."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2018)
        parser.add_argument(
            "--total", type=int, default=None,
            help="About this many anchors in all (default: one per 2,500 residents, at least "
                 "two per Gemeinde).",
        )

    def handle(self, *args, seed, total, **options):
        created = generate_demo_anchors(total=total, seed=seed, progress=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(
            ngettext("%(n)s demo anchor created.", "%(n)s demo anchors created.", created)
            % {"n": number(created)}))
