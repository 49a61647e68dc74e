"""Residents propose projects, with a location on the map or in words; the municipality
reviews them. Wrong input changes nothing."""

import pytest

from quartier.accounts.models import AuditEvent
from quartier.pb import services
from quartier.pb.models import Proposal
from quartier.pb.tests.support import make_budget, set_phase
from quartier.places import geo

pytestmark = pytest.mark.django_db


def lat_lon(quarter, dx=0, dy=0):
    lon, lat = geo.utm_to_lonlat(quarter.x + dx, quarter.y + dy)
    return f"{lat:.6f}", f"{lon:.6f}"


def proposal_data(**changes):
    data = {"title": "Bank am Spielplatz", "description": "Eine Bank für Großeltern.",
            "location": "Spielplatz Lindenstraße", "cost_eur": "800", "lat": "", "lon": ""}
    data.update(changes)
    return data


def test_a_resident_proposes_a_project_with_a_place_in_words(client, resident, quarter):
    budget = make_budget(quarter, "proposal")
    client.force_login(resident)
    response = client.post(f"/quarter-budgets/{budget.pk}/propose/", proposal_data())
    proposal = Proposal.objects.get()
    assert response["Location"] == proposal.get_absolute_url()
    assert (proposal.ref, proposal.cost_cents, proposal.location, proposal.x) == (
        "1", 800_00, "Spielplatz Lindenstraße", None)
    assert proposal.status == "submitted" and proposal.author == resident
    assert AuditEvent.objects.filter(action="pb.proposal_submitted").exists()


def test_a_point_on_the_map_is_stored_in_utm(client, resident, quarter):
    budget = make_budget(quarter, "proposal")
    client.force_login(resident)
    lat, lon = lat_lon(quarter, 50, -20)
    client.post(f"/quarter-budgets/{budget.pk}/propose/", proposal_data(lat=lat, lon=lon))
    proposal = Proposal.objects.get()
    assert proposal.x == pytest.approx(quarter.x + 50, abs=0.5)
    assert proposal.y == pytest.approx(quarter.y - 20, abs=0.5)
    features = services.proposal_features([proposal])["features"]
    assert features[0]["geometry"]["coordinates"] == pytest.approx([float(lon), float(lat)],
                                                                    abs=1e-5)


def test_proposals_are_numbered_in_their_budget(resident, quarter):
    budget = make_budget(quarter, "proposal")
    other = make_budget(quarter, "proposal")
    made = [services.submit_proposal(b, title=f"P{n}", description="d", cost_cents=100,
                                     actor=resident) for n, b in enumerate([budget, budget,
                                                                            other, budget])]
    assert [p.ref for p in made] == ["1", "2", "1", "3"]


@pytest.mark.parametrize("changes, field", [
    ({"title": ""}, "title"),
    ({"description": ""}, "description"),
    ({"title": "x" * 201}, "title"),
    ({"cost_eur": "0"}, "cost_eur"),
    ({"cost_eur": "-10"}, "cost_eur"),
    ({"cost_eur": "zehn"}, "cost_eur"),
    ({"cost_eur": "10001"}, "cost_eur"),  # more than the whole budget
    ({"lat": "48.5"}, "lat"),  # only one of the two
    ({"lat": "nan", "lon": "9.05"}, "lat"),
    ({"lat": "95", "lon": "9.05"}, "lat"),
    ({"lat": "47.6", "lon": "7.6"}, "lat"),  # Basel, far outside the quarter
    ({"location": "x" * 201}, "location"),
])
def test_wrong_proposals_are_refused_at_the_field(client, resident, quarter, changes, field):
    budget = make_budget(quarter, "proposal")
    client.force_login(resident)
    response = client.post(f"/quarter-budgets/{budget.pk}/propose/", proposal_data(**changes))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Proposal.objects.exists()


def test_no_proposal_after_the_proposal_phase(client, resident, quarter):
    budget = make_budget(quarter, "review")
    client.force_login(resident)
    assert client.post(f"/quarter-budgets/{budget.pk}/propose/",
                       proposal_data()).status_code == 403
    with pytest.raises(services.ValidationError):
        services.submit_proposal(budget, title="x", description="y", cost_cents=1,
                                 actor=resident)
    assert not Proposal.objects.exists()


