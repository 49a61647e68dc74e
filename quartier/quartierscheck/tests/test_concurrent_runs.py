"""Several workers and edits at the same moment: on PostgreSQL, real connections and locks."""

import threading

import pytest
from django.db import connection, connections

from conftest import make_quarter
from quartier.anchors.tests.support import seed_kinds
from quartier.places.models import Place
from quartier.quartierscheck import services
from quartier.quartierscheck.models import AreaFigures, CheckRun
from quartier.quartierscheck.tests.support import small_world

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real row locks"),
]


def together(count, work):
    barrier = threading.Barrier(count)
    errors = []

    def run(i):
        try:
            barrier.wait()
            work(i)
        except Exception as error:  # noqa: BLE001 — reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors


def test_parallel_runs_leave_the_figures_of_exactly_one(places_loaded):
    seed_kinds()
    tuebingen = Place.objects.get(ags="08416041")
    quarter = make_quarter(tuebingen)
    small_world(tuebingen)

    together(3, lambda i: services.recompute())

    runs = list(CheckRun.objects.all())
    assert len(runs) == 3
    assert {r.status for r in runs} <= {"done", "superseded"}
    current = services.current_run()
    assert current.status == "done"
    # Only the current run's figures exist, one row per quarter and place.
    assert set(AreaFigures.objects.values_list("run_id", flat=True)) == {current.pk}
    assert AreaFigures.objects.filter(quarter=quarter).count() == 1
    assert AreaFigures.objects.filter(place__kind="land").count() == 1


def test_parallel_requests_queue_one_run(places_loaded):
    together(6, lambda i: services.request_recompute())
    assert CheckRun.objects.filter(status="queued").count() == 1


def test_a_worker_and_the_command_line_never_both_take_a_run(places_loaded):
    seed_kinds()
    tuebingen = Place.objects.get(ags="08416041")
    make_quarter(tuebingen)
    small_world(tuebingen)
    waiting = services.request_recompute()
    taken = []
    together(4, lambda i: taken.append(services._claim(CheckRun.objects.get(pk=waiting.pk))))
    assert sum(1 for run in taken if run is not None) == 1
