"""People vote in a poll, register for a meeting (and its waiting list), download its iCal
file; a coordinator opens a process, answers an idea and adds a meeting."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import TUEBINGEN, make_org, make_quarter, make_user
from quartier.participation import services
from quartier.participation.models import Idea, Meeting, Process, Registration
from quartier.participation.tests.support import make_idea, make_meeting, make_poll, make_process
from quartier.places.models import Place
from quartier.testing.browser import check_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture
def quarter(places_loaded):
    return make_quarter(Place.objects.get(ags=TUEBINGEN))


def test_a_resident_votes_and_registers_for_a_full_meeting(page, sign_in, quarter):
    process = make_process(quarter, phases=("poll",))
    poll = make_poll(process, allow_free_text=True, free_text_label="Was fehlt?")
    meeting = make_meeting(process, capacity=1)
    services.register(meeting, user=make_user("schnell@example.org"))
    resident = make_user("anwohnerin@example.org")
    sign_in(resident)

    page.goto(process.get_absolute_url())
    page.get_by_role("link", name=poll.question).click()
    check_axe(page)
    page.get_by_role("button", name="Abstimmen").click()
    expect(page.get_by_role("alert")).to_contain_text("Wählen Sie eine Antwort.")
    check_axe(page)
    page.get_by_label("Nein").check()
    page.get_by_label("Was fehlt?").fill("Schatten")
    page.get_by_role("button", name="Abstimmen").click()
    expect(page.get_by_text("Danke, Ihre Stimme ist gezählt.")).to_be_visible()
    expect(page.get_by_role("heading", name="Ergebnisse")).to_be_visible()
    expect(page.get_by_role("row", name="Nein 1 100 %")).to_be_visible()
    check_axe(page)

    page.goto(meeting.get_absolute_url())
    check_axe(page)
    page.get_by_role("button", name="Auf die Warteliste setzen").click()
    expect(page.get_by_text("Sie stehen auf der Warteliste. Sie rücken nach")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="In meinen Kalender (iCal-Datei)").click()
    assert download.value.suggested_filename == f"meeting-{meeting.pk}.ics"
    assert b"BEGIN:VEVENT" in open(download.value.path(), "rb").read()

    services.cancel_registration(meeting, user=Registration.objects.first().user)
    page.reload()
    expect(page.get_by_text("Sie sind angemeldet.")).to_be_visible()
    page.get_by_role("button", name="Meine Anmeldung absagen").click()
    expect(page.get_by_text("Ihre Anmeldung ist abgesagt.")).to_be_visible()
    check_axe(page)


def test_a_coordinator_opens_a_process_answers_an_idea_and_adds_a_meeting(page, sign_in,
                                                                        quarter):
    town = make_org("Stadt Tübingen", "kommune", TUEBINGEN)
    coordinator = make_user("koordination@example.org", "municipal_coordinator", town)
    sign_in(coordinator)

    page.goto(f"/participation/quarters/{quarter.pk}/")
    check_axe(page)
    page.get_by_role("link", name="Beteiligungsprozess eröffnen").click()
    check_axe(page)
    page.locator("#id_title").fill("Neue Mitte")
    page.locator("#id_goal").fill("Ein Platz für alle.")
    page.locator("#id_open_for_decision").fill("Bänke und Bäume.")
    page.locator("#id_phases-0-kind").select_option("ideas")
    today = timezone.localtime()

    def day(offset):
        return (today + timedelta(days=offset)).strftime("%Y-%m-%dT%H:%M")

    page.locator("#id_phases-0-starts_at").fill(day(2))
    page.locator("#id_phases-0-ends_at").fill(day(0))
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("alert")).to_contain_text("Die Phase muss nach ihrem Beginn enden.")
    check_axe(page)
    page.locator("#id_phases-0-starts_at").fill(day(-1))
    page.locator("#id_phases-0-ends_at").fill(day(20))
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("als Entwurf gespeichert")).to_be_visible()
    page.get_by_role("button", name="Veröffentlichen").click()
    expect(page.get_by_text("Der Prozess ist veröffentlicht.")).to_be_visible()
    check_axe(page)
    process = Process.objects.get()
    assert process.is_published()

    idea = make_idea(process, make_user("ideengeberin@example.org"), title="Trinkbrunnen")
    page.goto(idea.get_absolute_url())
    page.get_by_role("link", name="Antworten und Status setzen").click()
    check_axe(page)
    page.get_by_label("Nicht umsetzbar").check()
    page.get_by_role("button", name="Antwort veröffentlichen").click()
    expect(page.get_by_role("alert")).to_contain_text("warum die Idee nicht umsetzbar ist")
    page.get_by_label("Angenommen").check()
    page.locator("#id_answer").fill("Kommt im Sommer.")
    page.get_by_role("button", name="Antwort veröffentlichen").click()
    expect(page.get_by_role("heading", name="Offizielle Antwort")).to_be_visible()
    check_axe(page)
    assert Idea.objects.get().status == "accepted"

    page.goto(process.get_absolute_url())
    page.get_by_role("link", name="Treffen hinzufügen").click()
    check_axe(page)
    page.locator("#id_title").fill("Werkstatt")
    page.locator("#id_starts_at").fill((today + timedelta(days=5)).strftime("%Y-%m-%dT18:00"))
    page.locator("#id_ends_at").fill((today + timedelta(days=5)).strftime("%Y-%m-%dT20:00"))
    page.locator("#id_venue").fill("Bürgerhaus")
    page.get_by_label("Stufenloser Zugang").check()
    page.locator("#id_capacity").fill("20")
    page.get_by_role("button", name="Treffen speichern").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Werkstatt")
    check_axe(page)
    assert Meeting.objects.get().step_free
