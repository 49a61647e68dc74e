"""import_anchors and `quartier import-anchors`: every row checked like the form; one bad row
and nothing changes; keyed by ref."""

import json

import pytest
from django.core.management import CommandError, call_command

from quartier.anchors import services
from quartier.anchors.models import Anchor, AnchorVersion
from quartier.anchors.tests.support import provider
from quartier.places.services import ImportRejected

pytestmark = pytest.mark.django_db

HEADER = ("ref,kind,name,description,provider,gemeinde,street,postcode,city,lon,lat,"
          "opening_hours,phone,email,website,languages,step_free_entrance,lift,"
          "accessible_toilet,hearing_loop,tactile_guidance,easy_language,disabled_parking,"
          "is_demo,offers")
OFFERS = json.dumps([{"category": "language_cafe", "title": "Sprachcafé",
                      "target_groups": ["adults", "youth"], "when": "donnerstags",
                      "is_free": True, "booking_required": False}]).replace('"', '""')


def row(**changes) -> str:
    values = {
        "ref": "mgh-tue", "kind": "mehrgenerationenhaus", "name": "Mehrgenerationenhaus Tübingen",
        "description": "", "provider": "Nachbarschaftsverein e. V.", "gemeinde": "08416041",
        "street": "Hauptstraße 1", "postcode": "72070", "city": "Tübingen", "lon": "9.0546",
        "lat": "48.5209", "opening_hours": "Mo-Fr 09:00-17:00", "phone": "07071 1234",
        "email": "info@mgh.example", "website": "https://mgh.example/", "languages": "de tr",
        "step_free_entrance": "yes", "lift": "no", "accessible_toilet": "ja",
        "hearing_loop": "", "tactile_guidance": "0", "easy_language": "1",
        "disabled_parking": "no", "is_demo": "no", "offers": f'"{OFFERS}"',
    }
    values.update(changes)
    return ",".join(values.values())


def write(tmp_path, *lines, name="anchors.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def organisation(db):
    return provider()


def test_it_imports_anchors_with_offers_as_published(tmp_path, tuebingen):
    report = services.import_anchors([write(tmp_path, row(), row(ref="jh", name="Jugendhaus",
                                                             kind="jugendhaus", offers=""))])

    assert (report.created, report.updated) == (2, 0)
    anchor = Anchor.objects.get(ref="mgh-tue")
    assert anchor.status == Anchor.Status.PUBLISHED
    assert anchor.languages == ["de", "tr"]
    assert (anchor.step_free_entrance, anchor.accessible_toilet, anchor.easy_language,
            anchor.lift) == (True, True, True, False)
    assert [o.title for o in anchor.offers.all()] == ["Sprachcafé"]
    assert anchor.opening_intervals.count() == 5
    assert anchor.versions.get().action == AnchorVersion.Action.IMPORTED


def test_importing_again_updates_by_ref_and_creates_nothing(tmp_path, tuebingen):
    services.import_anchors([write(tmp_path, row())])
    report = services.import_anchors([write(tmp_path, row(name="Neuer Name", offers=""))])

    assert (report.created, report.updated) == (0, 1)
    anchor = Anchor.objects.get()
    assert anchor.name == "Neuer Name" and anchor.offers.count() == 0
    assert anchor.versions.count() == 2


def test_one_bad_row_and_nothing_is_imported_with_every_error_named(tmp_path, tuebingen,
                                                                    default_language):
    path = write(
        tmp_path,
        row(),
        row(ref="a", lon="13.40", lat="52.52"),
        row(ref="b", opening_hours="Mo-Fr 17:00-09:00"),
        row(ref="c", kind="schloss", postcode="10117", provider="Unbekannt e. V."),
        row(ref="d", step_free_entrance="vielleicht", website="javascript:alert(1)"),
        row(ref="e", offers='"[{""category"": ""bar"", ""title"": """"}]"'),
        row(ref="a"),
    )

    with pytest.raises(ImportRejected) as rejected:
        services.import_anchors([path])

    errors = {(e.line, e.field) for e in rejected.value.errors}
    assert {(3, "lat"), (4, "opening_hours"), (5, "kind"), (5, "postcode"), (5, "provider"),
            (6, "step_free_entrance"), (6, "website"), (7, "offers[1].category"),
            (7, "offers[1].title"), (7, "offers[1].target_groups"), (8, "ref")} <= errors
    assert (2, "lat") not in errors
    assert not Anchor.objects.exists()
    assert str(rejected.value.errors[0]).startswith("anchors.csv, Zeile 3, lat: ")


def test_a_file_without_the_required_columns_is_refused(tmp_path):
    path = tmp_path / "anchors.csv"
    path.write_text("name,lon\nHaus,9\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as rejected:
        services.import_anchors([path])
    assert rejected.value.errors[0].field == "header"


def test_it_imports_geojson_points(tmp_path, tuebingen):
    feature = {
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [9.0546, 48.5209]},
        "properties": {"ref": "geo-1", "kind": "jugendhaus", "name": "Jugendhaus",
                       "provider": "Nachbarschaftsverein e. V.", "gemeinde": "08416041",
                       "street": "Hauptstraße 2", "postcode": "72070", "languages": ["de", "en"],
                       "lift": True, "offers": [{"category": "meeting", "title": "Treff",
                                                 "target_groups": ["youth"]}]},
    }
    bad = {**feature, "geometry": {"type": "Polygon", "coordinates": []}}
    path = tmp_path / "anchors.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    services.import_anchors([path])
    anchor = Anchor.objects.get(ref="geo-1")
    assert anchor.lift and anchor.languages == ["de", "en"] and anchor.city == "Tübingen"

    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature, bad]}))
    with pytest.raises(ImportRejected) as rejected:
        services.import_anchors([path])
    assert [(e.line, e.field) for e in rejected.value.errors] == [(2, "geometry")]


def test_the_command_lists_errors_and_changes_nothing(tmp_path, tuebingen, capsys,
                                                      default_language):
    path = write(tmp_path, row(lat="52.52", lon="13.40"))
    with pytest.raises(CommandError, match="^1 Fehler; es wurde nichts importiert.$"):
        call_command("import-anchors", str(path))
    assert "anchors.csv, Zeile 2, lat: " in capsys.readouterr().err
    assert not Anchor.objects.exists()

    call_command("import-anchors", str(write(tmp_path, row())))
    assert Anchor.objects.count() == 1


def test_an_import_tells_the_modules_that_follow_changes_once(
    tmp_path, tuebingen, settings, django_capture_on_commit_callbacks
):
    from quartier.quartierscheck.models import CheckRun

    settings.QUARTIERSCHECK_AUTO_RECOMPUTE = True
    with django_capture_on_commit_callbacks(execute=True):
        services.import_anchors([write(tmp_path, row(), row(ref="jh", name="Jugendhaus",
                                                             kind="jugendhaus", offers=""))])

    assert CheckRun.objects.filter(status=CheckRun.Status.QUEUED).count() == 1
