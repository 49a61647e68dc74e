"""generate_demo_quarters: plausible, deterministic demo quarters for Gemeinden without any."""

from collections import defaultdict
from decimal import Decimal

import pytest
import shapely

from conftest import TUEBINGEN
from quartier.places import geo
from quartier.places.demo import generate_demo_quarters
from quartier.places.models import AGE_BANDS, Place, Quarter

pytestmark = pytest.mark.django_db

Kind = Place.Kind
AGE_FIELDS = [f for f, _label in AGE_BANDS]
SUBSET = [
    TUEBINGEN,  # a city (urbanisation 1)
    "08222000",  # Mannheim, on the state border at the Rhine
    "08335043",  # Konstanz, on the Bodensee and the Swiss border
    "08335066",  # Reichenau, an island
    "08335015",  # Büsingen am Hochrhein, an exclave in Switzerland
    "08415971",  # Gutsbezirk Münsingen, no residents
]


def only_for(*ags_list):
    """Give every other Gemeinde a placeholder quarter, so the generator skips it."""
    others = Place.objects.filter(kind=Kind.GEMEINDE).exclude(ags__in=ags_list)
    Quarter.objects.bulk_create(
        Quarter(gemeinde=g, name="Platzhalter", type=Quarter.Type.DORF, boundary="{}", x=0, y=0)
        for g in others
    )


def subset(*extra):
    """SUBSET plus the first Gemeinde of each degree of urbanisation."""
    firsts = [
        Place.objects.filter(kind=Kind.GEMEINDE, urbanisation=u).order_by("ags").first().ags
        for u in (1, 2, 3)
    ]
    return sorted({*SUBSET, *firsts, *extra})


def demo_quarters():
    return Quarter.objects.filter(is_demo=True).select_related("gemeinde")


def fingerprint():
    """Everything the generator decides, in a stable order."""
    return sorted(
        (q.gemeinde.ags, q.name, q.type, q.boundary, q.x, q.y, q.households,
         q.disability_share_pct, q.migration_share_pct, *(getattr(q, f) for f in AGE_FIELDS))
        for q in demo_quarters()
    )


def inside_bw(boundary) -> bool:
    outline = geo.bw_outline()
    # Cells cut by the state's outline are stored to the centimetre, so they may poke out
    # by less than a centimetre.
    return outline.contains(boundary) or boundary.difference(outline).area < 1


def test_it_creates_plausible_quarters_for_every_gemeinde():
    gemeinden = {g.ags: g for g in Place.objects.filter(kind=Kind.GEMEINDE)}

    created = generate_demo_quarters(seed=2018)

    quarters = list(demo_quarters())
    assert created == len(quarters) > len(gemeinden)
    by_gemeinde = defaultdict(list)
    for quarter in quarters:
        by_gemeinde[quarter.gemeinde.ags].append(quarter)
    assert by_gemeinde.keys() == gemeinden.keys()

    total = sum(q.population for q in quarters)
    assert total == Place.objects.get(kind=Kind.LAND).population == 11_124_642
    for ags, own in by_gemeinde.items():
        gemeinde = gemeinden[ags]
        assert sum(q.population for q in own) == gemeinde.population, ags
        types = {q.type for q in own}
        if gemeinde.urbanisation == 3:
            assert types == {Quarter.Type.DORF}, ags
        elif gemeinde.urbanisation == 2:
            assert types <= {Quarter.Type.STADTTEIL, Quarter.Type.DORF}, ags
        else:
            # A city has at least its centre, a Kiez, and one Stadtteil around it.
            assert len(own) >= 2, ags
            assert [q.type for q in own].count(Quarter.Type.KIEZ) == 1, ags
            assert types <= {Quarter.Type.KIEZ, Quarter.Type.STADTTEIL}, ags
        assert len({q.name for q in own}) == len(own), ags

    for quarter in quarters:
        label = f"{quarter.gemeinde.ags} {quarter.name}"
        assert quarter.is_demo and quarter.is_published(), label
        assert quarter.population == sum(getattr(quarter, f) for f in AGE_FIELDS), label
        assert 0 <= quarter.households <= quarter.population, label
        if quarter.population:
            assert quarter.households >= 1, label
        for share in (quarter.disability_share_pct, quarter.migration_share_pct):
            assert Decimal(0) <= share <= Decimal(100), label
        assert quarter.name.strip() and len(quarter.name) <= 200, label
        boundary = geo.loads(quarter.boundary)
        assert boundary.geom_type in ("Polygon", "MultiPolygon"), label
        assert boundary.is_valid and not boundary.is_empty, label
        assert boundary.area >= 100, label
        assert inside_bw(boundary), label
        assert boundary.distance(shapely.Point(quarter.x, quarter.y)) < 0.01, label
        assert quarter.search_key, label

    # Running it again finds no Gemeinde without quarters.
    assert generate_demo_quarters(seed=2018) == 0
    assert Quarter.objects.count() == len(quarters)


def test_the_same_seed_gives_the_same_quarters():
    only_for(*subset())
    generate_demo_quarters(seed=7)
    first = fingerprint()
    demo_quarters().delete()

    generate_demo_quarters(seed=7)

    assert fingerprint() == first


def test_another_seed_gives_other_quarters():
    only_for(*subset())
    generate_demo_quarters(seed=7)
    first = fingerprint()
    demo_quarters().delete()

    generate_demo_quarters(seed=8)

    assert fingerprint() != first


def test_a_gemeinde_gets_the_same_quarters_whichever_others_are_generated_with_it():
    only_for(TUEBINGEN)
    generate_demo_quarters(seed=7)
    alone = fingerprint()
    Quarter.objects.all().delete()
    only_for(*subset())

    generate_demo_quarters(seed=7)

    assert [row for row in fingerprint() if row[0] == TUEBINGEN] == alone


def test_the_quarters_of_a_gemeinde_do_not_overlap():
    only_for(*subset())
    generate_demo_quarters(seed=3)
    by_gemeinde = defaultdict(list)
    for quarter in demo_quarters():
        by_gemeinde[quarter.gemeinde.ags].append(geo.loads(quarter.boundary))

    for ags, cells in by_gemeinde.items():
        union = shapely.union_all(cells)
        assert sum(c.area for c in cells) == pytest.approx(union.area, rel=1e-6), ags


def test_running_it_again_creates_nothing():
    only_for(*subset())
    created = generate_demo_quarters(seed=3)
    before = fingerprint()

    assert generate_demo_quarters(seed=3) == 0
    assert generate_demo_quarters(seed=4) == 0

    assert created == len(before) > 0
    assert fingerprint() == before


def test_it_leaves_a_gemeinde_with_quarters_alone(quarter, draft_quarter):
    only_for(*subset())

    generate_demo_quarters(seed=3)

    own = Quarter.objects.filter(gemeinde__ags=TUEBINGEN)
    assert set(own.values_list("pk", flat=True)) == {quarter.pk, draft_quarter.pk}
    assert demo_quarters().filter(gemeinde__ags__in=subset()).exists()


def test_a_gemeinde_without_residents_gets_one_empty_quarter():
    only_for("08415971")

    generate_demo_quarters(seed=3)

    quarter = demo_quarters().get()
    assert quarter.population == 0 and quarter.households == 0
    assert quarter.name == "Gutsbezirk Münsingen"


def test_it_reports_progress():
    only_for(*subset())
    messages = []

    created = generate_demo_quarters(seed=3, progress=messages.append)

    assert messages
    assert str(created) in messages[-1]
