"""/audit/: the audit trail of every module, filtered and paginated, for programme staff."""

import datetime

import pytest
from django.utils import timezone

from quartier.accounts.models import AuditEvent
from quartier.accounts.services import record_event
from quartier.budget import services
from quartier.budget.tests.support import make_line

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def events(line, staff, coordinator, tuebingen):
    services.commit_funds(line, 5_00, measure="Forum", actor=staff)
    record_event("places.quarter_saved", tuebingen, actor=coordinator,
                 summary="Quartier gespeichert")
    return line


def listed(response):
    return [event.action for event in response.context["page"].object_list]


def test_staff_see_every_modules_steps_newest_first(staff_client, events):
    response = staff_client.get("/audit/")
    assert response.status_code == 200
    assert listed(response) == ["places.quarter_saved", "budget.committed",
                                "budget.line_created"]
    page = response.content.decode()
    assert "coordinator@example.org" in page and "die Plattform" in page
    assert f'href="/budget/ledger/{events.pk}/"' in page


@pytest.mark.parametrize("params, actions", [
    ({"module": "budget"}, ["budget.committed", "budget.line_created"]),
    ({"module": "places"}, ["places.quarter_saved"]),
    ({"target_type": "places.place"}, ["places.quarter_saved"]),
    ({"actor": "COORDINATOR@"}, ["places.quarter_saved"]),
    ({"actor": "staff"}, ["budget.committed"]),
    ({"module": "budget", "target_type": "budget.budgetline", "target_id": "999"}, []),
])
def test_the_trail_is_filtered(staff_client, events, params, actions):
    assert listed(staff_client.get("/audit/", params)) == actions


def test_dates_are_whole_days_in_berlin(staff_client, events):
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    assert len(listed(staff_client.get("/audit/", {"date_from": today.isoformat(),
                                                    "date_to": today.isoformat()}))) == 3
    assert listed(staff_client.get("/audit/", {"date_to": yesterday.isoformat()})) == []


@pytest.mark.parametrize("params, field", [
    ({"module": "nonsense"}, "module"),
    ({"target_type": "<script>"}, "target_type"),
    ({"date_from": "gestern"}, "date_from"),
    ({"date_from": "2019-02-30"}, "date_from"),
    ({"date_from": "2019-03-02", "date_to": "2019-03-01"}, "date_to"),
    ({"actor": "x" * 101}, "actor"),
])
def test_wrong_filters_are_refused_and_show_nothing(staff_client, events, params, field):
    response = staff_client.get("/audit/", params)
    assert response.status_code == 400
    assert field in response.context["form"].errors and listed(response) == []


def test_a_hostile_summary_is_shown_as_text(staff_client, line):
    record_event("news.commented", line, actor=None, summary="<script>alert(1)</script>")
    page = staff_client.get("/audit/").content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_trail_is_paginated_and_keeps_the_filter(staff_client):
    line = make_line(amount_cents=1_000_00)
    for number in range(60):
        services.commit_funds(line, 1, measure=f"M{number}", actor=None)
    response = staff_client.get("/audit/", {"module": "budget"})
    assert len(listed(response)) == 50
    assert "?page=2&amp;module=budget" in response.content.decode()
    assert len(listed(staff_client.get("/audit/", {"module": "budget", "page": 2}))) == 11


def test_the_line_page_shows_its_latest_steps_and_links_the_whole_trail(staff_client, events):
    response = staff_client.get(events.get_absolute_url())
    assert [e.action for e in response.context["events"]] == ["budget.committed",
                                                              "budget.line_created"]
    assert (f"/audit/?target_type=budget.budgetline&amp;target_id={events.pk}"
            in response.content.decode())
    assert AuditEvent.objects.count() == 3
