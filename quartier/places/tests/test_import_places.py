"""import_places and the `import-places` command: all files checked first, one bad row and
nothing changes; keyed by AGS, so running it again changes nothing.

The session database already holds every real place of Baden-Württemberg.
"""

import importlib
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from conftest import TUEBINGEN
from quartier.places import geo, services
from quartier.places.models import Place
from quartier.places.services import ImportRejected

pytestmark = pytest.mark.django_db

Kind = Place.Kind
KREIS_TUEBINGEN = "08416"
RB_TUEBINGEN = "084"

GEMEINDE_HEADER = (
    "ags,name,regierungsbezirk,kreis,area_km2,population,male,female,postcode,lon,lat,"
    "urbanisation"
)
# The real row of Tübingen (gemeinden.csv, 31 Dec 2021).
TUEBINGEN_ROW = (
    '08416041,"Tübingen, Universitätsstadt",084,08416,108.06,91877,43623,48254,72070,'
    "9.054572,48.520863,1"
)
# The same row with 1000 more residents, all of them women.
TUEBINGEN_GROWN = (
    '08416041,"Tübingen, Universitätsstadt",084,08416,108.06,92877,43623,49254,72070,'
    "9.054572,48.520863,1"
)
# A valid new Gemeinde (not real) in Landkreis Tübingen.
NEW_GEMEINDE_ROW = "08416999,Neudorf,084,08416,12.5,1500,750,750,72099,9.0,48.45,3"
NEW_GEMEINDE = dict(ags="08416999", name="Neudorf", area="12.5", population="1500",
                    male="750", female="750", postcode="72099", lon="9.0", lat="48.45",
                    urbanisation="3")
# About 740 m × 1110 m inside Tübingen.
SQUARE = [[[9.05, 48.52], [9.06, 48.52], [9.06, 48.53], [9.05, 48.53], [9.05, 48.52]]]


def gemeinde_row(**changes) -> str:
    values = {**NEW_GEMEINDE, **changes}
    return ",".join([
        values["ags"], values["name"], "084", values.get("kreis", values["ags"][:5]),
        values["area"], values["population"], values["male"], values["female"],
        values["postcode"], values["lon"], values["lat"], values["urbanisation"],
    ])


def write(tmp_path, name: str, *lines: str) -> str:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_features(tmp_path, *features, name="boundaries.geojson"):
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": list(features)}),
                    encoding="utf-8")
    return path


def feature(ags, coordinates=SQUARE, geometry_type="Polygon"):
    return {
        "type": "Feature",
        "properties": {"ags": ags},
        "geometry": {"type": geometry_type, "coordinates": coordinates},
    }


def snapshot() -> dict:
    """What an import could change: how many places of each kind, and a few whole rows."""
    counts = dict(Place.objects.values("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    rows = {p["ags"]: p for p in Place.objects.filter(
        ags__in=[TUEBINGEN, KREIS_TUEBINGEN, RB_TUEBINGEN, services.LAND_AGS]
    ).values()}
    return {"counts": counts, "rows": rows}


def rejected(paths) -> list[services.RowError]:
    before = snapshot()
    with pytest.raises(ImportRejected) as caught:
        services.import_places(paths)
    assert snapshot() == before, "a rejected import changed the database"
    return caught.value.errors


def only_error(paths) -> services.RowError:
    errors = rejected(paths)
    assert len(errors) == 1, [str(e) for e in errors]
    return errors[0]


# Re-running -------------------------------------------------------------------------------


def test_the_session_database_holds_every_place_of_the_state():
    assert snapshot()["counts"] == {
        Kind.LAND: 1, Kind.REGIERUNGSBEZIRK: 4, Kind.KREIS: 44, Kind.GEMEINDE: 1103,
    }


def test_running_it_again_updates_every_place_and_creates_nothing():
    before = snapshot()

    report = services.import_places(services.default_import_files())

    assert report.created == {Kind.REGIERUNGSBEZIRK: 0, Kind.KREIS: 0, Kind.GEMEINDE: 0}
    assert report.updated == {Kind.REGIERUNGSBEZIRK: 4, Kind.KREIS: 44, Kind.GEMEINDE: 1103}
    assert report.boundaries == 44
    assert snapshot() == before
    assert Place.objects.values("ags").annotate(n=Count("pk")).filter(n__gt=1).count() == 0


