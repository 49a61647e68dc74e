"""Every list of the quarter budget runs a fixed number of queries, however long it is."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from quartier.pb import services
from quartier.pb.tests.support import make_budget, make_proposals, set_phase

pytestmark = pytest.mark.django_db


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def same_queries(client, url, grow, django_assert_max_num_queries):
    """The queries of `url` before `grow()` bound the queries after it."""
    few = queries(client, url)
    grow()
    with django_assert_max_num_queries(few):
        client.get(url)
    return few


def test_the_list_of_budgets(client, quarter, coordinator, django_assert_max_num_queries):
    make_budget(quarter, "voting")
    client.force_login(coordinator)

    def grow():
        for phase in ("proposal", "review", "result", "upcoming", "voting") * 3:
            budget = make_budget(quarter, phase)
            make_proposals(budget, {"A": 1, "B": 2})
    few = same_queries(client, "/quarter-budgets/", grow, django_assert_max_num_queries)
    assert few <= 8


def test_the_quarter_page_section(client, quarter, django_assert_max_num_queries):
    make_budget(quarter, "voting")

    def grow():
        for _n in range(6):
            budget = make_budget(quarter, "voting")
            make_proposals(budget, {"A": 1, "B": 2})
            set_phase(budget, "result")
            services.compute_result(budget, actor=None)
    same_queries(client, quarter.get_absolute_url(), grow, django_assert_max_num_queries)


def test_the_budget_page_for_visitors_and_runners(client, quarter, coordinator, resident,
                                                  django_assert_max_num_queries):
    budget = make_budget(quarter, "proposal")
    make_proposals(budget, {"A": 1})
    url = budget.get_absolute_url()

    def grow():
        make_proposals(budget, {f"P{n}": n + 1 for n in range(20)})
        for n in range(5):
            services.submit_proposal(budget, title=f"S{n}", description="d", cost_cents=100,
                                     actor=resident, point=(quarter.x, quarter.y))
    client.force_login(coordinator)
    same_queries(client, url, grow, django_assert_max_num_queries)
    client.force_login(resident)
    same_queries(client, url, lambda: make_proposals(budget, {"Z": 1, "Y": 2}),
                 django_assert_max_num_queries)


def test_the_review_queue(client, quarter, coordinator, resident,
                          django_assert_max_num_queries):
    budget = make_budget(quarter, "proposal")
    services.submit_proposal(budget, title="S", description="d", cost_cents=1, actor=resident)
    client.force_login(coordinator)

    def grow():
        for n in range(12):
            proposal = services.submit_proposal(budget, title=f"S{n}", description="d",
                                                cost_cents=100, actor=resident)
            if n % 2:
                services.review_proposal(proposal, status="feasible", reason="",
                                         reviewed_cost_cents=None, actor=coordinator)
    same_queries(client, f"/quarter-budgets/{budget.pk}/review/", grow,
                 django_assert_max_num_queries)


def test_the_ballot(client, quarter, resident, django_assert_max_num_queries):
    budget = make_budget(quarter, "voting", access="accounts")
    first = make_proposals(budget, {"A": 1})
    services.cast_ballot(budget, {first[0].pk: 1}, voter=resident)
    client.force_login(resident)
    same_queries(client, f"/quarter-budgets/{budget.pk}/vote/",
                 lambda: make_proposals(budget, {f"P{n}": n + 1 for n in range(15)}),
                 django_assert_max_num_queries)


def test_the_codes_page(client, quarter, coordinator, django_assert_max_num_queries):
    budget = make_budget(quarter, "review", access="codes")
    services.generate_codes(budget, 2, actor=None)
    client.force_login(coordinator)

    def grow():
        for _n in range(6):
            services.generate_codes(budget, 3, actor=None)
    same_queries(client, f"/quarter-budgets/{budget.pk}/codes/", grow,
                 django_assert_max_num_queries)


def test_the_paper_page(client, quarter, coordinator, town_clerk, second_clerk,
                        django_assert_max_num_queries):
    budget = make_budget(quarter, "voting", max_projects=3)
    proposals = make_proposals(budget, {"A": 1, "B": 2, "C": 3})
    services.enter_paper_ballot(budget, "1", {proposals[0].pk: 1}, actor=town_clerk)
    client.force_login(coordinator)

    def grow():
        make_proposals(budget, {f"P{n}": n + 1 for n in range(8)})
        for n in range(2, 14):
            services.enter_paper_ballot(budget, str(n), {proposals[0].pk: 1}, actor=town_clerk)
            services.enter_paper_ballot(budget, str(n), {proposals[n % 2].pk: 1},
                                        actor=second_clerk)
    same_queries(client, f"/quarter-budgets/{budget.pk}/paper/", grow,
                 django_assert_max_num_queries)


def test_the_result_page(client, quarter, coordinator, django_assert_max_num_queries):
    small = make_budget(quarter, "voting", access="codes")
    make_proposals(small, {"A": 100})
    big = make_budget(quarter, "voting", access="codes", max_projects=5,
                      amount_cents=30_000_00)
    proposals = make_proposals(big, {f"P{n}": 1000 + n for n in range(25)})
    for n, (_s, code) in enumerate(services.generate_codes(big, 20, actor=None)):
        services.cast_ballot(big, {proposals[n].pk: 1, proposals[n + 1].pk: 1},
                             code=services.find_code(big, code))
    for budget in (small, big):
        set_phase(budget, "result")
        services.compute_result(budget, actor=None)
    for n in range(4):
        services.set_deviation(big, proposals[n], amount_cents=500_00, reason="Grund",
                               actor=coordinator)
    few = queries(client, f"/quarter-budgets/{small.pk}/result/")
    with django_assert_max_num_queries(few):
        client.get(f"/quarter-budgets/{big.pk}/result/")
