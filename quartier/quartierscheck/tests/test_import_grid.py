import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from conftest import make_quarter
from quartier.places.services import ImportRejected
from quartier.quartierscheck import services
from quartier.quartierscheck.models import Cell

pytestmark = pytest.mark.django_db

# Two cells in Tübingen (lower-left corners in EPSG:3035) and one in Munich.
E, N = 4251100, 2823400
MUNICH = (4432700, 2777400)


def line(east, north, residents, sep=";"):
    return sep.join([f"CRS3035RES100mN{north}E{east}", str(east + 50), str(north + 50),
                     str(residents)])


def census(tmp_path, *lines, sep=";", name="zensus.csv"):
    header = sep.join(["GITTER_ID_100m", "x_mp_100m", "y_mp_100m", "Einwohner"])
    path = tmp_path / name
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def test_it_imports_a_census_grid(tmp_path, tuebingen):
    path = census(tmp_path, line(E, N, 23), line(E + 100, N, 7), line(E + 5000, N, 4),
                  line(E, N + 100, -1))
    assert services.import_grid(path) == 3
    cells = {c.grid_id: c for c in Cell.objects.all()}
    assert cells[f"CRS3035RES100mN{N}E{E}"].population == 23
    assert f"CRS3035RES100mN{N + 100}E{E}" not in cells  # suppressed: nobody counted
    assert not any(c.is_demo for c in cells.values())
    assert 490_000 < cells[f"CRS3035RES100mN{N}E{E}"].x < 520_000  # EPSG:25832


def test_it_reads_comma_separated_files_of_the_2011_census(tmp_path, db):
    path = census(tmp_path, line(E, N, 5, sep=","), sep=",")
    assert services.import_grid(path) == 1


@pytest.mark.parametrize(("bad", "field"), [
    (f"CRS3035RES100mN{N}E{E};{E + 150};{N + 50};5", "Gitter_ID_100m"),
    (f"CRS3035RES100mN{N}E{E};x;{N + 50};5", "x_mp_100m/y_mp_100m"),
    (line(E, N, "-5"), "Einwohner"),
    (line(E, N, "2.5"), "Einwohner"),
    (line(*MUNICH, 5), "Gitter_ID_100m"),
    (f"CRS3035RES100mN{N}E{E};{E + 50}", "row"),
    (f"<script>;{E + 50};{N + 50};5", "Gitter_ID_100m"),
    (f"CRS3035RES100mN{N}E{E};inf;{N + 50};5", "x_mp_100m/y_mp_100m"),
    (f"CRS3035RES100mN{N}E{E};1e400;nan;5", "x_mp_100m/y_mp_100m"),
    ("x" * 200_000, "row"),  # longer than the csv module allows
    ("", "Gitter_ID_100m"),  # a blank line is skipped; the next is checked
])
def test_a_bad_row_changes_nothing(tmp_path, db, bad, field):
    Cell.objects.create(grid_id="keep", x=0, y=0, population=1)
    if bad:
        path = census(tmp_path, line(E, N + 100, 3), bad)
        expected_line = 3
    else:
        path = census(tmp_path, line(E, N + 100, 3), "", "CRS3035RES100mN1E1;9;9;1")
        expected_line = 4
    with pytest.raises(ImportRejected) as rejected:
        services.import_grid(path)
    assert [(e.line, e.field) for e in rejected.value.errors] == [(expected_line, field)]
    assert list(Cell.objects.values_list("grid_id", flat=True)) == ["keep"]


def test_a_duplicate_cell_is_refused_with_its_line(tmp_path, db):
    path = census(tmp_path, line(E, N, 3), line(E, N, 4))
    with pytest.raises(ImportRejected) as rejected:
        services.import_grid(path)
    assert (rejected.value.errors[0].line, rejected.value.errors[0].field) == (3, "Gitter_ID_100m")


def test_a_file_without_the_census_columns_is_refused(tmp_path, db):
    path = tmp_path / "other.csv"
    path.write_text("id;x;y\n1;2;3\n", encoding="utf-8")
    with pytest.raises(ImportRejected, match="errors"):
        services.import_grid(path)


def test_a_file_that_is_not_utf8_is_refused(tmp_path, db):
    path = tmp_path / "latin.csv"
    path.write_bytes("GITTER_ID_100m;x_mp_100m;y_mp_100m;Einwohner\nä;1;2;3\n".encode("latin-1"))
    with pytest.raises(ImportRejected) as rejected:
        services.import_grid(path)
    assert rejected.value.errors[0].field == "file"


