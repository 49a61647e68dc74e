"""The draft page: typing is saved (also by autosave), submission errors appear at the fields
and change nothing, and the quarters follow the chosen Gemeinde."""

import pytest

from conftest import make_quarter
from quartier.calls import services
from quartier.calls.models import Application
from quartier.calls.tests.support import make_call

pytestmark = pytest.mark.django_db


def post_data(**changes):
    data = {"title": "Treffpunkt", "summary": "Kurz", "idea": "Idee",
            "target_groups": ["children", "older"], "partners": "A\nB",
            "work_plan": "Plan", "requested": "20.000,00",
            "costs-TOTAL_FORMS": "2", "costs-INITIAL_FORMS": "0",
            "costs-0-description": "Personal", "costs-0-amount": "12.000",
            "costs-1-description": "Sachkosten", "costs-1-amount": "8.000"}
    data.update(changes)
    return data


@pytest.fixture
def draft(db, tuebingen_org_, coordinator, quarter):
    return services.start_application(make_call(), tuebingen_org_, actor=coordinator)


def test_saving_a_draft_keeps_everything_typed(client, draft, coordinator, quarter):
    client.force_login(coordinator)
    assert client.get(f"/calls/applications/{draft.pk}/edit/").status_code == 200
    response = client.post(f"/calls/applications/{draft.pk}/edit/",
                           post_data(quarters=[quarter.pk], save=""))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Treffpunkt" and draft.requested_cents == 20_000_00
    assert list(draft.quarters.all()) == [quarter]
    assert [(i.description, i.amount_cents) for i in draft.cost_items.all()] == [
        ("Personal", 12_000_00), ("Sachkosten", 8_000_00)]


def test_submitting_an_incomplete_draft_shows_the_errors_and_changes_nothing(
    client, draft, coordinator
):
    client.force_login(coordinator)
    response = client.post(f"/calls/applications/{draft.pk}/edit/",
                           post_data(title="", submit=""))
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required." in page and "Choose at least one quarter." in page
    draft.refresh_from_db()
    assert draft.is_draft() and draft.title == ""


def test_a_complete_draft_is_submitted_from_the_page(client, draft, coordinator, quarter):
    client.force_login(coordinator)
    response = client.post(f"/calls/applications/{draft.pk}/edit/",
                           post_data(quarters=[quarter.pk], submit=""))
    assert response.status_code == 302
    assert response["Location"] == f"/calls/applications/{draft.pk}/receipt/"
    application = Application.objects.get()
    assert application.status == "submitted"
    receipt = client.get(response["Location"]).content.decode()
    assert application.content_sha256 in receipt


def test_autosave_stores_the_valid_fields_and_names_the_others(client, draft, coordinator):
    client.force_login(coordinator)
    response = client.post(f"/calls/applications/{draft.pk}/autosave/",
                           post_data(requested="zwanzig"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Draft saved at" in text and "Requested amount" in text
    draft.refresh_from_db()
    assert draft.title == "Treffpunkt" and draft.requested_cents is None


def test_autosave_after_submission_changes_nothing(client, draft, coordinator, quarter):
    client.force_login(coordinator)
    client.post(f"/calls/applications/{draft.pk}/edit/",
                post_data(quarters=[quarter.pk], submit=""))
    response = client.post(f"/calls/applications/{draft.pk}/autosave/",
                           post_data(title="Nachträglich"))
    assert response.status_code == 403
    assert Application.objects.get().title == "Treffpunkt"


def test_hostile_input_is_stored_as_text_and_shown_escaped(client, draft, coordinator):
    client.force_login(coordinator)
    client.post(f"/calls/applications/{draft.pk}/edit/",
                post_data(title="<script>alert(1)</script>", save=""))
    page = client.get(f"/calls/applications/{draft.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_quarters_follow_the_gemeinde_a_civil_society_actor_chooses(
    client, db, provider_org, member, ulm
):
    make_quarter(ulm, name="Weststadt")
    draft = services.start_application(make_call(), provider_org, actor=member)
    client.force_login(member)
    fragment = client.get(f"/calls/applications/{draft.pk}/quarters/",
                          {"gemeinde": ulm.ags}).content.decode()
    assert "Weststadt" in fragment
    bad = client.post(f"/calls/applications/{draft.pk}/edit/",
                      post_data(gemeinde="99999999", save=""))
    assert bad.status_code == 400 and Application.objects.get().gemeinde is None


def test_quarters_of_a_gemeinde_no_longer_chosen_are_dropped_by_autosave(
    client, db, provider_org, member, ulm, quarter
):
    make_quarter(ulm, name="Weststadt")
    draft = services.start_application(make_call(), provider_org, actor=member)
    services.save_draft(draft, actor=member, fields={"gemeinde": quarter.gemeinde},
                        quarters=[quarter])
    client.force_login(member)
    # The browser still sends the old quarter while the new Gemeinde's list is loading.
    response = client.post(f"/calls/applications/{draft.pk}/autosave/",
                           post_data(gemeinde=ulm.ags, quarters=[str(quarter.pk)]))
    assert response.status_code == 200
    draft = Application.objects.get()
    assert draft.gemeinde == ulm and list(draft.quarters.all()) == []
    assert services.submission_errors(draft)["quarters"] == ["Choose at least one quarter."]
