"""search_anchors: filters all hold, nearest first by walking distance, pages."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from quartier.anchors.models import AnchorKind
from quartier.anchors.services import SearchQuery, search_anchors
from quartier.anchors.tests.support import make_anchor, offer

pytestmark = pytest.mark.django_db

# A Wednesday at 10:30 in Tübingen.
WEDNESDAY_MORNING = datetime(2024, 5, 15, 10, 30, tzinfo=ZoneInfo("Europe/Berlin"))


def names(page):
    return [hit.anchor.name for hit in page.hits]


def origin(gemeinde):
    return (gemeinde.x, gemeinde.y)


def test_it_lists_only_published_anchors_by_name_without_an_origin(tuebingen):
    make_anchor(tuebingen, name="Zentrum B")
    make_anchor(tuebingen, name="Zentrum A")
    make_anchor(tuebingen, name="Noch geheim", status="pending")
    make_anchor(tuebingen, name="Abgelehnt", status="rejected")

    page = search_anchors(SearchQuery())

    assert names(page) == ["Zentrum A", "Zentrum B"]
    assert page.total == 2
    assert all(hit.walking_m is None for hit in page.hits)


def test_it_sorts_by_walking_distance_with_the_detour_factor(tuebingen, settings):
    settings.WALKING_DETOUR_FACTOR = 1.3
    make_anchor(tuebingen, name="Fern", dx=3000)
    make_anchor(tuebingen, name="Nah", dx=-400)
    make_anchor(tuebingen, name="Mittel", dy=1000)

    page = search_anchors(SearchQuery(origin=origin(tuebingen), radius_m=10_000))

    assert names(page) == ["Nah", "Mittel", "Fern"]
    assert [round(hit.walking_m) for hit in page.hits] == [520, 1300, 3900]


def test_equal_distances_keep_the_order_of_registration(tuebingen):
    first = make_anchor(tuebingen, name="Ost", dx=500)
    second = make_anchor(tuebingen, name="West", dx=-500)

    page = search_anchors(SearchQuery(origin=origin(tuebingen)))

    assert [hit.anchor.pk for hit in page.hits] == [first.pk, second.pk]


def test_it_leaves_out_what_is_beyond_the_walking_radius(tuebingen, settings):
    settings.WALKING_DETOUR_FACTOR = 1.5
    make_anchor(tuebingen, name="Innen", dx=600)   # 900 m walking
    make_anchor(tuebingen, name="Außen", dx=700, dy=0)  # 1050 m walking
    make_anchor(tuebingen, name="Ecke", dx=650, dy=650)  # in the box, outside the circle

    page = search_anchors(SearchQuery(origin=origin(tuebingen), radius_m=1000))

    assert names(page) == ["Innen"]
    assert page.total == 1


def test_it_filters_by_kind(tuebingen):
    make_anchor(tuebingen, name="Haus", kind="mehrgenerationenhaus")
    make_anchor(tuebingen, name="Jugend", kind="jugendhaus")
    jugendhaus = AnchorKind.objects.get(slug="jugendhaus")

    assert names(search_anchors(SearchQuery(kind_id=jugendhaus.pk))) == ["Jugend"]


def test_category_and_target_group_must_hold_for_the_same_offer(tuebingen):
    make_anchor(tuebingen, name="Getrennt", offers=[
        offer(category="counselling", target_groups=["children"]),
        offer(category="care", target_groups=["seniors"]),
    ])
    make_anchor(tuebingen, name="Passend", offers=[
        offer(category="counselling", target_groups=["seniors", "families"]),
    ])

    page = search_anchors(SearchQuery(category="counselling", target_group="seniors"))

    assert names(page) == ["Passend"]
    assert names(search_anchors(SearchQuery(category="care"))) == ["Getrennt"]
    assert names(search_anchors(SearchQuery(target_group="families"))) == ["Passend"]


def test_every_chosen_accessibility_need_must_hold(tuebingen):
    make_anchor(tuebingen, name="Stufenlos", step_free_entrance=True)
    make_anchor(tuebingen, name="Alles", step_free_entrance=True, accessible_toilet=True,
                hearing_loop=True)
    make_anchor(tuebingen, name="Nichts")

    page = search_anchors(SearchQuery(needs=("step_free_entrance", "accessible_toilet")))

    assert names(page) == ["Alles"]
    assert names(search_anchors(SearchQuery(needs=("step_free_entrance",)))) == [
        "Alles", "Stufenlos"]


def test_it_filters_by_language(tuebingen):
    make_anchor(tuebingen, name="Türkisch", languages=["de", "tr"])
    make_anchor(tuebingen, name="Deutsch", languages=["de"])

    assert names(search_anchors(SearchQuery(language="tr"))) == ["Türkisch"]
    assert names(search_anchors(SearchQuery(language="gsg"))) == []


def test_open_now_uses_the_time_in_berlin(tuebingen):
    make_anchor(tuebingen, name="Vormittags", opening_hours="Mo-Fr 09:00-12:00")
    make_anchor(tuebingen, name="Nachmittags", opening_hours="Mo-Fr 14:00-18:00")
    make_anchor(tuebingen, name="Ohne Zeiten", opening_hours="")

    page = search_anchors(SearchQuery(open_now=True, now=WEDNESDAY_MORNING))

    assert names(page) == ["Vormittags"]
    everything = search_anchors(SearchQuery(now=WEDNESDAY_MORNING))
    assert {h.anchor.name: h.open_now for h in everything.hits} == {
        "Vormittags": True, "Nachmittags": False, "Ohne Zeiten": None}
    utc = datetime(2024, 5, 15, 8, 30, tzinfo=ZoneInfo("UTC"))  # 10:30 in Berlin
    assert names(search_anchors(SearchQuery(open_now=True, now=utc))) == ["Vormittags"]


def test_it_pages_the_hits_in_the_same_order(tuebingen):
    for number in range(5):
        make_anchor(tuebingen, name=f"Ort {number}", dx=100 * (number + 1))

    first = search_anchors(SearchQuery(origin=origin(tuebingen), per_page=2))
    last = search_anchors(SearchQuery(origin=origin(tuebingen), per_page=2, page=3))
    beyond = search_anchors(SearchQuery(origin=origin(tuebingen), per_page=2, page=99))

    assert (names(first), first.pages, first.total) == (["Ort 0", "Ort 1"], 3, 5)
    assert names(last) == ["Ort 4"] == names(beyond)
    assert last.start == 5 and not last.has_next and last.has_previous


def test_hits_carry_their_offers(tuebingen):
    make_anchor(tuebingen, offers=[offer(title="Sprachcafé"), offer(title="Mittagstisch")])

    [hit] = search_anchors(SearchQuery()).hits

    assert [o.title for o in hit.anchor.offer_list] == ["Sprachcafé", "Mittagstisch"]
