"""One person, one support and one vote: parallel requests of one account count once, and
two people never get the last place of a meeting. Real connections on PostgreSQL."""

import threading

import pytest
from django.db import connection, connections

from conftest import TUEBINGEN, make_quarter, make_user
from quartier.participation import services
from quartier.participation.models import (
    Idea,
    Poll,
    PollOption,
    PollParticipation,
    Registration,
    Support,
)
from quartier.participation.tests.support import make_idea, make_meeting, make_poll, make_process

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrency"),
]


def in_parallel(count, work):
    barrier = threading.Barrier(count)
    outcomes = []

    def run(number):
        try:
            barrier.wait()
            outcomes.append(work(number))
        except Exception as error:  # noqa: BLE001 - the outcome is what the test checks
            outcomes.append(type(error).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.fixture
def world(places_loaded):
    from quartier.places.models import Place

    return make_process(make_quarter(Place.objects.get(ags=TUEBINGEN)), phases=("ideas", "poll"))


def test_parallel_supports_of_one_account_count_once(world):
    user = make_user("eilig@example.org")
    idea = make_idea(world, user)
    outcomes = in_parallel(12, lambda n: services.support_idea(
        Idea.objects.select_related("process").get(pk=idea.pk), user=user))
    assert sorted(outcomes, key=str) == [False] * 11 + [True]
    assert Support.objects.filter(idea=idea).count() == 1
    assert Idea.objects.get(pk=idea.pk).support_count == 1


def test_parallel_supports_of_many_accounts_all_count(world):
    users = [make_user(f"p{n}@example.org") for n in range(10)]
    idea = make_idea(world, users[0])
    in_parallel(10, lambda n: services.support_idea(
        Idea.objects.select_related("process").get(pk=idea.pk), user=users[n]))
    assert Idea.objects.get(pk=idea.pk).support_count == 10 == Support.objects.count()


def test_parallel_votes_of_one_account_count_once(world):
    user = make_user("waehler@example.org")
    poll = make_poll(world)
    option = poll.options.first()
    outcomes = in_parallel(12, lambda n: services.vote(
        Poll.objects.select_related("process", "phase").get(pk=poll.pk), user=user,
        option_ids=[option.pk]))
    assert outcomes.count(None) == 1 and outcomes.count("ValidationError") == 11
    assert PollParticipation.objects.filter(poll=poll).count() == 1
    assert PollOption.objects.get(pk=option.pk).vote_count == 1
    assert Poll.objects.get(pk=poll.pk).participant_count == 1


def test_the_last_place_of_a_meeting_goes_to_one_person(world):
    meeting = make_meeting(world, capacity=3)
    users = [make_user(f"m{n}@example.org") for n in range(10)]
    in_parallel(10, lambda n: services.register(meeting, user=users[n]))
    statuses = list(Registration.objects.filter(meeting=meeting).values_list("status", flat=True))
    assert statuses.count("confirmed") == 3 and statuses.count("waiting") == 7


def test_parallel_registrations_of_one_account_count_once(world):
    meeting = make_meeting(world, capacity=5)
    user = make_user("doppelt@example.org")
    in_parallel(8, lambda n: services.register(meeting, user=user))
    assert Registration.objects.filter(meeting=meeting).count() == 1

