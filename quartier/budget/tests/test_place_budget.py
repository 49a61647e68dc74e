"""{% budget_about place %}: public sums of a Kreis (with its Gemeinden) or a Gemeinde."""

import pytest
from django.template import Context, Template

from quartier.budget import services
from quartier.places.models import Place

pytestmark = pytest.mark.django_db


def render(place) -> str:
    return Template("{% load budget_tags %}{% budget_about place %}").render(
        Context({"place": place}))


def test_a_kreis_sums_its_gemeinden_and_itself(line, staff, tuebingen, ulm):
    kreis = Place.objects.get(ags="08416")
    commitment = services.commit_funds(line, 10_00, measure="Geheim", place=tuebingen,
                                       actor=staff)
    services.disburse(commitment, 4_00, actor=staff)
    services.commit_funds(line, 5_00, measure="Geheim", place=kreis, actor=staff)
    services.commit_funds(line, 99_00, measure="Geheim", place=ulm, actor=staff)

    totals = services.place_totals(kreis)
    assert (totals.committed_cents, totals.disbursed_cents) == (15_00, 4_00)
    assert services.place_totals(tuebingen).committed_cents == 10_00
    html = render(kreis)
    assert "15,00 €" in html and "4,00 €" in html and "Geheim" not in html


def test_other_levels_show_nothing_and_empty_places_say_so(line):
    assert render(Place.objects.get(kind="land")).strip() == ""
    assert "noch kein Geld" in render(Place.objects.get(ags="08421000"))


def test_the_kreis_and_gemeinde_pages_show_their_sums(client, line, staff, tuebingen):
    services.commit_funds(line, 12_00, measure="Geheim", place=tuebingen, actor=staff)

    for url in ("/places/08416/", f"/places/{tuebingen.ags}/"):
        page = client.get(url).content.decode()
        assert 'id="budget-heading"' in page and "12,00 €" in page and "Geheim" not in page
    assert 'id="budget-heading"' not in client.get("/places/08/").content.decode()