def test_the_real_totals_add_up_from_the_gemeinden():
    land = Place.objects.get(ags=services.LAND_AGS)
    # As of 31 December 2021 (data/bw/README.md).
    assert land.population == 11_124_642
    for place in Place.objects.exclude(kind=Kind.GEMEINDE).prefetch_related("children"):
        assert place.population == sum(c.population for c in place.children.all()), place.ags


# Valid imports ----------------------------------------------------------------------------


def test_it_updates_one_gemeinde_and_refreshes_the_totals_above_it(tmp_path):
    before = {p.ags: p.population for p in Place.objects.filter(
        ags__in=[TUEBINGEN, KREIS_TUEBINGEN, RB_TUEBINGEN, services.LAND_AGS, "081"]
    )}
    path = write(tmp_path, "update.csv", GEMEINDE_HEADER, TUEBINGEN_GROWN)

    report = services.import_places([path])

    assert report.created == {Kind.REGIERUNGSBEZIRK: 0, Kind.KREIS: 0, Kind.GEMEINDE: 0}
    assert report.updated == {Kind.REGIERUNGSBEZIRK: 0, Kind.KREIS: 0, Kind.GEMEINDE: 1}
    tuebingen = Place.objects.get(ags=TUEBINGEN)
    assert (tuebingen.population, tuebingen.male, tuebingen.female) == (92877, 43623, 49254)
    after = {p.ags: p.population for p in Place.objects.filter(ags__in=before)}
    for ags in (TUEBINGEN, KREIS_TUEBINGEN, RB_TUEBINGEN, services.LAND_AGS):
        assert after[ags] == before[ags] + 1000, ags
    assert after["081"] == before["081"]


def test_it_creates_a_new_gemeinde_under_its_kreis(tmp_path):
    kreis_before = Place.objects.get(ags=KREIS_TUEBINGEN).population
    land_before = Place.objects.get(ags=services.LAND_AGS).population
    path = write(tmp_path, "new.csv", GEMEINDE_HEADER, NEW_GEMEINDE_ROW)

    report = services.import_places([path])

    assert report.created[Kind.GEMEINDE] == 1
    neudorf = Place.objects.get(ags="08416999")
    assert neudorf.kind == Kind.GEMEINDE
    assert neudorf.parent.ags == KREIS_TUEBINGEN
    assert (neudorf.name, neudorf.population, neudorf.postcode) == ("Neudorf", 1500, "72099")
    assert (neudorf.area_km2, neudorf.urbanisation) == (12.5, 3)
    assert neudorf.search_key == services.fold("Neudorf")
    lon, lat = geo.utm_to_lonlat(neudorf.x, neudorf.y)
    assert lon == pytest.approx(9.0, abs=1e-6) and lat == pytest.approx(48.45, abs=1e-6)
    assert Place.objects.get(ags=KREIS_TUEBINGEN).population == kreis_before + 1500
    assert Place.objects.get(ags=services.LAND_AGS).population == land_before + 1500
    assert Place.objects.filter(kind=Kind.GEMEINDE).count() == 1104


def test_it_reads_a_file_with_only_the_required_columns_and_a_byte_order_mark(tmp_path):
    path = tmp_path / "minimal.csv"
    path.write_bytes("\ufeffags,name,kreis,population,lon,lat\n08416999,Neudorf,08416,10,9.0,48.45\n"
                     .encode())

    services.import_places([path])

    neudorf = Place.objects.get(ags="08416999")
    assert (neudorf.population, neudorf.male, neudorf.postcode) == (10, None, "")


