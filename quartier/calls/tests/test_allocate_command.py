"""`quartier calls allocate PROBLEM.json`: JSON in, JSON out, exit status 2 on bad input."""

import json
import subprocess
import sys

import pytest

PROBLEM = {
    "pot": 100,
    "applications": [
        {"id": "a", "score": 9, "amount": 60, "regierungsbezirk": "081", "kreis": "08111"},
        {"id": "b", "score": 8, "amount": 50, "regierungsbezirk": "081", "kreis": "08111"},
        {"id": "c", "score": 7, "amount": 50, "regierungsbezirk": "084", "kreis": "08416"},
    ],
    "min_per_regierungsbezirk": 1,
    "max_per_kreis": 1,
}


def run(tmp_path, data, *args, text=None):
    path = tmp_path / "problem.json"
    path.write_text(text if text is not None else json.dumps(data), encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "quartier", "calls", "allocate", str(path), *args],
        capture_output=True, text=True, env={**__import__("os").environ, "HTTPS": "0"},
    )


def test_it_prints_the_optimal_allocation_as_json(tmp_path):
    result = run(tmp_path, PROBLEM)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["selected"] == ["b", "c"] and out["total_score"] == 15
    assert out["spent"] == 100 and out["optimal"] is True and out["gap"] == 0
    assert out["violations"] == []


def test_the_list_method_shows_where_it_breaks_the_rules(tmp_path):
    result = run(tmp_path, PROBLEM, "--method", "list")
    out = json.loads(result.stdout)
    assert out["selected"] == ["a"] and out["optimal"] is False and out["feasible"] is False
    assert {v["rule"] for v in out["violations"]} == {"min_per_regierungsbezirk"}


def test_an_infeasible_problem_exits_with_status_2_and_a_clear_message(tmp_path):
    result = run(tmp_path, {**PROBLEM, "min_per_regierungsbezirk": 2})
    assert result.returncode == 2
    assert ("problem.json: nicht lösbar: Förderungen in 081 wegen der Regel je Kreis: "
            "höchstens 1; die Regel verlangt 2") in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(("text", "message"), [
    ("{not json", "Zeile 1, Spalte 2: kein gültiges JSON"),
    ('{"pot": 10}', "applications muss eine Liste sein"),
    ('{"pot": "ten", "applications": []}', "pot muss eine ganze Zahl sein, nicht 'ten'"),
    ('{"pot": 10, "applications": [{"id": "a", "score": 1, "amount": -5}]}',
     "Antrag 1 (a): amount muss mindestens 1 sein, nicht -5"),
    ('{"pot": 10, "applications": [{"id": "a", "score": 1, "amount": 1%s}]}' % ("0" * 30),
     "amount darf höchstens"),
    ('{"pot": 10, "applications": [{"id": "a", "score": 1e308, "amount": 1}]}',
     "score muss zwischen"),
])
def test_a_malformed_problem_exits_with_status_2(tmp_path, text, message):
    result = run(tmp_path, None, text=text)
    assert result.returncode == 2 and message in result.stderr


def test_a_missing_file_exits_with_status_2(tmp_path):
    result = subprocess.run([sys.executable, "-m", "quartier", "calls", "allocate",
                             str(tmp_path / "nope.json")], capture_output=True, text=True)
    assert result.returncode == 2 and "No such file" in result.stderr


def test_the_problem_is_read_from_stdin_with_a_dash():
    result = subprocess.run(
        [sys.executable, "-m", "quartier", "calls", "allocate", "-"], input=json.dumps(PROBLEM),
        capture_output=True, text=True, env={**__import__("os").environ, "HTTPS": "0"},
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["selected"] == ["b", "c"]


def test_call_command_reads_stdin_too():
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("calls", "allocate", "-", "--method", "list", stdin=io.StringIO(
        json.dumps(PROBLEM)), stdout=out)
    assert json.loads(out.getvalue())["selected"] == ["a"]


def test_the_command_and_the_engine_agree(tmp_path):
    from quartier.calls.engine.allocation import allocate_optimal, problem_from_json

    out = json.loads(run(tmp_path, PROBLEM).stdout)
    assert out["selected"] == allocate_optimal(problem_from_json(PROBLEM)).selected
