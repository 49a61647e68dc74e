"""The check as PDF report and CSV file."""

import csv
import io
import re
import zlib

import pytest

from quartier.places.models import Quarter

pytestmark = pytest.mark.django_db


def test_the_pdf_report_is_a_tagged_pdf_with_chart_and_outline(english, computed):
    response = english.get(f"/quarters/{computed.pk}/check.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="quartierscheck-tubingen-universitatsstadt-sudstadt.pdf"')
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    inflated = inflate(pdf)
    assert b"/StructTreeRoot" in inflated  # tagged (PDF/UA)
    assert b"/Figure" in inflated  # the age chart and the outline are figures


def inflate(pdf: bytes) -> bytes:
    """The PDF with its compressed streams inflated."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            pass
    return b"".join(parts)


def test_the_csv_holds_every_figure_with_kreis_and_land(english, computed):
    response = english.get(f"/quarters/{computed.pk}/check.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    by_figure = {(r["figure"], r["group"], r["radius_m"]): r for r in rows}
    first = by_figure[("institutional_anchor_500", "all", "500")]
    assert first["quarter_value"] == "0.25" and first["traffic_light"] == "red"
    assert first["kreis_value"] and first["land_value"]
    assert by_figure[("reach:mehrgenerationenhaus", "80+", "1000")]["quarter_value"] == "1.0"
    assert by_figure[("residents:age_80_plus", "", "")]["quarter_value"] == "100"
    assert by_figure[("gap", "", "")]["quarter_value"] == "318.8"


def test_a_name_that_looks_like_a_formula_stays_inert(english, computed):
    Quarter.objects.filter(pk=computed.pk).update(name="=HYPERLINK(\"http://x\")")
    text = english.get(f"/quarters/{computed.pk}/check.csv").content.decode()
    assert "'=HYPERLINK" in text
    assert "\n=HYPERLINK" not in text


def test_without_figures_there_is_nothing_to_download(client, quarter):
    assert client.get(f"/quarters/{quarter.pk}/check.pdf").status_code == 404
    assert client.get(f"/quarters/{quarter.pk}/check.csv").status_code == 404



@pytest.mark.parametrize("boundary", ["", "{not json", '{"type": "Point", "coordinates": [1, 2]}'])
def test_a_quarter_that_lost_its_boundary_still_gets_its_report(english, computed, boundary,
                                                                 monkeypatch):
    from django.http import HttpResponse
    from django.template.loader import render_to_string

    from quartier.quartierscheck import services, views

    Quarter.objects.filter(pk=computed.pk).update(boundary=boundary)
    services.recompute()  # the quarter keeps its last good figures
    response = english.get(f"/quarters/{computed.pk}/check.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    # The same report as HTML: the outline is replaced by a sentence.
    monkeypatch.setattr(views, "pdf_response", lambda template, context, request, name:
                        HttpResponse(render_to_string(template, context, request)))
    html = english.get(f"/quarters/{computed.pk}/check.pdf").content.decode()
    assert "no usable boundary now" in html and "outline-title" not in html
    assert english.get(f"/quarters/{computed.pk}/check.csv").status_code == 200
