"""The remaining pages with axe: poll form, meeting minutes, idea and comment edits; and
commenting, supporting and voting without JavaScript."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from conftest import TUEBINGEN, make_org, make_quarter, make_user
from quartier.participation import services
from quartier.participation.models import Comment, Poll
from quartier.participation.tests.support import make_idea, make_meeting, make_poll, make_process
from quartier.places.models import Place
from quartier.testing.browser import check_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture
def process(places_loaded):
    quarter = make_quarter(Place.objects.get(ags=TUEBINGEN))
    return make_process(quarter, phases=("ideas", "poll"))


def test_a_coordinator_adds_a_poll_and_writes_minutes(page, sign_in, process):
    town = make_org("Stadt Tübingen", "kommune", TUEBINGEN)
    sign_in(make_user("koordination@example.org", "municipal_coordinator", town))
    page.goto(process.get_absolute_url())
    page.get_by_role("link", name="Abstimmung hinzufügen").click()
    check_axe(page)
    page.locator("#id_question").fill("Brunnen oder Baum?")
    page.locator("#id_options").fill("Brunnen")
    page.get_by_role("button", name="Abstimmung speichern").click()
    expect(page.get_by_role("alert")).to_contain_text("mindestens zwei")
    check_axe(page)
    page.locator("#id_options").fill("Brunnen\nBaum")
    page.get_by_role("button", name="Abstimmung speichern").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Brunnen oder Baum?")
    assert Poll.objects.get().options.count() == 2

    meeting = make_meeting(process)
    page.goto(meeting.get_absolute_url())
    page.get_by_role("link", name="Treffen und Protokoll bearbeiten").click()
    check_axe(page)
    page.locator("#id_minutes").fill("Wir haben über Bänke gesprochen.")
    page.get_by_role("button", name="Treffen speichern").click()
    expect(page.get_by_role("heading", name="Protokoll")).to_be_visible()
    check_axe(page)


def test_authors_edit_their_idea_and_comment(page, sign_in, process):
    author = make_user("autorin@example.org")
    idea = make_idea(process, author)
    comment = services.add_comment(idea, "Tippfeler", author=author)
    sign_in(author)
    page.goto(idea.get_absolute_url())
    page.get_by_role("link", name="Ihre Idee ändern").click()
    check_axe(page)
    page.locator("#id_title").fill("Mehr Bänke und Bäume")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mehr Bänke und Bäume")
    page.get_by_role("link", name="Bearbeiten (Ihr Kommentar)").click()
    check_axe(page)
    page.get_by_label("Ihr Kommentar").fill("Tippfehler")
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator(f"#comment-{comment.pk}")).to_contain_text("Tippfehler")


def test_everything_works_without_javascript(browser, live_server, process):
    resident = make_user("ohnejs@example.org")
    idea = make_idea(process, make_user("andere@example.org"))
    poll = make_poll(process)
    client = Client()
    client.force_login(resident)
    context = browser.new_context(base_url=live_server.url, locale="de-DE",
                                  java_script_enabled=False)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                          "url": live_server.url}])
    page = context.new_page()
    try:
        page.goto(idea.get_absolute_url())
        page.get_by_role("button", name="Kommentar veröffentlichen").click()
        expect(page.get_by_role("alert")).to_contain_text("erforderlich")
        page.locator("#comment-text").fill("Ohne JavaScript geschrieben")
        page.get_by_role("button", name="Kommentar veröffentlichen").click()
        expect(page.get_by_text("Ohne JavaScript geschrieben")).to_be_visible()
        assert Comment.objects.get().author == resident
        page.get_by_role("button", name="Diese Idee unterstützen").click()
        expect(page.get_by_role("button", name="Meine Unterstützung zurückziehen")).to_be_visible()
        page.goto(f"/participation/{process.pk}/ideas/")
        page.get_by_label("Kategorie").select_option("meeting_places")
        page.get_by_role("button", name="Anzeigen").click()
        expect(page.get_by_role("link", name=idea.title)).to_be_visible()
        page.goto(poll.get_absolute_url())
        page.get_by_label("Ja").check()
        page.get_by_role("button", name="Abstimmen").click()
        expect(page.get_by_text("Danke, Ihre Stimme ist gezählt.")).to_be_visible()
    finally:
        context.close()
