"""Support an idea once per account, changeable until the phase ends."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from quartier.participation import services
from quartier.participation.models import Idea, Support
from quartier.participation.tests.support import close_phases


def test_support_counts_once_and_can_be_withdrawn(idea, member):
    assert services.support_idea(idea, user=member) is True
    assert services.support_idea(idea, user=member) is False
    assert Idea.objects.get(pk=idea.pk).support_count == 1
    assert services.withdraw_support(idea, user=member) is True
    assert services.withdraw_support(idea, user=member) is False
    assert Idea.objects.get(pk=idea.pk).support_count == 0


def test_the_database_refuses_a_second_support_of_the_same_account(idea, member):
    Support.objects.create(idea=idea, user=member)
    with pytest.raises(IntegrityError), transaction.atomic():
        Support.objects.create(idea=idea, user=member)


def test_support_is_frozen_when_the_phase_ends(idea, member):
    services.support_idea(idea, user=member)
    close_phases(idea.process)
    idea = Idea.objects.select_related("process").get(pk=idea.pk)
    with pytest.raises(ValidationError):
        services.withdraw_support(idea, user=member)
    with pytest.raises(ValidationError):
        services.support_idea(idea, user=member)
    assert Idea.objects.get(pk=idea.pk).support_count == 1


def test_blocked_and_anonymous_accounts_do_not_support(idea, member, staff, anonymous):
    services.block(member, "Spam", moderator=staff)
    for user in (member, anonymous):
        with pytest.raises(PermissionDenied):
            services.support_idea(idea, user=user)
    assert not Support.objects.exists()


def test_a_hidden_idea_is_not_supported(idea, member, moderator):
    services.hide(idea, "Doppelt", moderator=moderator)
    with pytest.raises(ValidationError):
        services.support_idea(Idea.objects.get(pk=idea.pk), user=member)


def test_the_support_button_works_without_javascript(client, idea, member):
    client.force_login(member)
    response = client.post(f"/participation/ideas/{idea.pk}/support/", {"support": "1"})
    assert response.status_code == 302 and response["Location"] == idea.get_absolute_url()
    assert b"Withdraw my support" in client.get(idea.get_absolute_url()).content
    client.post(f"/participation/ideas/{idea.pk}/support/", {"support": "0"})
    assert Idea.objects.get(pk=idea.pk).support_count == 0
    response = client.post(f"/participation/ideas/{idea.pk}/support/",
                           {"support": "1", "next": "https://evil.example/"})
    assert response["Location"] == idea.get_absolute_url()
