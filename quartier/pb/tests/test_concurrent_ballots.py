"""The same voting code or account submitting from many parallel requests: exactly one
counted ballot. On PostgreSQL, with real connections and row locks."""

import threading

import pytest
from django.db import connection, connections

from quartier.pb import services
from quartier.pb.models import Ballot, BallotChoice
from quartier.pb.tests.support import make_budget, make_proposals, set_phase

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real row locks"),
]
THREADS = 16


def run_parallel(work) -> list[str]:
    outcomes: list[str] = []
    barrier = threading.Barrier(THREADS)

    def one(i):
        try:
            barrier.wait()
            work(i)
            outcomes.append("ok")
        except services.BallotRejected:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.fixture
def budget(places_loaded):
    from conftest import make_quarter
    from quartier.places.models import Place

    quarter = make_quarter(Place.objects.get(ags="08416041"))
    budget = make_budget(quarter, "voting", access="both", max_projects=3)
    return budget, make_proposals(budget, {"A": 100, "B": 200, "C": 300, "D": 400})


def test_one_code_from_many_requests_is_one_ballot(budget):
    budget, proposals = budget
    (_serial, text), = services.generate_codes(budget, 1, actor=None)
    code = services.find_code(budget, text)

    def cast(i):
        services.cast_ballot(budget, {proposals[i % 4].pk: 1}, code=code)

    assert run_parallel(cast) == ["ok"] * THREADS
    ballot = Ballot.objects.get()
    assert ballot.code_id == code.pk
    # The last request to commit decides; its choice is whole, never a mix.
    assert BallotChoice.objects.filter(ballot=ballot).count() == 1


def test_one_account_from_many_requests_is_one_ballot(budget):
    from conftest import make_user

    budget, proposals = budget
    voter = make_user("voter@example.org")

    def cast(i):
        services.cast_ballot(budget, {proposals[i % 4].pk: 1, proposals[(i + 1) % 4].pk: 1},
                             voter=voter)

    assert run_parallel(cast) == ["ok"] * THREADS
    ballot = Ballot.objects.get()
    assert ballot.voter == voter
    assert BallotChoice.objects.filter(ballot=ballot).count() == 2
    set_phase(budget, "result")
    result = services.compute_result(budget, actor=None)
    assert (result.ballots_online, result.ballots_paper) == (1, 0)


def test_two_people_typing_one_paper_ballot_at_once_count_it_once(budget):
    from conftest import make_user

    budget, proposals = budget
    typists = [make_user(f"typist{i}@example.org") for i in range(THREADS)]

    def enter(i):
        try:
            services.enter_paper_ballot(budget, "P-1", {proposals[0].pk: 1}, actor=typists[i])
        except services.ValidationError:
            pass  # counted already by two others

    run_parallel(enter)
    assert Ballot.objects.filter(sheet="P-1").count() == 1
