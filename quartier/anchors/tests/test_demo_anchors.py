"""generate_demo_anchors: several per Gemeinde by population, inside its quarters, marked."""

import pytest
import shapely

from conftest import make_quarter
from quartier.anchors.demo import counts_per_gemeinde, generate_demo_anchors
from quartier.anchors.models import Anchor, AnchorVersion
from quartier.places import geo
from quartier.places.models import Place

pytestmark = pytest.mark.django_db


def test_counts_grow_with_population_and_reach_a_total():
    small = Place(pk=1, population=800)
    large = Place(pk=2, population=100_000)

    assert counts_per_gemeinde([small, large], None) == {1: 2, 2: 40}
    scaled = counts_per_gemeinde([small, large], 100)
    assert sum(scaled.values()) == 100 and 2 <= scaled[1] < scaled[2]


def test_it_generates_a_plausible_deterministic_set_for_a_kreis(tuebingen):
    quarter = make_quarter(tuebingen)
    gemeinden = Place.objects.filter(kind=Place.Kind.GEMEINDE, ags__startswith="08416")

    created = generate_demo_anchors(gemeinden=gemeinden, seed=1)

    assert created == Anchor.objects.count() > 2 * gemeinden.count()
    anchors = Anchor.objects.filter(gemeinde=tuebingen)
    assert anchors.count() == round(tuebingen.population / 2500)
    assert all(a.is_demo and a.status == "published" for a in Anchor.objects.all())
    assert all(a.quarter == quarter for a in anchors)
    shape = geo.loads(quarter.boundary)
    assert all(shape.contains(shapely.Point(a.x, a.y)) for a in anchors)
    assert set(AnchorVersion.objects.values_list("action", flat=True)) == {"generated"}
    shares = [sum(a.step_free_entrance for a in Anchor.objects.all())
              / Anchor.objects.count()]
    assert 0.4 < shares[0] < 0.95
    names = sorted(Anchor.objects.values_list("name", flat=True))

    Anchor.objects.all().delete()
    generate_demo_anchors(gemeinden=gemeinden, seed=1)
    assert sorted(Anchor.objects.values_list("name", flat=True)) == names


def test_gemeinden_with_anchors_get_no_more(tuebingen):
    gemeinden = Place.objects.filter(ags=tuebingen.ags)
    generate_demo_anchors(gemeinden=gemeinden)
    assert generate_demo_anchors(gemeinden=gemeinden) == 0
