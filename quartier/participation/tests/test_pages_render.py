"""Every page renders for the people who may see it."""

import pytest

from quartier.participation import services
from quartier.participation.tests.support import make_idea, make_meeting, make_poll, make_process


@pytest.fixture
def full_process(quarter, resident, member):
    process = make_process(quarter, phases=("information", "ideas", "poll"))
    idea = make_idea(process, resident, x=quarter.x, y=quarter.y, location_text="Am Brunnen")
    top = services.add_comment(idea, "Gute Idee", author=member)
    services.add_comment(idea, "Finde ich auch", author=resident, parent=top)
    make_poll(process)
    make_meeting(process, capacity=10)
    return process


def test_public_pages_render_for_anonymous_visitors(client, full_process):
    idea = full_process.ideas.get()
    poll = full_process.polls.get()
    meeting = full_process.meetings.get()
    urls = [
        "/participation/", f"/participation/quarters/{full_process.quarter_id}/",
        full_process.get_absolute_url(), f"/participation/{full_process.pk}/ideas/",
        f"/participation/{full_process.pk}/ideas.geojson", idea.get_absolute_url(),
        poll.get_absolute_url(), meeting.get_absolute_url(),
        f"/participation/meetings/{meeting.pk}/calendar.ics",
        f"/quarters/{full_process.quarter_id}/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url


def test_pages_of_signed_in_people_render(client, full_process, coordinator, resident,
                                          moderator):
    idea = full_process.ideas.get()
    comment = services.comment_thread(idea)[0]
    services.report(comment, "spam", reporter=resident)
    client.force_login(coordinator)
    for url in [f"/participation/{full_process.pk}/edit/",
                f"/participation/quarters/{full_process.quarter_id}/new/",
                f"/participation/{full_process.pk}/polls/new/",
                f"/participation/{full_process.pk}/meetings/new/",
                f"/participation/meetings/{full_process.meetings.get().pk}/edit/",
                f"/participation/ideas/{idea.pk}/answer/", "/participation/notifications/"]:
        assert client.get(url).status_code == 200, url
    client.force_login(resident)
    for url in [f"/participation/{full_process.pk}/ideas/new/",
                f"/participation/ideas/{idea.pk}/edit/",
                f"/participation/report/comment/{comment.pk}/", idea.get_absolute_url()]:
        assert client.get(url).status_code == 200, url
    client.force_login(moderator)
    for url in ["/participation/moderation/", f"/participation/moderation/comment/{comment.pk}/",
                f"/participation/moderation/accounts/{resident.pk}/", idea.get_absolute_url()]:
        assert client.get(url).status_code == 200, url
