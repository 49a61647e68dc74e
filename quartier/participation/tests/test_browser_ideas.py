"""A resident proposes an idea (on the map and without it), comments, replies, supports,
follows, reads in simple language and reports; every page passes axe."""

import pytest
from playwright.sync_api import expect

from conftest import TUEBINGEN, make_quarter, make_user
from quartier.participation import services
from quartier.participation.models import Comment, Idea, Report
from quartier.participation.tests.support import make_idea, make_process
from quartier.places.models import Place
from quartier.testing.browser import check_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture
def process(places_loaded):
    quarter = make_quarter(Place.objects.get(ags=TUEBINGEN))
    return make_process(quarter, phases=("information", "ideas"))


def test_a_resident_proposes_an_idea_on_the_map_and_discusses_it(page, sign_in, process):
    resident = make_user("anwohnerin@example.org")
    neighbour = make_user("nachbar@example.org")
    services.save_settings(neighbour, public_name="Nachbar Kurt", in_platform=True,
                           by_email=False)
    sign_in(resident)

    page.goto("/participation/")
    page.get_by_role("link", name=process.title).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(process.title)
    check_axe(page)
    page.get_by_role("link", name="Idee einreichen").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Idee einreichen")
    check_axe(page)

    page.locator("#id_title").fill("Bänke <b>im</b> Schatten")
    page.locator("#id_text").fill("Auf dem Weg zum Markt fehlen Bänke.")
    page.locator("#id_text_simple").fill("Wir wollen Bänke.")
    page.locator("#id_category").select_option("meeting_places")
    page.locator(".map-picker").click()
    expect(page.locator("#id_lat")).not_to_have_value("")
    page.locator("#id_lat").fill("40.0")  # far away: the form says so at the field
    page.get_by_role("button", name="Idee veröffentlichen").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("außerhalb des Quartiers")
    check_axe(page)
    assert not Idea.objects.exists()
    page.locator("#id_lat").fill("")
    page.locator("#id_lon").fill("")
    page.get_by_role("button", name="Idee veröffentlichen").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Bänke <b>im</b> Schatten")
    expect(page.get_by_text("Danke! Ihre Idee ist veröffentlicht.")).to_be_visible()
    check_axe(page)
    idea = Idea.objects.get()

    # A comment, posted with htmx: the section is replaced and the confirmation focused.
    page.locator("#comment-text").fill("Am besten mit Rückenlehne.")
    page.get_by_role("button", name="Kommentar veröffentlichen").click()
    expect(page.locator("#comments").get_by_text("Am besten mit Rückenlehne.")).to_be_visible()
    expect(page.get_by_text("Ihr Kommentar ist veröffentlicht.")).to_be_focused()
    check_axe(page)

    # The neighbour replies; the resident answers the reply in the same thread.
    services.add_comment(idea, "Gute Idee!", author=neighbour, parent=Comment.objects.get())
    page.reload()
    page.locator("details.reply-form summary").first.click()
    page.get_by_label("Ihre Antwort").fill("Danke, Kurt!")
    page.get_by_role("button", name="Antwort veröffentlichen").click()
    expect(page.locator(".replies").get_by_text("Danke, Kurt!")).to_be_visible()
    assert Comment.objects.filter(parent__isnull=False).count() == 2

    # Support and follow.
    page.get_by_role("button", name="Diese Idee unterstützen").click()
    expect(page.get_by_text("Sie unterstützen diese Idee.").first).to_be_visible()
    assert Idea.objects.get().support_count == 1
    page.get_by_role("button", name="Nicht mehr folgen").click()
    expect(page.get_by_role("button", name="Dieser Idee folgen")).to_be_visible()
    check_axe(page)

    # Simple language.
    page.get_by_role("button", name="Texte in Einfacher Sprache zeigen").click()
    expect(page.get_by_text("Wir wollen Bänke.")).to_be_visible()
    check_axe(page)
    page.get_by_role("button", name="Texte in Standardsprache zeigen").click()
    expect(page.get_by_text("Wir wollen Bänke.")).not_to_be_visible()

    # Report the neighbour's comment.
    page.get_by_role("link", name="Melden (Kommentar von Nachbar Kurt)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Beitrag melden")
    check_axe(page)
    page.get_by_label("Werbung oder Spam").check()
    page.get_by_role("button", name="Meldung senden").click()
    expect(page.get_by_text("Danke. Die Moderation sieht sich das an.")).to_be_visible()
    assert Report.objects.get().reporter == resident


def test_an_empty_reply_is_refused_at_the_field_with_htmx(page, sign_in, process):
    resident = make_user("anwohnerin@example.org")
    idea = make_idea(process, resident)
    services.add_comment(idea, "Erster Kommentar", author=resident)
    sign_in(resident)
    page.goto(idea.get_absolute_url())
    page.locator("details.reply-form summary").first.click()
    page.get_by_role("button", name="Antwort veröffentlichen").click()
    expect(page.locator("#comments [role=alert]")).to_be_focused()
    expect(page.locator("#comments [role=alert]")).to_contain_text("erforderlich")
    check_axe(page)
    assert Comment.objects.count() == 1


def test_the_idea_map_clusters_hundreds_of_ideas_on_one_canvas_beside_the_list(page, process):
    quarter = process.quarter
    Idea.objects.bulk_create([
        Idea(process=process, title=f"Idee {n}", text="Text", category="green",
             x=quarter.x + (n % 20) * 10, y=quarter.y + (n // 20) * 10, location_text=f"Ort {n}")
        for n in range(300)
    ])
    page.goto(f"/participation/{process.pk}/ideas/")
    expect(page.get_by_role("heading", name="300 Ideen")).to_be_visible()
    expect(page.locator("[data-map-status]")).to_contain_text("300")
    expect(page.locator(".idea-map canvas")).to_have_count(1)
    # No DOM node per idea or cluster: no marker elements, no SVG paths, one canvas.
    assert page.locator(".idea-map .leaflet-marker-pane > *").count() == 0
    assert page.locator(".idea-map .leaflet-overlay-pane svg").count() == 0
    clusters = page.evaluate("""() => {
        const map = document.querySelector('.idea-map');
        return map.querySelectorAll('.leaflet-overlay-pane canvas').length;
    }""")
    assert clusters == 1
    check_axe(page)
    # Filters work with htmx; the list carries what the map shows.
    page.get_by_label("Suche").fill("Idee 299")
    page.get_by_role("button", name="Anzeigen").click()
    expect(page.get_by_role("heading", name="1 Idee", exact=True)).to_be_visible()
    expect(page.get_by_text("Ort 299")).to_be_visible()
    check_axe(page)
