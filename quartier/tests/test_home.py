"""The home page shows what anyone can take part in now, from every module."""

import pytest

from quartier.calls.tests.support import make_call
from quartier.news.tests.support import make_article
from quartier.participation.tests.support import make_process
from quartier.pb.tests.support import make_budget

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_things(quarter, draft_quarter):
    return {
        "call": make_call(title="Offener Aufruf"),
        "draft_call": make_call(title="Entwurfsaufruf", phase="draft"),
        "closed_call": make_call(title="Vergangener Aufruf", closes_in_days=-1),
        "budget": make_budget(quarter, "voting", title="Abstimmung Südstadt"),
        "proposing": make_budget(quarter, "proposal", title="Vorschläge Südstadt"),
        "hidden_budget": make_budget(draft_quarter, "voting", title="Geheimes Budget"),
        "process": make_process(quarter, title="Ideen für den Platz"),
        "draft_process": make_process(quarter, title="Entwurfsprozess", status="draft"),
        "hidden_process": make_process(draft_quarter, title="Prozess im Entwurfsviertel"),
        "article": make_article(title="Bürgerwerkstatt eröffnet"),
        "draft_article": make_article(title="Noch nicht erschienen", status="draft"),
    }


def test_the_home_page_lists_open_calls_votes_processes_and_news(client, open_things):
    page = client.get("/").content.decode()

    for shown in ("Offener Aufruf", "Abstimmung Südstadt", "Ideen für den Platz",
                  "Bürgerwerkstatt eröffnet"):
        assert shown in page
    for hidden in ("Entwurfsaufruf", "Vergangener Aufruf", "Vorschläge Südstadt",
                   "Geheimes Budget", "Entwurfsprozess", "Prozess im Entwurfsviertel",
                   "Noch nicht erschienen"):
        assert hidden not in page


def test_the_home_page_leaves_the_section_out_when_nothing_is_open(client):
    assert 'id="now-heading"' not in client.get("/").content.decode()


def test_the_home_page_runs_the_same_queries_for_few_and_many_open_things(
    client, open_things, quarter, django_assert_max_num_queries
):
    # The state figures and one query per module (news adds one for its tags).
    with django_assert_max_num_queries(10) as few:
        client.get("/")
    for number in range(4):
        make_call(title=f"Aufruf {number}")
        make_budget(quarter, "voting", title=f"Budget {number}")
        make_process(quarter, title=f"Prozess {number}")
        make_article(title=f"Artikel {number}")
    with django_assert_max_num_queries(len(few)):
        client.get("/")


@pytest.mark.browser
def test_a_visitor_finds_what_is_open_on_the_home_page(page, open_things):
    from playwright.sync_api import expect

    from quartier.testing.browser import check_axe

    page.goto("/")
    section = page.get_by_role("region", name="Jetzt mitmachen")
    expect(section.get_by_role("link", name="Abstimmung Südstadt")).to_be_visible()
    check_axe(page)

    section.get_by_role("link", name="Offener Aufruf").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Offener Aufruf")
