import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from quartier.pb.tests.support import DATA, election, reference

ASSEN = DATA / "Netherlands_Assen_2024.pb"


def count(*args, capsys):
    call_command("pb", "count", *map(str, args))
    out = capsys.readouterr().out
    return json.loads(out)


def test_it_prints_the_outcome_as_json(capsys):
    result = count(ASSEN, "--rule", "greedy", "--sat", "cost", capsys=capsys)
    assert result["selected"] == reference()["Netherlands_Assen_2024.pb"]["greedy/cost"]["selected"]
    assert result["spent"] == 99200
    assert result["budget"] == 100000
    assert result["rule"] == "greedy"
    assert result["sat"] == "cost"
    assert result["voters"] == 84
    assert result["order"] == "selection"


def test_equal_shares_reports_its_add1_runs(capsys):
    result = count(ASSEN, "--rule", "equal-shares", "--sat", "cardinality", capsys=capsys)
    recorded = reference()["Netherlands_Assen_2024.pb"]["equal-shares/cardinality"]
    assert result["selected"] == recorded["selected"]
    assert result["runs"] > 1


def test_max_welfare_lists_projects_in_file_order(capsys):
    result = count(ASSEN, "--rule", "max-welfare", capsys=capsys)
    ids = [p.project_id for p in election(ASSEN.name).projects]
    assert result["selected"] == sorted(result["selected"], key=ids.index)
    assert result["order"] == "file"


def test_points_are_the_default_for_cumulative_ballots(capsys):
    result = count(DATA / "Switzerland_Zurich_D10.pb", capsys=capsys)
    assert result["sat"] == "points"


def test_greedy_options_stop_early_and_apply_a_threshold(capsys):
    path = DATA / "Poland_Gdynia_2024_Witomino__small.pb"
    plain = count(path, capsys=capsys)
    no_skip = count(path, "--no-skip", capsys=capsys)
    assert len(no_skip["selected"]) < len(plain["selected"])
    high = count(path, "--min-score", "330", capsys=capsys)
    assert high["selected"] == ["2024/WIT/0006"]


def test_the_meta_rule_reproduces_the_published_outcome(capsys):
    result = count(ASSEN, "--rule", "meta", capsys=capsys)
    published = [p.project_id for p in election(ASSEN.name).projects if p.fields["selected"] == "1"]
    assert sorted(result["selected"]) == sorted(published)
    assert result["rule"] == "meta:equalshares/add1"


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (
            "META\nkey;value\nbudget;lots\nvote_type;approval\nPROJECTS\nproject_id;cost\n"
            "a;5\nVOTES\nvoter_id;vote\n1;a\n",
            "bad.pb: Line 3: the budget 'lots' is not a number.",
        ),
        (
            "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\n"
            "a;5\nVOTES\nvoter_id;vote\n1;b\n",
            "bad.pb: Line 10: voter 1 votes for the unknown project 'b'.",
        ),
        ("META\nkey;value\nbudget;10\n", "bad.pb: Line 4: the section PROJECTS is missing."),
    ],
)
def test_a_bad_file_exits_with_status_2_and_prints_nothing(tmp_path, capsys, content, words):
    path = tmp_path / "bad.pb"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("pb", "count", str(path))
    assert caught.value.returncode == 2
    assert words in str(caught.value)
    assert capsys.readouterr().out == ""


def test_a_file_that_is_not_utf8_exits_with_status_2(tmp_path, capsys):
    path = tmp_path / "latin1.pb"
    path.write_bytes("META\nkey;value\ndescription;Łódź\n".encode("utf-16"))
    with pytest.raises(CommandError) as caught:
        call_command("pb", "count", str(path))
    assert caught.value.returncode == 2
    assert "not UTF-8" in str(caught.value)
    assert capsys.readouterr().out == ""


def test_a_missing_file_exits_with_status_2(tmp_path, capsys):
    with pytest.raises(CommandError) as caught:
        call_command("pb", "count", str(tmp_path / "missing.pb"))
    assert caught.value.returncode == 2
    assert capsys.readouterr().out == ""


def test_a_satisfaction_that_does_not_fit_the_ballots_exits_with_status_2(capsys):
    with pytest.raises(CommandError) as caught:
        call_command("pb", "count", str(DATA / "Switzerland_Zurich_D10.pb"), "--sat", "cost")
    assert caught.value.returncode == 2
    assert "cumulative" in str(caught.value)
    assert capsys.readouterr().out == ""
