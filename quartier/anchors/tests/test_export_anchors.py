"""write_csv, write_geojson and `quartier export-anchors`: what is exported imports again
unchanged."""

import io
import json

import pytest
from django.core.management import call_command

from quartier.anchors import services
from quartier.anchors.models import Anchor
from quartier.anchors.tests.support import make_anchor, offer

pytestmark = pytest.mark.django_db


def state() -> list[dict]:
    rows = []
    for anchor in Anchor.objects.order_by("ref"):
        data = services.snapshot_of(anchor)
        data.pop("image")
        rows.append({**data, "ref": anchor.ref, "status": anchor.status})
    return rows


@pytest.fixture
def anchors(tuebingen, ulm):
    make_anchor(tuebingen, name="Haus mit \"Zitat\", Komma", languages=["de", "uk"],
                step_free_entrance=True, hearing_loop=True, phone="07071 1234",
                opening_hours="Mo-Fr 09:00-12:00,14:00-17:00; Sa 10:00-13:00",
                description="Zeile eins\nZeile zwei",
                offers=[offer(title="Café", target_groups=["families", "seniors"],
                              is_free=False, booking_required=True), offer(title="Treff")])
    make_anchor(ulm, name="Ulmer Platz", kind="barrierefreier-ort", postcode="89073",
                opening_hours="", offers=[], is_demo=True)
    make_anchor(tuebingen, name="Nicht öffentlich", status="pending")


def test_a_csv_export_imports_again_without_a_change(anchors, tmp_path):
    before = state()
    path = tmp_path / "anchors.csv"
    with open(path, "w", encoding="utf-8", newline="") as stream:
        assert services.write_csv(stream) == 2

    report = services.import_anchors([path])

    assert (report.created, report.updated) == (0, 2)
    assert state() == before


def test_a_geojson_export_imports_again_without_a_change(anchors, tmp_path):
    before = state()
    path = tmp_path / "anchors.geojson"
    with open(path, "w", encoding="utf-8") as stream:
        services.write_geojson(stream)
    collection = json.loads(path.read_text())
    assert len(collection["features"]) == 2

    services.import_anchors([path])

    assert state() == before


def test_an_export_recreates_the_anchors_in_an_empty_registry(anchors, tmp_path):
    path = tmp_path / "anchors.csv"
    with open(path, "w", encoding="utf-8", newline="") as stream:
        services.write_csv(stream)
    published = [row for row in state() if row["status"] == "published"]
    Anchor.objects.all().delete()

    report = services.import_anchors([path])

    assert report.created == 2
    assert state() == published


def test_the_command_writes_csv_or_geojson(anchors, tmp_path):
    out = io.StringIO()
    call_command("export-anchors", "--format", "csv", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert lines[0].startswith("ref,kind,name,")
    target = tmp_path / "a.geojson"
    call_command("export-anchors", "--format", "geojson", "--output", str(target))
    assert json.loads(target.read_text())["type"] == "FeatureCollection"
