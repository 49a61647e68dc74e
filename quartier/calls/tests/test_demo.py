"""The demo: the ideas competition (53 awards, exactly 2.7 million euros on the 2018/2019
line) and an open call; idempotent."""

import pytest

from quartier.budget import services as budget
from quartier.budget.demo import LINE_2018_2019
from quartier.budget.models import BudgetLine
from quartier.calls import demo, services
from quartier.calls.models import Application, Call

pytestmark = pytest.mark.django_db


def test_the_demo_tells_the_story_of_the_ideas_competition_and_opens_a_call():
    assert len(demo.create_demo_calls()) == 2

    call = Call.objects.get(title=demo.COMPETITION_TITLE)
    assert call.is_demo and call.phase == Call.Phase.DECIDED
    assert call.applications.filter(is_demo=True, status="submitted").count() == 100
    outcome = services.results(call)
    assert len(outcome.awards) == 53 and outcome.municipalities == 53
    assert outcome.total_cents == 2_700_000_00
    line = BudgetLine.objects.get(code=LINE_2018_2019)
    assert line.amount_cents == 12_000_000_00 and call.budget_line == line
    assert line.committed_cents == 2_700_000_00
    assert sum(budget.booked_for("calls.award", d.pk).committed_cents
               for d in outcome.awards) == 2_700_000_00

    applications = list(call.applications.select_related("organisation", "gemeinde"))
    assert {a.regierungsbezirk_ags for a in applications} == {"081", "082", "083", "084"}
    assert all(a.organisation.kind == "kommune" and a.organisation.place_id == a.gemeinde_id
               for a in applications)
    assert all(services.verify_receipt(a) for a in applications)
    run = services.latest_run(call)
    assert run.list_result["violations"] == [] and run.optimal_result["optimal"] is True

    open_call = Call.objects.get(title=demo.OPEN_CALL_TITLE)
    assert open_call.is_open() and open_call.is_demo and open_call.allow_partial

    before = (Call.objects.count(), Application.objects.count(), line.entries.count())
    assert demo.create_demo_calls() == []
    assert (Call.objects.count(), Application.objects.count(),
            line.entries.count()) == before
