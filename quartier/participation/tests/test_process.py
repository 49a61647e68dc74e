"""Coordinators open, change and publish participation processes with their phases."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from quartier.accounts.models import AuditEvent
from quartier.participation import services
from quartier.participation.models import Phase, Process
from quartier.participation.tests.support import make_poll, make_process


def process_data(**changes):
    data = {
        "title": "Neue Mitte", "goal": "Ein Platz für alle Generationen.",
        "open_for_decision": "Bänke, Bäume, Brunnen.", "not_open_for_decision": "Der Verkehr.",
        "summary_simple": "Wir planen den Platz. Sie können mitmachen.",
        "participants": "registered", "result": "", "result_simple": "",
        "phases-TOTAL_FORMS": "2", "phases-INITIAL_FORMS": "0", "phases-MIN_NUM_FORMS": "0",
        "phases-MAX_NUM_FORMS": "12",
        "phases-0-kind": "ideas", "phases-0-starts_at": "2030-04-01T00:00",
        "phases-0-ends_at": "2030-05-01T00:00", "phases-0-description": "Ideen sammeln",
        "phases-1-kind": "poll", "phases-1-starts_at": "2030-05-01T00:00",
        "phases-1-ends_at": "2030-05-15T00:00",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_a_coordinator_opens_a_process_as_a_draft_and_publishes_it(client, quarter, coordinator):
    client.force_login(coordinator)
    response = client.post(f"/participation/quarters/{quarter.pk}/new/", process_data())
    process = Process.objects.get()
    assert response.status_code == 302 and response["Location"] == process.get_absolute_url()
    assert process.status == "draft" and process.created_by == coordinator
    assert [p.kind for p in process.phases.all()] == ["ideas", "poll"]
    assert client.get(process.get_absolute_url()).status_code == 200
    client.post(f"/participation/{process.pk}/publish/")
    process.refresh_from_db()
    assert process.is_published()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"participation.process_created", "participation.process_published"} <= actions
    client.logout()
    assert client.get(process.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("changes, where", [
    ({"title": ""}, "title"),
    ({"goal": "x" * 4001}, "goal"),
    ({"participants": "everybody"}, "participants"),
    ({"participants": "invited"}, "invited_organisations"),
    ({"phases-0-ends_at": "2030-03-01T00:00"}, "phase"),
    ({"phases-0-starts_at": "gestern"}, "phase"),
    ({"phases-0-kind": "party"}, "phase"),
    ({"phases-TOTAL_FORMS": "0"}, "formset"),
])
def test_bad_input_shows_errors_and_saves_nothing(client, quarter, coordinator, changes, where):
    client.force_login(coordinator)
    response = client.post(f"/participation/quarters/{quarter.pk}/new/", process_data(**changes))
    assert response.status_code == 400
    form, formset = response.context["form"], response.context["formset"]
    if where == "phase":
        assert formset.forms[0].errors
    elif where == "formset":
        assert formset.non_form_errors()
    else:
        assert where in form.errors
    assert not Process.objects.exists()


def test_a_budget_phase_links_a_quarter_budget_of_this_quarter_only(quarter, coordinator):
    phase = services.PhaseData(kind="ideas", starts_at=None, ends_at=None)
    with pytest.raises(ValidationError):
        services.create_process(quarter, actor=coordinator, phases=[phase], title="x", goal="y",
                                open_for_decision="z")


def test_coordinators_of_another_gemeinde_cannot_change_the_process(client, quarter,
                                                                   other_coordinator):
    process = make_process(quarter)
    with pytest.raises(PermissionDenied):
        services.change_process(process, actor=other_coordinator, title="Übernommen")
    client.force_login(other_coordinator)
    response = client.post(f"/participation/{process.pk}/edit/", process_data(title="Ulm"))
    assert response.status_code == 403
    assert client.post(f"/participation/{process.pk}/publish/").status_code == 403
    process.refresh_from_db()
    assert process.title == "Neue Mitte Südstadt"


def test_changing_phases_keeps_polls_on_unchanged_phases(quarter, coordinator):
    process = make_process(quarter, phases=("ideas",))
    poll = make_poll(process)
    phases = [services.PhaseData(kind=p.kind, starts_at=p.starts_at, ends_at=p.ends_at)
              for p in process.phases.order_by("starts_at", "pk")]
    services.change_process(process, actor=coordinator, phases=phases, title="Neu")
    poll.refresh_from_db()
    assert poll.phase.kind == "poll"
    with pytest.raises(ValidationError):
        services.change_process(process, actor=coordinator, phases=phases[:1])
    assert Phase.objects.filter(kind="poll").exists()


def test_the_result_is_public_and_followers_are_told(client, quarter, coordinator, member):
    process = make_process(quarter)
    services.follow(member, process=process)
    services.change_process(process, actor=coordinator,
                            result="Die Bänke kommen im Mai.", result_simple="Es gibt Bänke.")
    assert member.participation_notifications.filter(text__contains="result").exists()
    page = client.get(process.get_absolute_url()).content.decode()
    assert "Die Bänke kommen im Mai." in page


def test_the_process_page_has_a_meta_description_and_the_quarter_page_links_it(client, quarter):
    process = make_process(quarter, goal="Wie soll der Platz aussehen? " * 10)
    page = client.get(process.get_absolute_url()).content.decode()
    assert '<meta name="description" content="Wie soll der Platz aussehen?' in page
    quarter_page = client.get(f"/participation/quarters/{quarter.pk}/").content.decode()
    assert process.get_absolute_url() in quarter_page
