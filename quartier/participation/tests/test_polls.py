"""Polls: single and multiple choice, free text, anonymous results, one vote per account."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from quartier.participation import services
from quartier.participation.models import Poll, PollFreeText, PollOption, PollParticipation
from quartier.participation.tests.support import close_phases, make_poll, make_process


@pytest.fixture
def poll_process(quarter):
    return make_process(quarter, phases=("poll",))


def test_a_vote_counts_once_and_the_results_do_not_name_anyone(poll_process, member, resident):
    poll = make_poll(poll_process)
    yes, no, _unsure = poll.options.all()
    services.vote(poll, user=member, option_ids=[yes.pk])
    services.vote(poll, user=resident, option_ids=[str(no.pk)])
    with pytest.raises(ValidationError):
        services.vote(poll, user=member, option_ids=[no.pk])
    poll.refresh_from_db()
    assert poll.participant_count == 2
    assert [(o.text, p) for o, p in services.poll_results(poll)] == [
        ("Ja", 50), ("Nein", 50), ("Weiß nicht", 0)]
    # What was chosen is stored as counts only, apart from who took part.
    assert {f.name for f in PollOption._meta.get_fields()} >= {"vote_count"}
    assert "user" not in {f.name for f in PollFreeText._meta.get_fields()}
    assert "option" not in {f.name for f in PollParticipation._meta.get_fields()}


@pytest.mark.parametrize("option_ids", [[], [999999], ["abc"], None])
def test_answers_outside_the_options_are_refused(poll_process, member, option_ids):
    poll = make_poll(poll_process)
    with pytest.raises(ValidationError) as caught:
        services.vote(poll, user=member, option_ids=option_ids or [])
    assert "options" in caught.value.message_dict
    assert not PollParticipation.objects.exists()


def test_an_option_of_another_poll_is_refused(poll_process, member):
    poll = make_poll(poll_process)
    other = make_poll(poll_process, question="Anderes?")
    with pytest.raises(ValidationError):
        services.vote(poll, user=member, option_ids=[other.options.first().pk])


def test_single_choice_takes_one_and_multiple_choice_at_most_the_limit(poll_process, member,
                                                                       resident):
    single = make_poll(poll_process)
    with pytest.raises(ValidationError):
        services.vote(single, user=member, option_ids=[o.pk for o in single.options.all()])
    multiple = make_poll(poll_process, kind="multiple", max_choices=2, question="Welche?",
                         options=("A", "B", "C"))
    ids = [o.pk for o in multiple.options.all()]
    with pytest.raises(ValidationError):
        services.vote(multiple, user=member, option_ids=ids)
    services.vote(multiple, user=member, option_ids=ids[:2])
    assert [o.vote_count for o in multiple.options.all()] == [1, 1, 0]


def test_free_text_only_where_asked_and_stored_without_author(poll_process, member, resident):
    poll = make_poll(poll_process, allow_free_text=True, free_text_label="Was noch?")
    services.vote(poll, user=member, option_ids=[poll.options.first().pk],
                  free_text="<b>Mehr Schatten</b>")
    assert PollFreeText.objects.get().text == "<b>Mehr Schatten</b>"
    plain = make_poll(poll_process, question="Ohne Text?")
    with pytest.raises(ValidationError) as caught:
        services.vote(plain, user=resident, option_ids=[plain.options.first().pk],
                      free_text="Hallo")
    assert "free_text" in caught.value.message_dict


def test_no_votes_outside_the_poll_phase_or_from_blocked_accounts(poll_process, member,
                                                                   resident, staff):
    poll = make_poll(poll_process)
    services.block(resident, "Spam", moderator=staff)
    with pytest.raises(PermissionDenied):
        services.vote(poll, user=resident, option_ids=[poll.options.first().pk])
    close_phases(poll_process)
    poll = Poll.objects.select_related("phase", "process").get(pk=poll.pk)
    with pytest.raises(ValidationError):
        services.vote(poll, user=member, option_ids=[poll.options.first().pk])
    assert not PollParticipation.objects.exists()


def test_voting_on_the_page_shows_the_results_afterwards(client, poll_process, member):
    poll = make_poll(poll_process, allow_free_text=True)
    client.force_login(member)
    page = client.get(poll.get_absolute_url())
    assert b'name="options"' in page.content and b"<h2>Results</h2>" not in page.content
    response = client.post(poll.get_absolute_url(), {"options": "999999"})
    assert response.status_code == 400 and "options" in response.context["form"].errors
    response = client.post(poll.get_absolute_url(), {"options": poll.options.first().pk,
                                                     "free_text": "Mehr Bänke"})
    assert response.status_code == 302
    page = client.get(poll.get_absolute_url()).content.decode()
    assert "You have voted" in page and "<h2>Results</h2>" in page and "Mehr Bänke" in page


def test_results_are_public_without_an_account_once_the_poll_is_closed(client, poll_process,
                                                                     member):
    poll = make_poll(poll_process)
    services.vote(poll, user=member, option_ids=[poll.options.first().pk])
    assert b"<h2>Results</h2>" not in client.get(poll.get_absolute_url()).content
    close_phases(poll_process)
    page = client.get(poll.get_absolute_url()).content.decode()
    assert "<h2>Results</h2>" in page and "100 %" in page
    assert client.post(poll.get_absolute_url(), {"options": "1"}).status_code == 403


def test_coordinators_create_polls_with_checked_options(client, poll_process, coordinator):
    client.force_login(coordinator)
    url = f"/participation/{poll_process.pk}/polls/new/"
    phase = poll_process.phases.get()
    bad = {"phase": phase.pk, "question": "Was?", "kind": "single", "options": "Nur eine"}
    response = client.post(url, bad)
    assert response.status_code == 400 and "options" in response.context["form"].errors
    response = client.post(url, {**bad, "options": "A\nA"})
    assert response.status_code == 400
    response = client.post(url, {**bad, "options": "Brunnen\nBaum\n\n"})
    assert response.status_code == 302
    poll = Poll.objects.get()
    assert [o.text for o in poll.options.all()] == ["Brunnen", "Baum"]