def test_it_creates_regierungsbezirk_kreis_and_gemeinde_from_three_files_at_once(tmp_path):
    # Not a real Regierungsbezirk: 085 would be a fifth one.
    paths = [
        write(tmp_path, "rb.csv", "ags,name", "085,Reg.-Bez. Probe"),
        write(tmp_path, "kreise.csv", "ags,name,regierungsbezirk", "08501,Probekreis,085"),
        write(tmp_path, "gemeinden.csv", "ags,name,kreis,population,lon,lat",
              "08501001,Probstadt,08501,700,9.2,48.6", "08501002,Probdorf,08501,300,9.3,48.6"),
    ]

    report = services.import_places(paths)

    assert report.created == {Kind.REGIERUNGSBEZIRK: 1, Kind.KREIS: 1, Kind.GEMEINDE: 2}
    kreis = Place.objects.get(ags="08501")
    assert kreis.parent.ags == "085"
    assert kreis.population == 1000
    assert Place.objects.get(ags="085").population == 1000
    assert Place.objects.get(ags="085").parent.ags == services.LAND_AGS
    # The new Kreis has no boundary, so its point is the residents' centre.
    assert kreis.x is not None and kreis.y is not None


def test_it_saves_a_gemeinde_boundary_in_utm_metres(tmp_path):
    path = write_features(tmp_path, feature(TUEBINGEN))

    report = services.import_places([path])

    assert report.boundaries == 1
    boundary = geo.loads(Place.objects.get(ags=TUEBINGEN).boundary)
    assert boundary.geom_type == "Polygon"
    assert 0.78e6 < boundary.area < 0.86e6
    assert 495_000 < boundary.bounds[0] < 510_000


def test_it_calls_progress_while_checking_and_writing(tmp_path):
    messages = []
    path = write(tmp_path, "update.csv", GEMEINDE_HEADER, TUEBINGEN_GROWN)

    services.import_places([path], progress=messages.append)

    assert len(messages) >= 3
    assert all(isinstance(m, str) and m for m in messages)
    assert any("update.csv" in m for m in messages)


def test_it_reports_progress_every_500_rows(tmp_path):
    existing = set(Place.objects.within(KREIS_TUEBINGEN).values_list("ags", flat=True))
    new = [ags for ags in (f"08416{n:03}" for n in range(100, 1000)) if ags not in existing][:600]
    rows = [gemeinde_row(ags=ags, name=f"Ort {ags}") for ags in new]
    messages = []
    path = write(tmp_path, "many.csv", GEMEINDE_HEADER, *rows)

    report = services.import_places([path], progress=messages.append)

    assert len([m for m in messages if "many.csv" in m]) == 2  # at row 500 and at the end
    assert report.created[Kind.GEMEINDE] == 600
    assert Place.objects.filter(kind=Kind.GEMEINDE).count() == 1103 + 600


# Rejected CSV rows ------------------------------------------------------------------------


BAD_GEMEINDE_ROWS = {
    # id: (changes to the valid row of Neudorf, field named in the error)
    "ags-7-digits": (dict(ags="0841699"), "ags"),
    "ags-9-digits": (dict(ags="084169990"), "ags"),
    "ags-letter-o": (dict(ags="08416O99", kreis="08416"), "ags"),
    "ags-munich": (dict(ags="09162000", kreis="09162"), "ags"),
    "ags-fullwidth-digits": (dict(ags="08４１６９９９", kreis="08４１６"), "ags"),
    "name-empty": (dict(name=""), "name"),
    "name-blank": (dict(name="   "), "name"),
    "name-too-long": (dict(name="N" * 201), "name"),
    "kreis-of-another-ags": (dict(kreis="08415"), "kreis"),
    "population-negative": (dict(population="-5", male="", female=""), "population"),
    "population-decimal": (dict(population="1500.0"), "population"),
    "population-exponent": (dict(population="1.5e3"), "population"),
    "population-word": (dict(population="viele", male="", female=""), "population"),
    "population-superscript": (dict(population="²", male="", female=""), "population"),
    "population-too-large": (dict(population="12345678901", male="", female=""), "population"),
    "male-negative": (dict(male="-1"), "male"),
    "female-word": (dict(female="x"), "female"),
    "population-not-male-plus-female": (dict(male="700"), "population"),
    "population-missing-but-male-female": (dict(population=""), "population"),
    "area-zero": (dict(area="0"), "area_km2"),
    "area-nan": (dict(area="nan"), "area_km2"),
    "postcode-4-digits": (dict(postcode="7209"), "postcode"),
    "postcode-6-digits": (dict(postcode="720999"), "postcode"),
    "postcode-letter-o": (dict(postcode="72O99"), "postcode"),
    "postcode-fullwidth": (dict(postcode="７２０９９"), "postcode"),
    "lonlat-paris": (dict(lon="2.3522", lat="48.8566"), "lon/lat"),
    "lonlat-munich": (dict(lon="11.5", lat="48.1"), "lon/lat"),
    "lonlat-swapped": (dict(lon="48.45", lat="9.0"), "lon/lat"),
    "lon-over-180": (dict(lon="200"), "lon/lat"),
    "lonlat-utm-metres": (dict(lon="500000", lat="5400000"), "lon/lat"),
    "lon-missing": (dict(lon=""), "lon/lat"),
    "lon-infinite": (dict(lon="inf"), "lon/lat"),
    "urbanisation-7": (dict(urbanisation="7"), "urbanisation"),
    "urbanisation-0": (dict(urbanisation="0"), "urbanisation"),
}