def test_a_submitted_proposal_is_seen_by_its_author_and_the_runners_only(
    client, resident, coordinator, quarter, hostile_text
):
    budget = make_budget(quarter, "proposal")
    proposal = services.submit_proposal(budget, title=hostile_text[:200],
                                        description=hostile_text, cost_cents=100,
                                        actor=resident)
    assert client.get(proposal.get_absolute_url()).status_code == 404
    assert "alert" not in client.get(budget.get_absolute_url()).content.decode()
    client.force_login(resident)
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "&lt;script&gt;" in page and "<script>alert" not in page
    client.force_login(coordinator)
    assert client.get(proposal.get_absolute_url()).status_code == 200


def review(client, budget, proposal, **data):
    return client.post(f"/quarter-budgets/{budget.pk}/proposals/{proposal.pk}/review/", data)


def test_the_coordinator_puts_a_proposal_on_the_ballot_with_a_checked_cost(
    client, resident, coordinator, quarter
):
    budget = make_budget(quarter, "proposal")
    proposal = services.submit_proposal(budget, title="Bank", description="d",
                                        cost_cents=800_00, actor=resident)
    client.force_login(coordinator)
    response = review(client, budget, proposal, decision="feasible", reviewed_cost_eur="950",
                      reason="")
    assert response["Location"] == f"/quarter-budgets/{budget.pk}/review/"
    proposal.refresh_from_db()
    assert proposal.status == "feasible" and proposal.final_cost_cents == 950_00
    assert proposal.reviewed_by == coordinator
    assert services.ballot_proposals(budget) == [proposal]
    client.logout()
    assert "Bank" in client.get(budget.get_absolute_url()).content.decode()


@pytest.mark.parametrize("data, field", [
    ({"decision": "infeasible", "reason": "  "}, "reason"),
    ({"decision": "removed", "reason": ""}, "reason"),
    ({"decision": "maybe", "reason": "x"}, "decision"),
    ({"decision": "feasible", "reviewed_cost_eur": "0"}, "reviewed_cost_eur"),
    ({"decision": "feasible", "reason": "x" * 2001}, "reason"),
])
def test_a_review_without_a_reason_or_with_a_wrong_cost_is_refused(
    client, resident, coordinator, quarter, data, field
):
    budget = make_budget(quarter, "proposal")
    proposal = services.submit_proposal(budget, title="Bank", description="d",
                                        cost_cents=800_00, actor=resident)
    client.force_login(coordinator)
    response = review(client, budget, proposal, **data)
    assert response.status_code == 400 and field in response.context["form"].errors
    proposal.refresh_from_db()
    assert proposal.status == "submitted" and proposal.reviewed_at is None


def test_an_infeasible_proposal_shows_its_reason_a_removed_one_disappears(
    client, resident, coordinator, quarter
):
    budget = make_budget(quarter, "proposal")
    one = services.submit_proposal(budget, title="Seilbahn", description="d",
                                   cost_cents=900_00, actor=resident)
    two = services.submit_proposal(budget, title="Beleidigung", description="d",
                                   cost_cents=100, actor=resident)
    client.force_login(coordinator)
    review(client, budget, one, decision="infeasible", reason="Zu steil für eine Seilbahn.")
    review(client, budget, two, decision="removed", reason="Verstößt gegen die Regeln.")
    client.logout()
    page = client.get(budget.get_absolute_url()).content.decode()
    assert "Seilbahn" in page and "Beleidigung" not in page
    assert "Zu steil" in client.get(one.get_absolute_url()).content.decode()
    assert client.get(two.get_absolute_url()).status_code == 404


def test_the_ballot_is_fixed_once_voting_opens(resident, coordinator, quarter):
    budget = make_budget(quarter, "proposal")
    proposal = services.submit_proposal(budget, title="Bank", description="d", cost_cents=1,
                                        actor=resident)
    set_phase(budget, "voting")
    with pytest.raises(services.ValidationError):
        services.review_proposal(proposal, status="feasible", reason="",
                                 reviewed_cost_cents=None, actor=coordinator)
    proposal.refresh_from_db()
    assert proposal.status == "submitted"
