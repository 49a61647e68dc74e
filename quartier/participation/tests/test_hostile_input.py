"""Hostile input in every value people type stays inert on every page that shows it: for
visitors without an account (first render and the cached fragment), residents, coordinators
and moderators. Titles, texts, names, places, reasons, poll options and free texts carry
script elements, quote-breaking event handlers and image tags; the pages are parsed and
must contain no event-handler attribute, no script but ours and no injected image."""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from conftest import make_user
from quartier.participation import services
from quartier.participation.models import ParticipantSettings, Sanction
from quartier.participation.tests.support import make_idea, make_meeting, make_poll, make_process

# Breaks out of text, double- and single-quoted attributes, and tries an element of its own.
HOSTILE = ('<script>alert(1)</script>" onmouseover="alert(2)\' onfocus=\'alert(3)'
           "<img src=x onerror=alert(4)>")
# Public names hold 60 characters.
HOSTILE_NAME = '"><img src=x onerror=alert(5)>" onmouseover="a'
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        names = {name for name, _value in attrs}
        values = dict(attrs)
        handlers = sorted(name for name in names if name.startswith("on"))
        if handlers:
            self.problems.append(f"<{tag}> with {handlers}")
        if tag == "script" and "src" not in names and values.get("type") != "application/json":
            self.problems.append("an inline <script>")
        if tag == "img" and values.get("src") == "x":
            self.problems.append("an injected <img>")

    handle_startendtag = handle_starttag


def assert_inert(response, *, shows_hostile=True, status=200):
    assert response.status_code == status, (response.status_code, response.request["PATH_INFO"])
    html = response.content.decode()
    parser = _Elements()
    parser.feed(html)
    where = response.request["PATH_INFO"]
    assert parser.problems == [], (where, parser.problems)
    assert "<script>alert" not in html and 'onmouseover="alert' not in html, where
    if shows_hostile:
        assert ESCAPED in html or "&quot;&gt;&lt;img src=x" in html, where
    return html


@pytest.fixture
def hostile_world(quarter, resident, member, coordinator, moderator):
    ParticipantSettings.objects.create(user=resident, public_name=HOSTILE_NAME)
    member.first_name, member.last_name = "<script>alert(6)</script>", '" onmouseover="b'
    member.save()
    process = make_process(
        quarter, phases=("ideas", "poll"), title=HOSTILE, goal=HOSTILE,
        open_for_decision=HOSTILE, not_open_for_decision=HOSTILE, summary_simple=HOSTILE,
        result=HOSTILE, result_simple=HOSTILE,
    )
    idea = make_idea(
        process, resident, title=HOSTILE, text=HOSTILE, text_simple=HOSTILE,
        location_text=HOSTILE, x=quarter.x, y=quarter.y, is_demo=True,
    )
    services.follow(member, idea=idea)
    services.answer_idea(idea, actor=coordinator, status="not_feasible", answer=HOSTILE,
                         status_reason=HOSTILE)
    hidden = make_idea(process, member, title="Versteckt")
    services.hide(hidden, HOSTILE, moderator=moderator)
    comment = services.add_comment(idea, HOSTILE, author=resident)
    services.add_comment(idea, HOSTILE, author=member, parent=comment)
    rude = services.add_comment(idea, HOSTILE, author=member)
    services.hide(rude, HOSTILE, moderator=moderator)
    services.report(comment, "other", reporter=member, explanation=HOSTILE)
    services.report(idea, "other", reporter=member, explanation=HOSTILE)
    services.warn(resident, HOSTILE, moderator=moderator)
    poll = make_poll(process, question=HOSTILE, options=(HOSTILE, "Nein"),
                     description=HOSTILE, allow_free_text=True, free_text_label=HOSTILE)
    services.vote(poll, user=member, option_ids=[poll.options.first().pk], free_text=HOSTILE)
    meeting = make_meeting(
        process, capacity=5, title=HOSTILE, description=HOSTILE, venue=HOSTILE,
        address=HOSTILE, accessibility=HOSTILE, minutes=HOSTILE,
        online_url='https://example.org/?a="><script>alert(7)</script>',
    )
    services.register(meeting, user=resident)
    return {"process": process, "idea": idea, "comment": comment, "poll": poll,
            "meeting": meeting, "resident": resident}


