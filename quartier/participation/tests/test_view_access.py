"""Every page of participation × every role that must not get in (and those who may)."""

import pytest

from quartier.participation import services
from quartier.participation.tests.support import make_idea, make_meeting, make_poll, make_process

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous", "resident", "member", "coordinator", "other_coordinator",
    "county_coordinator", "moderator", "juror", "consultant", "staff",
]
SIGNED_IN = set(ROLES) - {"anonymous"}
COORDINATORS = {"coordinator", "county_coordinator", "staff"}
MODERATORS = {"moderator", "staff"}


@pytest.fixture
def world(quarter, resident):
    process = make_process(quarter, phases=("ideas", "poll"))
    draft = make_process(quarter, status="draft", title="Entwurf")
    idea = make_idea(process, resident)
    comment = services.add_comment(idea, "Kommentar", author=resident)
    meeting = make_meeting(process)
    make_poll(process)
    return {"process": process, "draft": draft, "idea": idea, "comment": comment,
            "meeting": meeting, "resident": resident}


PAGES = [
    ("/participation/{process}/edit/", COORDINATORS),
    ("/participation/quarters/{quarter}/new/", COORDINATORS),
    ("/participation/{process}/polls/new/", COORDINATORS),
    ("/participation/{process}/meetings/new/", COORDINATORS),
    ("/participation/meetings/{meeting}/edit/", COORDINATORS),
    ("/participation/ideas/{idea}/answer/", COORDINATORS),
    ("/participation/{draft}/", COORDINATORS),
    ("/participation/{draft}/ideas/", COORDINATORS),
    ("/participation/ideas/{idea}/edit/", {"resident"}),
    ("/participation/comments/{comment}/edit/", {"resident"}),
    ("/participation/{process}/ideas/new/", SIGNED_IN),
    ("/participation/report/comment/{comment}/", SIGNED_IN),
    ("/participation/report/idea/{idea}/", SIGNED_IN),
    ("/participation/notifications/", SIGNED_IN),
    ("/participation/moderation/", MODERATORS),
    ("/participation/moderation/comment/{comment}/", MODERATORS),
    ("/participation/moderation/idea/{idea}/", MODERATORS),
    ("/participation/moderation/accounts/{resident}/", MODERATORS),
]


def _url(template, world):
    return template.format(
        process=world["process"].pk, draft=world["draft"].pk, idea=world["idea"].pk,
        comment=world["comment"].pk, meeting=world["meeting"].pk,
        quarter=world["process"].quarter_id, resident=world["resident"].pk,
    )


@pytest.mark.parametrize("role", ROLES)
def test_each_page_lets_in_exactly_the_roles_it_is_for(role, request, client, world):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    for template, allowed in PAGES:
        url = _url(template, world)
        response = client.get(url)
        if role in allowed:
            assert response.status_code == 200, (url, role)
        elif role == "anonymous" and "{draft}" not in template:
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
        else:
            assert response.status_code in (403, 404), (url, role, response.status_code)


POSTS = [
    ("/participation/{process}/publish/", {}, COORDINATORS),
    ("/participation/{process}/edit/", {"title": ""}, COORDINATORS),
    ("/participation/ideas/{idea}/answer/", {"status": "accepted"}, COORDINATORS),
    ("/participation/ideas/{idea}/edit/", {"title": "Übernommen"}, {"resident"}),
    ("/participation/moderation/comment/{comment}/", {"action": "hide", "reason": "x"},
     MODERATORS),
    ("/participation/moderation/accounts/{resident}/", {"action": "block", "reason": "x"},
     MODERATORS),
]


@pytest.mark.parametrize("role", sorted(set(ROLES) - {"staff", "resident"}))
def test_posts_of_people_who_may_not_change_nothing(role, request, client, world):
    """Each role outside a form's audience posts to it: refused, nothing changed."""
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    for template, data, allowed in POSTS:
        if role in allowed:
            continue
        response = client.post(_url(template, world), data)
        assert response.status_code in (302, 403, 404), (template, role)
        if response.status_code == 302:
            assert "/accounts/login/" in response["Location"]
    process, idea, comment = world["process"], world["idea"], world["comment"]
    process.refresh_from_db()
    idea.refresh_from_db()
    comment.refresh_from_db()
    assert world["draft"].status == "draft"
    assert idea.title == "Mehr Bänke" and idea.status == "submitted"
    assert not comment.hidden and not services.is_blocked(world["resident"])


def test_visitors_without_an_account_change_nothing_by_posting(client, world):
    idea, meeting = world["idea"], world["meeting"]
    poll = world["process"].polls.get()
    posts = [
        (f"/participation/ideas/{idea.pk}/support/", {"support": "1"}),
        (f"/participation/ideas/{idea.pk}/follow/", {"follow": "1"}),
        (f"/participation/ideas/{idea.pk}/comments/", {"text": "Anonym"}),
        (f"/participation/{world['process'].pk}/follow/", {"follow": "1"}),
        (f"/participation/meetings/{meeting.pk}/register/", {}),
        (poll.get_absolute_url(), {"options": poll.options.first().pk}),
        (f"/participation/report/idea/{idea.pk}/", {"reason": "spam"}),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code in (302, 403), url
        if response.status_code == 302:
            assert "/accounts/login/" in response["Location"], url
    from quartier.participation.models import (
        Comment,
        Follow,
        PollParticipation,
        Registration,
        Report,
        Support,
    )

    assert Comment.objects.count() == 1
    for model in (Follow, PollParticipation, Registration, Report, Support):
        assert not model.objects.exists(), model


def test_a_blocked_account_changes_nothing_by_posting(client, world, member, staff):
    services.block(member, "Spam", moderator=staff)
    client.force_login(member)
    idea, meeting = world["idea"], world["meeting"]
    poll = world["process"].polls.get()
    client.post(f"/participation/ideas/{idea.pk}/support/", {"support": "1"})
    assert client.post(f"/participation/ideas/{idea.pk}/comments/",
                       {"text": "Gesperrt"}).status_code == 403
    client.post(f"/participation/meetings/{meeting.pk}/register/")
    assert client.post(poll.get_absolute_url(),
                       {"options": poll.options.first().pk}).status_code == 403
    assert client.get(f"/participation/{world['process'].pk}/ideas/new/").status_code == 403
    from quartier.participation.models import Idea, PollParticipation, Registration, Support

    assert not Support.objects.exists() and not Registration.objects.exists()
    assert not PollParticipation.objects.exists()
    assert Idea.objects.get(pk=idea.pk).comment_count == 1  # the one of the fixture
