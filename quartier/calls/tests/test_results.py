"""The public results: totals, table, CSV and GeoJSON of the standing awards."""

import csv
import io
import json

import pytest

from quartier.calls import services
from quartier.calls.tests.support import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(coordinator, other_coordinator, juror, staff):
    return make_world(coordinator=coordinator, other_coordinator=other_coordinator,
                      juror=juror, staff=staff)


def test_the_results_page_shows_the_totals_and_every_award(client, world):
    page = client.get(f"/calls/{world.decided_call.pk}/results/").content.decode()
    assert "1 municipality, €20,000.00" in page or "1 Kommune, 20.000,00 €" in page
    assert "Stadt Tübingen" in page and "Ein Treffpunkt für alle." in page


def test_the_csv_lists_organisation_quarters_idea_and_amount(client, world):
    response = client.get(f"/calls/{world.decided_call.pk}/results.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 1
    assert rows[0]["organisation"] == "Stadt Tübingen" and rows[0]["amount_cents"] == "2000000"
    assert rows[0]["gemeinde_ags"] == "08416041" and rows[0]["quarters"] == "Südstadt"


def test_the_geojson_has_one_point_per_award_in_wgs84(client, world):
    data = json.loads(client.get(f"/calls/{world.decided_call.pk}/results.geojson").content)
    assert len(data["features"]) == 1
    lon, lat = data["features"][0]["geometry"]["coordinates"]
    assert 9.0 < lon < 9.1 and 48.4 < lat < 48.6
    assert data["features"][0]["properties"]["amount_cents"] == 20_000_00


def test_a_withdrawn_award_leaves_the_results(client, world, staff):
    client.force_login(staff)
    client.post(f"/calls/decisions/{world.decisions[0].pk}/revoke/", {"reason": "abgesagt"})
    assert not services.results(world.decided_call).awards
