"""/news/new/: staff and coordinators write articles; bad input is a message at the field."""

import pytest

from quartier.accounts.models import AuditEvent
from quartier.news.models import Article, RelatedArticle
from quartier.news.tests.support import (
    MAY_WRITE,
    ROLES,
    form_data,
    make_article,
    png_bytes,
    png_upload,
    tag,
)

pytestmark = pytest.mark.django_db
URL = "/news/new/"


def post(client, user, **changes):
    client.force_login(user)
    return client.post(URL, form_data(**changes))


def errors(response, field):
    return response.context["form"].errors.get(field, [])


def test_staff_publish_a_statewide_article(client, staff):
    beteiligung = tag("beteiligung")
    response = post(client, staff, tags=["beteiligung"], places_text="Tübingen\nLandkreis Ulm"
                    .replace("Landkreis Ulm", "Stadtkreis Ulm"))
    assert response.status_code == 302, response.context["form"].errors
    article = Article.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/news/{article.pk}/"
    assert article.is_published() and article.publisher.ags == "08"
    assert article.author == staff
    assert list(article.tags.all()) == [beteiligung]
    assert sorted(article.places.values_list("ags", flat=True)) == ["08416041", "08421"]
    assert '<strong>Text</strong>' in article.body_html
    assert AuditEvent.objects.filter(action="news.created", target_id=str(article.pk)).exists()


def test_a_coordinator_writes_for_the_own_gemeinde_and_its_quarters(client, coordinator,
                                                                    quarter):
    response = post(client, coordinator, publisher="08416041",
                    places_text="Tübingen\nTübingen / Südstadt", status="draft")
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.publisher.ags == "08416041" and article.status == "draft"
    assert list(article.quarters.all()) == [quarter]
    assert article.published_at is None


def test_the_form_offers_a_coordinator_only_the_own_places(client, coordinator):
    client.force_login(coordinator)
    response = client.get(URL)
    assert response.status_code == 200
    assert [p.ags for p in response.context["form"].fields["publisher"].queryset] == [
        "08416041"]


def test_a_coordinator_cannot_publish_for_another_gemeinde_or_the_land(client, coordinator):
    for publisher in ("08421000", "08"):
        response = post(client, coordinator, publisher=publisher)
        assert response.status_code == 400
        assert errors(response, "publisher")
    assert not Article.objects.exists()


def test_a_coordinator_cannot_name_places_outside_the_own_gemeinde(client, coordinator):
    response = post(client, coordinator, publisher="08416041", places_text="Ulm")
    assert response.status_code == 400
    assert "liegt außerhalb" in errors(response, "places_text")[0] or \
        "lies outside" in errors(response, "places_text")[0]
    assert not Article.objects.exists()


@pytest.mark.parametrize("role", sorted(set(ROLES) - MAY_WRITE - {"anonymous"}))
def test_other_roles_cannot_write_articles(request, client, role):
    user = request.getfixturevalue(role)
    client.force_login(user)
    assert client.get(URL).status_code == 403
    assert client.post(URL, form_data()).status_code == 403
    assert not Article.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.post(URL, form_data())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Article.objects.exists()


@pytest.mark.parametrize("field, value", [
    ("title", ""), ("teaser", ""), ("body", ""), ("title", "x" * 201), ("teaser", "x" * 501),
    ("status", "archived"), ("published_at", "morgen"), ("publisher", "99999999"),
])
def test_missing_or_wrong_values_are_errors_at_the_field(client, staff, field, value):
    response = post(client, staff, **{field: value})
    assert response.status_code == 400
    assert errors(response, field)
    assert not Article.objects.exists()


def test_unknown_tags_are_an_error_at_the_field(client, staff):
    tag("beteiligung")
    response = post(client, staff, tags=["beteiligung", "gibt-es-nicht"])
    assert response.status_code == 400 and errors(response, "tags")
    assert not Article.objects.exists()


@pytest.mark.parametrize("text, message", [
    ("Atlantis", "Atlantis"),
    ("Altdorf", "Altdorf (08115002, Landkreis Böblingen)"),  # ambiguous: keys offered
    ("Tübingen / Gibtsnicht", "Gibtsnicht"),
    ("99999", "99999"),
    ("08999999", "08999999"),
])
def test_places_that_do_not_exist_or_are_ambiguous_are_errors_at_the_field(
    client, staff, text, message
):
    response = post(client, staff, places_text=text)
    assert response.status_code == 400
    assert message in " ".join(errors(response, "places_text"))
    assert not Article.objects.exists()


