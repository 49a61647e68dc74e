"""The place and quarter pages run a fixed number of queries, however many quarters exist.

The numbers are measured: anonymous visitors need no session or user queries; signed-in
users add the session, the user, their memberships and Django's permission lookups.
"""

import pytest

from conftest import TUEBINGEN, make_quarter
from quartier.anchors.tests.support import make_anchor
from quartier.places.models import Place, Quarter

# Roles are looked up by name, so pytest-django cannot see that these tests use the
# database; the mark keeps them before the transactional browser tests, which empty it.
pytestmark = pytest.mark.django_db

KREIS_TUEBINGEN = "08416"
# Queries per page and role: (Kreis page, Gemeinde page, quarter page).
QUERIES = {
    # Every page adds one for its news; Kreis and Gemeinde pages one for their budget sums.
    # The quarter page adds two for its anchors and their
    # offers (anchors.quarter_anchors) and one each for its quarter budgets, participation
    # processes and consulting; staff also load their Django permissions for the sections.
    "anonymous": {"kreis": 5, "gemeinde": 5, "quarter": 7},
    "coordinator": {"kreis": 10, "gemeinde": 10, "quarter": 12},
    "staff": {"kreis": 9, "gemeinde": 9, "quarter": 13},
}
ROLES = list(QUERIES)


@pytest.fixture
def visitor(request, client):
    """The test client, signed in as the role named by the test's `role` parameter."""
    role = request.node.callspec.params["role"]
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    return client


def add_quarters(gemeinden, count=20):
    """Spread count quarters over the Gemeinden; every fourth is a draft."""
    for number in range(count):
        status = "draft" if number % 4 == 0 else "published"
        make_quarter(gemeinden[number % len(gemeinden)], name=f"Viertel {number}", status=status)


def gemeinden_of_kreis():
    return list(Place.objects.filter(parent__ags=KREIS_TUEBINGEN).order_by("ags")[:5])


@pytest.mark.parametrize("role", ROLES)
def test_the_kreis_page_runs_the_same_queries_for_one_and_many_quarters(
    role, visitor, quarter, django_assert_num_queries
):
    expected = QUERIES[role]["kreis"]
    url = f"/places/{KREIS_TUEBINGEN}/"
    with django_assert_num_queries(expected):
        response = visitor.get(url)
    assert response.status_code == 200
    counts = {p.ags: p.quarter_count for p in response.context["children"]}
    assert counts[TUEBINGEN] == 1

    add_quarters(gemeinden_of_kreis())

    with django_assert_num_queries(expected):
        response = visitor.get(url)
    assert response.status_code == 200
    counts = {p.ags: p.quarter_count for p in response.context["children"]}
    published = Quarter.objects.published().filter(gemeinde__ags__startswith=KREIS_TUEBINGEN)
    assert sum(counts.values()) == published.count() == 16
    assert response.context["totals"]["count"] == 16


@pytest.mark.parametrize("role", ROLES)
def test_the_gemeinde_page_runs_the_same_queries_for_one_and_many_quarters(
    role, visitor, tuebingen, quarter, draft_quarter, django_assert_num_queries
):
    expected = QUERIES[role]["gemeinde"]
    url = f"/places/{TUEBINGEN}/"
    with django_assert_num_queries(expected):
        response = visitor.get(url)
    assert response.status_code == 200
    shown_before = len(response.context["quarters"])

    add_quarters([tuebingen])

    with django_assert_num_queries(expected):
        response = visitor.get(url)
    assert response.status_code == 200
    shown = len(response.context["quarters"])
    if role == "anonymous":
        assert (shown_before, shown) == (1, 16)
    else:
        # Coordinators of Tübingen and programme staff see the drafts too.
        assert (shown_before, shown) == (2, 22)
    assert response.context["totals"]["count"] == 16


@pytest.mark.parametrize("role", ROLES)
def test_the_quarter_page_runs_the_same_queries_for_one_and_many_quarters(
    role, visitor, tuebingen, quarter, django_assert_num_queries
):
    expected = QUERIES[role]["quarter"]
    url = f"/quarters/{quarter.pk}/"
    with django_assert_num_queries(expected):
        response = visitor.get(url)
    assert response.status_code == 200

    add_quarters([tuebingen, *gemeinden_of_kreis()])
    for number in range(5):
        make_anchor(tuebingen, name=f"Anker {number}", dx=20 * number)

    with django_assert_num_queries(expected):
        response = visitor.get(url)
    assert response.status_code == 200
    assert response.context["quarter"] == quarter
    assert len(response.context["anchors"].anchors) == 5


def test_a_gemeinde_page_with_many_quarters_stays_within_the_anonymous_budget(
    client, tuebingen, django_assert_max_num_queries
):
    add_quarters([tuebingen], count=60)

    with django_assert_max_num_queries(QUERIES["anonymous"]["gemeinde"]):
        response = client.get(f"/places/{TUEBINGEN}/")

    assert response.status_code == 200
    assert len(response.context["quarters"]) == 45
