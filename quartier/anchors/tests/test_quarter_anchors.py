"""quarter_anchors and the quarter page: its anchors, their offers, the missing factors."""

import pytest

from conftest import make_quarter
from quartier.anchors import services
from quartier.anchors.models import SuccessFactor
from quartier.anchors.tests.support import make_anchor, offer

pytestmark = pytest.mark.django_db


def test_a_quarter_lists_its_published_anchors_and_the_missing_success_factors(
    tuebingen, quarter
):
    make_anchor(tuebingen, name="Haus", kind="mehrgenerationenhaus",
                offers=[offer(title="Mittagstisch")])
    make_anchor(tuebingen, name="Platz", kind="barrierefreier-ort", dx=100)
    make_anchor(tuebingen, name="Noch nicht", kind="freiwilligenagentur", status="pending")
    make_anchor(tuebingen, name="Draußen", kind="beratungsstelle", dx=5000)

    result = services.quarter_anchors(quarter)

    assert [a.name for a in result.anchors] == ["Haus", "Platz"]
    assert [o.title for o in result.anchors[0].offer_list] == ["Mittagstisch"]
    assert result.present == [SuccessFactor.INSTITUTIONAL_ANCHOR,
                              SuccessFactor.BARRIER_FREE_SPACE]
    assert result.missing == [SuccessFactor.VOLUNTEER_COORDINATION, SuccessFactor.SUPPORT_OFFER]


def test_the_quarter_page_shows_anchors_offers_and_gaps(client, tuebingen, quarter):
    make_anchor(tuebingen, name="Jugendhaus Süd", kind="jugendhaus",
                offers=[offer(title="Hausaufgabenhilfe")])

    html = client.get(f"/quarters/{quarter.pk}/").content.decode()

    assert "Jugendhaus Süd" in html and "Hausaufgabenhilfe" in html
    assert "Freiwilligenkoordination: <strong>fehlt</strong>" in html
    assert "Institutioneller Anker: <strong>vorhanden</strong>" in html
    assert f'href="/anchors/?quarter={quarter.pk}"' in html


def test_an_anchor_in_a_draft_quarter_belongs_to_no_quarter(tuebingen):
    draft = make_quarter(tuebingen, name="Entwurf", status="draft")
    anchor = make_anchor(tuebingen)
    assert anchor.quarter is None
    assert services.quarter_anchors(draft).anchors == []
