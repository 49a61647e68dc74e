"""Open data API of calls: published calls; awards once decided; nothing else."""

import pytest

from quartier.calls.tests.support import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(coordinator, other_coordinator, juror, staff):
    return make_world(coordinator=coordinator, other_coordinator=other_coordinator,
                      juror=juror, staff=staff)


def test_the_list_holds_published_calls_only(client, world):
    titles = {c["title"] for c in client.get("/api/calls").json()}
    assert titles == {"Offener Aufruf", "In Prüfung", "Entschieden"}


def test_the_results_of_a_decided_call_list_its_awards(client, world):
    data = client.get(f"/api/calls/{world.decided_call.pk}/results").json()
    assert data["total_cents"] == 20_000_00 and data["municipalities"] == 1
    assert data["awards"][0]["organisation"] == "Stadt Tübingen"
    assert data["awards"][0]["quarters"] == ["Südstadt"]
    geojson = client.get(f"/api/calls/{world.decided_call.pk}/results.geojson").json()
    assert len(geojson["features"]) == 1


@pytest.mark.parametrize("address", ["review", "draft", "missing", "negative", "huge", "text"])
def test_results_of_undecided_unknown_or_malformed_calls_are_not_found(client, world,
                                                                       address):
    call_id = {"review": world.review_call.pk, "draft": world.draft_call.pk,
               "missing": 999999, "negative": -1, "huge": 10**30, "text": "x"}[address]
    for suffix in ("results", "results.geojson"):
        assert client.get(f"/api/calls/{call_id}/{suffix}").status_code in (404, 422)
