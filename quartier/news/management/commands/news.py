from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from quartier.formats import number
from quartier.news import demo, services


class Command(BaseCommand):
    help = "News. `demo` loads the demo articles; `related` recomputes all related articles."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("demo", help="Demo tags and articles telling the strategy's story "
                       "(does nothing when demo articles exist).")
        related = sub.add_parser("related", help="Recompute the related articles of every "
                                 "article (after bulk changes or a new stemmer).")
        related.add_argument("--refresh-terms", action="store_true",
                             help="also count the words of every article again")
        related.add_argument("--background", action="store_true",
                             help="leave the work to a background worker (quartier db_worker)")

    def handle(self, *args, action, **options):
        if action == "demo":
            count = demo.load_demo_news(progress=self.stdout.write)
            if count:
                self.stdout.write(self.style.SUCCESS(
                    ngettext("%(n)s demo article loaded.", "%(n)s demo articles loaded.", count)
                    % {"n": number(count)}))
        elif options["background"]:
            from quartier.news.tasks import recompute_related_task

            result = recompute_related_task.enqueue()
            self.stdout.write(_("Queued as task %(task)s; a worker (quartier db_worker) runs it.")
                              % {"task": result.id})
        else:
            count = services.recompute_related(refresh_terms=options["refresh_terms"],
                                               progress=self.stdout.write)
            self.stdout.write(self.style.SUCCESS(
                ngettext("Related articles of %(n)s article stored.",
                         "Related articles of %(n)s articles stored.", count)
                % {"n": number(count)}))
