"""Jury: jurors on the call, automatic assignment with conflicts excluded, declared conflicts."""

from collections import Counter

import pytest
from django.core.exceptions import ValidationError

from conftest import make_org, make_user
from quartier.calls import services
from quartier.calls.models import Conflict, Review
from quartier.calls.tests.support import close, make_call, submitted


@pytest.fixture
def call(db):
    return make_call(reviews_per_application=2)


@pytest.fixture
def applications(call, tuebingen_org_, ulm_org, coordinator, other_coordinator):
    return [submitted(call, tuebingen_org_, actor=coordinator),
            submitted(call, ulm_org, actor=other_coordinator)]


def jurors(count, organisation=None):
    organisation = organisation or make_org("Fachjury e. V.", "association")
    return [make_user(f"j{n}@example.org", "jury_member", organisation, second_factor=True)
            for n in range(count)]


def test_every_eligible_application_gets_k_reviews_with_balanced_load(call, applications):
    panel = jurors(3)
    services.set_jurors(call, panel, actor=None)
    close(call)
    result = services.assign_jury(call, actor=None)
    assert result.created == 4 and not result.shortfall
    per_application = Counter(Review.objects.values_list("application_id", flat=True))
    assert set(per_application.values()) == {2}
    assert max(result.loads.values()) - min(result.loads.values()) <= 1


def test_a_juror_never_reviews_their_own_organisation_or_kreis(
    call, applications, tuebingen_org_, ulm
):
    own_org = make_user("own@example.org", "jury_member", tuebingen_org_)
    county = make_org("Landratsamt Tübingen", "landkreis", "08416")
    same_kreis = make_user("kreis@example.org", "jury_member", county)
    ulm_juror = make_user("ulm-j@example.org", "jury_member", make_org("Ulm Jury", "kommune",
                                                                       "08421000"))
    neutral = jurors(2)
    services.set_jurors(call, [own_org, same_kreis, ulm_juror, *neutral], actor=None)
    close(call)
    services.assign_jury(call, actor=None)
    tuebingen_app, ulm_app = applications
    reviewers = {a.pk: set(a.reviews.values_list("juror_id", flat=True)) for a in applications}
    assert not reviewers[tuebingen_app.pk] & {own_org.pk, same_kreis.pk}
    assert ulm_juror.pk not in reviewers[ulm_app.pk]


def test_a_declared_conflict_removes_the_assignment_and_keeps_it_away(call, applications):
    panel = jurors(3)
    services.set_jurors(call, panel, actor=None)
    close(call)
    services.assign_jury(call, actor=None)
    review = Review.objects.filter(application=applications[0]).first()
    services.declare_conflict(applications[0], juror=review.juror, reason="Verwandt",
                              actor=review.juror)
    assert not Review.objects.filter(pk=review.pk).exists()
    services.assign_jury(call, actor=None)
    assert not Review.objects.filter(application=applications[0], juror=review.juror).exists()
    assert applications[0].reviews.count() == 2
    assert Conflict.objects.get().reason == "Verwandt"


def test_too_few_jurors_without_conflict_is_reported(call, applications, tuebingen_org_):
    services.set_jurors(call, [*jurors(1), make_user("own@example.org", "jury_member",
                                                     tuebingen_org_)], actor=None)
    close(call)
    result = services.assign_jury(call, actor=None)
    assert result.shortfall == {applications[0].pk: 1}


def test_only_eligible_applications_are_assigned(call, applications):
    services.decide_eligibility(applications[1], eligible=False, reason="Kein Quartier",
                                actor=None)
    services.set_jurors(call, jurors(2), actor=None)
    close(call)
    services.assign_jury(call, actor=None)
    assert set(Review.objects.values_list("application_id", flat=True)) == {applications[0].pk}


def test_jurors_are_assigned_only_after_the_deadline(call, applications):
    services.set_jurors(call, jurors(2), actor=None)
    with pytest.raises(ValidationError, match="after the deadline"):
        services.assign_jury(call, actor=None)


def test_only_jury_members_are_put_on_the_jury(call, resident):
    with pytest.raises(ValidationError, match="jury members"):
        services.set_jurors(call, [resident], actor=None)
    assert not call.jurors.exists()


def test_a_juror_declares_a_conflict_on_the_page(client, call, applications):
    juror = jurors(1)[0]
    juror.save()
    services.set_jurors(call, [juror], actor=None)
    client.force_login(juror)
    page = client.get(f"/calls/{call.pk}/conflicts/")
    assert page.status_code == 200
    response = client.post(f"/calls/{call.pk}/conflicts/",
                           {"application": applications[1].pk, "reason": "Ehemals angestellt"})
    assert response.status_code == 302
    assert Conflict.objects.filter(juror=juror, application=applications[1]).exists()
    bad = client.post(f"/calls/{call.pk}/conflicts/", {"application": 999999})
    assert bad.status_code == 400 and Conflict.objects.count() == 1


def test_staff_assign_on_the_jury_page(client, staff, call, applications):
    services.set_jurors(call, jurors(2), actor=None)
    close(call)
    client.force_login(staff)
    assert client.get(f"/calls/{call.pk}/jury/").status_code == 200
    response = client.post(f"/calls/{call.pk}/jury/assign/", follow=True)
    assert "4 reviews assigned" in response.content.decode()


@pytest.mark.parametrize("value", ["resident", "999999", "abc", "<script>"])
def test_the_jury_page_refuses_anyone_but_jury_members_and_changes_nothing(
    client, staff, call, resident, value
):
    on_jury = jurors(1)
    services.set_jurors(call, on_jury, actor=None)
    client.force_login(staff)
    response = client.post(f"/calls/{call.pk}/jury/", {
        "jurors": [str(resident.pk) if value == "resident" else value]})
    assert response.status_code == 400
    assert "not a valid value" in response.content.decode() or \
        "Select a valid choice" in response.content.decode()
    assert list(call.jurors.all()) == on_jury


def test_a_declared_conflict_with_an_oversized_reason_is_refused(client, call, applications):
    juror = jurors(1)[0]
    services.set_jurors(call, [juror], actor=None)
    client.force_login(juror)
    response = client.post(f"/calls/{call.pk}/conflicts/",
                           {"application": applications[1].pk, "reason": "x" * 501})
    assert response.status_code == 400 and not Conflict.objects.exists()
