"""Recomputation: stored figures of quarters, Kreise and the Land; failures keep the last
good results; edits queue a background run."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import make_quarter
from quartier.places.models import Place
from quartier.quartierscheck import report, services
from quartier.quartierscheck.models import AreaFigures, Cell, CheckRun
from quartier.quartierscheck.tests.support import add_cells, small_world

pytestmark = pytest.mark.django_db


def test_quarter_figures_match_the_hand_computed_case(quarter, tuebingen):
    small_world(tuebingen)
    messages = []
    run = services.recompute(progress=messages.append)
    assert run.status == CheckRun.Status.DONE and run.progress_pct == 100
    assert (run.cells, run.anchors, run.quarters) == (3, 1, 1)
    assert any("%" in m for m in messages)
    figures = report.figures_of(run, quarter=quarter)
    # A (100) reaches the house at 130 m, B (300) at 536 m; C lies outside the quarter.
    assert figures["residents"]["all"] == 400
    assert figures["residents"]["u18"] == 75  # 300 of the quarter's 1,600 are under 18
    mgh = figures["reach"]["mehrgenerationenhaus"]
    assert mgh["all"] == [0.25, 0.25, 1.0]
    assert mgh["u18"] == [0.25, 0.25, 1.0]
    assert figures["reach"]["factor:institutional_anchor"]["all"] == [0.25, 0.25, 1.0]
    assert figures["reach"]["offer:meeting"]["all"] == [0.25, 0.25, 1.0]
    assert figures["reach"]["jugendhaus"]["all"] == [0.0, 0.0, 0.0]
    assert figures["values"]["institutional_anchor_500"] == 0.25
    assert figures["lights"]["institutional_anchor_500"] == "red"
    assert figures["values"]["barrier_free_anchors"] == 1.0
    assert figures["values"]["offers_per_1000"] == pytest.approx(1000 / 1600)
    assert (figures["anchors"], figures["barrier_free"], figures["offers"]) == (1, 1, 1)
    assert figures["old_age_ratio"] == pytest.approx(30.0)


def test_kreis_and_land_count_every_cell(quarter, tuebingen):
    small_world(tuebingen)
    run = services.recompute()
    kreis = report.figures_of(run, place=tuebingen.parent)
    land = report.figures_of(run, place=Place.objects.get(kind=Place.Kind.LAND))
    for area in (kreis, land):
        assert area["residents"]["all"] == 450
        # 100 of 450 within 500 m, all but C (50) within 1,000 m.
        assert area["reach"]["mehrgenerationenhaus"]["all"] == [
            round(100 / 450, 4), round(100 / 450, 4), round(400 / 450, 4)]
        assert area["anchors"] == 1
    # Cells outside quarters take the age profile of the Kreis's quarters.
    assert kreis["residents"]["u18"] == pytest.approx(450 * 300 / 1600, abs=0.1)


def test_a_quarter_without_cells_counts_as_one_cell_at_its_point(tuebingen, ulm):
    quarter = make_quarter(ulm, name="Weststadt")
    small_world(tuebingen)
    run = services.recompute()
    figures = report.figures_of(run, quarter=quarter)
    assert figures["residents"]["all"] == quarter.population
    assert figures["reach"]["mehrgenerationenhaus"]["all"] == [0.0, 0.0, 0.0]


def test_a_quarter_with_a_broken_boundary_is_left_out_with_a_message(quarter, tuebingen):
    small_world(tuebingen)
    broken = make_quarter(tuebingen, name="Kaputt")
    type(broken).objects.filter(pk=broken.pk).update(boundary="{not json")
    run = services.recompute()
    assert run.status == CheckRun.Status.DONE
    assert run.quarters == 1
    assert any("Kaputt" in warning for warning in run.warnings)
    assert report.figures_of(run, quarter=broken) is None


def test_a_failed_run_keeps_the_last_good_results(quarter, tuebingen, monkeypatch):
    small_world(tuebingen)
    good = services.recompute()
    before = set(AreaFigures.objects.values_list("pk", flat=True))

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services.engine, "reach", broken)
    with pytest.raises(services.CheckFailed):
        services.recompute()
    failed = CheckRun.objects.order_by("-pk").first()
    assert failed.status == CheckRun.Status.FAILED and "disk full" in failed.message
    assert set(AreaFigures.objects.values_list("pk", flat=True)) == before
    assert report.current_run() == good


def test_without_cells_the_run_fails_with_a_clear_message(quarter):
    with pytest.raises(services.CheckFailed, match="no residents on the grid"):
        services.recompute()
    assert report.current_run() is None


def test_a_new_run_replaces_the_old_figures(quarter, tuebingen):
    small_world(tuebingen)
    first = services.recompute()
    second = services.recompute()
    assert not AreaFigures.objects.filter(run=first).exists()
    assert report.current_run() == second


def test_moving_residents_within_the_state_keeps_the_land_total(quarter, tuebingen, ulm):
    small_world(tuebingen)
    run = services.recompute()
    land = Place.objects.get(kind=Place.Kind.LAND)
    total = report.figures_of(run, place=land)["residents"]["all"]
    Cell.objects.filter(grid_id="test-2").update(x=ulm.x, y=ulm.y)
    moved = report.figures_of(services.recompute(), place=land)
    assert moved["residents"]["all"] == total


def test_edits_queue_one_background_run(quarter, tuebingen, settings, django_capture_on_commit_callbacks):
    settings.QUARTIERSCHECK_AUTO_RECOMPUTE = True
    with django_capture_on_commit_callbacks(execute=True):
        quarter.name = "Südstadt-Ost"
        quarter.save()
        small_world(tuebingen)
    queued = CheckRun.objects.filter(status=CheckRun.Status.QUEUED)
    assert queued.count() == 1
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.filter(args_kwargs__args=[queued.get().pk]).count() == 1


def test_the_task_runs_the_queued_run(quarter, tuebingen):
    from quartier.quartierscheck.tasks import recompute_task

    small_world(tuebingen)
    run = services.request_recompute()
    recompute_task.call(run.pk)
    run.refresh_from_db()
    assert run.status == CheckRun.Status.DONE
    # A second delivery of the same task does nothing.
    recompute_task.call(run.pk)
    assert CheckRun.objects.count() == 1


def test_pages_read_stored_figures_with_few_queries(client, quarter, tuebingen):
    small_world(tuebingen)
    services.recompute()
    client.get(f"/quarters/{quarter.pk}/check/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/quarters/{quarter.pk}/check/").status_code == 200
    assert len(queries) <= 12
    add_cells(tuebingen, [(0, 50, 10)])
    assert not any("quartierscheck_cell" in q["sql"] for q in queries.captured_queries)
