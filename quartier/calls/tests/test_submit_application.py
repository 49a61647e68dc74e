"""Drafts and submission: complete drafts are submitted before the deadline with a receipt;
anything else is refused with a clear message and nothing changes."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from quartier.calls import services
from quartier.calls.models import Application, content_hash
from quartier.calls.tests.support import fill, make_call


@pytest.fixture
def call(db):
    return make_call()


@pytest.fixture
def draft(call, tuebingen_org_, coordinator):
    return services.start_application(call, tuebingen_org_, actor=coordinator)


def test_a_kommune_applies_for_its_own_gemeinde(draft, tuebingen):
    assert draft.is_draft() and draft.gemeinde == tuebingen


def test_starting_twice_continues_the_same_draft(call, draft, tuebingen_org_, coordinator):
    assert services.start_application(call, tuebingen_org_, actor=coordinator) == draft


def test_a_complete_draft_is_submitted_with_a_hash_and_a_mailed_receipt(
    draft, coordinator, django_capture_on_commit_callbacks
):
    fill(draft)
    with django_capture_on_commit_callbacks(execute=True):
        application = services.submit_application(draft, actor=coordinator)
    assert application.status == "submitted" and application.submitted_at
    assert application.content_sha256 == content_hash(application.content)
    assert application.content["title"] == "Generationentreff"
    assert services.verify_receipt(application)
    assert len(mail.outbox) == 1 and application.content_sha256 in mail.outbox[0].body
    assert mail.outbox[0].to == [coordinator.email]


def test_a_submitted_application_is_read_only(draft, coordinator):
    fill(draft)
    services.submit_application(draft, actor=coordinator)
    with pytest.raises(ValidationError, match="submitted"):
        services.save_draft(draft, actor=coordinator, fields={"title": "Neu"})
    with pytest.raises(ValidationError, match="already been submitted"):
        services.submit_application(draft, actor=coordinator)
    assert Application.objects.get(pk=draft.pk).title == "Generationentreff"


def test_the_servers_clock_refuses_a_submission_after_the_deadline(call, draft, coordinator):
    fill(draft)
    with pytest.raises(ValidationError, match="deadline"):
        services.submit_application(draft, actor=coordinator,
                                    now=call.closes_at + timedelta(seconds=1))
    draft.refresh_from_db()
    assert draft.is_draft() and not draft.content_sha256


def test_a_submission_exactly_at_the_deadline_is_too_late(call, draft, coordinator):
    fill(draft)
    with pytest.raises(ValidationError):
        services.submit_application(draft, actor=coordinator, now=call.closes_at)


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"title": ""}, "title", "required"),
    ({"idea": "  "}, "idea", "required"),
    ({"partners": ""}, "partners", "required"),
    ({"target_groups": []}, "target_groups", "target groups"),
    ({"requested": 4_000_00}, "requested", "between"),
    ({"requested": 60_000_00}, "requested", "between"),
])
def test_an_incomplete_or_out_of_range_draft_is_refused_at_the_field(
    draft, coordinator, fields, field, message
):
    requested = fields.pop("requested", 20_000_00)
    fill(draft, requested=requested, **fields)
    with pytest.raises(ValidationError) as error:
        services.submit_application(draft, actor=coordinator)
    assert message in " ".join(error.value.message_dict[field])
    assert Application.objects.get(pk=draft.pk).is_draft()


def test_cost_items_that_do_not_add_up_are_refused(draft, coordinator):
    fill(draft, requested=20_000_00, items=[("Personal", 15_000_00), ("Sachkosten", 4_000_00)])
    with pytest.raises(ValidationError) as error:
        services.submit_application(draft, actor=coordinator)
    assert "add up to 19.000,00 €" in error.value.message_dict["cost_items"][0]


def test_a_draft_needs_a_quarter(draft, coordinator):
    fill(draft)
    draft.quarters.clear()
    with pytest.raises(ValidationError) as error:
        services.submit_application(draft, actor=coordinator)
    assert "quarters" in error.value.message_dict


def test_quarters_of_another_gemeinde_are_refused(draft, coordinator, ulm):
    from conftest import make_quarter

    with pytest.raises(ValidationError):
        services.save_draft(draft, actor=coordinator, fields={},
                            quarters=[make_quarter(ulm, name="Weststadt")])
    assert not draft.quarters.exists()


def test_a_landkreis_chooses_a_gemeinde_in_its_kreis_only(call, county_coordinator, ulm,
                                                         tuebingen):
    from quartier.accounts.models import Organisation

    county = Organisation.objects.get(name="Landkreis Tübingen")
    application = services.start_application(call, county, actor=county_coordinator)
    with pytest.raises(ValidationError, match="your area"):
        services.save_draft(application, actor=county_coordinator, fields={"gemeinde": ulm})
    services.save_draft(application, actor=county_coordinator, fields={"gemeinde": tuebingen})
    assert Application.objects.get(pk=application.pk).gemeinde == tuebingen


def test_an_organisation_of_a_type_the_call_excludes_cannot_apply(db, provider_org, member):
    call = make_call(for_civil_society=False)
    with pytest.raises(ValidationError, match="cannot apply"):
        services.start_application(call, provider_org, actor=member)


def test_nobody_applies_to_a_closed_call(db, tuebingen_org_, coordinator):
    call = make_call(opens_at=timezone.now() - timedelta(days=5),
                     closes_at=timezone.now() - timedelta(days=1))
    with pytest.raises(ValidationError, match="not open"):
        services.start_application(call, tuebingen_org_, actor=coordinator)


def test_automatic_checks_flag_a_single_generation_and_a_single_partner(draft, coordinator):
    fill(draft, target_groups=["older", "very_old"], partners="Seniorenrat")
    application = services.submit_application(draft, actor=coordinator)
    checks = {c["check"]: c["ok"] for c in application.checks}
    assert checks == {"applicant_type": True, "generations": False, "partners": False,
                      "quarters_published": True}
