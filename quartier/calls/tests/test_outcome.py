"""An applicant sees the outcome of their application on the platform, not only in the mail;
a draft of a closed call is shown, not offered for editing."""

import pytest

from quartier.calls import services
from quartier.calls.tests.support import close, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(coordinator, other_coordinator, juror, staff):
    return make_world(coordinator=coordinator, other_coordinator=other_coordinator,
                      juror=juror, staff=staff)


def test_the_applicant_sees_the_award_in_their_list_and_on_the_application(
    client, world, coordinator
):
    client.force_login(coordinator)
    mine = client.get("/calls/mine/").content.decode()
    assert "Awarded €20,000.00" in mine
    page = client.get(f"/calls/applications/{world.awarded.pk}/").content.decode()
    assert "Awarded €20,000.00" in page and f"/calls/{world.decided_call.pk}/results/" in page
    # Undecided calls say nothing about an outcome.
    page = client.get(f"/calls/applications/{world.submitted.pk}/").content.decode()
    assert "Awarded" not in page and "Not awarded" not in page


def test_a_withdrawn_award_is_shown_with_its_reason(client, world, coordinator, staff):
    services.revoke_award(world.decisions[0], reason="Projekt abgesagt", actor=staff)
    client.force_login(coordinator)
    page = client.get(f"/calls/applications/{world.awarded.pk}/").content.decode()
    assert "Award withdrawn" in page and "Projekt abgesagt" in page
    assert "Award withdrawn" in client.get("/calls/mine/").content.decode()


def test_a_draft_of_a_closed_call_links_to_its_page_not_to_the_editor(
    client, world, other_coordinator
):
    close(world.open_call)
    client.force_login(other_coordinator)
    mine = client.get("/calls/mine/").content.decode()
    assert f"/calls/applications/{world.draft.pk}/edit/" not in mine
    assert f"/calls/applications/{world.draft.pk}/" in mine
    assert "not submitted before the deadline" in mine
    page = client.get(f"/calls/{world.open_call.pk}/").content.decode()
    assert f"/calls/applications/{world.draft.pk}/edit/" not in page
    assert "(not submitted before the deadline)" in page


def test_the_decision_page_of_a_decided_call_leads_to_the_results(client, world, staff):
    client.force_login(staff)
    response = client.get(f"/calls/{world.decided_call.pk}/decide/", follow=True)
    assert response.redirect_chain[-1][0] == f"/calls/{world.decided_call.pk}/results/"
    assert "This call has been decided." in response.content.decode()