def test_visitors_without_an_account_get_inert_pages_also_from_the_cache(client,
                                                                         hostile_world):
    w = hostile_world
    process, idea = w["process"], w["idea"]
    urls = [
        "/participation/", f"/participation/quarters/{process.quarter_id}/",
        f"/quarters/{process.quarter_id}/", process.get_absolute_url(),
        f"/participation/{process.pk}/ideas/", idea.get_absolute_url(),
        w["poll"].get_absolute_url(), w["meeting"].get_absolute_url(),
    ]
    for _round in ("rendered", "cached"):
        for url in urls:
            assert_inert(client.get(url))
        assert_inert(client.get(f"/participation/{process.pk}/ideas/",
                                {"q": HOSTILE[:100], "category": HOSTILE}),
                     shows_hostile=False)
        assert_inert(client.get(f"/participation/{process.pk}/ideas/", {"sort": "support"},
                                headers={"HX-Request": "true"}))
    session = client.session
    session["participation_simple_language"] = True
    session.save()
    for url in (process.get_absolute_url(), idea.get_absolute_url()):
        assert_inert(client.get(url))


def test_the_map_and_the_calendar_carry_hostile_text_as_data(client, hostile_world):
    process, meeting = hostile_world["process"], hostile_world["meeting"]
    geojson = client.get(f"/participation/{process.pk}/ideas.geojson")
    assert geojson["Content-Type"] == "application/geo+json"
    assert geojson["X-Content-Type-Options"] == "nosniff"
    assert geojson.json()["features"][0]["properties"]["n"] == HOSTILE
    meeting.title = "Treffen\nBEGIN:VEVENT\nSUMMARY:Falsch"
    meeting.save()
    ical = client.get(f"/participation/meetings/{meeting.pk}/calendar.ics")
    assert ical["Content-Type"].startswith("text/calendar")
    # A line break in a title is escaped: no second event sneaks into the file.
    assert ical.content.split(b"\r\n").count(b"BEGIN:VEVENT") == 1


def test_signed_in_pages_and_forms_echo_hostile_input_inertly(client, hostile_world, member,
                                                              coordinator, moderator):
    w = hostile_world
    process, idea, comment, resident = w["process"], w["idea"], w["comment"], w["resident"]
    client.force_login(resident)
    for url in (idea.get_absolute_url(), f"/participation/{process.pk}/ideas/",
                f"/participation/ideas/{idea.pk}/edit/",
                f"/participation/report/idea/{idea.pk}/",
                f"/participation/report/comment/{comment.pk}/",
                "/participation/notifications/", w["meeting"].get_absolute_url()):
        assert_inert(client.get(url))
    # Rejected input comes back in the form, escaped (the honeypot refuses it).
    refused = client.post(f"/participation/ideas/{idea.pk}/comments/",
                          {"text": HOSTILE, "homepage": "robot"})
    assert_inert(refused, status=400)
    refused = client.post(f"/participation/{process.pk}/ideas/new/",
                          {"title": HOSTILE, "text": HOSTILE, "category": HOSTILE,
                           "location_text": HOSTILE, "lat": HOSTILE})
    assert_inert(refused, status=400)
    client.force_login(member)
    assert_inert(client.get("/participation/notifications/"))  # the answer's notification
    assert_inert(client.get(w["poll"].get_absolute_url()))  # results and free texts
    client.force_login(coordinator)
    for url in (f"/participation/{process.pk}/edit/", f"/participation/ideas/{idea.pk}/answer/",
                w["meeting"].get_absolute_url(), f"/participation/meetings/{w['meeting'].pk}/edit/",
                w["poll"].get_absolute_url(), f"/participation/quarters/{process.quarter_id}/"):
        assert_inert(client.get(url))
    client.force_login(moderator)
    Sanction.objects.create(user=member, kind="block", reason=HOSTILE, moderator=moderator,
                            until=timezone.now() + timedelta(days=1))
    for url in ("/participation/moderation/", f"/participation/moderation/idea/{idea.pk}/",
                f"/participation/moderation/comment/{comment.pk}/",
                f"/participation/moderation/accounts/{member.pk}/",
                f"/participation/moderation/accounts/{resident.pk}/"):
        assert_inert(client.get(url))


def test_a_hostile_public_name_is_stored_as_typed_and_shown_as_text(client, process):
    person = make_user("name@example.org")
    client.force_login(person)
    response = client.post("/participation/notifications/",
                           {"public_name": HOSTILE_NAME, "in_platform": "on"})
    assert response.status_code == 302
    assert services.display_name(person) == HOSTILE_NAME
    idea = make_idea(process, person)
    services.add_comment(idea, "Hallo", author=person)
    client.logout()
    for url in (idea.get_absolute_url(), f"/participation/{process.pk}/ideas/"):
        html = assert_inert(client.get(url))
        assert "&quot;&gt;&lt;img src=x onerror=alert(5)&gt;&quot; onmouseover=&quot;a" in html
