"""Official answers and statuses of ideas; following; notifications and their settings."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from quartier.participation import services
from quartier.participation.models import Idea, Notification


def test_the_coordinator_answers_and_followers_are_told_by_list_and_mail(
    idea, coordinator, member, resident, mailoutbox, django_capture_on_commit_callbacks
):
    services.follow(member, process=idea.process)
    services.follow(resident, idea=idea)
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_idea(idea, actor=coordinator, status="accepted",
                             answer="Wir setzen das im Herbst um.")
    idea.refresh_from_db()
    assert idea.status == "accepted" and idea.answered_by == coordinator
    assert Notification.objects.filter(user=member).count() == 1
    assert Notification.objects.filter(user=resident).count() == 1
    assert sorted(m.to[0] for m in mailoutbox) == [member.email, resident.email]


def test_not_feasible_needs_a_reason(idea, coordinator):
    with pytest.raises(ValidationError) as caught:
        services.answer_idea(idea, actor=coordinator, status="not_feasible")
    assert "status_reason" in caught.value.message_dict
    services.answer_idea(idea, actor=coordinator, status="not_feasible",
                         status_reason="Das Grundstück gehört dem Land.")
    assert Idea.objects.get(pk=idea.pk).status == "not_feasible"


def test_only_coordinators_of_the_gemeinde_answer(idea, other_coordinator, moderator, resident):
    for actor in (other_coordinator, moderator, resident):
        with pytest.raises(PermissionDenied):
            services.answer_idea(idea, actor=actor, status="accepted")


def test_the_answer_page_refuses_a_missing_reason(client, idea, coordinator):
    client.force_login(coordinator)
    url = f"/participation/ideas/{idea.pk}/answer/"
    response = client.post(url, {"status": "not_feasible", "answer": "Leider nein"})
    assert response.status_code == 400 and "status_reason" in response.context["form"].errors
    assert Idea.objects.get(pk=idea.pk).status == "submitted"
    response = client.post(url, {"status": "implemented", "answer": "Erledigt!",
                                 "status_reason": ""})
    assert response.status_code == 302
    assert "Erledigt!" in client.get(idea.get_absolute_url()).content.decode()


def test_people_switch_off_list_or_mail(idea, coordinator, member, mailoutbox,
                                        django_capture_on_commit_callbacks):
    services.follow(member, idea=idea)
    services.save_settings(member, public_name="Mia", in_platform=False, by_email=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_idea(idea, actor=coordinator, status="under_review")
    assert not Notification.objects.exists() and not mailoutbox
    services.save_settings(member, public_name="Mia", in_platform=True, by_email=False)
    services.answer_idea(idea, actor=coordinator, status="accepted")
    assert Notification.objects.filter(user=member).count() == 1


def test_the_notification_page_lists_marks_read_and_saves_settings(client, member, idea,
                                                                   coordinator):
    services.follow(member, idea=idea)
    services.answer_idea(idea, actor=coordinator, status="accepted")
    client.force_login(member)
    page = client.get("/participation/notifications/").content.decode()
    assert "is now: Accepted" in page
    client.post("/participation/notifications/", {"action": "read"})
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    response = client.post("/participation/notifications/",
                           {"public_name": "x" * 61, "in_platform": "on"})
    assert response.status_code == 400
    client.post("/participation/notifications/", {"public_name": "Mia K.", "by_email": "on"})
    settings = services.settings_of(member)
    assert settings.public_name == "Mia K." and not settings.in_platform and settings.by_email
    assert services.display_name(type(member).objects.get(pk=member.pk)) == "Mia K."


def test_following_and_unfollowing_on_the_pages(client, idea, member):
    client.force_login(member)
    client.post(f"/participation/ideas/{idea.pk}/follow/", {"follow": "1"})
    client.post(f"/participation/ideas/{idea.pk}/follow/", {"follow": "1"})
    assert services.follows(member, idea=idea)
    client.post(f"/participation/{idea.process_id}/follow/", {"follow": "1"})
    assert services.follows(member, process=idea.process)
    client.post(f"/participation/ideas/{idea.pk}/follow/", {"follow": "0"})
    assert not services.follows(member, idea=idea)


def test_the_public_name_never_shows_the_email(client, idea, resident):
    page = client.get(idea.get_absolute_url()).content.decode()
    assert resident.email not in page and f"Participant {resident.pk}" in page


def test_an_answer_does_not_undo_support_given_meanwhile(idea, coordinator, member):
    stale = Idea.objects.select_related("process__quarter__gemeinde").get(pk=idea.pk)
    services.support_idea(idea, user=member)
    services.answer_idea(stale, actor=coordinator, status="accepted", answer="Ja")
    assert Idea.objects.get(pk=idea.pk).support_count == 1


def test_a_new_public_name_reaches_the_pages_cached_for_visitors(client, process, member):
    from quartier.participation.tests.support import make_idea

    idea = make_idea(process, member, title="Bänke")
    services.add_comment(idea, "Hallo", author=member)
    services.save_settings(member, public_name="Alter Name", in_platform=True, by_email=True)
    urls = (idea.get_absolute_url(), f"/participation/{process.pk}/ideas/")
    for url in urls:
        assert "Alter Name" in client.get(url).content.decode()
    services.save_settings(member, public_name="Neuer Name", in_platform=True, by_email=True)
    for url in urls:
        page = client.get(url).content.decode()
        assert "Neuer Name" in page and "Alter Name" not in page
