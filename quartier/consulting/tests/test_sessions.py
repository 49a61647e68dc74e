"""Sessions: logged within the period and the booked days, paid out from the commitment;
completion, feedback and closing release what was not used."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from quartier.budget import services as budget
from quartier.consulting import services
from quartier.consulting.models import Absence, Case, Document, Session
from quartier.consulting.tests.support import big_pdf, make_case, not_pdf, pdf

pytestmark = pytest.mark.django_db
DAY = date(2031, 4, 8)


@pytest.fixture
def case(coordinator, staff, quarter, profile, line):
    return make_case(coordinator, staff, profile, line=line, quarter=quarter)


def log(case, actor, **fields):
    defaults = dict(date=DAY, half_days=2, mode="on_site", participants=12,
                    topics=[case.request.topic], protocol="Bestandsaufnahme.")
    defaults.update(fields)
    return services.log_session(case, actor=actor, **defaults)


def refused(field, case, actor, **fields):
    with pytest.raises(ValidationError) as error:
        log(case, actor, **fields)
    assert field in error.value.message_dict, error.value.message_dict
    assert not Session.objects.exists()
    return error.value.message_dict[field][0]


def test_a_session_pays_out_its_days(case, profile):
    session = log(case, profile.user, document=pdf())
    assert session.cost_cents == 100_000 and session.disbursement.amount_cents == 100_000
    assert budget.booked_for(services.SOURCE, case.pk).disbursed_cents == 100_000
    document = Document.objects.get()
    assert document.name == "protokoll.pdf" and document.file.name.endswith(".pdf")


def test_half_a_day_costs_half_the_rate(case, profile):
    assert log(case, profile.user, half_days=1).cost_cents == 50_000


def test_a_session_outside_the_period_is_refused(case, profile):
    assert "period" in refused("date", case, profile.user, date=date(2031, 8, 1))


def test_a_session_on_a_day_the_consultant_is_away_is_refused(case, profile):
    Absence.objects.create(profile=profile, start=DAY, end=DAY)
    assert "away" in refused("date", case, profile.user)


def test_more_than_the_booked_days_is_refused(case, profile):
    log(case, profile.user, half_days=3)
    with pytest.raises(ValidationError) as error:
        log(case, profile.user, half_days=2)
    assert "half_days" in error.value.message_dict
    assert Session.objects.count() == 1
    assert budget.booked_for(services.SOURCE, case.pk).disbursed_cents == 150_000


def test_a_document_that_is_no_pdf_is_refused(case, profile):
    assert "PDF" in refused("document", case, profile.user, document=not_pdf())
    assert "PDF" in refused("document", case, profile.user, document=pdf("notes.exe"))
    assert not Document.objects.exists()


def test_an_oversized_document_is_refused(case, profile):
    assert "MB" in refused("document", case, profile.user, document=big_pdf())


def test_a_protocol_with_html_is_refused(case, profile):
    refused("protocol", case, profile.user, protocol="<script>alert(1)</script>")


def test_the_life_cycle_ends_with_feedback_and_closing_releases_the_rest(case, profile, staff,
                                                                         coordinator, line):
    log(case, profile.user, half_days=2)
    with pytest.raises(ValidationError):
        services.give_feedback(case, satisfaction=5, goals_reached="yes", would_recommend=True,
                               actor=coordinator)
    case = services.complete_case(case, "Arbeitsplan steht.", actor=profile.user)
    assert case.state == Case.State.COMPLETED
    with pytest.raises(ValidationError):
        log(case, profile.user)
    services.give_feedback(case, satisfaction=4, goals_reached="partly", would_recommend=True,
                           comment="Hilfreich.", actor=coordinator)
    with pytest.raises(ValidationError):
        services.give_feedback(case, satisfaction=4, goals_reached="yes", would_recommend=True,
                               actor=coordinator)
    case = services.close_case(case, actor=staff)
    line.refresh_from_db()
    booked = budget.booked_for(services.SOURCE, case.pk)
    assert case.state == Case.State.CLOSED
    assert booked.committed_cents == booked.disbursed_cents == 100_000
    assert line.committed_cents == 100_000 and budget.reconcile(line)


def test_a_case_is_completed_only_after_a_session(case, profile):
    with pytest.raises(ValidationError) as error:
        services.complete_case(case, "Fertig.", actor=profile.user)
    assert "outcome" in error.value.message_dict


def test_cancelling_releases_everything_not_paid_out(case, profile, staff, line):
    log(case, profile.user, half_days=1)
    with pytest.raises(ValidationError):
        services.cancel_case(case, "", actor=staff)
    services.cancel_case(case, "Der Träger hat abgesagt.", actor=staff)
    line.refresh_from_db()
    assert line.committed_cents == 50_000 == line.disbursed_cents


def test_the_calendar_feed_lists_sessions_without_protocols(case, profile):
    log(case, profile.user, protocol="Vertraulich: Konflikt im Gemeinderat.")
    feed = services.calendar_feed(profile).decode()
    assert "BEGIN:VEVENT" in feed and "20310408" in feed
    assert "Vertraulich" not in feed
