"""Voting: the ballot rules, voting with an account and with a code, changing a vote."""

import pytest

from quartier.pb import services
from quartier.pb.models import Ballot, BallotChoice
from quartier.pb.tests.support import make_budget, make_proposals, set_phase

pytestmark = pytest.mark.django_db


def ballot_budget(quarter, kind="approval", **fields):
    budget = make_budget(quarter, "voting", ballot_type=kind, **fields)
    proposals = make_proposals(budget, {"Bank": 1000, "Baum": 2000, "Brunnen": 3000,
                                        "Beet": 500})
    return budget, [p.pk for p in proposals]


@pytest.mark.parametrize("kind, fields, selection", [
    ("approval", {"min_projects": 1, "max_projects": 2}, {0: 1}),
    ("approval", {"min_projects": 2, "max_projects": 2}, {0: 1, 1: 1}),
    ("choose_one", {}, {2: 1}),
    ("cumulative", {"points_total": 10}, {0: 7, 3: 3}),
    ("cumulative", {"points_total": 10}, {1: 4}),
    ("ranking", {"max_ranks": 3}, {2: 1, 0: 2, 1: 3}),
])
def test_ballots_that_keep_the_rules_are_accepted(quarter, kind, fields, selection):
    budget, ids = ballot_budget(quarter, kind, **fields)
    clean = services.check_selection(budget, {ids[i]: v for i, v in selection.items()}, ids)
    assert clean == {ids[i]: v for i, v in selection.items()}


@pytest.mark.parametrize("kind, fields, selection, message", [
    ("approval", {"min_projects": 1, "max_projects": 2}, {}, "at least 1"),
    ("approval", {"min_projects": 1, "max_projects": 2}, {0: 1, 1: 1, 2: 1}, "at most 2"),
    ("approval", {"min_projects": 2, "max_projects": 3}, {0: 1}, "at least 2"),
    ("approval", {}, {0: 2}, "no points"),
    ("choose_one", {}, {0: 1, 1: 1}, "exactly one"),
    ("choose_one", {}, {}, "exactly one"),
    ("cumulative", {"points_total": 10}, {0: 7, 1: 4}, "10 points in all"),
    ("cumulative", {"points_total": 10}, {}, "at least one point"),
    ("cumulative", {"points_total": 10}, {0: -1}, "negative"),
    ("ranking", {"max_ranks": 3}, {0: 1, 1: 1}, "each rank once"),
    ("ranking", {"max_ranks": 3}, {0: 2}, "each rank once"),
    ("ranking", {"max_ranks": 2}, {0: 1, 1: 2, 2: 3}, "at most 2"),
    ("approval", {}, {"x": 1}, "whole number"),
    ("approval", {}, {0: "eins"}, "whole number"),
])
def test_ballots_that_break_the_rules_are_refused_with_a_reason(
    quarter, kind, fields, selection, message
):
    budget, ids = ballot_budget(quarter, kind, **fields)
    raw = {(ids[k] if isinstance(k, int) else k): v for k, v in selection.items()}
    with pytest.raises(services.BallotRejected, match=message):
        services.check_selection(budget, raw, ids)


def test_a_project_not_on_the_ballot_is_refused(quarter, resident):
    budget, ids = ballot_budget(quarter)
    infeasible = make_proposals(budget, {"Seilbahn": 100}, status="infeasible")[0]
    with pytest.raises(services.BallotRejected, match="not on the ballot"):
        services.cast_ballot(budget, {infeasible.pk: 1}, voter=resident)
    assert not Ballot.objects.exists()


def vote(client, budget, **data):
    return client.post(f"/quarter-budgets/{budget.pk}/vote/", {"age_confirmed": "on", **data})


def test_a_resident_votes_and_changes_the_vote_which_counts_once(client, resident, quarter):
    budget, ids = ballot_budget(quarter)
    client.force_login(resident)
    response = vote(client, budget, **{f"p{ids[0]}": "on", f"p{ids[1]}": "on"})
    assert response["Location"] == budget.get_absolute_url()
    ballot = Ballot.objects.get()
    assert (ballot.voter, ballot.channel) == (resident, "online")
    assert services.selection_of(ballot) == {ids[0]: 1, ids[1]: 1}

    form = client.get(f"/quarter-budgets/{budget.pk}/vote/").context["form"]
    assert form[f"p{ids[0]}"].value() is True and form[f"p{ids[2]}"].value() is False
    vote(client, budget, **{f"p{ids[2]}": "on"})
    assert Ballot.objects.count() == 1
    assert services.selection_of(Ballot.objects.get()) == {ids[2]: 1}
    assert BallotChoice.objects.count() == 1


def test_showing_the_cost_stores_nothing(client, resident, quarter):
    budget, ids = ballot_budget(quarter)
    client.force_login(resident)
    response = vote(client, budget, preview="1", **{f"p{ids[0]}": "on", f"p{ids[2]}": "on"})
    assert response.status_code == 200
    assert response.context["chosen_cents"] == 4000_00
    assert response.context["chosen_count"] == 2
    assert not Ballot.objects.exists()


def test_showing_the_cost_of_a_cumulative_ballot_says_the_points_given(
    client, resident, quarter
):
    budget, ids = ballot_budget(quarter, "cumulative", points_total=10)
    client.force_login(resident)
    response = vote(client, budget, preview="1",
                    **{f"p{ids[0]}": "6", f"p{ids[1]}": "drei", f"p{ids[2]}": "3"})
    assert response.status_code == 200
    assert response.context["chosen_count"] == 2
    assert response.context["chosen_points"] == 9
    assert "Points given: 9 of 10." in response.content.decode()
    assert not Ballot.objects.exists()


