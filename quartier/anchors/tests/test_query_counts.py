"""The list pages of anchors run a fixed number of queries, however many anchors they show.

Measured: anonymous visitors need no session or user queries; signed-in users add the
session, the user and their memberships.
"""

import pytest

from quartier.accounts.models import Organisation
from quartier.anchors import services
from quartier.anchors.tests.support import make_anchor, offer, snapshot

# Roles are looked up by name, so pytest-django cannot see that these tests use the
# database; the mark keeps them before the transactional browser tests, which empty it.
pytestmark = pytest.mark.django_db

# Members add Django's own permission lookups (the page asks for the review permission);
# staff add the second-factor check.
SEARCH = {"anonymous": 4, "member": 9, "staff": 8}
SEARCH_NEAR = {"anonymous": 6, "member": 11, "staff": 10}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def visitor(request, client):
    role = request.node.callspec.params["role"]
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    return client


def add_anchors(gemeinde, count, **fields):
    for number in range(count):
        make_anchor(gemeinde, name=f"Ort {number:02d}", dx=10 * number,
                    offers=[offer(title="A"), offer(title="B")], **fields)


@pytest.mark.parametrize("role", list(SEARCH))
def test_the_search_runs_the_same_queries_for_one_and_many_anchors(
    role, visitor, tuebingen, django_assert_num_queries
):
    add_anchors(tuebingen, 1)
    for params, expected in (({}, SEARCH[role]), ({"near": "Tübingen"}, SEARCH_NEAR[role])):
        with django_assert_num_queries(expected):
            assert len(visitor.get("/anchors/", params).context["result"].hits) == 1

    add_anchors(tuebingen, 30)

    for params, expected in (({}, SEARCH[role]), ({"near": "Tübingen"}, SEARCH_NEAR[role])):
        with django_assert_num_queries(expected):
            assert len(visitor.get("/anchors/", params).context["result"].hits) == 20


def test_the_review_queue_runs_the_same_queries_for_one_and_many_entries(
    client, staff, member, tuebingen, django_assert_num_queries
):
    organisation = Organisation.objects.get(name="Träger e. V.")

    def submit(count):
        for number in range(count):
            services.register_anchor(
                snapshot(tuebingen, organisation=organisation, name=f"Neu {number}"), actor=member)

    submit(1)
    client.force_login(staff)
    with django_assert_num_queries(5):
        assert len(client.get("/anchors/review/").context["anchors"]) == 1
    submit(15)
    with django_assert_num_queries(5):
        assert len(client.get("/anchors/review/").context["anchors"]) == 16


def test_my_entries_run_the_same_queries_for_one_and_many(
    client, member, tuebingen, django_assert_num_queries
):
    organisation = Organisation.objects.get(name="Träger e. V.")
    make_anchor(tuebingen, organisation=organisation)
    client.force_login(member)
    with django_assert_num_queries(6):
        assert len(client.get("/anchors/mine/").context["anchors"]) == 1
    add_anchors(tuebingen, 12, organisation=organisation)
    with django_assert_num_queries(6):
        assert len(client.get("/anchors/mine/").context["anchors"]) == 13


def test_an_anchor_page_runs_the_same_queries_for_few_and_many_offers(
    client, tuebingen, django_assert_num_queries
):
    few = make_anchor(tuebingen, offers=[offer()])
    many = make_anchor(tuebingen, offers=[offer(title=f"Angebot {n}") for n in range(12)])
    with django_assert_num_queries(2):
        client.get(f"/anchors/{few.pk}/")
    with django_assert_num_queries(2):
        client.get(f"/anchors/{many.pk}/")
