"""A reader without an account: the news, an article, its related articles, a feed."""

import xml.etree.ElementTree as ET

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from quartier.testing.browser import check_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture
def demo_news(places_loaded):
    from conftest import make_quarter
    from quartier.places.models import Place

    # The demo places its Tübingen workshop in the first quarter of Tübingen.
    make_quarter(Place.objects.get(ags="08416041"), name="Altstadt")
    call_command("news", "demo")


def test_a_reader_reads_the_news_an_article_and_its_related_articles(page, demo_news):
    page.goto("/")
    page.locator(".nav").get_by_role("link", name="Aktuelles").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aktuelles")
    expect(page.locator(".article-item")).to_have_count(14)
    expect(page.locator(".article-item h2").first).to_have_text(
        "Beratungsangebote erreichen fast alle Landkreise")
    check_axe(page)

    page.get_by_label("Schlagwort").select_option(label="Ideenwettbewerb")
    page.get_by_role("button", name="Anzeigen").click()
    expect(page.locator(".article-item")).to_have_count(1)
    check_axe(page)

    page.get_by_role("link", name="53 Kommunen für ihre Quartiersideen ausgezeichnet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "53 Kommunen für ihre Quartiersideen ausgezeichnet")
    expect(page.locator(".article-body")).to_contain_text("2,7 Millionen Euro")
    expect(page.locator(".badge-demo")).to_be_visible()
    page.get_by_text("In Einfacher Sprache").click()
    expect(page.get_by_text("53 Städte und Gemeinden haben einen Preis bekommen.")).to_be_visible()
    related = page.locator(".related-list > li > a")
    expect(related).to_have_count(5)
    expect(related.first).to_have_text(
        "12 Millionen Euro für Quartiersentwicklung im Doppelhaushalt 2018/2019")
    expect(page.locator('meta[property="og:title"]')).to_have_attribute(
        "content", "53 Kommunen für ihre Quartiersideen ausgezeichnet")
    check_axe(page)

    related.first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "12 Millionen Euro für Quartiersentwicklung im Doppelhaushalt 2018/2019")
    expect(page.locator(".related-list > li > a").first).to_have_text(
        "53 Kommunen für ihre Quartiersideen ausgezeichnet")
    check_axe(page)

    page.get_by_role("link", name="Haushalt").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aktuelles zum Schlagwort „Haushalt“")
    check_axe(page)


def test_a_reader_subscribes_to_a_feed(page, demo_news):
    page.goto("/news/")
    link = page.get_by_role("link", name="RSS-Feed")
    expect(link).to_have_attribute("href", "/news/rss/")
    assert page.locator('link[rel="alternate"][type="application/rss+xml"]').count() == 1
    response = page.request.get(link.get_attribute("href"))
    assert response.ok and response.headers["content-type"].startswith("application/rss+xml")
    titles = [item.findtext("title") for item in ET.fromstring(response.body()).iter("item")]
    assert len(titles) == 14 and titles[0] == "Beratungsangebote erreichen fast alle Landkreise"

    atom = page.request.get(page.get_by_role("link", name="Atom-Feed").get_attribute("href"))
    root = ET.fromstring(atom.body())
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"


def test_a_reader_finds_the_news_of_a_gemeinde_and_a_quarter(page, demo_news):
    page.goto("/places/08416041/")
    section = page.locator(".news-about")
    expect(section.get_by_role("heading", level=2)).to_have_text("Aktuelles")
    expect(section.get_by_role("link", name="Tübingen nimmt Prozessberatung des Landes in "
                                            "Anspruch")).to_be_visible()
    check_axe(page)
    section.get_by_role("link", name="Alle Nachrichten aus").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Aktuelles aus Tübingen")
    expect(page.locator(".article-item")).to_have_count(2)
    check_axe(page)

    from quartier.places.models import Quarter

    quarter = Quarter.objects.get(name="Altstadt")
    page.goto(f"/quarters/{quarter.pk}/")
    expect(page.locator(".news-about")).to_contain_text("Bürgerwerkstatt")
    page.locator(".news-about").get_by_role("link", name="Alle Nachrichten aus Altstadt").click()
    expect(page.locator(".article-item")).to_have_count(1)
    check_axe(page)
