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


def test_it_imports_a_census_grid_and_places_cells_in_quarters(tmp_path, tuebingen):
    quarter = make_quarter(tuebingen)  # a 600 m square around the Gemeinde's centroid
    path = census(tmp_path, line(E, N, 23), line(E + 100, N, 7), line(E + 5000, N, 4),
                  line(E, N + 100, -1))
    assert services.import_grid(path) == 3
    cells = {c.grid_id: c for c in Cell.objects.all()}
    assert cells[f"CRS3035RES100mN{N}E{E}"].population == 23
    assert cells[f"CRS3035RES100mN{N}E{E}"].quarter == quarter
    assert cells[f"CRS3035RES100mN{N}E{E + 5000}"].quarter is None
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
])
def test_a_bad_row_changes_nothing(tmp_path, db, bad, field):
    Cell.objects.create(grid_id="keep", x=0, y=0, population=1)
    path = census(tmp_path, line(E, N + 100, 3), bad)
    with pytest.raises(ImportRejected) as rejected:
        services.import_grid(path)
    assert [e.field for e in rejected.value.errors] == [field]
    assert list(Cell.objects.values_list("grid_id", flat=True)) == ["keep"]


def test_a_duplicate_cell_is_refused_with_its_line(tmp_path, db):
    path = census(tmp_path, line(E, N, 3), line(E, N, 4))
    with pytest.raises(ImportRejected) as rejected:
        services.import_grid(path)
    assert (rejected.value.errors[0].line, rejected.value.errors[0].field) == (3, "Gitter_ID_100m")


def test_a_file_without_the_census_columns_is_refused(tmp_path, db):
    path = tmp_path / "other.csv"
    path.write_text("id;x;y\n1;2;3\n", encoding="utf-8")
    with pytest.raises(ImportRejected, match=""):
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


def test_cells_follow_their_quarter_when_boundaries_change(tmp_path, tuebingen):
    services.import_grid(census(tmp_path, line(E, N, 23)))
    assert Cell.objects.get().quarter is None
    quarter = make_quarter(tuebingen)
    assert services.assign_cells() == 1
    assert Cell.objects.get().quarter == quarter


def test_the_demo_grid_keeps_the_real_gemeinde_populations(tuebingen, ulm):
    from quartier.places.models import Place

    Place.objects.filter(kind="gemeinde").exclude(pk__in=[tuebingen.pk, ulm.pk]).delete()
    quarter = make_quarter(tuebingen)
    created = services.generate_demo_grid(seed=5)
    assert created == Cell.objects.count() > 1000
    assert sum(Cell.objects.values_list("population", flat=True)) == (
        tuebingen.population + ulm.population)
    assert Cell.objects.filter(quarter=quarter).exists()
    assert not Cell.objects.filter(is_demo=False).exists()
