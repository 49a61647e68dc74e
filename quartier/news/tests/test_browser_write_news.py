"""A coordinator writes an article for the own Gemeinde; programme staff publish a draft."""

import re

import pytest
from playwright.sync_api import expect

from conftest import make_org, make_quarter, make_user
from quartier.news.models import Article
from quartier.news.tests.support import make_article, tag
from quartier.testing.browser import check_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture
def tuebingen_coordinator(places_loaded):
    from quartier.places.models import Place

    make_quarter(Place.objects.get(ags="08416041"), name="Südstadt")
    tag("beteiligung", "Beteiligung")
    tag("ehrenamt", "Ehrenamt")
    return make_user("koordination@example.org", "municipal_coordinator",
                     make_org("Stadt Tübingen", "kommune", "08416041"))


def test_a_coordinator_writes_corrects_and_publishes_an_article(page, sign_in,
                                                                tuebingen_coordinator):
    sign_in(tuebingen_coordinator)
    page.goto("/news/")
    page.get_by_role("link", name="Artikel schreiben").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Artikel schreiben")
    check_axe(page)

    page.locator("#id_title").fill("Südstadtfest für alle Generationen")
    page.locator("#id_teaser").fill("Am Samstag feiert die Südstadt <b>gemeinsam</b>.")
    page.locator("#id_body").fill(
        "## Programm\n\n- Kaffee\n- [Anmeldung](javascript:alert(1))\n\n"
        "![Plakat](https://tracker.example/p.png)")
    page.get_by_label("Beteiligung").check()
    page.get_by_label("Veröffentlicht").check()
    page.locator("#id_places_text").fill("Tübingen / Südstadt\nUlm")
    page.get_by_role("button", name="Speichern").click()

    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("javascript:alert(1)")
    expect(summary).to_contain_text("tracker.example")
    expect(summary).to_contain_text("„Ulm“ liegt außerhalb von Tübingen")
    check_axe(page)
    assert not Article.objects.exists()

    page.locator("#id_body").fill(
        "## Programm\n\n- Kaffee und Kuchen\n- [Anmeldung](https://example.org/anmeldung)")
    page.locator("#id_places_text").fill("Tübingen / Südstadt")
    page.get_by_role("button", name="Speichern").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Südstadtfest für alle Generationen")
    expect(page.get_by_text("Der Artikel ist veröffentlicht.")).to_be_visible()
    expect(page.get_by_text("Am Samstag feiert die Südstadt <b>gemeinsam</b>.")).to_be_visible()
    expect(page.locator(".article-body h2")).to_have_text("Programm")
    check_axe(page)
    article = Article.objects.get()
    assert article.is_published() and article.publisher.ags == "08416041"

    page.get_by_role("link", name="Artikel bearbeiten").click()
    expect(page.locator("#id_places_text")).to_have_value("Tübingen / Südstadt")
    check_axe(page)
    page.get_by_label("Entwurf").check()
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Der Entwurf ist gespeichert.")).to_be_visible()
    page.get_by_role("link", name="Aktuelles").first.click()
    page.get_by_role("link", name="Entwürfe und geplante Artikel").click()
    expect(page.get_by_role("link", name="Südstadtfest für alle Generationen")).to_be_visible()
    check_axe(page)

    page.context.clear_cookies()
    assert page.goto(f"/news/{article.pk}/").status == 404


def test_programme_staff_publish_a_draft_and_delete_an_article(page, sign_in, places_loaded):
    staff = make_user("team@example.org", "programme_staff", make_org("Ministerium", "land"),
                      second_factor=True)
    draft = make_article("08416041", title="Entwurf aus Tübingen", status="draft")
    old = make_article(title="Veraltete Meldung")
    sign_in(staff)
    page.goto("/news/drafts/")
    page.get_by_role("link", name="Entwurf aus Tübingen").click()
    expect(page.locator(".badge", has_text="Entwurf")).to_be_visible()
    check_axe(page)
    page.get_by_role("link", name="Artikel bearbeiten").click()
    page.get_by_label("Veröffentlicht").check()
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Der Artikel ist veröffentlicht.")).to_be_visible()
    draft.refresh_from_db()
    assert draft.is_published() and draft.publisher.ags == "08416041"

    page.goto(f"/news/{old.pk}/")
    page.get_by_role("link", name="Artikel löschen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("„Veraltete Meldung“ löschen")
    check_axe(page)
    page.get_by_role("button", name="Endgültig löschen").click()
    expect(page).to_have_url(re.compile(r"/news/$"))
    expect(page.get_by_text("„Veraltete Meldung“ ist gelöscht.")).to_be_visible()
    assert not Article.objects.filter(pk=old.pk).exists()
