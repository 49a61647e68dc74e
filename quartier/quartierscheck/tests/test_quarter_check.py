"""The check of one quarter: indicators with traffic lights next to Kreis and Land, reach per
group, age structure with chart and table, and what is shown before any computation."""

import pytest

from quartier.places.models import Quarter
from quartier.quartierscheck import services

pytestmark = pytest.mark.django_db


def page(client, quarter, query=""):
    response = client.get(f"/quarters/{quarter.pk}/check/{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_each_indicator_with_a_word_and_a_shape_next_to_kreis_and_land(
    english, computed
):
    html = page(english, computed)
    assert "Residents with an institutional anchor within 500 m" in html
    assert "25 %" in html  # the quarter's value (hand-computed in test_indicators_by_hand)
    assert computed.gemeinde.parent.name in html and "Baden-Württemberg" in html
    # A traffic light is never colour alone: a word and a shape.
    assert '<span class="light light-red">' in html and "gap</span>" in html
    assert '<span class="light light-green">' in html and "<circle" in html
    assert "good from 75 %, partly from 50 %" in html


def test_reach_is_shown_for_each_group_and_radius(english, computed):
    html = page(english, computed)
    assert "All residents: share within walking distance" in html
    assert "Multi-generation house" in html and "Counselling" in html
    older = page(english, computed, "?group=80%2B")
    assert "Residents 80 and over: share within walking distance" in older
    # An unknown group falls back to everyone.
    assert "All residents: share" in page(english, computed, "?group=<script>")


def test_the_age_structure_is_a_chart_with_the_same_figures_in_a_table(english, computed):
    html = page(english, computed)
    assert 'role="img"' in html and "age-chart-title" in html
    assert "Old-age ratio (65 and over per 100 aged 18–64)" in html
    assert "30.0" in html  # 300 aged 65+ per 1,000 aged 18–64
    assert "19 %" in html  # 300 of 1,600 aged 18–29


def test_it_offers_the_downloads_comparison_and_map(english, computed):
    html = page(english, computed)
    assert f"/quarters/{computed.pk}/check.pdf" in html
    assert f"/quarters/{computed.pk}/check.csv" in html
    assert f"/quarter-check/compare/?q={computed.pk}" in html
    assert f"/quarter-check/map/?area={computed.gemeinde.ags}" in html


def test_before_any_computation_the_page_says_so(english, quarter):
    html = page(english, quarter)
    assert "has not been computed yet" in html
    assert "check.pdf" not in html


def test_a_quarter_added_after_the_last_computation_waits_for_the_next(english, computed):
    from conftest import make_quarter

    newer = make_quarter(computed.gemeinde, name="Neubaugebiet")
    assert "The next computation includes it" in page(english, newer)


def test_kept_figures_say_why_they_are_old(english, computed):
    Quarter.objects.filter(pk=computed.pk).update(boundary="")
    services.recompute()
    html = page(english, computed)
    assert "These are the last good figures: the quarter has no boundary now" in html


def test_an_unknown_quarter_is_not_found(client, db):
    assert client.get("/quarters/999999/check/").status_code == 404
    # An id too large for the database is not found either (not a server error).
    for suffix in ("check/", "check.csv", "check.pdf"):
        assert client.get(f"/quarters/{'9' * 25}/{suffix}").status_code == 404


def test_the_quarter_page_links_to_its_check(client, quarter):
    html = client.get(f"/quarters/{quarter.pk}/").content.decode()
    assert f"/quarters/{quarter.pk}/check/" in html


def test_chart_coordinates_are_plain_numbers_in_german_too(client, computed):
    import re

    html = page(client, computed)  # German: 12,5 would break the drawing
    start = html.index('<svg class="age-chart"')
    chart = html[start:html.index("</svg>", start)]
    values = re.findall(r' (?:x|y|width|height)="([^"]*)"', chart)
    assert values and all(re.fullmatch(r"\d+(\.\d+)?", v) for v in values), values