@pytest.mark.parametrize("data", [
    {},  # nothing chosen
    {"p{0}": "on", "p{1}": "on", "p{2}": "on", "p{3}": "on"},  # more than three
    {"p{0}": "on", "age_confirmed": ""},  # age not confirmed
])
def test_a_wrong_ballot_is_refused_and_nothing_is_stored(client, resident, quarter, data):
    budget, ids = ballot_budget(quarter)
    client.force_login(resident)
    response = vote(client, budget, **{k.format(*ids): v for k, v in data.items()})
    assert response.status_code == 400
    assert b'role="alert"' in response.content
    assert not Ballot.objects.exists()


@pytest.mark.parametrize("kind, data", [
    ("cumulative", {"p{0}": "11"}),
    ("cumulative", {"p{0}": "drei"}),
    ("cumulative", {"p{0}": "6", "p{1}": "6"}),
    ("ranking", {"p{0}": "1", "p{1}": "1"}),
    ("ranking", {"p{0}": "7"}),
    ("choose_one", {"choice": "999999"}),
])
def test_points_ranks_and_choices_that_break_the_rules_are_refused(
    client, resident, quarter, kind, data
):
    budget, ids = ballot_budget(quarter, kind, points_total=10, max_ranks=3)
    client.force_login(resident)
    response = vote(client, budget, **{k.format(*ids): v for k, v in data.items()})
    assert response.status_code == 400
    assert not Ballot.objects.exists()


def test_cumulative_and_ranking_ballots_store_points_and_ranks(client, resident, quarter):
    budget, ids = ballot_budget(quarter, "cumulative", points_total=10)
    client.force_login(resident)
    vote(client, budget, **{f"p{ids[0]}": "6", f"p{ids[3]}": "4", f"p{ids[1]}": "0"})
    assert services.selection_of(Ballot.objects.get()) == {ids[0]: 6, ids[3]: 4}
    ranking, rids = ballot_budget(quarter, "ranking", max_ranks=3)
    vote(client, ranking, **{f"p{rids[2]}": "1", f"p{rids[0]}": "2"})
    assert services.selection_of(Ballot.objects.get(budget=ranking)) == {rids[2]: 1,
                                                                           rids[0]: 2}


def test_no_vote_before_or_after_the_voting_phase(client, resident, quarter):
    budget, ids = ballot_budget(quarter)
    for phase in ("review", "result"):
        set_phase(budget, phase)
        with pytest.raises(services.BallotRejected):
            services.cast_ballot(budget, {ids[0]: 1}, voter=resident)
    client.force_login(resident)
    assert vote(client, budget, **{f"p{ids[0]}": "on"}).status_code == 403
    assert not Ballot.objects.exists()


def test_accounts_cannot_vote_where_only_codes_count(quarter, resident):
    budget, ids = ballot_budget(quarter, access="codes")
    with pytest.raises(services.BallotRejected, match="codes"):
        services.cast_ballot(budget, {ids[0]: 1}, voter=resident)


# Voting codes -----------------------------------------------------------------------------


def enter_code(client, budget, code):
    return client.post(f"/quarter-budgets/{budget.pk}/code/", {"code": code})


def test_a_household_votes_with_its_code_and_changes_the_vote_with_it(client, quarter):
    budget, ids = ballot_budget(quarter, access="codes")
    (_serial, code), = services.generate_codes(budget, 1, actor=None)
    assert client.get(f"/quarter-budgets/{budget.pk}/vote/")["Location"].endswith("/code/")
    response = enter_code(client, budget, code.lower().replace("-", " "))
    assert response["Location"] == f"/quarter-budgets/{budget.pk}/vote/"
    response = vote(client, budget, **{f"p{ids[1]}": "on"})
    assert response["Location"] == budget.get_absolute_url()
    ballot = Ballot.objects.get()
    assert ballot.voter is None and ballot.code.serial == 1
    # The code left the session: the next person at this computer sees no ballot.
    assert client.get(f"/quarter-budgets/{budget.pk}/vote/")["Location"].endswith("/code/")

    enter_code(client, budget, code)
    form = client.get(f"/quarter-budgets/{budget.pk}/vote/").context["form"]
    assert form[f"p{ids[1]}"].value() is True
    vote(client, budget, **{f"p{ids[0]}": "on", f"p{ids[3]}": "on"})
    assert Ballot.objects.count() == 1
    assert services.selection_of(Ballot.objects.get()) == {ids[0]: 1, ids[3]: 1}


@pytest.mark.parametrize("code", ["", "ABCD-EFGH-JKMN", "x" * 41, "'; DROP TABLE pb_ballot;--",
                                  "<script>", "ABCD-EFGH-JKM"])
def test_a_wrong_code_is_refused(client, quarter, code):
    budget, _ids = ballot_budget(quarter, access="codes")
    services.generate_codes(budget, 3, actor=None)
    response = enter_code(client, budget, code)
    assert response.status_code == 400
    assert "code" in response.context["form"].errors


def test_a_void_code_or_one_of_another_budget_does_not_vote(client, quarter):
    budget, ids = ballot_budget(quarter, access="codes")
    other, _other_ids = ballot_budget(quarter, access="codes")
    (_s1, first), (_s2, second) = services.generate_codes(budget, 2, actor=None)
    (_s3, foreign), = services.generate_codes(other, 1, actor=None)
    services.void_codes(budget, [1], reason="Brief kam zurück", actor=None)
    assert enter_code(client, budget, first).status_code == 400
    assert enter_code(client, budget, foreign).status_code == 400
    assert enter_code(client, budget, second).status_code == 302
    assert not Ballot.objects.exists()
