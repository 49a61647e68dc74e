"""Recomputation: stored figures of quarters, drafts, Kreise and the Land; failures and
unusable boundaries keep the last good results; edits queue one background run."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from conftest import make_quarter
from quartier.anchors.tests.support import make_anchor
from quartier.places.models import Place, Quarter
from quartier.quartierscheck import services
from quartier.quartierscheck.models import AreaFigures, Cell, CheckRun
from quartier.quartierscheck.tests.support import small_world

pytestmark = pytest.mark.django_db


def figures(quarter):
    row = services.figures_for_quarter(quarter)[0]
    return row.figures if row else None


def test_a_run_stores_figures_and_reports_progress(quarter, tuebingen):
    small_world(tuebingen)
    messages = []
    run = services.recompute(progress=messages.append)
    assert run.status == CheckRun.Status.DONE and run.progress_pct == 100
    assert (run.cells, run.anchors, run.quarters) == (3, 1, 1)
    assert any("%" in m for m in messages)
    assert services.current_run() == run
    # One row per quarter, Kreis (44) and the Land.
    assert AreaFigures.objects.filter(run=run, quarter=quarter).count() == 1
    assert AreaFigures.objects.filter(run=run, place__kind=Place.Kind.KREIS).count() == 44
    assert figures(quarter)["reach"]["factor:institutional_anchor"]["all"] == [0.25, 0.25, 1.0]


def test_a_quarter_without_cells_counts_as_one_cell_at_its_point(tuebingen, ulm):
    quarter = make_quarter(ulm, name="Weststadt")
    small_world(tuebingen)
    services.recompute()
    assert figures(quarter)["residents"]["all"] == quarter.population
    assert figures(quarter)["reach"]["mehrgenerationenhaus"]["all"] == [0.0, 0.0, 0.0]
    # It counts for the quarter only: the Land keeps the residents on the grid.
    land = services.figures_of_place(Place.objects.get(kind=Place.Kind.LAND)).figures
    assert land["residents"]["all"] == 450


def test_drafts_are_computed_but_not_given_out_as_gaps(quarter, tuebingen):
    draft = make_quarter(tuebingen, name="Entwurf", status="draft")
    small_world(tuebingen)
    services.recompute()
    # The draft covers the same square: its cells count for it and for the quarter.
    assert figures(draft)["residents"]["all"] == figures(quarter)["residents"]["all"] == 400
    assert set(services.gap_scores()) == {quarter.pk}
    assert services.gap_score(draft) is None
    assert [row.quarter for row in services.gap_list()] == [quarter]


def test_a_quarter_whose_boundary_breaks_keeps_its_last_good_figures(quarter, tuebingen):
    small_world(tuebingen)
    good = services.recompute()
    before = figures(quarter)
    Quarter.objects.filter(pk=quarter.pk).update(boundary="{not json")
    run = services.recompute()
    assert run.status == CheckRun.Status.DONE and run.pk != good.pk
    assert run.quarters == 0
    assert any("Südstadt" in warning and "no usable boundary" in warning
               for warning in run.warnings)
    row = services.figures_for_quarter(quarter)[0]
    assert row.figures == before
    assert row.stale_reason == services.STALE_INVALID_BOUNDARY
    assert row.computed_at < run.finished_at


def test_a_quarter_without_any_boundary_is_reported(quarter, tuebingen):
    small_world(tuebingen)
    Quarter.objects.filter(pk=quarter.pk).update(boundary="")
    run = services.recompute()
    assert run.status == CheckRun.Status.DONE
    assert len(run.warnings) == 1
    # Never computed before: nothing to keep.
    assert figures(quarter) is None


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
    assert services.current_run() == good
    assert services.last_finished_run() == failed


def test_without_cells_the_run_fails_with_a_clear_message(quarter):
    with pytest.raises(services.CheckFailed, match="no residents on the grid"):
        services.recompute()
    assert services.current_run() is None
    assert services.gap_scores() == {}


def test_a_new_run_replaces_the_old_figures(quarter, tuebingen):
    small_world(tuebingen)
    first = services.recompute()
    second = services.recompute()
    assert not AreaFigures.objects.filter(run=first).exists()
    assert services.current_run() == second


def test_an_older_run_finishing_late_does_not_replace_newer_figures(quarter, tuebingen):
    small_world(tuebingen)
    older = services.request_recompute()
    CheckRun.objects.filter(pk=older.pk).update(status=CheckRun.Status.RUNNING)
    newer = services.recompute()  # a second worker, started and finished meanwhile
    outcome = services._Outcome(rows=[({"quarter": quarter}, {"gap": 1, "stale": True})])
    services._store(older, outcome, 1.0)
    older.refresh_from_db()
    assert older.status == CheckRun.Status.SUPERSEDED
    assert services.current_run() == newer
    assert "stale" not in figures(quarter)


def test_moving_residents_within_the_state_keeps_the_land_total(quarter, tuebingen, ulm):
    small_world(tuebingen)
    services.recompute()
    land = Place.objects.get(kind=Place.Kind.LAND)
    total = services.figures_of_place(land).figures["residents"]["all"]
    Cell.objects.filter(grid_id="test-2").update(x=ulm.x, y=ulm.y)
    services.recompute()
    assert services.figures_of_place(land).figures["residents"]["all"] == total


def test_edits_in_one_transaction_queue_one_background_run(
    quarter, tuebingen, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.QUARTIERSCHECK_AUTO_RECOMPUTE = True
    with django_capture_on_commit_callbacks(execute=True):
        quarter.name = "Südstadt-Ost"
        quarter.save()
        small_world(tuebingen)
        make_anchor(tuebingen, name="Zweites Haus")
    queued = CheckRun.objects.get(status=CheckRun.Status.QUEUED)
    assert DBTaskResult.objects.filter(args_kwargs__args=[queued.pk]).count() == 1
    # A later edit while the run still waits joins it.
    with django_capture_on_commit_callbacks(execute=True):
        make_anchor(tuebingen, name="Drittes Haus")
    assert CheckRun.objects.count() == 1


def test_without_the_setting_edits_queue_nothing(quarter, tuebingen, settings):
    settings.QUARTIERSCHECK_AUTO_RECOMPUTE = False
    small_world(tuebingen)
    assert not CheckRun.objects.exists()


def test_a_request_by_staff_is_recorded_in_the_audit_trail(staff):
    from quartier.accounts.services import audit_trail

    run = services.request_recompute(actor=staff)
    assert run.requested_by == staff
    assert [e.action for e in audit_trail(run)] == ["quartierscheck.recompute_requested"]


def test_a_run_waiting_too_long_is_queued_again(db, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        run = services.request_recompute()
    CheckRun.objects.filter(pk=run.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.request_recompute() == run
    assert DBTaskResult.objects.filter(args_kwargs__args=[run.pk]).count() == 2


def test_the_task_runs_the_queued_run_once(quarter, tuebingen):
    from quartier.quartierscheck.tasks import recompute_task

    small_world(tuebingen)
    run = services.request_recompute()
    recompute_task.call(run.pk)
    run.refresh_from_db()
    assert run.status == CheckRun.Status.DONE
    # A second delivery of the same task does nothing.
    recompute_task.call(run.pk)
    assert CheckRun.objects.count() == 1


def test_the_command_line_takes_over_a_waiting_run(quarter, tuebingen, capsys):
    from quartier.quartierscheck.tasks import recompute_task

    small_world(tuebingen)
    waiting = services.request_recompute()
    call_command("quartierscheck", "recompute")
    waiting.refresh_from_db()
    assert waiting.status == CheckRun.Status.DONE
    assert "1 quarters" in capsys.readouterr().out
    recompute_task.call(waiting.pk)  # the worker comes too late: nothing to do
    assert CheckRun.objects.count() == 1


def test_a_lost_run_is_marked_failed_and_no_longer_shown_as_running(quarter, tuebingen):
    small_world(tuebingen)
    lost = CheckRun.objects.create(status=CheckRun.Status.RUNNING,
                                   started_at=timezone.now() - datetime.timedelta(hours=2))
    assert services.active_run() is None
    services.recompute()
    lost.refresh_from_db()
    assert lost.status == CheckRun.Status.FAILED and "Interrupted" in lost.message


def test_the_command_line_shows_the_state_of_the_runs(quarter, tuebingen, capsys):
    small_world(tuebingen)
    services.recompute()
    call_command("quartierscheck", "status", "--follow")
    out = capsys.readouterr().out
    assert "100 %" in out and "Current results: run" in out


def test_changes_no_signal_announced_are_shown_to_staff_and_on_the_command_line(
        quarter, tuebingen, staff, client, capsys):
    from quartier.anchors.models import Anchor

    anchor = small_world(tuebingen)
    run = services.recompute()
    assert not services.inputs_changed_since(run)
    client.force_login(staff)
    client.cookies["django_language"] = "en"
    hint = "changed after the current figures were computed"
    assert hint not in client.get("/quarter-check/").content.decode()
    # What a bulk import does: rows written without signals (AUTO_RECOMPUTE is off here).
    make_anchor(tuebingen, name="Importiertes Haus")
    assert services.inputs_changed_since(run)
    assert hint in client.get("/quarter-check/").content.decode()
    call_command("quartierscheck", "status")
    assert "run `quartier quartierscheck recompute`" in capsys.readouterr().out
    run = services.recompute()
    assert not services.inputs_changed_since(run)
    Anchor.objects.filter(pk=anchor.pk).delete()  # a deletion shows in the count
    assert services.inputs_changed_since(run)


def test_the_command_line_fails_with_status_2_and_keeps_the_results(quarter, capsys):
    with pytest.raises(CommandError) as error:
        call_command("quartierscheck", "recompute")
    assert error.value.returncode == 2
    assert "last good results stay" in str(error.value)
