"""RSS and Atom feeds (all, per tag, place, quarter), the sitemap and robots.txt."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from quartier.news.tests.support import make_article, tag

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def news(quarter):
    beratung = tag("beratung", "Beratung")
    return {
        "land": make_article(title="Beratung im Land", tags=[beratung]),
        "tuebingen": make_article("08416041", title="Werkstatt Tübingen", places=["08416041"]),
        "quarter": make_article("08416041", title="Fest Südstadt", quarters=[quarter]),
        "draft": make_article(title="Entwurf", status="draft", tags=[beratung]),
        "scheduled": make_article(title="Morgen", tags=[beratung],
                                  published_at=timezone.now() + dt.timedelta(days=1)),
    }


def rss_titles(response):
    root = ET.fromstring(response.content)
    return [item.findtext("title") for item in root.iter("item")]


def atom_titles(response):
    root = ET.fromstring(response.content)
    return [entry.findtext(f"{ATOM}title") for entry in root.iter(f"{ATOM}entry")]


def test_the_rss_feed_holds_public_articles_newest_first(client, news):
    response = client.get("/news/rss/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    assert rss_titles(response) == ["Fest Südstadt", "Werkstatt Tübingen", "Beratung im Land"]
    item = next(ET.fromstring(response.content).iter("item"))
    assert item.findtext("link") == f"http://testserver/news/{news['quarter'].pk}/"
    assert item.findtext("pubDate")


def test_the_atom_feed_holds_the_same_articles(client, news):
    response = client.get("/news/atom/")
    assert response["Content-Type"].startswith("application/atom+xml")
    assert atom_titles(response) == ["Fest Südstadt", "Werkstatt Tübingen", "Beratung im Land"]


def test_feeds_per_tag_place_and_quarter(client, news, quarter):
    assert rss_titles(client.get("/news/tags/beratung/rss/")) == ["Beratung im Land"]
    assert atom_titles(client.get("/news/tags/beratung/atom/")) == ["Beratung im Land"]
    assert rss_titles(client.get("/news/places/08416041/rss/")) == ["Fest Südstadt",
                                                                    "Werkstatt Tübingen"]
    assert atom_titles(client.get("/news/places/08416/atom/")) == ["Fest Südstadt",
                                                                   "Werkstatt Tübingen"]
    assert rss_titles(client.get(f"/news/quarters/{quarter.pk}/rss/")) == ["Fest Südstadt"]
    assert atom_titles(client.get(f"/news/quarters/{quarter.pk}/atom/")) == ["Fest Südstadt"]
    assert client.get("/news/tags/nichts/rss/").status_code == 404
    assert client.get("/news/places/08999999/atom/").status_code == 404


def test_html_in_a_teaser_stays_text_in_feed_readers(client):
    make_article(title='<script>alert("t")</script>',
                 teaser='<img src=x onerror=alert(1)> & <b>fett</b>')
    item = next(ET.fromstring(client.get("/news/rss/").content).iter("item"))
    # The description is HTML for the reader: the teaser arrives escaped, as text.
    description = item.findtext("description")
    assert description.startswith("<p>&lt;img src=x onerror=alert(1)&gt; &amp; &lt;b&gt;")
    assert "<img" not in description and "<script" not in description
    assert item.findtext("title") == '<script>alert("t")</script>'  # RSS titles are text


HOSTILE_HTML = ('<script>alert(1)</script><img src=x onerror=alert(2)>'
                '<a href="javascript:alert(3)">a</a>'
                '<img src="data:image/svg+xml,<svg/onload=alert(4)>" alt="d">'
                '<iframe src="//evil.example"></iframe><p style="x" onclick="alert(5)">'
                'Text</p>')


def test_a_stored_body_that_never_passed_the_sanitiser_is_sanitised_in_the_feeds(client):
    from quartier.news.models import Article

    article = make_article(title="Alt")
    Article.objects.filter(pk=article.pk).update(body_html=HOSTILE_HTML)
    for path, item, tag_name in (("/news/rss/", "item", "description"),
                                 ("/news/atom/", f"{ATOM}entry", f"{ATOM}summary")):
        root = ET.fromstring(client.get(path).content)
        description = next(root.iter(item)).findtext(tag_name)
        for dangerous in ("<script", "onerror", "javascript:", "data:", "<iframe", "onclick",
                          "style="):
            assert dangerous not in description, (path, dangerous)
        assert "<p>Text</p>" in description


def test_the_sitemap_lists_public_places_quarters_and_news(client, news, quarter, tuebingen):
    from conftest import make_quarter

    draft_quarter = make_quarter(tuebingen, name="Entwurf", status="draft")
    index = ET.fromstring(client.get("/sitemap.xml").content)
    sections = [loc.text for loc in index.iter(f"{SITEMAP}loc")]
    assert "http://testserver/sitemap-news.xml" in sections
    assert "http://testserver/sitemap-places.xml" in sections
    assert "http://testserver/sitemap-quarters.xml" in sections

    def locs(section):
        response = client.get(f"/sitemap-{section}.xml")
        assert response.status_code == 200
        return {loc.text for loc in ET.fromstring(response.content).iter(f"{SITEMAP}loc")}

    news_urls = locs("news")
    assert news_urls == {f"http://testserver/news/{news[k].pk}/"
                         for k in ("land", "tuebingen", "quarter")}
    places = locs("places")
    assert "http://testserver/places/08416041/" in places and len(places) > 1000
    quarters = locs("quarters")
    assert f"http://testserver/quarters/{quarter.pk}/" in quarters
    assert f"http://testserver/quarters/{draft_quarter.pk}/" not in quarters
    assert locs("news-tags") == {"http://testserver/news/tags/beratung/"}


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert "Disallow: /admin/" in text and "Disallow: /accounts/" in text


def test_the_sitemap_lists_public_participation_processes_and_ideas(client, quarter):
    from quartier.participation.tests.support import make_idea, make_process

    process = make_process(quarter)
    idea = make_idea(process)
    draft = make_process(quarter, status="draft", title="Entwurf")
    hidden_idea = make_idea(process, title="Versteckt", hidden=True)

    def locs(section):
        response = client.get(f"/sitemap-{section}.xml")
        assert response.status_code == 200
        return {loc.text for loc in ET.fromstring(response.content).iter(f"{SITEMAP}loc")}

    processes = locs("processes")
    assert f"http://testserver{process.get_absolute_url()}" in processes
    assert f"http://testserver{draft.get_absolute_url()}" not in processes
    ideas = locs("ideas")
    assert f"http://testserver{idea.get_absolute_url()}" in ideas
    assert f"http://testserver{hidden_idea.get_absolute_url()}" not in ideas