@pytest.mark.parametrize("body, needle", [
    ("[klick](javascript:alert(1))", "javascript:alert(1)"),
    ("[klick](JAVASCRIPT:alert(1))", "JAVASCRIPT"),
    ("[klick](data:text/html;base64,PHNjcmlwdD4=)", "data:"),
    ("[klick](vbscript:msgbox)", "vbscript"),
    ("![Foto](https://tracker.example/pixel.png)", "tracker.example"),
    ("![Foto](//tracker.example/pixel.png)", "tracker.example"),
    ("![](/media/news/x.png)", "/media/news/x.png"),
    ("![Foto](/accounts/logout/)", "/accounts/logout/"),
    ("![Foto](data:image/png;base64,iVBORw0KGgo=)", "data:image/png"),
])
def test_hostile_markdown_is_an_error_at_the_body(client, staff, body, needle):
    response = post(client, staff, body=body)
    assert response.status_code == 400
    assert needle in " ".join(errors(response, "body"))
    assert not Article.objects.exists()


def test_html_and_script_in_every_text_field_are_shown_as_text(client, staff):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    response = post(client, staff, title=f"Titel {hostile}", teaser=f"Anriss {hostile}",
                    teaser_simple=f"Einfach {hostile}", body=f"Text {hostile}\n\n<div>roh</div>")
    assert response.status_code == 302
    article = Article.objects.get()
    assert "<script" not in article.body_html and "<img" not in article.body_html
    assert "&lt;script&gt;" in article.body_html
    page = client.get(f"/news/{article.pk}/").content.decode()
    assert "<script>alert" not in page and "onerror=alert" not in page.replace(
        "onerror=alert(1)&gt;", "")
    assert page.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") >= 4


def test_an_image_needs_a_description(client, staff):
    client.force_login(staff)
    response = client.post(URL, {**form_data(), "image": png_upload()})
    assert response.status_code == 400 and errors(response, "image_alt")
    assert not Article.objects.exists()


def test_an_image_with_a_description_is_stored_and_served(client, staff):
    client.force_login(staff)
    response = client.post(URL, {**form_data(image_alt="Menschen am Tisch"),
                                 "image": png_upload()})
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.image.name.startswith("news/") and article.image.name.endswith(".jpg")
    client.logout()
    image = client.get(f"/news/{article.pk}/image/")
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert b"".join(image.streaming_content).startswith(b"\xff\xd8")


def test_an_images_metadata_is_not_published(client, staff):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "Kamera mit GPS"  # Make
    Image.new("RGB", (8, 8), (1, 2, 3)).save(buffer, "JPEG", exif=exif)
    assert b"Kamera mit GPS" in buffer.getvalue()
    client.force_login(staff)
    client.post(URL, {**form_data(image_alt="Bild"),
                      "image": SimpleUploadedFile("a.jpg", buffer.getvalue(), "image/jpeg")})
    article = Article.objects.get()
    client.logout()
    stored = b"".join(client.get(f"/news/{article.pk}/image/").streaming_content)
    assert b"Kamera mit GPS" not in stored


@pytest.mark.parametrize("upload, message", [
    (("bild.png", b"not an image at all", "image/png"), "image"),
    (("bild.gif", None, "image/gif"), "JPEG, PNG or WebP"),
    (("script.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
      "image/svg+xml"), "image"),
])
def test_non_images_and_other_formats_are_refused(client, staff, upload, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    name, content, content_type = upload
    if content is None:
        content = png_bytes(fmt="GIF")
    client.force_login(staff)
    response = client.post(URL, {**form_data(image_alt="Bild"),
                                 "image": SimpleUploadedFile(name, content, content_type)})
    assert response.status_code == 400
    assert errors(response, "image")
    assert not Article.objects.exists()


def test_oversized_images_are_refused(client, staff, settings):
    settings.UPLOAD_MAX_BYTES = 100
    client.force_login(staff)
    response = client.post(URL, {**form_data(image_alt="Bild"), "image": png_upload(
        size=(64, 64))})
    assert response.status_code == 400 and errors(response, "image")
    assert not Article.objects.exists()


def test_a_new_article_gets_related_articles_and_enters_their_lists(client, staff):
    tag("beratung")
    older = make_article(title="Beratung für Kommunen", tags=[tag("beratung")])
    post(client, staff, title="Neue Beratung", tags=["beratung"])
    new = Article.objects.exclude(pk=older.pk).get()
    assert list(RelatedArticle.objects.filter(article=new).values_list("related_id", flat=True)
                ) == [older.pk]
    assert list(RelatedArticle.objects.filter(article=older).values_list("related_id",
                                                                        flat=True)) == [new.pk]
