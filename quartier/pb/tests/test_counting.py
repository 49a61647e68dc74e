"""Counting the stored ballots: the published result is what the engine, the `pb count`
command and pabutools compute from the exported election, and can be recounted."""

import hashlib
import io
import json
import random

import pytest
from django.core.management import call_command

from quartier.accounts.models import AuditEvent
from quartier.pb import services
from quartier.pb.models import Ballot, Budget
from quartier.pb.tests.support import make_budget, make_proposals, set_phase

pytestmark = pytest.mark.django_db

COSTS = {"Bank": 1200, "Baum": 3400, "Brunnen": 5100, "Beet": 800, "Bühne": 6600,
         "Bücher": 900, "Brücke": 9000}


def voted_budget(quarter, kind="approval", rule="greedy", voters=40, seed=1, **fields):
    """A closed budget with `voters` online ballots (codes) and 5 paper ballots."""
    fields = {"max_projects": 3, "points_total": 10, "max_ranks": 3, "min_votes": 0,
              "access": "codes", **fields}
    budget = make_budget(quarter, "voting", ballot_type=kind, rule=rule,
                         amount_cents=15_000_00, **fields)
    proposals = make_proposals(budget, COSTS)
    rng = random.Random(seed)
    codes = services.generate_codes(budget, voters, actor=None)
    for n, (_serial, code) in enumerate(codes):
        chosen = rng.sample(proposals, rng.randint(1, 3) if kind != "choose_one" else 1)
        if kind == "cumulative":
            shares = [rng.randint(1, 3) for _p in chosen]
            selection = {p.pk: s for p, s in zip(chosen, shares, strict=True)}
        elif kind == "ranking":
            selection = {p.pk: rank for rank, p in enumerate(chosen, 1)}
        else:
            selection = {p.pk: 1 for p in chosen}
        services.cast_ballot(budget, selection, code=services.find_code(budget, code))
        if n % 10 == 0:  # some change their vote: still one ballot each
            services.cast_ballot(budget, selection, code=services.find_code(budget, code))
    set_phase(budget, "result")
    for sheet in range(5):
        selection = {proposals[sheet].pk: 1 if kind != "cumulative" else 2}
        services.enter_paper_ballot(budget, f"P{sheet}", selection, actor=_typist("a"))
        services.enter_paper_ballot(budget, f"P{sheet}", selection, actor=_typist("b"))
    return Budget.objects.select_related("quarter__gemeinde").get(pk=budget.pk)


def _typist(name):
    from quartier.accounts.models import User

    return User.objects.get_or_create(username=f"typist-{name}")[0]


def cli_count(path, command: str) -> dict:
    args = command.split()[4:]  # after "quartier pb count FILE"
    out = io.StringIO()
    call_command("pb", "count", str(path), *args, stdout=out)
    return json.loads(out.getvalue())


CASES = [
    ("approval", "greedy", {}),
    ("approval", "greedy", {"min_votes": 8}),
    ("approval", "greedy", {"greedy_skip": False}),
    ("approval", "equal_shares", {}),
    ("approval", "max_welfare", {}),
    ("choose_one", "greedy", {}),
    ("ranking", "equal_shares", {}),
    ("cumulative", "greedy", {}),
    ("cumulative", "equal_shares", {}),
    ("cumulative", "max_welfare", {}),
]


@pytest.mark.parametrize("kind, rule, fields", CASES)
def test_the_result_is_what_the_command_counts_from_the_export(
    quarter, tmp_path, kind, rule, fields
):
    budget = voted_budget(quarter, kind, rule, **fields)
    result = services.compute_result(budget, actor=None)
    assert (result.ballots_online, result.ballots_paper) == (40, 5)
    assert Ballot.objects.filter(budget=budget).count() == 45
    text = services.export_pb(budget)
    assert hashlib.sha256(text.encode()).hexdigest() == result.election_sha256
    path = tmp_path / services.export_filename(budget)
    path.write_text(text, encoding="utf-8")
    from quartier.pb.views import _count_command

    recounted = cli_count(path, _count_command(budget))
    assert recounted["selected"] == result.outcome["selected"]
    assert services.recount(budget) == result.outcome
    funded = [row["project_id"] for row in result.projects if row["funded"]]
    assert funded == result.outcome["selected"]
    spent = sum(row["amount_cents"] for row in result.projects)
    assert spent == round(result.outcome["spent"] * 100) <= budget.amount_cents
    assert AuditEvent.objects.filter(action="pb.counted").count() == 1


def _pabutools(path, rule, sat):
    from pabutools.election import Additive_Cardinal_Sat, Cost_Sat, parse_pabulib
    from pabutools.rules import (
        completion_by_rule_combination,
        greedy_utilitarian_welfare,
        max_additive_utilitarian_welfare,
        method_of_equal_shares,
    )

    instance, profile = parse_pabulib(str(path))
    cls = Additive_Cardinal_Sat if sat == "points" else Cost_Sat
    if rule == "greedy":
        outcome = greedy_utilitarian_welfare(instance, profile, sat_class=cls)
    elif rule == "equal_shares":
        outcome = completion_by_rule_combination(
            instance, profile, [method_of_equal_shares, greedy_utilitarian_welfare],
            [{"sat_class": cls, "voter_budget_increment": 1}, {"sat_class": cls}])
    else:
        outcome = max_additive_utilitarian_welfare(instance, profile, sat_class=cls)
    return sorted(project.name for project in outcome)


