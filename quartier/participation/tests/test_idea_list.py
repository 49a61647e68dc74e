"""The idea list (filters, order, pages) and the GeoJSON of all ideas on the map."""

import json

from quartier.participation import services
from quartier.participation.models import Idea
from quartier.participation.tests.support import make_idea


def test_the_list_filters_by_category_status_and_words(client, process, resident):
    make_idea(process, resident, title="Bänke am Platz", category="meeting_places")
    make_idea(process, resident, title="Radweg", category="mobility", status="accepted")
    make_idea(process, resident, title="Baumpaten", category="green", text="Mehr Grün")
    url = f"/participation/{process.pk}/ideas/"
    titles = lambda params: [i.title for i in client.get(url, params).context["page"]]  # noqa: E731
    assert titles({"category": "mobility"}) == ["Radweg"]
    assert titles({"status": "accepted"}) == ["Radweg"]
    assert titles({"q": "grün"}) == ["Baumpaten"]
    assert titles({"sort": "old"}) == ["Bänke am Platz", "Radweg", "Baumpaten"]
    assert len(titles({"category": "nonsense", "page": "x"})) == 3  # bad filters are ignored


def test_the_list_is_paged_by_twenty_and_htmx_gets_the_results(client, process, resident):
    Idea.objects.bulk_create([Idea(process=process, author=resident, title=f"Idee {n}", text="t",
                                   category="other") for n in range(45)])
    url = f"/participation/{process.pk}/ideas/"
    page = client.get(url, {"page": 3}).context["page"]
    assert page.number == 3 and len(page.object_list) == 5
    fragment = client.get(url, {"category": "other"}, headers={"HX-Request": "true"})
    assert fragment.content.decode().lstrip().startswith('<section id="idea-results"')


def test_the_geojson_holds_every_visible_idea_with_a_point_compactly(client, process, resident):
    quarter = process.quarter
    mapped = make_idea(process, resident, title="Hier", x=quarter.x, y=quarter.y)
    make_idea(process, resident, title="Ohne Ort")
    response = client.get(f"/participation/{process.pk}/ideas.geojson")
    data = json.loads(response.content)
    assert response["Content-Type"] == "application/geo+json"
    assert [f["id"] for f in data["features"]] == [mapped.pk]
    feature = data["features"][0]
    assert feature["properties"] == {"n": "Hier", "s": "submitted", "c": "meeting_places"}
    lon, lat = feature["geometry"]["coordinates"]
    assert 8.9 < lon < 9.2 and 48.4 < lat < 48.6
    etag = response["ETag"]
    assert client.get(f"/participation/{process.pk}/ideas.geojson",
                      headers={"If-None-Match": etag}).status_code == 304


def test_the_geojson_changes_when_an_idea_moves(process, resident):
    quarter = process.quarter
    idea = services.propose_idea(process, author=resident, title="A", text="t", category="other",
                                 point=(quarter.x, quarter.y))
    process.refresh_from_db()
    before = services.ideas_geojson(process)
    services.change_idea(idea, actor=resident, point=(quarter.x + 100, quarter.y))
    process.refresh_from_db()
    assert services.ideas_geojson(process) != before


def test_the_map_and_the_list_carry_the_same_ideas(client, process, resident):
    quarter = process.quarter
    for number in range(3):
        make_idea(process, resident, title=f"Ort {number}", x=quarter.x + number, y=quarter.y,
                  location_text=f"Straße {number}")
    page = client.get(f"/participation/{process.pk}/ideas/").content.decode()
    data = json.loads(client.get(f"/participation/{process.pk}/ideas.geojson").content)
    for feature in data["features"]:
        assert feature["properties"]["n"] in page
    assert "Straße 2" in page and "on the map" in page


def test_cached_pages_of_visitors_without_an_account_change_with_every_change(
    client, process, resident, member, moderator
):
    idea = make_idea(process, resident, title="Bänke")
    url, list_url = idea.get_absolute_url(), f"/participation/{process.pk}/ideas/"
    assert "Frisch" not in client.get(url).content.decode()
    assert "0 supporters" in client.get(list_url).content.decode()
    comment = services.add_comment(idea, "Frisch geschrieben", author=member)
    services.support_idea(idea, user=member)
    assert "Frisch geschrieben" in client.get(url).content.decode()
    page = client.get(list_url).content.decode()
    assert "1 supporter" in page and "1 comment" in page
    services.hide(comment, "Daneben", moderator=moderator)
    page = client.get(url).content.decode()
    assert "Frisch geschrieben" not in page and "Daneben" in page
    services.answer_idea(Idea.objects.get(pk=idea.pk), actor=_coordinator(process),
                         status="accepted")
    assert "Accepted" in client.get(list_url).content.decode()


