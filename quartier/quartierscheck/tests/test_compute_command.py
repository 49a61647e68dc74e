import csv

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def cells(tmp_path):
    return write(tmp_path / "cells.csv", "id,x,y,population\nA,0,0,10\nB,1000,0,5\n")


@pytest.fixture
def anchors(tmp_path):
    return write(tmp_path / "anchors.csv",
                 "id,kind,x,y\nh1,haus,200,0\nh2,haus,400,0\nt1,treff,0,1000\n")


def run(cells, anchors, out, *extra):
    call_command("quartierscheck", "compute", "--cells", str(cells), "--anchors", str(anchors),
                 "--out", str(out), *extra)


def test_it_writes_one_row_per_cell_and_kind(cells, anchors, tmp_path):
    out = tmp_path / "out.csv"
    run(cells, anchors, out, "--detour", "1.5")
    rows = list(csv.DictReader(out.open()))
    assert [(r["cell_id"], r["kind"]) for r in rows] == [
        ("A", "haus"), ("A", "treff"), ("B", "haus"), ("B", "treff")]
    assert rows[0] == {"cell_id": "A", "kind": "haus", "nearest_m": "300.000",
                       "within_300": "1", "within_500": "1", "within_1000": "2"}
    assert rows[1]["nearest_m"] == "1500.000"
    assert rows[2]["within_1000"] == "1"


def test_the_default_detour_is_the_documented_one(cells, anchors, tmp_path):
    out = tmp_path / "out.csv"
    run(cells, anchors, out)
    assert next(csv.DictReader(out.open()))["nearest_m"] == "260.000"


@pytest.mark.parametrize(("name", "text", "words"), [
    ("cells", "id,x,y\nA,0,0\n", "missing columns: population"),
    ("cells", "id,x,y,population\nA,zero,0,1\n", "line 2, x/y"),
    ("cells", "id,x,y,population\nA,0,0,-3\n", "line 2, population"),
    ("cells", "id,x,y,population\nA,0,0,1\nA,5,5,1\n", "line 3, id: A appears twice"),
    ("cells", "id,x,y,population\nA,0,0,1,9\n", "line 2: wrong number of columns"),
    ("cells", "id,x,y,population\nA,nan,0,1\n", "line 2, x/y"),
    ("anchors", "id,kind,x,y\nh1,,0,0\n", "line 2, kind: is empty"),
    ("anchors", "id,kind,x,y\nh1,haus,0,0\nh1,haus,1,1\n", "line 3, id: h1 appears twice"),
])
def test_bad_files_get_a_clear_message_and_no_output(tmp_path, cells, anchors, name, text, words):
    bad = write(tmp_path / f"bad-{name}.csv", text)
    out = tmp_path / "out.csv"
    with pytest.raises(CommandError) as error:
        run(bad if name == "cells" else cells, bad if name == "anchors" else anchors, out)
    assert words in str(error.value)
    assert error.value.returncode == 2
    assert not out.exists()
    assert not list(tmp_path.glob("*.part"))


def test_a_file_that_is_not_utf8_is_refused(tmp_path, anchors):
    bad = tmp_path / "cells.csv"
    bad.write_bytes("id,x,y,population\nStraße,0,0,1\n".encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        run(bad, anchors, tmp_path / "out.csv")


def test_a_missing_file_is_refused(tmp_path, anchors):
    with pytest.raises(CommandError, match="cannot be read"):
        run(tmp_path / "nope.csv", anchors, tmp_path / "out.csv")


def test_an_impossible_detour_is_refused(cells, anchors, tmp_path):
    with pytest.raises(CommandError, match="--detour"):
        run(cells, anchors, tmp_path / "out.csv", "--detour", "0.5")


def test_a_kind_without_anchors_has_an_empty_nearest_distance(cells, anchors, tmp_path):
    out = tmp_path / "out.csv"
    run(cells, anchors, out, "--kinds", "treff, cafe")
    rows = list(csv.DictReader(out.open()))
    assert [(r["cell_id"], r["kind"]) for r in rows] == [
        ("A", "cafe"), ("A", "haus"), ("A", "treff"), ("B", "cafe"), ("B", "haus"),
        ("B", "treff")]
    assert rows[0] == {"cell_id": "A", "kind": "cafe", "nearest_m": "", "within_300": "0",
                       "within_500": "0", "within_1000": "0"}
    assert rows[2]["nearest_m"] == "1300.000"


def test_an_anchors_file_without_anchors_gives_empty_distances(cells, tmp_path):
    empty = write(tmp_path / "none.csv", "id,kind,x,y\n")
    out = tmp_path / "out.csv"
    run(cells, empty, out, "--kinds", "haus")
    assert out.read_text() == ("cell_id,kind,nearest_m,within_300,within_500,within_1000\n"
                               "A,haus,,0,0,0\nB,haus,,0,0,0\n")


def test_an_output_that_is_a_directory_is_refused_before_computing(cells, anchors, tmp_path):
    with pytest.raises(CommandError, match="is a directory") as error:
        run(cells, anchors, tmp_path)
    assert error.value.returncode == 2
    assert not list(tmp_path.glob("*.part"))


def test_an_output_in_a_missing_folder_is_refused(cells, anchors, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        run(cells, anchors, tmp_path / "nowhere" / "out.csv")


def test_the_command_line_prints_the_line_and_writes_nothing(tmp_path, anchors):
    import os
    import subprocess
    import sys
    from pathlib import Path

    bad = write(tmp_path / "cells.csv", "id,x,y,population\nA,0,0,1\nB,0,0,-2\n")
    out = tmp_path / "out.csv"
    done = subprocess.run(
        [sys.executable, "manage.py", "quartierscheck", "compute", "--cells", str(bad),
         "--anchors", str(anchors), "--out", str(out)],
        capture_output=True, text=True, cwd=Path(__file__).resolve().parents[3],
        env={**os.environ, "HTTPS": "0"})
    assert done.returncode == 2
    # A person's command line speaks German (settings.LANGUAGE_CODE).
    assert "cells.csv, Zeile 3, population: muss eine ganze Zahl ≥ 0 sein" in done.stderr
    assert "Es wurde nichts geschrieben." in done.stderr
    assert not out.exists()
