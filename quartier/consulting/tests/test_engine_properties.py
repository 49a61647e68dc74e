"""Property tests of the matching: whatever the requests and consultants, the optimal plan
keeps every rule and is never worse than first come, first served."""

from datetime import date

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quartier.consulting import engine

TOPICS = ("age", "inclusion", "process")
LANGUAGES = ("de", "en", "tr")
BASE = date(2031, 1, 6).toordinal()


@st.composite
def instances(draw):
    consultants = []
    for j in range(draw(st.integers(1, 5))):
        topics = draw(st.dictionaries(st.sampled_from(TOPICS), st.integers(1, 3), min_size=1))
        languages = frozenset({"de"} | draw(st.sets(st.sampled_from(LANGUAGES))))
        absences = tuple(
            (BASE + a, BASE + a + length)
            for a, length in draw(st.lists(st.tuples(st.integers(0, 80), st.integers(0, 20)),
                                           max_size=2)))
        consultants.append(engine.Consultant(
            id=j + 1, topics=topics, languages=languages,
            x=draw(st.floats(400_000, 600_000)), y=draw(st.floats(5_260_000, 5_500_000)),
            capacity_per_month=draw(st.sampled_from([2, 4, 6, 10])), absences=absences,
            booked={engine.month_of(BASE): draw(st.sampled_from([0, 0, 1, 3]))},
            conflicts=frozenset(draw(st.sets(st.integers(1, 4), max_size=1))),
            region=frozenset(draw(st.sets(st.sampled_from(["A", "B"]), max_size=1))),
        ))
    requests = []
    for i in range(draw(st.integers(1, 12))):
        start = BASE + draw(st.integers(0, 70))
        requests.append(engine.Request(
            id=i + 1, topic=draw(st.sampled_from(TOPICS)),
            language=draw(st.sampled_from(LANGUAGES + ("de", "de"))),
            x=draw(st.floats(400_000, 600_000)), y=draw(st.floats(5_260_000, 5_500_000)),
            days=draw(st.integers(1, 5)), start=start,
            end=start + draw(st.integers(3, 60)), submitted=BASE - draw(st.integers(0, 40)),
            on_site=draw(st.booleans()), organisation=draw(st.integers(1, 4)),
            kreis=draw(st.sampled_from(["A", "B"])), min_level=draw(st.integers(1, 2)),
            priority=draw(st.booleans()),
        ))
    return requests, consultants


def monthly_load_ok(plan, requests, consultants) -> bool:
    """An independent day-by-day check of every consultant's capacity in every month."""
    by_id = {r.id: r for r in requests}
    for c in consultants:
        def works(day, c=c):
            weekday = date.fromordinal(day).weekday() < 5
            return weekday and not any(a <= day <= b for a, b in c.absences)

        load: dict[int, float] = {}
        for a in plan.assignments:
            if a.consultant != c.id:
                continue
            r = by_id[a.request]
            free = [d for d in range(r.start, r.end + 1) if works(d)]
            for d in free:
                month = engine.month_of(d)
                load[month] = load.get(month, 0.0) + r.days / len(free)
        for month, days in load.items():
            first, last = engine.month_bounds(month)
            weekdays = sum(date.fromordinal(d).weekday() < 5 for d in range(first, last + 1))
            free_days = sum(works(d) for d in range(first, last + 1))
            room = c.capacity_per_month * free_days / weekdays - c.booked.get(month, 0)
            if days > room + 1e-6:
                return False
    return True


PROPERTY = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(instances())
def test_no_consultant_is_ever_over_capacity(instance):
    requests, consultants = instance
    proposal = engine.propose(requests, consultants)
    for plan in (proposal.optimal, proposal.fcfs):
        assert monthly_load_ok(plan, requests, consultants)


@PROPERTY
@given(instances())
def test_every_topic_level_language_region_and_conflict_rule_is_met(instance):
    requests, consultants = instance
    by_r = {r.id: r for r in requests}
    by_c = {c.id: c for c in consultants}
    proposal = engine.propose(requests, consultants)
    for plan in (proposal.optimal, proposal.fcfs):
        for a in plan.assignments:
            r, c = by_r[a.request], by_c[a.consultant]
            assert c.topics.get(r.topic, 0) >= r.min_level
            assert r.language in c.languages
            assert r.organisation not in c.conflicts
            assert not c.region or r.kreis in c.region
            assert engine.unfit_reasons(r, c) == []
        # Every request at most once.
        assert len({a.request for a in plan.assignments}) == len(plan.assignments)


@PROPERTY
@given(instances())
def test_the_optimum_is_never_worse_than_first_come_first_served(instance):
    requests, consultants = instance
    proposal = engine.propose(requests, consultants)
    best, fcfs = proposal.optimal, proposal.fcfs
    assert best.optimal
    # It serves at least as many (priority-weighted) consulting days …
    assert best.served_weight >= fcfs.served_weight
    # … and never travels further in total, whatever it serves (figures in metres).
    assert best.travel_km <= fcfs.travel_km + 1e-6 * max(1.0, fcfs.travel_km) + 0.002


@PROPERTY
@given(instances())
def test_the_figures_add_up(instance):
    requests, consultants = instance
    plan = engine.propose(requests, consultants).optimal
    assert np.isclose(plan.travel_km, sum(a.travel_km for a in plan.assignments), atol=0.01)
    assert set(plan.unassigned) | {a.request for a in plan.assignments} == \
        {r.id for r in requests}
    assert sum(plan.loads.values()) == sum(
        r.days for r in requests if r.id in {a.request for a in plan.assignments})
