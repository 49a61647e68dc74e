"""Background work of the news (django-tasks, database backend)."""

import logging

from django_tasks import task

from quartier.news import services

log = logging.getLogger(__name__)


@task()
def recompute_related_task() -> int:
    """All related articles at once, after bulk changes; progress goes to the worker's log."""
    return services.recompute_related(progress=log.info)
