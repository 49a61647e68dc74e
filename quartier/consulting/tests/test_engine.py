"""The matching engine on small cases whose answer is known."""

from datetime import date

import pytest

from quartier.consulting import engine
from quartier.consulting.engine import Consultant, Request

MONDAY = date(2030, 3, 4).toordinal()  # a Monday
KM = 1000.0  # metres


def consultant(id, x=0.0, *, topics=None, languages=("de",), capacity=10, **fields):
    return Consultant(id=id, topics=topics or {"age": 2}, languages=frozenset(languages),
                      x=x, y=0.0, capacity_per_month=capacity, **fields)


def request(id, x=0.0, *, days=2, start=MONDAY, length=30, submitted=None, **fields):
    fields.setdefault("topic", "age")
    fields.setdefault("language", "de")
    return Request(id=id, x=x, y=0.0, days=days, start=start, end=start + length,
                   submitted=submitted if submitted is not None else MONDAY - 30 + id,
                   **fields)


def test_each_request_goes_to_the_nearest_consultant_when_there_is_room():
    proposal = engine.propose(
        [request(1, x=10 * KM), request(2, x=90 * KM)],
        [consultant(1, x=0), consultant(2, x=100 * KM)],
    )
    assert proposal.optimal.consultant_of() == {1: 1, 2: 2}
    # 10 km × 1.3 detour × 2 ways × 2 days, for each request.
    assert proposal.optimal.travel_km == pytest.approx(2 * 10 * 1.3 * 2 * 2)
    assert proposal.optimal.optimal is True


def test_the_optimum_saves_travel_where_first_come_first_served_blocks_the_near_one():
    # Request 1 arrived first and sits between both consultants; request 2 is far out next
    # to consultant 1. FCFS gives consultant 1 to request 1 and sends consultant 2 the long
    # way to request 2; the optimum swaps them.
    consultants = [consultant(1, x=0, capacity=2), consultant(2, x=60 * KM, capacity=2)]
    requests = [request(1, x=25 * KM, submitted=MONDAY - 10, length=20),
                request(2, x=-40 * KM, submitted=MONDAY - 5, length=20)]
    proposal = engine.propose(requests, consultants)
    assert proposal.fcfs.consultant_of() == {1: 1, 2: 2}
    assert proposal.optimal.consultant_of() == {1: 2, 2: 1}
    assert proposal.travel_saved_km > 0


def test_topic_level_and_language_must_fit():
    requests = [request(1, topic="inclusion", language="tr", min_level=2)]
    consultants = [
        consultant(1, topics={"inclusion": 3}),  # no Turkish
        consultant(2, topics={"inclusion": 1}, languages=("de", "tr")),  # level too low
        consultant(3, x=200 * KM, topics={"inclusion": 2}, languages=("de", "tr")),
    ]
    assert engine.propose(requests, consultants).optimal.consultant_of() == {1: 3}


def test_a_declared_conflict_and_the_region_rule_a_consultant_out():
    requests = [request(1, organisation=7, kreis="08416")]
    consultants = [
        consultant(1, conflicts=frozenset({7})),
        consultant(2, region=frozenset({"08421"})),
        consultant(3, x=150 * KM, region=frozenset({"08416"})),
    ]
    assert engine.propose(requests, consultants).optimal.consultant_of() == {1: 3}
    assert engine.unfit_reasons(requests[0], consultants[0]) == ["conflict"]
    assert engine.unfit_reasons(requests[0], consultants[1]) == ["region"]


def test_an_absence_over_the_whole_period_rules_a_consultant_out():
    away = ((MONDAY - 3, MONDAY + 40),)
    requests = [request(1, length=30)]
    consultants = [consultant(1, absences=away), consultant(2, x=80 * KM)]
    assert engine.propose(requests, consultants).optimal.consultant_of() == {1: 2}
    assert engine.unfit_reasons(requests[0], consultants[0]) == ["absent"]


def test_capacity_in_the_months_of_the_period_is_never_exceeded():
    # Three requests of 3 days in the same two weeks; the near consultant has 4 days a month.
    requests = [request(i, days=3, length=13) for i in (1, 2, 3)]
    consultants = [consultant(1, capacity=4), consultant(2, x=50 * KM, capacity=4),
                   consultant(3, x=300 * KM, capacity=4)]
    plan = engine.propose(requests, consultants).optimal
    assert sorted(plan.consultant_of().values()) == [1, 2, 3]


def test_days_already_booked_count_against_the_month():
    month = engine.month_of(MONDAY)
    requests = [request(1, days=3, length=10)]
    consultants = [consultant(1, capacity=4, booked={month: 2}), consultant(2, x=90 * KM)]
    assert engine.propose(requests, consultants).optimal.consultant_of() == {1: 2}
    assert engine.unfit_reasons(requests[0], consultants[0]) == ["capacity"]


def test_a_priority_request_is_served_first_when_capacity_is_short():
    requests = [request(1, days=3, length=10, submitted=MONDAY - 50),
                request(2, days=3, length=10, submitted=MONDAY - 10, priority=True)]
    plan = engine.propose(requests, [consultant(1, capacity=4)]).optimal
    assert plan.consultant_of() == {2: 1}
    assert plan.unassigned == (1,)


def test_online_requests_travel_nowhere_and_load_is_spread():
    requests = [request(i, days=2, length=10, on_site=False) for i in range(1, 7)]
    consultants = [consultant(1, capacity=8), consultant(2, x=5 * KM, capacity=8)]
    plan = engine.propose(requests, consultants).optimal
    assert plan.travel_km == 0
    assert plan.loads == {1: 6.0, 2: 6.0}


def test_waiting_runs_from_arrival_to_the_first_day_the_consultant_can_work():
    away = ((MONDAY, MONDAY + 6),)
    requests = [request(1, submitted=MONDAY - 10)]
    plan = engine.propose(requests, [consultant(1, absences=away)]).optimal
    assert plan.assignments[0].waiting_days == 10 + 7


def test_no_requests_give_empty_plans():
    proposal = engine.propose([], [consultant(1)])
    assert proposal.optimal.assignments == () and proposal.fcfs.assignments == ()


def test_road_km_is_the_straight_line_times_the_detour_factor():
    assert engine.road_km(0, 0, 3000, 4000) == pytest.approx(5 * 1.3)


def test_the_matching_runs_after_another_module_used_highs_in_the_same_process():
    from quartier.calls.engine import allocation

    allocation.allocate_optimal(allocation.make_problem([
        {"id": "a", "score": 1, "amount": 5, "regierungsbezirk": "081", "kreis": "08111"}
    ], pot_cents=10))
    requests = [request(1, days=3, length=10, submitted=MONDAY - 50)]
    assert engine.propose(requests, [consultant(1, capacity=4)]).optimal.optimal
