"""A moderator works the queue: hides a comment with a public reason and blocks its author,
who can then no longer contribute."""

import pytest
from playwright.sync_api import expect

from conftest import TUEBINGEN, make_org, make_quarter, make_user
from quartier.participation import services
from quartier.participation.models import Comment
from quartier.participation.tests.support import make_idea, make_process
from quartier.places.models import Place
from quartier.testing.browser import check_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_a_moderator_hides_with_a_reason_and_blocks_the_author(page, sign_in, places_loaded):
    quarter = make_quarter(Place.objects.get(ags=TUEBINGEN))
    process = make_process(quarter)
    town = make_org("Stadt Tübingen", "kommune", TUEBINGEN)
    moderator = make_user("moderation@example.org", "moderator", town, second_factor=True)
    troll = make_user("troll@example.org")
    reader = make_user("leserin@example.org")
    idea = make_idea(process, reader, title="Spielplatz")
    rude = services.add_comment(idea, "Ihr seid alle doof", author=troll)
    services.add_comment(idea, "Bitte freundlich bleiben", author=reader, parent=rude)
    services.report(rude, "insult", reporter=reader)

    sign_in(moderator)
    page.goto("/participation/moderation/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Moderation")
    expect(page.get_by_text("Ihr seid alle doof", exact=True)).to_be_visible()
    check_axe(page)
    page.get_by_role("link", name="Entscheiden").click()
    check_axe(page)
    page.get_by_label("Mit öffentlicher Begründung ausblenden").check()
    page.get_by_role("button", name="Entscheidung speichern").click()
    expect(page.get_by_role("alert")).to_contain_text("öffentliche Begründung")
    check_axe(page)
    page.get_by_label("Öffentliche Begründung").fill("Beleidigt andere.")
    page.get_by_role("button", name="Entscheidung speichern").click()
    expect(page.get_by_text("Nichts wartet auf Moderation.")).to_be_visible()
    assert Comment.objects.get(pk=rude.pk).hidden

    page.goto(idea.get_absolute_url())
    expect(page.get_by_text("Begründung: Beleidigt andere.")).to_be_visible()
    expect(page.get_by_text("Bitte freundlich bleiben")).to_be_visible()  # the thread stays
    expect(page.get_by_text("Ihr seid alle doof")).to_have_count(0)

    page.goto(f"/participation/moderation/accounts/{troll.pk}/")
    check_axe(page)
    page.get_by_label("Konto sperren").check()
    page.get_by_label("Begründung (die Person liest sie)").fill("Wiederholt beleidigend.")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Dieses Konto ist für Beiträge gesperrt.")).to_be_visible()
    check_axe(page)

    page.context.clear_cookies()
    sign_in(troll)
    page.goto(idea.get_absolute_url())
    expect(page.locator("#comment-text")).to_have_count(0)
    expect(page.get_by_text("Ihr Konto ist für Beiträge gesperrt.")).to_be_visible()
    page.goto("/participation/notifications/")
    expect(page.get_by_text("Wiederholt beleidigend.")).to_be_visible()
    check_axe(page)
