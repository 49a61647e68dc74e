import json
import re

import pytest
from playwright.sync_api import expect

from conftest import TUEBINGEN, make_org, make_quarter, make_user
from quartier.places.models import Place, Quarter
from quartier.testing.browser import check_axe

pytestmark = pytest.mark.browser

SQUARE = {"type": "Polygon", "coordinates": [[[9.05, 48.515], [9.06, 48.515], [9.06, 48.522],
                                              [9.05, 48.522], [9.05, 48.515]]]}
AGES = {"age_0_5": 120, "age_6_17": 310, "age_18_29": 800, "age_30_49": 900,
        "age_50_64": 600, "age_65_79": 400, "age_80_plus": 150}


@pytest.fixture
def coordinator_in_browser(page, sign_in):
    user = make_user("koordination@tuebingen.example", "municipal_coordinator",
                     make_org("Universitätsstadt Tübingen", "kommune", TUEBINGEN))
    sign_in(user)
    return user


def _fill_demographics(page, households=1500):
    for field, value in AGES.items():
        page.locator(f"#id_{field}").fill(str(value))
    page.locator("#id_households").fill(str(households))
    page.locator("#id_disability_share_pct").fill("9.5")
    page.locator("#id_migration_share_pct").fill("31")


def test_a_coordinator_draws_a_new_quarter_on_the_map(page, coordinator_in_browser):
    page.goto(f"/places/{TUEBINGEN}/")
    page.get_by_role("link", name="Quartier anlegen").click()
    expect(page.locator(".leaflet-pm-toolbar").first).to_be_visible()
    check_axe(page)

    page.locator("#id_name").fill("Lorettoviertel")
    page.locator("#id_type").select_option("stadtteil")
    page.locator("#id_status").select_option("published")
    _fill_demographics(page)
    # Draw a triangle with the polygon tool and close it on its first point.
    page.locator(".leaflet-pm-icon-polygon").click()
    box = page.locator(".map-editor").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for dx, dy in ((-60, -40), (60, -40), (0, 60), (-60, -40)):
        page.mouse.click(cx + dx, cy + dy)
    drawn = json.loads(page.locator("#id_boundary_geojson").input_value())
    assert drawn["type"] == "Polygon"
    page.get_by_role("button", name="Speichern").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Lorettoviertel")
    quarter = Quarter.objects.get(name="Lorettoviertel")
    assert quarter.population == sum(AGES.values())
    assert 480_000 < quarter.x < 520_000  # EPSG:25832 metres
    expect(page.locator(".map path.leaflet-interactive")).to_have_count(1)
    check_axe(page)


def test_a_coordinator_fixes_bad_demographics_after_a_clear_message(page, coordinator_in_browser):
    quarter = make_quarter(Place.objects.get(ags=TUEBINGEN), name="Weststadt")
    page.goto(f"/quarters/{quarter.pk}/")
    page.get_by_role("link", name="Quartier bearbeiten").click()
    page.locator("#id_households").fill("999999")
    page.locator("#id_boundary_geojson").fill('{"type": "Point", "coordinates": [9.05, 48.52]}')
    page.get_by_role("button", name="Speichern").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(2)
    check_axe(page)
    quarter.refresh_from_db()
    assert quarter.households == 800

    page.locator("#id_households").fill("700")
    page.locator("#id_boundary_geojson").fill(json.dumps(SQUARE))
    page.get_by_role("button", name="Speichern").click()
    expect(page).to_have_url(re.compile(rf"/quarters/{quarter.pk}/$"))
    quarter.refresh_from_db()
    assert quarter.households == 700