@pytest.mark.parametrize(
    "changes, field", BAD_GEMEINDE_ROWS.values(), ids=BAD_GEMEINDE_ROWS.keys()
)
def test_it_rejects_a_bad_gemeinde_row_naming_file_line_and_field(tmp_path, changes, field):
    # A valid row first: it must not be written either.
    path = write(tmp_path, "gemeinden.csv", GEMEINDE_HEADER, TUEBINGEN_GROWN,
                 gemeinde_row(**changes))

    errors = rejected([path])

    assert {(e.file, e.line, e.field) for e in errors} == {("gemeinden.csv", 3, field)}
    assert all(e.reason for e in errors)


@pytest.mark.parametrize(
    "row", [NEW_GEMEINDE_ROW + ",extra", NEW_GEMEINDE_ROW.rsplit(",", 1)[0]],
    ids=["too-many", "too-few"],
)
def test_it_rejects_a_row_with_the_wrong_number_of_columns(tmp_path, row):
    path = write(tmp_path, "gemeinden.csv", GEMEINDE_HEADER, TUEBINGEN_GROWN, row)

    error = only_error([path])

    assert (error.file, error.line, error.field) == ("gemeinden.csv", 3, "row")


def test_it_rejects_an_ags_twice_in_one_file_naming_the_second_line(tmp_path):
    path = write(tmp_path, "gemeinden.csv", GEMEINDE_HEADER, TUEBINGEN_GROWN, NEW_GEMEINDE_ROW,
                 TUEBINGEN_ROW)

    error = only_error([path])

    assert (error.file, error.line, error.field) == ("gemeinden.csv", 4, "ags")
    assert TUEBINGEN in error.reason


def test_it_counts_lines_with_line_breaks_inside_quoted_names(tmp_path):
    path = write(tmp_path, "gemeinden.csv", GEMEINDE_HEADER,
                 gemeinde_row(ags="08416998", name='"Zwei\nZeilen"'), gemeinde_row(postcode="1"))

    error = only_error([path])

    assert (error.line, error.field) == (4, "postcode")


def test_it_lists_every_bad_row_of_every_file(tmp_path):
    gemeinden = write(tmp_path, "gemeinden.csv", GEMEINDE_HEADER,
                      gemeinde_row(postcode="1"), TUEBINGEN_GROWN,
                      gemeinde_row(ags="08416998", name="", urbanisation="9"))
    kreise = write(tmp_path, "kreise.csv", "ags,name,regierungsbezirk", "0841,Kurz,084")

    errors = rejected([gemeinden, kreise])

    assert {(e.file, e.line, e.field) for e in errors} == {
        ("gemeinden.csv", 2, "postcode"),
        ("gemeinden.csv", 4, "name"),
        ("gemeinden.csv", 4, "urbanisation"),
        ("kreise.csv", 2, "ags"),
    }


