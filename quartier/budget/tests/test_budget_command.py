"""`quartier budget report` and `quartier budget demo`."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from quartier.budget import services
from quartier.budget.demo import LINE_2018_2019
from quartier.budget.models import BudgetLine

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("budget", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def booked(line, tuebingen, ulm):
    services.commit_funds(line, 7_00, measure="A", place=tuebingen, actor=None, fiscal_year=2018)
    services.commit_funds(line, 3_00, measure="B", place=ulm, actor=None, fiscal_year=2019)
    return line


def test_a_report_by_kreis_as_json(booked):
    data = json.loads(run("report", "--line", booked.code, "--by", "kreis", "--format", "json"))
    assert data["line"]["code"] == booked.code and data["line"]["available_cents"] == 99_990_00
    assert [(r["key"], r["committed_cents"]) for r in data["rows"]] == [("08416", 7_00),
                                                                       ("08421", 3_00)]
    assert data["total"]["committed_cents"] == 10_00 and data["by"] == "kreis"


def test_a_report_per_year_as_csv(booked):
    rows = list(csv.DictReader(io.StringIO(run("report", "--line", booked.code))))
    assert [(r["key"], r["committed_cents"]) for r in rows] == [("2018", "700"), ("2019", "300")]


def test_a_report_of_one_year_by_measure(booked):
    data = json.loads(run("report", "--line", booked.code, "--year", "2019", "--by", "measure",
                          "--format", "json"))
    assert [r["key"] for r in data["rows"]] == ["B"] and data["year"] == 2019


@pytest.mark.parametrize("args, message", [
    (["--line", "nope"], "Es gibt keinen Haushaltstitel mit der Kennung „nope“."),
    (["--line", "1202-684 01", "--year", "2020"], "gilt nur für 2018/2019"),
])
def test_wrong_arguments_end_with_status_2(booked, args, message, default_language):
    with pytest.raises(CommandError, match=message) as error:
        run("report", *args)
    assert error.value.returncode == 2


def test_the_demo_lines_are_created_once(default_language):
    assert "angelegt" in run("demo")
    assert "angelegt" not in run("demo")
    assert BudgetLine.objects.get(code=LINE_2018_2019).amount_cents == 12_000_000_00
