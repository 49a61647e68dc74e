"""Overview, status box, comparison, map, gap list and method page."""

import json

import pytest

from conftest import make_quarter
from quartier.places.models import Place
from quartier.quartierscheck import services
from quartier.quartierscheck.models import CheckRun

pytestmark = pytest.mark.django_db


def html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


# Overview and status -------------------------------------------------------------------


def test_the_overview_finds_quarters_and_shows_the_land(english, computed):
    page = html(english.get("/quarter-check/", {"q": "Südstadt"}))
    assert f"/quarters/{computed.pk}/check/" in page
    assert "Indicators for the whole Land" in page
    assert "Recompute now" not in page  # not for the public
    assert "Gap list" not in page
    assert "No published quarter matches" in html(english.get("/quarter-check/", {"q": "Xyz"}))


def test_staff_see_the_button_the_gap_list_and_the_warnings(english, computed, staff):
    from quartier.places.models import Quarter

    Quarter.objects.filter(pk=computed.pk).update(boundary="")
    services.recompute()
    english.force_login(staff)
    page = html(english.get("/quarter-check/"))
    assert "Recompute now" in page and "/quarter-check/gaps/" in page
    assert "1 quarter could not be computed" in page


def test_the_status_box_polls_while_a_run_waits_and_stops_when_it_ends(english, computed):
    run = services.request_recompute()
    page = html(english.get("/quarter-check/"))
    assert f'hx-get="/quarter-check/status/?was={run.pk}"' in page
    assert "Recomputation in progress" in page and 'value="0"' in page
    CheckRun.objects.filter(pk=run.pk).update(status="running", progress_pct=35,
                                              message="Measuring walking distances")
    polled = english.get(f"/quarter-check/status/?was={run.pk}", HTTP_HX_REQUEST="true")
    assert polled.status_code == 200
    assert "35 % done" in polled.content.decode()
    assert "Measuring walking distances" in polled.content.decode()
    CheckRun.objects.filter(pk=run.pk).update(status="queued")
    services.recompute()
    done = english.get(f"/quarter-check/status/?was={run.pk}", HTTP_HX_REQUEST="true",
                       HTTP_HX_CURRENT_URL=f"http://testserver/quarters/{computed.pk}/check/")
    assert done.status_code == 286  # htmx stops polling
    assert "The recomputation has finished" in done.content.decode()
    assert f"/quarters/{computed.pk}/check/" in done.content.decode()


@pytest.mark.parametrize("current", ["javascript:alert(1)", "https://evil.example/x",
                                     "//evil.example/x"])
def test_the_link_to_the_new_figures_stays_on_this_site(english, computed, current):
    run = services.request_recompute()
    services.recompute()
    done = english.get(f"/quarter-check/status/?was={run.pk}", HTTP_HX_REQUEST="true",
                       HTTP_HX_CURRENT_URL=current)
    text = done.content.decode()
    assert "evil" not in text and "javascript" not in text
    assert 'href="/quarter-check/"' in text


def test_a_failed_run_is_shown_with_the_last_good_figures(english, computed, monkeypatch):
    monkeypatch.setattr(services.engine, "reach", lambda *a, **k: 1 / 0)
    with pytest.raises(services.CheckFailed):
        services.recompute()
    page = html(english.get("/quarter-check/"))
    assert "failed; the figures shown are the last good ones" in page
    assert "ZeroDivisionError" not in page  # the reason is for staff
    assert "25 %" in html(english.get(f"/quarters/{computed.pk}/check/"))


def test_staff_start_a_run_from_the_page_with_htmx(english, staff, db):
    english.force_login(staff)
    response = english.post("/quarter-check/recompute/", HTTP_HX_REQUEST="true")
    page = html(response)
    run = CheckRun.objects.get()
    assert run.status == "queued" and run.requested_by == staff
    assert 'id="check-status-wrap"' in page and "every 2s" in page
    assert english.get("/quarter-check/recompute/").status_code == 405


def test_the_method_page_names_every_threshold_and_its_basis(english, db):
    page = html(english.get("/quarter-check/method/"))
    assert "BBSR-Analysen KOMPAKT 10/2015" in page
    assert "DIN 18040-1" in page
    assert page.count("Convention of this platform") >= 3


# Compare -------------------------------------------------------------------------------


def test_quarters_are_compared_side_by_side(english, computed):
    other = make_quarter(computed.gemeinde, name="Weststadt")
    services.recompute()
    page = html(english.get("/quarter-check/compare/", {"q": [computed.pk, other.pk]}))
    assert "Südstadt (Tübingen" in page and "Weststadt (Tübingen" in page
    assert page.index("Südstadt (Tübingen") < page.index("Weststadt (Tübingen")
    assert "Indicators side by side" in page
    # Its Gemeinde's quarters are offered, the chosen ones ticked.
    assert f'value="{other.pk}" id="q-{other.pk}" checked' in page


def test_a_gemeinde_is_searched_to_add_its_quarters(english, computed, ulm):
    ulm_quarter = make_quarter(ulm, name="Weststadt")
    page = html(english.get("/quarter-check/compare/", {"q": computed.pk, "gemeinde": "Ulm"}))
    assert f'id="q-{ulm_quarter.pk}"' in page
    assert f'name="q" value="{computed.pk}"' in page
    missing = html(english.get("/quarter-check/compare/", {"gemeinde": "Atlantis"}))
    assert "No Gemeinde matches" in missing and 'aria-invalid="true"' in missing