@pytest.mark.parametrize(
    "row, field",
    [
        ("0841,Kurz,084", "ags"),
        ("08416,,084", "name"),
        ("08499,Ohne Bezirk,", "regierungsbezirk"),
        ("08499,Ohne Bezirk,RB4", "regierungsbezirk"),
    ],
)
def test_it_rejects_a_bad_kreis_row(tmp_path, row, field):
    path = write(tmp_path, "kreise.csv", "ags,name,regierungsbezirk", row)

    error = only_error([path])

    assert (error.file, error.line, error.field) == ("kreise.csv", 2, field)


@pytest.mark.parametrize("row", ["85,Zu kurz", "091,Oberbayern", "08x,Buchstabe"])
def test_it_rejects_a_regierungsbezirk_whose_ags_is_not_08_and_one_digit(tmp_path, row):
    path = write(tmp_path, "rb.csv", "ags,name", row)

    error = only_error([path])

    assert (error.file, error.line, error.field) == ("rb.csv", 2, "ags")


def test_it_rejects_a_gemeinde_whose_kreis_is_unknown(tmp_path):
    path = write(tmp_path, "gemeinden.csv", GEMEINDE_HEADER, TUEBINGEN_GROWN,
                 gemeinde_row(ags="08499001"))

    error = only_error([path])

    # Parents are checked across all files, after reading them; the AGS names the row.
    assert error.field == "parent"
    assert "08499001" in error.reason and "08499" in error.reason


def test_it_rejects_a_kreis_whose_regierungsbezirk_is_unknown(tmp_path):
    path = write(tmp_path, "kreise.csv", "ags,name,regierungsbezirk", "08599,Fernkreis,085")

    error = only_error([path])

    assert error.field == "parent"
    assert "08599" in error.reason


@pytest.mark.parametrize(
    "header",
    ["foo,bar", "ags;name;kreis;population;lon;lat", "name,kreis,population,lon,lat", ""],
)
def test_it_rejects_a_file_with_unknown_columns(tmp_path, header):
    path = write(tmp_path, "unknown.csv", header, "08416999,Neudorf,08416,10,9.0,48.45")

    error = only_error([path])

    assert (error.file, error.line, error.field) == ("unknown.csv", 1, "header")


def test_it_rejects_a_gemeinde_file_missing_a_column(tmp_path):
    path = write(tmp_path, "gemeinden.csv", "ags,name,kreis,population,lon",
                 "08416999,Neudorf,08416,10,9.0")

    error = only_error([path])

    assert (error.file, error.line, error.field) == ("gemeinden.csv", 1, "header")
    assert "lat" in error.reason


def test_it_rejects_an_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")

    error = only_error([path])

    assert (error.file, error.field) == ("empty.csv", "header")


def test_it_rejects_a_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(f"{GEMEINDE_HEADER}\n{TUEBINGEN_GROWN}\n".encode("latin-1"))

    error = only_error([path])

    assert (error.file, error.line, error.field) == ("latin1.csv", 0, "file")
    assert "UTF-8" in error.reason


def test_it_rejects_a_file_over_the_size_limit_before_reading_it(tmp_path, monkeypatch):
    path = write(tmp_path, "big.csv", GEMEINDE_HEADER, TUEBINGEN_GROWN)
    monkeypatch.setattr(services, "IMPORT_MAX_BYTES", path.stat().st_size - 1)
    monkeypatch.setattr(type(path), "read_bytes", lambda self: pytest.fail("read a big file"))

    error = only_error([path])

    assert (error.file, error.line, error.field) == ("big.csv", 0, "file")


def test_it_accepts_a_file_exactly_at_the_size_limit(tmp_path, monkeypatch):
    path = write(tmp_path, "exact.csv", GEMEINDE_HEADER, TUEBINGEN_GROWN)
    monkeypatch.setattr(services, "IMPORT_MAX_BYTES", path.stat().st_size)

    assert services.import_places([path]).updated[Kind.GEMEINDE] == 1


def test_it_rejects_a_file_that_does_not_exist(tmp_path):
    error = only_error([tmp_path / "missing.csv"])

    assert (error.file, error.line, error.field) == ("missing.csv", 0, "file")