def _coordinator(process):
    from conftest import make_user
    from quartier.accounts.models import Organisation

    town = Organisation.objects.get(place=process.quarter.gemeinde)
    return make_user("koord@example.org", "municipal_coordinator", town)


def test_cached_lists_carry_no_parameters_of_an_earlier_visitor(client, process, resident):
    """Anonymous fragments are cached by the normalised filter: the pagination links are
    built from it too, so a first visitor's extra parameters never reach the next one."""
    for number in range(25):
        make_idea(process, resident, title=f"Idee {number}", category="green")
    url = f"/participation/{process.pk}/ideas/"
    first = _results(client.get(url, {"category": "green", "q": "  Idee ",
                                      "evil": "//x.example", "page": "1"}))
    assert "evil" not in first and "x.example" not in first
    assert "?q=Idee&amp;category=green&amp;page=2" in first
    second = _results(client.get(url, {"category": "green", "q": "Idee"}))
    assert "?q=Idee&amp;category=green&amp;page=2" in second
    # Junk page numbers share page 1's entry instead of making new ones.
    assert client.get(url, {"page": "x"}).context is not None
    assert "Idee 24" in client.get(url, {"page": "-3"}).content.decode()


def test_the_list_tells_caches_that_htmx_gets_another_answer(client, process):
    url = f"/participation/{process.pk}/ideas/"
    assert "HX-Request" in client.get(url)["Vary"]
    htmx = client.get(url, headers={"HX-Request": "true"})
    assert "HX-Request" in htmx["Vary"] and b"<html" not in htmx.content


def _results(response) -> str:
    html = response.content.decode()
    return html[html.index('<section id="idea-results"'):]


def test_no_fragment_of_a_signed_in_person_reaches_visitors_and_back(client, settings, process,
                                                                    resident, member, moderator):
    """Only visitors without an account share cached fragments: what a moderator or a
    supporter sees (links, forms, their support, CSRF tokens) never enters them, and a
    cached fragment never stands in for a signed-in person's."""
    idea = make_idea(process, resident, title="Bänke")
    services.add_comment(idea, "Erster Kommentar", author=member)
    services.support_idea(idea, user=member)
    list_url = f"/participation/{process.pk}/ideas/"
    client.force_login(moderator)
    assert "Moderate" in client.get(idea.get_absolute_url()).content.decode()
    client.force_login(member)
    assert "you support it" in client.get(list_url).content.decode()
    assert "Publish comment" in client.get(idea.get_absolute_url()).content.decode()
    client.logout()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # logging out dropped the cookie
    for url in (idea.get_absolute_url(), list_url):
        html = client.get(url).content.decode()
        fragment = html[html.index('id="comments"' if url != list_url else 'id="idea-results"'):]
        assert "Moderate" not in fragment and "you support it" not in fragment
        assert "csrfmiddlewaretoken" not in fragment and "Publish comment" not in fragment
    client.force_login(member)
    assert "you support it" in client.get(list_url).content.decode()
    assert "Publish comment" in client.get(idea.get_absolute_url()).content.decode()


def test_the_list_names_authors_as_everywhere_and_searches_words_literally(
    client, process, resident
):
    from conftest import make_user
    from quartier.participation.models import ParticipantSettings

    named = make_user("named@example.org")
    named.first_name, named.last_name = "Erika", "Muster"
    named.save()
    chosen = make_user("chosen@example.org")
    ParticipantSettings.objects.create(user=chosen, public_name="Nachbarin vom Platz")
    make_idea(process, named, title="Zu 100% barrierefrei")
    make_idea(process, chosen, title="Weg_zum_Markt")
    gone = make_idea(process, resident, title="Ohne Konto")
    Idea.objects.filter(pk=gone.pk).update(author=None)
    url = f"/participation/{process.pk}/ideas/"

    html = _results(client.get(url))
    page = services.idea_page(process, services.IdeaFilter())
    assert {i.title: i.shown_name for i in page} == {
        "Zu 100% barrierefrei": "Erika Muster", "Weg_zum_Markt": "Nachbarin vom Platz",
        "Ohne Konto": services.display_name(None)}
    assert "Erika Muster" in html and "Nachbarin vom Platz" in html
    titles = lambda q: [i.title for i in services.idea_page(  # noqa: E731
        process, services.IdeaFilter(q=q))]
    assert titles("100%") == ["Zu 100% barrierefrei"]  # % and _ are letters, not wildcards
    assert titles("We__zum") == []  # as wildcards it would find Weg_zum
    assert titles("WEG_ZUM") == ["Weg_zum_Markt"]