def test_at_most_six_quarters_are_compared(english, computed):
    extra = [make_quarter(computed.gemeinde, name=f"Viertel {i}") for i in range(6)]
    ids = [computed.pk] + [q.pk for q in extra]
    page = html(english.get("/quarter-check/compare/", {"q": ids}))
    assert "At most 6 quarters can be compared" in page
    assert "Viertel 5 (" not in page.split("Choose quarters")[0]


@pytest.mark.parametrize("query", [
    "q=abc", "q=-1", "q=99999999", "q=%00", "gemeinde=" + "x" * 500,
    # Too large for the database or for int(); Arabic-Indic digits.
    "q=" + "9" * 20, "q=" + "9" * 5000, "q=%D9%A1%D9%A2",
])
def test_bad_choices_are_ignored(english, db, query):
    assert english.get(f"/quarter-check/compare/?{query}").status_code == 200


@pytest.mark.parametrize("query", [
    "<script>alert(1)</script>", "x" * 5000, "\x00", "%", "' OR 1=1 --"])
def test_hostile_searches_are_shown_inert(english, computed, query):
    for url, name in (("/quarter-check/", "q"), ("/quarter-check/compare/", "gemeinde")):
        response = english.get(url, {name: query})
        assert response.status_code == 200
        assert "<script>alert" not in response.content.decode()


# Map -----------------------------------------------------------------------------------


def test_the_land_map_shows_every_kreis_in_map_and_table(english, computed):
    page = html(english.get("/quarter-check/map/", {"indicator": "support_offer_500"}))
    assert page.count('<th scope="row"><a href="?area=08') == 44
    data = json.loads(english.get("/quarter-check/map.geojson",
                                  {"indicator": "support_offer_500"}).content)
    assert len(data["features"]) == 44
    kreis = next(f for f in data["features"] if f["properties"]["ags"] == "08416")
    assert kreis["properties"]["fill"].startswith("#")
    assert kreis["properties"]["label"] in kreis["properties"]["name"]


def test_a_kreis_map_shows_its_published_quarters(english, computed, draft_quarter):
    services.recompute()
    page = html(english.get("/quarter-check/map/", {"area": "08416"}))
    assert f"/quarters/{computed.pk}/check/" in page
    assert draft_quarter.name not in page
    assert "25 %" in page
    data = json.loads(english.get("/quarter-check/map.geojson", {"area": "08416"}).content)
    assert [f["properties"]["id"] for f in data["features"]] == [computed.pk]
    assert data["features"][0]["properties"]["url"] == f"/quarters/{computed.pk}/check/"


def test_a_gemeinde_map_and_bad_parameters(english, computed):
    assert "25 %" in html(english.get("/quarter-check/map/",
                                      {"area": computed.gemeinde.ags}))
    assert english.get("/quarter-check/map/", {"area": "99999"}).status_code == 404
    assert english.get("/quarter-check/map/", {"area": "084"}).status_code == 404
    # An unknown indicator shows the first one.
    page = html(english.get("/quarter-check/map/", {"indicator": "<script>"}))
    assert "<script>" not in page and "institutional anchor within 500 m" in page


# Gap list ------------------------------------------------------------------------------


def test_staff_see_quarters_by_falling_gap_score(english, computed, staff, ulm):
    other = make_quarter(ulm, name="Weststadt")  # no anchors, 1,600 residents: bigger gap
    services.recompute()
    english.force_login(staff)
    page = html(english.get("/quarter-check/gaps/"))
    assert page.index("Weststadt") < page.index("Südstadt")
    assert "Residents with an institutional anchor within 500 m" in page
    scores = services.gap_scores()
    assert scores[other.pk] > scores[computed.pk] > 0
    only_tuebingen = html(english.get("/quarter-check/gaps/", {"kreis": "08416"}))
    assert "Südstadt" in only_tuebingen and "Weststadt" not in only_tuebingen
    text = english.get("/quarter-check/gaps.csv").content.decode()
    assert text.splitlines()[1].startswith(f"1,{other.pk},Weststadt,")


def test_the_gap_list_pages_through_many_quarters(english, computed, staff, monkeypatch):
    from quartier.quartierscheck import views

    monkeypatch.setattr(views, "GAPS_PER_PAGE", 1)
    make_quarter(computed.gemeinde, name="Weststadt")
    services.recompute()
    english.force_login(staff)
    page = html(english.get("/quarter-check/gaps/", {"page": 2}))
    assert "Page 2 of 2" in page and "Previous page" in page
    assert english.get("/quarter-check/gaps/", {"page": "x"}).status_code == 200


@pytest.mark.parametrize("params", [
    {"kreis": "99999"}, {"kreis": "<script>"}, {"kreis": "x" * 1000}, {"kreis": "08"},
    {"kreis": "08416000"}, {"page": "99999"}, {"page": "-1"}, {"kreis": "08416\x00"},
])
def test_bad_gap_list_filters_show_the_whole_state(english, computed, staff, params):
    english.force_login(staff)
    response = english.get("/quarter-check/gaps/", params)
    assert response.status_code == 200
    page = html(response)
    assert "Südstadt" in page and "<script>" not in page
    csv_file = english.get("/quarter-check/gaps.csv", params)
    assert csv_file.status_code == 200 and "Südstadt" in csv_file.content.decode()


def test_the_gap_list_says_when_nothing_is_computed(english, staff, db):
    english.force_login(staff)
    assert "has not been computed yet" in html(english.get("/quarter-check/gaps/"))
    assert Place.objects.filter(kind="kreis").count() == 44