def test_one_bad_file_rejects_the_good_files_beside_it(tmp_path):
    good = write(tmp_path, "good.csv", GEMEINDE_HEADER, TUEBINGEN_GROWN, NEW_GEMEINDE_ROW)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"ags,name\n\xff\xfe085,X\n")

    error = only_error([good, bad])

    assert error.file == "bad.csv"
    assert not Place.objects.filter(ags="08416999").exists()


# Rejected boundaries ----------------------------------------------------------------------


def test_it_rejects_a_boundary_file_that_is_not_json_naming_the_line(tmp_path):
    path = tmp_path / "broken.geojson"
    path.write_text('{"type": "FeatureCollection",\n"features": [\n{"type": }\n]}\n')

    error = only_error([path])

    assert (error.file, error.line, error.field) == ("broken.geojson", 3, "file")


@pytest.mark.parametrize(
    "data",
    [
        {"type": "Polygon", "coordinates": SQUARE},
        {"type": "FeatureCollection", "features": {"ags": TUEBINGEN}},
        [feature(TUEBINGEN)],
        "FeatureCollection",
    ],
)
def test_it_rejects_a_boundary_file_that_is_not_a_feature_collection(tmp_path, data):
    path = tmp_path / "shape.geojson"
    path.write_text(json.dumps(data))

    error = only_error([path])

    assert (error.file, error.line, error.field) == ("shape.geojson", 0, "file")


@pytest.mark.parametrize(
    "properties",
    [{}, None, {"name": "Tübingen"}, {"ags": ""}, {"ags": "084"}, {"ags": "0841604"},
     {"ags": "08416O41"}, {"ags": 8416041}, [TUEBINGEN], TUEBINGEN],
)
def test_it_rejects_a_feature_without_the_ags_of_a_kreis_or_gemeinde(tmp_path, properties):
    nameless = {"type": "Feature", "properties": properties,
                "geometry": {"type": "Polygon", "coordinates": SQUARE}}
    path = write_features(tmp_path, feature(KREIS_TUEBINGEN), nameless)

    error = only_error([path])

    # Boundaries are counted by feature, starting at 1.
    assert (error.file, error.line, error.field) == ("boundaries.geojson", 2, "ags")


def test_it_rejects_a_feature_that_is_not_an_object(tmp_path):
    path = write_features(tmp_path, 42)

    error = only_error([path])

    assert (error.line, error.field) == (1, "ags")


@pytest.mark.parametrize(
    "geometry",
    [
        {"type": "Point", "coordinates": [9.05, 48.52]},
        {"type": "LineString", "coordinates": [[9.05, 48.52], [9.06, 48.53]]},
        None,
        # A bow-tie: the ring crosses itself.
        {"type": "Polygon", "coordinates": [[[9.05, 48.52], [9.06, 48.53], [9.06, 48.52],
                                             [9.05, 48.53], [9.05, 48.52]]]},
        # Around München.
        {"type": "Polygon", "coordinates": [[[11.5, 48.1], [11.6, 48.1], [11.6, 48.2],
                                             [11.5, 48.2], [11.5, 48.1]]]},
        # UTM metres, not longitude/latitude.
        {"type": "Polygon", "coordinates": [[[500000, 5400000], [501000, 5400000],
                                             [501000, 5401000], [500000, 5400000]]]},
        {"type": "Polygon", "coordinates": "unreadable"},
        {"type": "Polygon", "coordinates": []},
    ],
)
def test_it_rejects_a_feature_whose_geometry_is_not_an_area_in_the_state(tmp_path, geometry):
    bad = {"type": "Feature", "properties": {"ags": TUEBINGEN}, "geometry": geometry}
    path = write_features(tmp_path, feature(KREIS_TUEBINGEN), bad)

    error = only_error([path])

    assert (error.file, error.line, error.field) == ("boundaries.geojson", 2, "geometry")
    assert error.reason


def test_it_explains_a_self_intersecting_boundary_as_people_read_it(tmp_path):
    bow_tie = [[[9.05, 48.52], [9.06, 48.53], [9.06, 48.52], [9.05, 48.53], [9.05, 48.52]]]
    path = write_features(tmp_path, feature(TUEBINGEN, bow_tie))

    error = only_error([path])

    assert error.reason == services.geometry_message(geo.GeometryError("self_intersection"))


