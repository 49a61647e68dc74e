"""The demo: a finished budget with its result, one open for voting, one collecting
proposals; deterministic, marked as demo data, made once."""

import io
import time

import pytest
from django.core.management import call_command

from conftest import make_quarter
from quartier.pb.models import Budget, Deviation

pytestmark = pytest.mark.django_db


@pytest.fixture
def tuebingen_quarters(tuebingen):
    return [make_quarter(tuebingen, name=name) for name in ("Altstadt", "Lustnau", "Derendingen")]


def test_the_demo_makes_three_budgets_once_and_fast(tuebingen_quarters):
    started = time.perf_counter()
    out = io.StringIO()
    call_command("pb", "demo", stdout=out)
    assert time.perf_counter() - started < 30
    budgets = {b.phase(): b for b in Budget.objects.all()}
    assert set(budgets) == {"result", "voting", "proposal"}
    assert all(b.is_demo for b in budgets.values())
    finished = budgets["result"]
    result = finished.counted()
    assert (result.ballots_online, result.ballots_paper) == (264, 48)
    assert Deviation.objects.filter(budget=finished).count() == 1
    assert finished.quarter != budgets["voting"].quarter
    call_command("pb", "demo", stdout=out)
    assert Budget.objects.count() == 3
    assert "exist already" in out.getvalue()


def test_the_demo_is_the_same_every_time(tuebingen_quarters):
    from quartier.pb.demo import create_demo_budgets

    create_demo_budgets()
    first = Budget.objects.get(rule="equal_shares").counted().outcome
    Budget.objects.all().delete()
    create_demo_budgets()
    assert Budget.objects.get(rule="equal_shares").counted().outcome == first
