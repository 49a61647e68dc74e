"""What is open on the platform right now, for the home page: one query per module.

The home page is the foundation's (places), but what a visitor can join now lives in the
modules; this module reads their public models and nothing else.
"""

from dataclasses import dataclass

from django.utils import timezone

from quartier.calls.models import Call
from quartier.news import services as news
from quartier.participation.models import Process
from quartier.pb.models import Budget
from quartier.places.models import Quarter

SHOWN = 3


@dataclass(frozen=True)
class Now:
    calls: list[Call]
    budgets: list[Budget]
    processes: list[Process]
    articles: list

    def __bool__(self):
        return bool(self.calls or self.budgets or self.processes or self.articles)


def open_now(now=None) -> Now:
    """Calls open for applications, quarter budgets open for voting, participation
    processes with a phase open now (each soonest to close first) and the latest news."""
    now = now or timezone.now()
    published_quarter = {"quarter__status": Quarter.Status.PUBLISHED}
    return Now(
        calls=list(Call.objects.visible().filter(
            phase=Call.Phase.PUBLISHED, opens_at__lte=now, closes_at__gt=now,
        ).order_by("closes_at", "pk")[:SHOWN]),
        budgets=list(Budget.objects.visible_to_public().filter(
            voting_opens__lte=now, voting_closes__gt=now,
        ).select_related("quarter__gemeinde").order_by("voting_closes", "pk")[:SHOWN]),
        processes=list(Process.objects.published().filter(
            phases__starts_at__lte=now, phases__ends_at__gt=now, **published_quarter,
        ).select_related("quarter__gemeinde").order_by("-pk").distinct()[:SHOWN]),
        articles=list(news.public_articles()[:SHOWN]),
    )