@pytest.mark.parametrize("kind, rule", [("approval", "greedy"), ("approval", "equal_shares"),
                                        ("approval", "max_welfare"), ("ranking", "greedy"),
                                        ("cumulative", "equal_shares")])
def test_pabutools_counts_the_export_the_same(quarter, tmp_path, kind, rule):
    budget = voted_budget(quarter, kind, rule, seed=7)
    result = services.compute_result(budget, actor=None)
    path = tmp_path / "election.pb"
    path.write_text(services.export_pb(budget), encoding="utf-8")
    assert _pabutools(path, rule, budget.sat()) == sorted(result.outcome["selected"])


def test_the_votes_are_counted_once_and_only_after_voting_closed(quarter):
    budget = make_budget(quarter, "voting")
    make_proposals(budget, {"Bank": 100})
    with pytest.raises(services.ValidationError):
        services.compute_result(budget, actor=None)
    set_phase(budget, "result")
    services.compute_result(budget, actor=None)
    with pytest.raises(services.ValidationError):
        services.compute_result(budget, actor=None)


def test_a_budget_without_feasible_proposals_is_not_counted(quarter):
    budget = make_budget(quarter, "result")
    make_proposals(budget, {"Seilbahn": 100}, status="infeasible")
    with pytest.raises(services.ValidationError, match="no feasible"):
        services.compute_result(budget, actor=None)


def test_the_export_names_no_voter_and_keeps_the_channel(quarter, resident):
    budget = make_budget(quarter, "voting", access="accounts")
    bank, baum = make_proposals(budget, {"Bank": 100, "Baum": 200})
    services.cast_ballot(budget, {baum.pk: 1}, voter=resident)
    set_phase(budget, "result")
    services.enter_paper_ballot(budget, "Z-9", {bank.pk: 1}, actor=_typist("a"))
    services.enter_paper_ballot(budget, "Z-9", {bank.pk: 1}, actor=_typist("b"))
    text = services.export_pb(budget)
    assert resident.email not in text and "Z-9" not in text
    votes = text.split("VOTES\n")[1].splitlines()
    assert votes == ["voter_id;vote;channel", "1;1;paper", "2;2;online"]
    assert "budget;10000\n" in text and "1;100;Bank\n" in text


# Why not funded ---------------------------------------------------------------------------


def closed_budget(quarter, votes: dict[str, int], costs: dict[str, int], **fields):
    budget = make_budget(quarter, "voting", access="codes", amount_cents=10_000_00,
                         max_projects=len(costs), **fields)
    proposals = {p.title: p for p in make_proposals(budget, costs)}
    ballots = []
    for title, n in votes.items():
        ballots += [title] * n
    codes = services.generate_codes(budget, len(ballots), actor=None)
    for title, (_s, code) in zip(ballots, codes, strict=True):
        services.cast_ballot(budget, {proposals[title].pk: 1},
                             code=services.find_code(budget, code))
    set_phase(budget, "result")
    return budget


def reasons(budget):
    result = services.compute_result(budget, actor=None)
    return {row["title"]: (row["funded"], row["reason"], row["params"], row["supporters"])
            for row in result.projects}


def test_greedy_says_which_project_did_not_fit_or_had_too_few_votes(quarter):
    budget = closed_budget(quarter, {"A": 5, "B": 4, "C": 3, "D": 1},
                           {"A": 6000, "B": 5000, "C": 3000, "D": 500, "E": 100},
                           min_votes=2)
    got = reasons(budget)
    assert got["A"][:2] == (True, "") and got["C"][:2] == (True, "")
    assert got["B"] == (False, "did_not_fit", {"left": 4000_00, "cost": 5000_00}, 4)
    assert got["D"][:3] == (False, "below_threshold", {"min": 2})
    assert got["E"][:2] == (False, "no_votes")


def test_greedy_without_skipping_stops_at_the_first_project_that_does_not_fit(quarter):
    budget = closed_budget(quarter, {"A": 5, "B": 4, "C": 3},
                           {"A": 6000, "B": 5000, "C": 3000}, greedy_skip=False)
    got = reasons(budget)
    assert got["B"][:2] == (False, "stopped") and got["C"][:2] == (False, "after_stop")


def test_equal_shares_tells_how_a_project_was_paid(quarter):
    budget = closed_budget(quarter, {"A": 6, "B": 3, "C": 1},
                           {"A": 5000, "B": 4000, "C": 3000}, rule="equal_shares")
    result = services.compute_result(budget, actor=None)
    rows = {row["title"]: row for row in result.projects}
    assert rows["A"]["how"] == "mes" and rows["A"]["funded"]
    assert {row["how"] for row in result.projects if row["funded"]} <= {"mes", "completion"}
    unfunded = [row for row in result.projects if not row["funded"]]
    assert all(row["reason"] == "equal_shares" for row in unfunded)
    assert services.reason_text(unfunded[0])
