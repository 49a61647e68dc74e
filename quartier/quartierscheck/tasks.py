"""Background work of the quarter check (django-tasks, database backend)."""

from django_tasks import task

from quartier.quartierscheck import services
from quartier.quartierscheck.models import CheckRun


@task()
def recompute_task(run_id: int) -> None:
    run = CheckRun.objects.filter(pk=run_id, status=CheckRun.Status.QUEUED).first()
    if run is None:  # already taken by another worker or the command line
        return
    try:
        services.recompute(run)
    except services.CheckFailed:
        pass  # the run records why; the last good results stay
