"""Every page and action of the quarter budget, opened by every role: those who may get it,
the others get 403 (signed in), the sign-in page (anonymous) or 404 (a budget they may not
see), and nothing changes."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from quartier.accounts.models import AuditEvent
from quartier.pb import services
from quartier.pb.models import (
    Ballot,
    Budget,
    Deviation,
    PaperEntry,
    Proposal,
    Result,
    VotingCode,
)
from quartier.pb.tests.support import DATA, make_budget, make_proposals, set_phase
from quartier.pb.tests.test_budget_settings import form_data

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous", "resident", "ulm_resident", "member", "town_clerk", "coordinator",
    "other_coordinator", "county_coordinator", "moderator", "juror", "consultant", "staff",
]
ALL = set(ROLES)
RUN = {"staff", "coordinator", "county_coordinator"}
PAPER = RUN | {"town_clerk"}


def counted(quarter):
    budget = make_budget(quarter, "voting")
    make_proposals(budget, {"Bank": 1000, "Baum": 2000})
    set_phase(budget, "result")
    services.compute_result(budget, actor=None)
    return budget


def paper_entry(budget, clerk):
    services.enter_paper_ballot(budget, "P1", {budget.proposals.first().pk: 1}, actor=clerk)
    return PaperEntry.objects.get()


def upload(name: str, content: bytes) -> dict:
    return {"file": SimpleUploadedFile(name, content, content_type="text/plain")}


# name: (method, phase or setup, url, data (or a function of the ids), who may)
VIEWS = {
    "budget_create": ("get", None, "/quarter-budgets/new/{quarter}/", None, RUN),
    "budget_import": ("get", None, "/quarter-budgets/import/{quarter}/", None, RUN),
    "budget": ("get", "proposal", "/quarter-budgets/{budget}/", None, ALL),
    "budget_edit": ("get", "proposal", "/quarter-budgets/{budget}/edit/", None, RUN),
    "propose": ("get", "proposal", "/quarter-budgets/{budget}/propose/", None, {"resident"}),
    "review_queue": ("get", "proposal", "/quarter-budgets/{budget}/review/", None, RUN),
    "review": ("get", "proposal", "/quarter-budgets/{budget}/proposals/{proposal}/review/",
               None, RUN),
    "code": ("get", "voting", "/quarter-budgets/{budget}/code/", None, ALL),
    "vote": ("get", "voting_accounts", "/quarter-budgets/{budget}/vote/", None, {"resident"}),
    "codes": ("get", "voting", "/quarter-budgets/{budget}/codes/", None, RUN),
    "letters": ("post", "voting", "/quarter-budgets/{budget}/codes/letters/",
                {"number": 2, "output": "pdf"}, RUN),
    "void_codes": ("post", "voting", "/quarter-budgets/{budget}/codes/void/",
                   {"serials": "1", "reason": "verloren"}, RUN),
    "paper": ("get", "voting", "/quarter-budgets/{budget}/paper/", None, PAPER),
    "paper_post": ("post", "voting", "/quarter-budgets/{budget}/paper/",
                   {"sheet": "P9", "projects": "1"}, PAPER),
    "paper_discard": ("post", "paper_entry", "/quarter-budgets/{budget}/paper/{entry}/discard/",
                      {"reason": "Tippfehler"}, PAPER),
    "count": ("post", "result", "/quarter-budgets/{budget}/count/", None, RUN),
    "result": ("get", "counted", "/quarter-budgets/{budget}/result/", None, ALL),
    "deviate": ("get", "counted", "/quarter-budgets/{budget}/deviate/", None, RUN),
    "export": ("get", "counted", "/quarter-budgets/{budget}/export.pb", None, ALL),
    # The actions behind the forms, each with data that would succeed.
    "budget_create_post": ("post", None, "/quarter-budgets/new/{quarter}/",
                           lambda ids: form_data(), RUN),
    "budget_edit_post": ("post", "proposal", "/quarter-budgets/{budget}/edit/",
                         lambda ids: form_data(title="Umbenannt"), RUN),
    "budget_import_post": ("post", None, "/quarter-budgets/import/{quarter}/",
                           lambda ids: upload("assen.pb", (
                               DATA / "Netherlands_Assen_2024.pb").read_bytes()), RUN),
    "propose_post": ("post", "proposal", "/quarter-budgets/{budget}/propose/",
                     {"title": "Neue Bank", "description": "Zum Sitzen", "cost_eur": "300"},
                     {"resident"}),
    "review_post": ("post", "proposal",
                    "/quarter-budgets/{budget}/proposals/{proposal}/review/",
                    {"decision": "feasible"}, RUN),
    "vote_post": ("post", "voting_accounts", "/quarter-budgets/{budget}/vote/",
                  lambda ids: {f"p{ids['project']}": "on", "age_confirmed": "on"},
                  {"resident"}),
    "paper_import": ("post", "voting", "/quarter-budgets/{budget}/paper/import/",
                     lambda ids: upload("zettel.csv", b"ballot;projects\nP9;1\n"), PAPER),
    "deviate_post": ("post", "counted", "/quarter-budgets/{budget}/deviate/",
                     lambda ids: {"proposal": ids["project"], "amount_eur": "0",
                                  "reason": "Wird vom Land bezahlt"}, RUN),
}


@pytest.fixture
def visitor(request, client):
    role = request.node.callspec.params["role"]
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    return client


def prepare(setup, quarter, request) -> dict:
    ids = {"quarter": quarter.pk}
    if setup is None:
        return ids
    clerk = request.getfixturevalue("second_clerk")
    if setup == "counted":
        budget = counted(quarter)
        ids["project"] = budget.proposals.get(title="Bank").pk
    elif setup == "voting_accounts":
        budget = make_budget(quarter, "voting", access="accounts", residents_only=True)
        ids["project"] = make_proposals(budget, {"Bank": 1000})[0].pk
    elif setup == "paper_entry":
        budget = make_budget(quarter, "voting")
        make_proposals(budget, {"Bank": 1000})
        ids["entry"] = paper_entry(budget, clerk).pk
    else:
        budget = make_budget(quarter, setup)
        if setup in ("voting", "result"):
            make_proposals(budget, {"Bank": 1000})
        if setup == "voting":
            services.generate_codes(budget, 1, actor=None)
    proposal = make_proposals(budget, {"Weg": 500}, status="submitted")[0] \
        if setup == "proposal" else None
    ids.update(budget=budget.pk, proposal=proposal.pk if proposal else 0)
    return ids


def snapshot():
    return (Budget.objects.count(), VotingCode.objects.filter(is_void=False).count(),
            PaperEntry.objects.filter(discarded_at=None).count(), Result.objects.count(),
            Proposal.objects.count(), Ballot.objects.count(), Deviation.objects.count(),
            AuditEvent.objects.count())


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("view", list(VIEWS))
def test_each_view_lets_in_exactly_those_who_may(view, role, visitor, quarter, request):
    method, setup, url, data, allowed = VIEWS[view]
    ids = prepare(setup, quarter, request)
    url = url.format(**ids)
    if callable(data):
        data = data(ids)
    before = snapshot()
    response = getattr(visitor, method)(url, data or {})
    if role in allowed:
        assert response.status_code in (200, 302), response.status_code
        if response.status_code == 302:
            assert "/accounts/login/" not in response["Location"]
        if method == "post":  # the action did happen
            assert response.status_code == (200 if view == "letters" else 302), \
                response.content[:3000]
            assert snapshot() != before
    else:
        if role == "anonymous" and response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/")
        else:
            assert response.status_code in (403, 404)
        assert snapshot() == before


@pytest.mark.parametrize("role", ROLES)
def test_a_budget_of_a_draft_quarter_is_hidden_from_all_but_its_runners(
    role, visitor, draft_quarter
):
    budget = make_budget(draft_quarter, "proposal")
    for url in (f"/quarter-budgets/{budget.pk}/", f"/quarter-budgets/{budget.pk}/edit/"):
        response = visitor.get(url)
        if role in RUN:
            assert response.status_code == 200
        elif role == "anonymous" and url.endswith("edit/"):
            assert response["Location"].startswith("/accounts/login/")
        else:
            assert response.status_code == 404