def test_the_command_reports_every_bad_row_and_exits_with_status_2(tmp_path, db, capsys):
    path = census(tmp_path, line(E, N, "-5"), line(*MUNICH, 5))
    with pytest.raises(CommandError) as error:
        call_command("quartierscheck", "import-grid", str(path))
    assert error.value.returncode == 2
    assert "line 2" in capsys.readouterr().err
    assert not Cell.objects.exists()


def test_cells_count_for_the_quarter_their_centre_lies_in_now(tmp_path, tuebingen):
    import shapely

    from quartier.places import services as places

    services.import_grid(census(tmp_path, line(E, N, 23)))
    cell = Cell.objects.get()
    quarter = make_quarter(tuebingen)  # a 600 m square holding the cell's centre
    services.recompute()
    assert services.figures_for_quarter(quarter)[0].figures["residents"]["all"] == 23
    # The boundary moves away from the cell: the quarter then counts as one cell at its
    # inner point with its own 1,600 residents.
    places.save_quarter(quarter, boundary=shapely.box(cell.x + 1000, cell.y, cell.x + 1500,
                                                      cell.y + 500), actor=None)
    services.recompute()
    assert services.figures_for_quarter(quarter)[0].figures["residents"]["all"] == 1600


def test_a_file_too_large_is_refused_before_it_is_read(tmp_path, db, settings, monkeypatch):
    monkeypatch.setattr(services, "GRID_MAX_BYTES", 10)
    path = census(tmp_path, line(E, N, 3))
    with pytest.raises(ImportRejected) as rejected:
        services.import_grid(path)
    assert "larger than" in rejected.value.errors[0].reason


def test_many_cells_outside_the_state_are_summed_up(tmp_path, db, monkeypatch):
    monkeypatch.setattr(services, "_MAX_ERRORS", 2)
    path = census(tmp_path, *(line(MUNICH[0] + 100 * i, MUNICH[1], 5) for i in range(4)))
    with pytest.raises(ImportRejected) as rejected:
        services.import_grid(path)
    reasons = [e.reason for e in rejected.value.errors]
    assert "4 populated cells lie outside Baden-Württemberg" in reasons[0]
    assert len(reasons) == 3
    # Each cell named by its line (the header is line 1).
    assert [e.line for e in rejected.value.errors[1:]] == [2, 3]


def test_a_cell_outside_the_state_is_named_with_its_line(tmp_path, db):
    path = census(tmp_path, line(E, N, 3), line(E + 100, N, 0), line(*MUNICH, 5))
    with pytest.raises(ImportRejected) as rejected:
        services.import_grid(path)
    assert [(e.line, e.reason) for e in rejected.value.errors] == [
        (4, f"CRS3035RES100mN{MUNICH[1]}E{MUNICH[0]} lies outside Baden-Württemberg")]


def test_a_file_that_is_not_csv_at_all_is_refused(tmp_path, db):
    path = tmp_path / "blob.csv"
    path.write_text("x" * 200_000 + "\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as rejected:
        services.import_grid(path)
    assert (rejected.value.errors[0].line, rejected.value.errors[0].field) == (1, "header")


def test_the_demo_grid_keeps_the_real_gemeinde_populations(tuebingen, ulm):
    from quartier.places.models import Place

    Place.objects.filter(kind="gemeinde").exclude(pk__in=[tuebingen.pk, ulm.pk]).delete()
    created = services.generate_demo_grid(seed=5)
    assert created == Cell.objects.count() > 1000
    assert sum(Cell.objects.values_list("population", flat=True)) == (
        tuebingen.population + ulm.population)
    assert not Cell.objects.filter(is_demo=False).exists()



def test_a_person_at_the_command_line_reads_german_only(tmp_path, db, capsys, default_language):
    """Without `english_messages`: in the language of the settings, as `quartier …` speaks."""
    rows = [line(E + 100 * i, N + 100 * j, 2) for i in range(40) for j in range(30)]
    call_command("quartierscheck", "import-grid", str(census(tmp_path, *rows)), "--no-recompute")
    out = capsys.readouterr().out
    assert out.splitlines() == ["1.200 von 1.200 Zellen gespeichert",
                                "1.200 bewohnte Zellen importiert."]

    bad = census(tmp_path, line(E, N, 3), line(E, N + 100, "-5"), name="fehler.csv")
    with pytest.raises(CommandError) as error:
        call_command("quartierscheck", "import-grid", str(bad))
    assert str(error.value) == "1 Fehler; es wurde nichts geändert."
    err = capsys.readouterr().err
    assert err == "fehler.csv, Zeile 3, Einwohner: muss eine ganze Zahl ≥ 0 sein\n"
    said = f"{out}{err}{error.value}".lower()
    assert not any(word in said for word in ("line", "error", "nothing", "cells", "imported"))
    assert Cell.objects.count() == 1_200
