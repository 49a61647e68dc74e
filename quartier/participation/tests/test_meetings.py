"""Meetings: registration with a limit, a waiting list that moves up, iCal, minutes."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from icalendar import Calendar

from conftest import make_user
from quartier.participation import services
from quartier.participation.models import Meeting, Registration
from quartier.participation.tests.support import make_meeting


def test_a_full_meeting_puts_people_on_the_waiting_list_which_moves_up(process, member,
                                                                       resident):
    meeting = make_meeting(process, capacity=1)
    assert services.register(meeting, user=member).status == "confirmed"
    assert services.register(meeting, user=resident).status == "waiting"
    assert services.register(meeting, user=resident).status == "waiting"  # idempotent
    moved = services.cancel_registration(meeting, user=member)
    assert moved.user == resident and moved.status == "confirmed"
    assert resident.participation_notifications.filter(text__contains="place became free").exists()
    assert list(Registration.objects.values_list("user", "status")) == [
        (resident.pk, "confirmed")]


def test_raising_the_limit_moves_the_waiting_list_up(process, member, resident, coordinator):
    meeting = make_meeting(process, capacity=1)
    services.register(meeting, user=member)
    services.register(meeting, user=resident)
    services.change_meeting(meeting, actor=coordinator, capacity=2)
    assert Registration.objects.filter(status="confirmed").count() == 2


def test_no_registration_after_the_start_or_when_closed(process, member):
    past = make_meeting(process, starts_at=timezone.now() - timedelta(hours=1),
                        ends_at=timezone.now() + timedelta(hours=1))
    closed = make_meeting(process, registration_open=False)
    for meeting in (past, closed):
        with pytest.raises(ValidationError):
            services.register(meeting, user=member)
    with pytest.raises(ValidationError):
        services.cancel_registration(closed, user=member)


@pytest.mark.parametrize("changes, field", [
    ({"ends_at": timezone.now()}, "ends_at"),
    ({"venue": "", "online_url": ""}, "venue"),
    ({"online_url": "javascript:alert(1)"}, "online_url"),
    ({"capacity": 0}, "capacity"),
])
def test_meetings_with_bad_data_are_refused(process, coordinator, changes, field):
    values = dict(title="Treffen", starts_at=timezone.now() + timedelta(days=1),
                  ends_at=timezone.now() + timedelta(days=1, hours=2), venue="Saal",
                  online_url="")
    values.update(changes)
    with pytest.raises(ValidationError) as caught:
        services.create_meeting(process, actor=coordinator, **values)
    assert field in caught.value.message_dict
    assert not Meeting.objects.exists()


def test_the_ical_file_holds_the_event(client, process):
    meeting = make_meeting(process, online_url="https://meet.example/raum", hearing_loop=True)
    response = client.get(f"/participation/meetings/{meeting.pk}/calendar.ics")
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Stadtteilgespräch"
    assert event.decoded("DTSTART") == meeting.starts_at.replace(microsecond=0)
    assert "Bürgerhaus" in str(event["LOCATION"])
    assert "https://meet.example/raum" in str(event["DESCRIPTION"])
    assert str(event["URL"]).endswith(meeting.get_absolute_url())


def test_the_meeting_page_registers_and_cancels_without_javascript(client, process, member):
    meeting = make_meeting(process, capacity=1)
    other = make_user("frueh@example.org")
    services.register(meeting, user=other)
    client.force_login(member)
    assert b"Put me on the waiting list" in client.get(meeting.get_absolute_url()).content
    client.post(f"/participation/meetings/{meeting.pk}/register/")
    assert b"waiting list" in client.get(meeting.get_absolute_url()).content
    client.post(f"/participation/meetings/{meeting.pk}/cancel/")
    assert not Registration.objects.filter(user=member).exists()


def test_coordinators_write_the_minutes_and_see_who_registered(client, process, coordinator,
                                                               member):
    meeting = make_meeting(process)
    services.register(meeting, user=member)
    client.force_login(coordinator)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Registrations (only for the coordinators)" in page
    data = {"title": meeting.title, "starts_at": "2030-05-04T18:00", "ends_at": "2030-05-04T20:00",
            "venue": "Bürgerhaus", "address": "", "minutes": "Wir haben beschlossen: <b>Bänke</b>",
            "registration_open": "on", "capacity": ""}
    assert client.post(f"/participation/meetings/{meeting.pk}/edit/", data).status_code == 302
    meeting.refresh_from_db()
    assert meeting.minutes.startswith("Wir haben")
    client.logout()
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "&lt;b&gt;Bänke&lt;/b&gt;" in page and "Registrations (only" not in page
