"""Every indicator on the hand-computed world of support.full_world.

The quarter (1,600 residents by its age bands: 300 under 18, 300 aged 65+, 100 aged 80+,
1,000 aged 18–64) has two cells on the grid: A with 100 residents, B with 300. Its age
profile gives both cells 18.75 % under 18, 18.75 % aged 65+ and 6.25 % aged 80+, so the
grid holds 400 residents, 75 under 18, 75 aged 65+ and 25 aged 80+.
"""

import pytest

from quartier.places.models import Place
from quartier.quartierscheck import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(computed):
    return services.figures_for_quarter(computed)[0].figures


def test_institutional_anchor_within_500_m_is_the_share_of_cell_a(figures):
    # The Mehrgenerationenhaus: A walks 130 m, B 536 m (> 500) → 100 of 400.
    assert figures["values"]["institutional_anchor_500"] == 0.25
    assert figures["lights"]["institutional_anchor_500"] == "red"


def test_institutional_anchor_for_under_18s_within_1000_m_reaches_everyone(figures):
    assert figures["values"]["institutional_anchor_u18_1000"] == 1.0
    assert figures["lights"]["institutional_anchor_u18_1000"] == "green"


def test_support_offer_within_500_m_reaches_cell_b(figures):
    # The counselling centre: B walks 325 m, A 613 m → 300 of 400, for every age group.
    assert figures["values"]["support_offer_500"] == 0.75
    assert figures["values"]["support_offer_65_500"] == 0.75
    assert figures["lights"]["support_offer_65_500"] == "green"


def test_barrier_free_space_for_80_plus_within_300_m(figures):
    # The square: A walks 65 m, B 585 m; A holds 6.25 of the 25 residents aged 80+.
    assert figures["values"]["barrier_free_space_80_300"] == 0.25
    assert figures["lights"]["barrier_free_space_80_300"] == "red"


def test_volunteer_coordination_reach_counts_an_agency_outside_the_quarter(figures):
    # The agency lies outside the quarter; B walks 910 m, A 1,430 m → 300 of 400.
    assert figures["values"]["volunteer_coordination_1000"] == 0.75
    assert figures["lights"]["volunteer_coordination_1000"] == "green"


def test_barrier_free_share_counts_the_anchors_inside_the_quarter(figures):
    # Three anchors in the quarter, only the Mehrgenerationenhaus is step-free with an
    # accessible toilet; the agency outside does not count.
    assert (figures["anchors"], figures["barrier_free"]) == (3, 1)
    assert figures["values"]["barrier_free_anchors"] == pytest.approx(1 / 3)
    assert figures["lights"]["barrier_free_anchors"] == "amber"


def test_offers_per_1000_residents_use_the_quarters_own_population(figures):
    # 1 + 2 + 0 offers in the quarter, 1,600 residents.
    assert figures["offers"] == 3
    assert figures["values"]["offers_per_1000"] == pytest.approx(1.875)
    assert figures["lights"]["offers_per_1000"] == "amber"


def test_reach_per_kind_and_group_at_every_radius(figures):
    assert figures["reach"]["mehrgenerationenhaus"]["all"] == [0.25, 0.25, 1.0]
    assert figures["reach"]["beratungsstelle"]["65+"] == [0.0, 0.75, 1.0]
    assert figures["reach"]["jugendhaus"]["u18"] == [0.0, 0.0, 0.0]
    assert figures["reach"]["offer:counselling"]["80+"] == [0.0, 0.75, 1.0]
    assert figures["residents"] == {"all": 400, "u18": 75, "65+": 75, "80+": 25}


def test_dependency_ratios(figures):
    # 300 aged 65+ and 300 under 18 per 1,000 aged 18–64.
    assert figures["old_age_ratio"] == pytest.approx(30.0)
    assert figures["youth_ratio"] == pytest.approx(30.0)


def test_gap_score_adds_the_residents_missing_each_factor_that_is_not_green(computed, figures):
    # Red: institutional anchor 500 m (300 of 400 missing), barrier-free space for 80+
    # (18.75 of 25 missing); the green indicators add nothing.
    assert figures["gap"] == pytest.approx(318.8)
    assert services.gap_score(computed) == pytest.approx(318.8)
    assert services.gap_scores() == {computed.pk: pytest.approx(318.8)}


def test_kreis_and_land_count_every_cell_and_anchor(computed, tuebingen):
    _row, kreis, land = services.figures_for_quarter(computed)
    for area in (kreis.figures, land.figures):
        # C (50 residents, 2 km east) is outside the quarter but in the Kreis.
        assert area["residents"]["all"] == 450
        assert area["reach"]["mehrgenerationenhaus"]["all"] == [
            round(100 / 450, 4), round(100 / 450, 4), round(400 / 450, 4)]
        assert area["anchors"] == 4
    assert kreis.place == tuebingen.parent
    assert land.place == Place.objects.get(kind=Place.Kind.LAND)
