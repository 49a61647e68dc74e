from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from quartier.formats import number
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
            self.stdout.write(self.style.SUCCESS(
                ngettext("%(n)s demo process created.", "%(n)s demo processes created.", created)
                % {"n": number(created)}))
            return
        if ideas < 1 or comments < 0:
            raise CommandError(_("--ideas must be at least 1 and --comments at least 0."))
        found = (Quarter.objects.filter(pk=quarter) if quarter else
                 Quarter.objects.published().filter(gemeinde__ags="08416041").order_by("name"))
        target = found.select_related("gemeinde").first()
        if target is None:
            raise CommandError(_("No such quarter; run setup-demo first or give --quarter."))
        result = make_big_process(target, ideas=ideas, comments=comments, seed=seed,
                                  progress=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(
            _("Process %(process)s (%(url)s): %(ideas)s, %(comments)s; busiest idea %(busiest)s.")
            % {"process": result.process.pk, "url": result.process.get_absolute_url(),
               "ideas": ngettext("%(n)s idea", "%(n)s ideas", result.ideas)
               % {"n": number(result.ideas)},
               "comments": ngettext("%(n)s comment", "%(n)s comments", result.comments)
               % {"n": number(result.comments)},
               "busiest": result.busiest_idea.get_absolute_url()}))
