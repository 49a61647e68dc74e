"""Every list of participation runs a fixed number of queries, however much it shows.

Measured per page for an anonymous visitor and a signed-in resident (who adds the session,
the user, their memberships and the checks of their account)."""

import pytest
from django.contrib.contenttypes.models import ContentType

from quartier.participation import services
from quartier.participation.demo import make_big_process
from quartier.participation.models import Idea, Registration
from quartier.participation.tests.support import make_idea, make_meeting, make_process

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def content_types_cached():
    # Cached once per process in production; the first test would otherwise count it.
    ContentType.objects.get_for_model(Idea)


def counted(client, url, django_assert_max_num_queries, limit, **params):
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured), response


def same_queries(client, url, django_assert_max_num_queries, grow, *, limit=25, **params):
    """The page's queries before and after `grow()` adds many rows."""
    before, _response = counted(client, url, django_assert_max_num_queries, limit, **params)
    grow()
    after, response = counted(client, url, django_assert_max_num_queries, limit, **params)
    assert before == after, (url, before, after)
    return after, response


@pytest.mark.parametrize("role", ["anonymous", "resident"])
def test_the_idea_list_filtered_and_paged(request, client, role, quarter, resident,
                                          django_assert_max_num_queries):
    if role == "resident":
        client.force_login(resident)
    process = make_process(quarter)
    make_idea(process, resident, category="green")
    url = f"/participation/{process.pk}/ideas/"

    def grow():
        Idea.objects.bulk_create([
            Idea(process=process, author=resident, title=f"Idee {n}", text="t",
                 category="green", support_count=n % 7) for n in range(300)])
        services._bump(process.pk)  # as every service that changes an idea

    queries, response = same_queries(client, url, django_assert_max_num_queries, grow,
                                     category="green", sort="support", page="2")
    assert queries <= (8 if role == "anonymous" else 14)


@pytest.mark.parametrize("role", ["anonymous", "resident"])
def test_one_idea_with_five_hundred_comments(client, role, quarter, resident,
                                             django_assert_max_num_queries):
    if role == "resident":
        client.force_login(resident)
    big = make_big_process(quarter, ideas=2, comments=5, participants=5)
    url = big.busiest_idea.get_absolute_url()

    def grow():
        Idea.objects.filter(pk=big.busiest_idea.pk).delete()
        big.busiest_idea = make_big_process(quarter, ideas=2, comments=500, participants=40,
                                            seed=9).busiest_idea

    before, _response = counted(client, url, django_assert_max_num_queries, 25)
    grow()
    after, response = counted(client, big.busiest_idea.get_absolute_url(),
                              django_assert_max_num_queries, 25)
    assert before == after and len(response.context["thread"]) == 20
    assert after <= (9 if role == "anonymous" else 18)


def test_the_geojson_of_all_ideas(client, quarter, django_assert_max_num_queries):
    big = make_big_process(quarter, ideas=5, comments=0, participants=5)
    url = f"/participation/{big.process.pk}/ideas.geojson"

    def grow():
        Idea.objects.bulk_create([Idea(process=big.process, title="x", text="t",
                                       category="other", x=quarter.x, y=quarter.y)
                                  for _ in range(500)])
        services._bump_map(big.process.pk)  # as every service that changes a mapped idea

    queries, _response = same_queries(client, url, django_assert_max_num_queries, grow)
    assert queries <= 2


@pytest.mark.parametrize("role", ["anonymous", "coordinator"])
def test_the_quarters_participation_section_and_the_overview(
    client, role, quarter, coordinator, django_assert_max_num_queries
):
    if role == "coordinator":
        client.force_login(coordinator)
    make_process(quarter)

    def grow():
        for number in range(8):
            process = make_process(quarter, phases=("information", "ideas", "result"),
                                   title=f"Prozess {number}")
            make_idea(process)
    for url in (f"/participation/quarters/{quarter.pk}/", "/participation/",
                f"/quarters/{quarter.pk}/"):
        before, _response = counted(client, url, django_assert_max_num_queries, 30)
        grow()
        after, _response = counted(client, url, django_assert_max_num_queries, 30)
        assert before == after, url


def test_the_process_page(client, quarter, resident, django_assert_max_num_queries):
    process = make_process(quarter, phases=("ideas",))

    def grow():
        for number in range(5):
            make_meeting(process, title=f"Treffen {number}")
            make_idea(process, resident, title=f"Idee {number}")
    same_queries(client, process.get_absolute_url(), django_assert_max_num_queries, grow)


def test_the_moderation_queue(client, quarter, resident, member, moderator, settings,
                              django_assert_max_num_queries):
    settings.PARTICIPATION_RATE_LIMITS = {"report": (100, 60), "comment": (100, 60)}
    process = make_process(quarter)
    idea = make_idea(process, resident)
    services.report(idea, "spam", reporter=member)
    # One query per kind of contribution (ideas, comments) and kind of comment target.
    services.report(services.add_comment(idea, "Erster", author=resident), "spam",
                    reporter=member)
    client.force_login(moderator)

    def grow():
        for number in range(10):
            comment = services.add_comment(idea, f"Kommentar {number}", author=resident)
            services.report(comment, "insult", reporter=member)
            services.report(make_idea(process, resident, title=f"I{number}"), "spam",
                            reporter=member)
    _queries, response = same_queries(client, "/participation/moderation/",
                                      django_assert_max_num_queries, grow)
    assert len(response.context["items"]) == 22


def test_notifications_and_meeting_registrations(client, quarter, resident, member, coordinator,
                                                 django_assert_max_num_queries):
    process = make_process(quarter)
    meeting = make_meeting(process)
    client.force_login(coordinator)
    from conftest import make_user

    def grow():
        start = Registration.objects.count()
        Registration.objects.bulk_create([
            Registration(meeting=meeting, user=make_user(f"r{n}@example.org"), status="confirmed")
            for n in range(start, start + 10)])
        services.notify([coordinator] * 1, "Hallo", "/")
        for _ in range(10):
            services.notify([coordinator], "Neu", "/")
    for url in (meeting.get_absolute_url(), "/participation/notifications/"):
        before, _response = counted(client, url, django_assert_max_num_queries, 25)
        grow()
        after, _response = counted(client, url, django_assert_max_num_queries, 25)
        assert before == after, url
