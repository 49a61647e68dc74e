"""Background work of the quarter check (django-tasks, database backend)."""

from django_tasks import task

from quartier.quartierscheck import services
from quartier.quartierscheck.models import CheckRun


@task()
def recompute_task(run_id: int) -> None:
    """Run the waiting recomputation `run_id`; nothing when another worker or the command
    line has taken it already (a task may be delivered twice)."""
    run = CheckRun.objects.filter(pk=run_id, status=CheckRun.Status.QUEUED).first()
    if run is None:
        return
    try:
        services.recompute(run)
    except services.CheckFailed:
        pass  # the run records why; the last good results stay
