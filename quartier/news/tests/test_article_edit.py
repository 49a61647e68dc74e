"""/news/<id>/edit/ and /delete/: only those who keep an article change or delete it."""

import pytest

from quartier.accounts.models import AuditEvent
from quartier.news.models import Article, RelatedArticle
from quartier.news.tests.support import (
    KEEP_TUEBINGEN,
    ROLES,
    form_data,
    make_article,
    png_upload,
    tag,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(db):
    return make_article("08416041", title="Altes Haus", places=["08416041"])


def test_the_form_starts_from_the_stored_article(client, coordinator, article):
    client.force_login(coordinator)
    response = client.get(f"/news/{article.pk}/edit/")
    form = response.context["form"]
    assert response.status_code == 200
    assert form.initial["title"] == "Altes Haus"
    assert form.initial["publisher"] == "08416041"
    assert form.initial["places_text"] == "Tübingen"


def test_a_coordinator_changes_an_article_of_the_own_gemeinde(client, coordinator, article):
    client.force_login(coordinator)
    response = client.post(f"/news/{article.pk}/edit/",
                           form_data("08416041", title="Neues Haus", places_text="Tübingen"))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Neues Haus"
    assert AuditEvent.objects.filter(action="news.changed", target_id=str(article.pk)).exists()


def test_staff_keep_a_gemeindes_article_under_its_gemeinde(client, staff, article):
    client.force_login(staff)
    response = client.post(f"/news/{article.pk}/edit/", form_data("08416041", title="Neu"))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.publisher.ags == "08416041" and article.title == "Neu"


def test_taking_an_article_back_to_draft_hides_it_and_is_recorded(client, coordinator, article):
    client.force_login(coordinator)
    client.post(f"/news/{article.pk}/edit/", form_data("08416041", status="draft"))
    article.refresh_from_db()
    assert article.status == "draft"
    assert AuditEvent.objects.filter(action="news.unpublished").exists()
    client.logout()
    assert client.get(f"/news/{article.pk}/").status_code == 404


@pytest.mark.parametrize("role", sorted(set(ROLES) - KEEP_TUEBINGEN - {"anonymous"}))
def test_roles_that_do_not_keep_the_article_cannot_edit_or_delete_it(request, client, role,
                                                                      article):
    user = request.getfixturevalue(role)
    client.force_login(user)
    assert client.get(f"/news/{article.pk}/edit/").status_code == 403
    data = form_data("08416041", title="Gekapert")
    assert client.post(f"/news/{article.pk}/edit/", data).status_code == 403
    assert client.get(f"/news/{article.pk}/delete/").status_code == 403
    assert client.post(f"/news/{article.pk}/delete/").status_code == 403
    article.refresh_from_db()
    assert article.title == "Altes Haus"


@pytest.mark.parametrize("role", sorted(set(ROLES) - KEEP_TUEBINGEN - {"anonymous"}))
def test_a_draft_is_not_found_for_those_who_do_not_keep_it(request, client, role):
    draft = make_article("08416041", status="draft")
    client.force_login(request.getfixturevalue(role))
    for path in ("", "edit/", "delete/", "image/"):
        assert client.get(f"/news/{draft.pk}/{path}").status_code == 404
    assert client.post(f"/news/{draft.pk}/delete/").status_code == 404
    assert Article.objects.filter(pk=draft.pk).exists()


def test_anonymous_visitors_cannot_edit_or_delete(client, article):
    for path in ("edit/", "delete/"):
        response = client.post(f"/news/{article.pk}/{path}", form_data("08416041"))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    article.refresh_from_db()
    assert article.title == "Altes Haus"


def test_bad_input_changes_nothing(client, coordinator, article):
    client.force_login(coordinator)
    response = client.post(f"/news/{article.pk}/edit/", form_data(
        "08416041", title="", body="[x](javascript:alert(1))", places_text="Ulm"))
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) >= {"title", "body", "places_text"}
    # The page still names the stored article.
    assert "Altes Haus" in response.content.decode()
    article.refresh_from_db()
    assert article.title == "Altes Haus" and list(article.places.values_list("ags", flat=True)
                                                  ) == ["08416041"]


def test_the_image_can_be_replaced_and_removed(
    client, coordinator, article, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    capture = django_capture_on_commit_callbacks
    client.force_login(coordinator)
    data = form_data("08416041", image_alt="Ein Bild")
    with capture(execute=True):
        client.post(f"/news/{article.pk}/edit/", {**data, "image": png_upload()})
    article.refresh_from_db()
    first = article.image.name
    assert default_storage.exists(first)
    with capture(execute=True):
        client.post(f"/news/{article.pk}/edit/", {**data, "image": png_upload(size=(5, 5))})
    article.refresh_from_db()
    assert article.image.name != first and not default_storage.exists(first)
    with capture(execute=True):
        client.post(f"/news/{article.pk}/edit/", {**data, "remove_image": "on"})
    article.refresh_from_db()
    assert not article.image and article.image_alt == ""


def test_deleting_removes_the_article_from_other_lists_and_recomputes_them(client, staff):
    beratung = tag("beratung")
    first = make_article(title="Eins", tags=[beratung])
    second = make_article(title="Zwei", tags=[beratung])
    third = make_article(title="Drei", tags=[beratung])
    assert set(RelatedArticle.objects.filter(article=first).values_list("related_id",
                                                                        flat=True)) == {
        second.pk, third.pk}
    client.force_login(staff)
    response = client.post(f"/news/{second.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == "/news/"
    assert not Article.objects.filter(pk=second.pk).exists()
    assert list(RelatedArticle.objects.filter(article=first).values_list("related_id",
                                                                         flat=True)) == [third.pk]
    assert AuditEvent.objects.filter(action="news.deleted", target_id=str(second.pk)).exists()