def test_it_rejects_the_same_ags_twice_in_a_boundary_file(tmp_path):
    path = write_features(tmp_path, feature(TUEBINGEN), feature(TUEBINGEN))

    error = only_error([path])

    assert (error.file, error.line, error.field) == ("boundaries.geojson", 2, "ags")


def test_it_rejects_a_boundary_for_an_unknown_place(tmp_path):
    path = write_features(tmp_path, feature("08499"))

    error = only_error([path])

    assert error.field == "ags"
    assert "08499" in error.reason


def test_it_accepts_a_boundary_for_a_gemeinde_created_in_the_same_import(tmp_path):
    gemeinden = write(tmp_path, "new.csv", GEMEINDE_HEADER, NEW_GEMEINDE_ROW)
    boundaries = write_features(tmp_path, feature("08416999"))

    report = services.import_places([gemeinden, boundaries])

    assert report.boundaries == 1
    assert Place.objects.get(ags="08416999").boundary


def test_it_rejects_a_boundary_file_over_the_size_limit(tmp_path, monkeypatch):
    path = write_features(tmp_path, feature(TUEBINGEN))
    monkeypatch.setattr(services, "IMPORT_MAX_BYTES", 100)

    error = only_error([path])

    assert (error.file, error.line, error.field) == ("boundaries.geojson", 0, "file")


def test_it_rejects_a_boundary_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "latin1.geojson"
    data = {"type": "FeatureCollection", "features": [
        {**feature(TUEBINGEN), "properties": {"ags": TUEBINGEN, "name": "Tübingen"}}]}
    path.write_bytes(json.dumps(data, ensure_ascii=False).encode("latin-1"))

    error = only_error([path])

    assert (error.file, error.line, error.field) == ("latin1.geojson", 0, "file")


# The command ------------------------------------------------------------------------------


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import-places", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_imports_the_files_it_is_given(tmp_path, default_language):
    path = write(tmp_path, "update.csv", GEMEINDE_HEADER, TUEBINGEN_GROWN)

    out, err = run(path)

    assert Place.objects.get(ags=TUEBINGEN).population == 92877
    assert "update.csv" in out  # progress
    assert "0 Orte angelegt, 1 aktualisiert, 0 Grenzen." in out
    assert err == ""


def test_the_command_prints_every_error_and_fails(tmp_path, default_language):
    gemeinden = write(tmp_path, "gemeinden.csv", GEMEINDE_HEADER, TUEBINGEN_GROWN,
                      gemeinde_row(postcode="1"), gemeinde_row(ags="08416998", urbanisation="7"))
    boundaries = write_features(tmp_path, feature(TUEBINGEN, geometry_type="Point",
                                                  coordinates=[9.05, 48.52]))
    with pytest.raises(ImportRejected) as caught:
        services.import_places([gemeinden, boundaries])
    expected = [str(e) for e in caught.value.errors]
    assert len(expected) == 3
    before = snapshot()

    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="^3 Fehler; es wurde nichts importiert.$"):
        call_command("import-places", str(gemeinden), str(boundaries), stdout=out, stderr=err)

    assert err.getvalue().splitlines() == expected
    assert "gemeinden.csv, Zeile 3, postcode: " in err.getvalue()
    assert snapshot() == before


def test_the_command_without_files_imports_the_shipped_data(tmp_path, monkeypatch,
                                                            default_language):
    command = importlib.import_module("quartier.places.management.commands.import-places")
    shipped = write(tmp_path, "shipped.csv", GEMEINDE_HEADER, TUEBINGEN_GROWN)
    monkeypatch.setattr(command, "default_import_files", lambda: [shipped])

    out, _err = run()

    assert "0 Orte angelegt, 1 aktualisiert, 0 Grenzen." in out
    assert Place.objects.get(ags=TUEBINGEN).population == 92877


def test_the_shipped_files_are_the_four_real_ones():
    names = [p.name for p in services.default_import_files()]
    assert names == ["regierungsbezirke.csv", "kreise.csv", "gemeinden.csv", "kreise.geojson"]
    assert all(p.is_file() for p in services.default_import_files())
