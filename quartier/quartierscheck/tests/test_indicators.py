"""Indicator definitions on hand-computed figures (pure, no database)."""

import math

import pytest

from quartier.quartierscheck import indicators

BANDS = dict(age_0_5=100, age_6_17=200, age_18_29=300, age_30_49=400, age_50_64=300,
             age_65_79=200, age_80_plus=100)


def test_groups_and_dependency_ratios():
    assert indicators.group_residents(BANDS) == {"all": 1600, "u18": 300, "65+": 300, "80+": 100}
    old_age, youth = indicators.dependency_ratios(BANDS)
    # 300 aged 65+ and 300 under 18 per 1,000 aged 18–64.
    assert old_age == pytest.approx(30.0) and youth == pytest.approx(30.0)
    assert indicators.dependency_ratios({}) == (None, None)
    assert indicators.group_weights(BANDS) == (1.0, 300 / 1600, 300 / 1600, 100 / 1600)
    assert indicators.group_weights({}) == (0.0, 0.0, 0.0, 0.0)


@pytest.mark.parametrize(("value", "light"), [
    (0.75, "green"), (0.9, "green"), (0.5, "amber"), (0.7499, "amber"), (0.4999, "red"),
    (0.0, "red"), (None, "none"), (math.nan, "none"),
])
def test_traffic_light_boundaries(value, light):
    assert indicators.BY_KEY["institutional_anchor_500"].light(value) == light


def test_summarise_computes_values_lights_and_gap():
    reach = {
        "factor:institutional_anchor": {g: [0.25, 0.25, 1.0] for g in indicators.GROUPS},
        "factor:support_offer": {g: [0.0, 0.0, 0.0] for g in indicators.GROUPS},
        "factor:volunteer_coordination": {g: [0.0, 0.0, 0.8] for g in indicators.GROUPS},
        "factor:barrier_free_space": {g: [None, None, None] for g in indicators.GROUPS},
    }
    residents = {"all": 400, "u18": 75, "65+": 75, "80+": 25}
    figures = indicators.summarise(reach=reach, residents=residents, bands=BANDS,
                                   population=1600, anchors=4, barrier_free=1, offers=4)
    values, lights = figures["values"], figures["lights"]
    assert values["institutional_anchor_500"] == 0.25
    assert lights["institutional_anchor_500"] == "red"
    assert values["institutional_anchor_u18_1000"] == 1.0
    assert lights["institutional_anchor_u18_1000"] == "green"
    assert values["volunteer_coordination_1000"] == 0.8
    assert lights["volunteer_coordination_1000"] == "green"
    assert values["barrier_free_space_80_300"] is None
    assert lights["barrier_free_space_80_300"] == "none"
    assert values["barrier_free_anchors"] == 0.25 and lights["barrier_free_anchors"] == "amber"
    assert values["offers_per_1000"] == 2.5 and lights["offers_per_1000"] == "green"
    # Residents missing each factor that is not green: 0.75·400 (institutional anchor,
    # red) + 1·400 (support offer, red) + 1·75 (support offer for 65+, red); the green
    # volunteer coordination (0.8) and institutional anchor for under 18s add nothing.
    assert figures["gap"] == pytest.approx(300 + 400 + 75)
    assert indicators.missing_factors(figures) == 3


def test_an_area_without_anchors_or_residents_has_no_values():
    figures = indicators.summarise(reach={}, residents={}, bands={}, population=0, anchors=0,
                                   barrier_free=0, offers=0)
    assert set(figures["lights"].values()) == {"none"}
    assert figures["gap"] == 0
