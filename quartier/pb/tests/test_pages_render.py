"""Every page renders for the people who may open it, in each phase it is meant for."""

import pytest

from quartier.pb import services
from quartier.pb.tests.support import make_budget, make_proposals, set_phase

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_pages_of_a_budget_render_through_its_life(client, quarter, coordinator, resident):
    budget = make_budget(quarter, "proposal", access="both")
    client.force_login(coordinator)
    assert client.get("/quarter-budgets/").status_code == 200
    assert client.get(quarter.get_absolute_url()).status_code == 200
    assert client.get(f"/quarter-budgets/new/{quarter.pk}/").status_code == 200
    assert client.get(f"/quarter-budgets/import/{quarter.pk}/").status_code == 200
    assert client.get(budget.get_absolute_url()).status_code == 200
    assert client.get(f"/quarter-budgets/{budget.pk}/edit/").status_code == 200
    client.force_login(resident)
    assert client.get(f"/quarter-budgets/{budget.pk}/propose/").status_code == 200
    proposal = services.submit_proposal(budget, title="Bank", description="Eine Bank",
                                        cost_cents=500_00, actor=resident)
    assert client.get(proposal.get_absolute_url()).status_code == 200
    client.force_login(coordinator)
    assert client.get(f"/quarter-budgets/{budget.pk}/review/").status_code == 200
    assert client.get(f"/quarter-budgets/{budget.pk}/proposals/{proposal.pk}/review/"
                      ).status_code == 200
    make_proposals(budget, {"Spielplatz": 4000, "Bäume": 3000})
    set_phase(budget, "voting")
    assert client.get(f"/quarter-budgets/{budget.pk}/codes/").status_code == 200
    assert client.get(f"/quarter-budgets/{budget.pk}/paper/").status_code == 200
    client.force_login(resident)
    response = client.get(f"/quarter-budgets/{budget.pk}/vote/")
    assert response.status_code == 200, response.content[:2000]
    set_phase(budget, "result")
    client.force_login(coordinator)
    response = client.post(f"/quarter-budgets/{budget.pk}/count/")
    assert response.status_code == 302
    assert client.get(f"/quarter-budgets/{budget.pk}/result/").status_code == 200
    assert client.get(f"/quarter-budgets/{budget.pk}/deviate/").status_code == 200
    assert client.get(f"/quarter-budgets/{budget.pk}/export.pb").status_code == 200
