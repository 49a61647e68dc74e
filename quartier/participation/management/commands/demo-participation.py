from django.core.management.base import BaseCommand, CommandError

from quartier.participation.demo import generate_demo, make_big_process
from quartier.places.models import Quarter


class Command(BaseCommand):
    help = (
        "Generate demo participation (processes, ideas, comments, support, polls, meetings; "
        "marked as demo data) in a handful of quarters, unless there is some. With --big, "
        "one process with many ideas and comments for benchmarks instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2018)
        parser.add_argument("--big", action="store_true",
                            help="Make one big process (see --quarter, --ideas, --comments).")
        parser.add_argument("--quarter", type=int, help="Quarter id for --big (default: the "
                            "first published quarter of Tübingen).")
        parser.add_argument("--ideas", type=int, default=10_000)
        parser.add_argument("--comments", type=int, default=100_000)

    def handle(self, *args, seed, big, quarter, ideas, comments, **options):
        if not big:
            created = generate_demo(seed=seed, progress=self.stdout.write)
            self.stdout.write(self.style.SUCCESS(f"{created} demo processes created."))
            return
        if ideas < 1 or comments < 0:
            raise CommandError("--ideas must be at least 1 and --comments at least 0.")
        found = (Quarter.objects.filter(pk=quarter) if quarter else
                 Quarter.objects.published().filter(gemeinde__ags="08416041").order_by("name"))
        target = found.select_related("gemeinde").first()
        if target is None:
            raise CommandError("No such quarter; run setup-demo first or give --quarter.")
        result = make_big_process(target, ideas=ideas, comments=comments, seed=seed,
                                  progress=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(
            f"Process {result.process.pk} ({result.process.get_absolute_url()}): "
            f"{result.ideas} ideas, {result.comments} comments; busiest idea "
            f"{result.busiest_idea.get_absolute_url()}."
        ))
