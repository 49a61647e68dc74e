"""The registration page /anchors/new/: who may register, what is checked, what is saved."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from conftest import ULM
from quartier.accounts.models import Organisation
from quartier.anchors.models import Anchor, AnchorVersion
from quartier.anchors.tests.support import form_data, offer, provider
from quartier.places.models import Place

pytestmark = pytest.mark.django_db
URL = "/anchors/new/"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def members_org(member):
    return Organisation.objects.get(name="Träger e. V.")


def png(size=(40, 30), noise=False) -> bytes:
    image = Image.new("RGB", size, "white")
    if noise:
        image = Image.effect_noise(size, 100).convert("RGB")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def post(client, user, data):
    client.force_login(user)
    return client.post(URL, data)


def test_a_provider_registers_a_place_with_offers_for_review(
    client, member, members_org, tuebingen
):
    data = form_data(tuebingen, organisation=members_org, offers=[
        offer(title="Sprachcafé", category="language_cafe", target_groups=["adults", "youth"],
              is_free="on"),
    ])
    response = post(client, member, data)

    anchor = Anchor.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/anchors/{anchor.pk}/"
    assert anchor.status == Anchor.Status.PENDING
    assert (anchor.provider, anchor.gemeinde) == (members_org, tuebingen)
    assert anchor.city == "Tübingen"
    assert anchor.languages == ["de", "tr"]
    assert (anchor.step_free_entrance, anchor.accessible_toilet, anchor.lift) == (True, True, False)
    [saved_offer] = anchor.offers.all()
    assert (saved_offer.title, saved_offer.target_groups) == ("Sprachcafé", ["youth", "adults"])
    assert anchor.versions.get().action == AnchorVersion.Action.SUBMITTED


def test_the_form_offers_a_provider_only_its_own_organisation(client, member, members_org):
    provider("Fremder Träger e. V.")
    client.force_login(member)
    response = client.get(URL)
    assert response.status_code == 200
    assert list(response.context["form"].fields["provider"].queryset) == [members_org]


def test_a_provider_cannot_register_for_another_organisation(client, member, tuebingen):
    other = provider("Fremder Träger e. V.")
    response = post(client, member, form_data(tuebingen, organisation=other))
    assert response.status_code == 400
    assert "provider" in response.context["form"].errors
    assert not Anchor.objects.exists()


def test_a_coordinator_registers_in_the_own_gemeinde_only(client, coordinator, tuebingen):
    organisation = provider()
    response = post(client, coordinator, form_data(tuebingen, organisation=organisation))
    assert response.status_code == 302

    ulm = Place.objects.get(ags=ULM)
    response = client.post(URL, form_data(ulm, organisation=organisation, postcode="89073"))
    assert response.status_code == 400
    assert "gemeinde" in response.context["form"].errors
    assert Anchor.objects.count() == 1


@pytest.mark.parametrize("role", ["resident", "moderator", "juror", "consultant"])
def test_roles_without_an_organisation_to_register_for_are_refused(
    request, client, role, tuebingen
):
    user = request.getfixturevalue(role)
    client.force_login(user)
    assert client.get(URL).status_code == 403
    assert client.post(URL, form_data(tuebingen, organisation=provider())).status_code == 403
    assert not Anchor.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, tuebingen):
    response = client.post(URL, form_data(tuebingen, organisation=provider()))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Anchor.objects.exists()


def errors_for(client, member, members_org, tuebingen, **changes):
    response = post(client, member, form_data(tuebingen, organisation=members_org, **changes))
    assert response.status_code == 400
    assert not Anchor.objects.exists()
    return response.context["form"].errors


def test_a_point_outside_baden_wuerttemberg_is_refused(client, member, members_org, tuebingen):
    errors = errors_for(client, member, members_org, tuebingen, lat="52.5163", lon="13.3777")
    assert errors["lat"] == ["Der Punkt liegt außerhalb von Baden-Württemberg."]


def test_a_point_far_from_the_gemeinde_is_refused(client, member, members_org, tuebingen):
    # Freiburg lies in Baden-Württemberg, but far outside the Landkreis Tübingen.
    errors = errors_for(client, member, members_org, tuebingen, lat="47.9990", lon="7.8421")
    assert "außerhalb des Kreises" in errors["lat"][0]


def test_a_postcode_outside_baden_wuerttemberg_is_refused(client, member, members_org, tuebingen):
    errors = errors_for(client, member, members_org, tuebingen, postcode="10117")
    assert errors["postcode"] == ["Diese Postleitzahl liegt nicht in Baden-Württemberg."]


@pytest.mark.parametrize("hours, message", [
    ("Mo bis Fr 9 Uhr", "kann nicht gelesen werden"),
    ("Mo-Fr 25:00-26:00", "25:00 ist keine Uhrzeit"),
    ("Mo 17:00-09:00", "endet, bevor"),
    ("Mo-Fr 09:00-17:00; Mi 16:00-18:00", "überschneiden sich"),
])
def test_bad_opening_hours_are_refused_with_a_clear_message(
    client, member, members_org, tuebingen, hours, message
):
    errors = errors_for(client, member, members_org, tuebingen, opening_hours=hours)
    assert message in errors["opening_hours"][0]


def test_a_file_that_is_no_image_is_refused(client, member, members_org, tuebingen):
    fake = SimpleUploadedFile("bild.png", b"<script>alert(1)</script>", content_type="image/png")
    errors = errors_for(client, member, members_org, tuebingen, image=fake, image_alt="Haus")
    assert "image" in errors


def test_an_image_in_another_format_is_refused(client, member, members_org, tuebingen):
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "BMP")
    bmp = SimpleUploadedFile("bild.bmp", out.getvalue(), content_type="image/bmp")
    errors = errors_for(client, member, members_org, tuebingen, image=bmp, image_alt="Haus")
    assert errors["image"] == ["Das Bild muss eine JPEG-, PNG- oder WebP-Datei sein."]


def test_an_image_is_stored_under_the_extension_of_its_real_format(
    client, member, members_org, tuebingen
):
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "JPEG")
    disguised = SimpleUploadedFile("bild.png", out.getvalue(), content_type="image/png")
    response = post(client, member, form_data(tuebingen, organisation=members_org,
                                               image=disguised, image_alt="Haus"))
    assert response.status_code == 302
    anchor = Anchor.objects.get()
    assert anchor.image.name.endswith(".jpg")
    assert client.get(f"/anchors/{anchor.pk}/image/")["Content-Type"] == "image/jpeg"


def test_an_image_named_like_a_web_page_is_refused(client, member, members_org, tuebingen):
    page = SimpleUploadedFile("seite.html", png(), content_type="text/html")
    errors = errors_for(client, member, members_org, tuebingen, image=page, image_alt="Haus")
    assert "image" in errors


def test_an_oversized_image_is_refused(client, member, members_org, tuebingen, settings):
    settings.UPLOAD_MAX_BYTES = 2000
    big = SimpleUploadedFile("gross.png", png((200, 200), noise=True), content_type="image/png")
    errors = errors_for(client, member, members_org, tuebingen, image=big, image_alt="Haus")
    assert "größer als" in errors["image"][0]


def test_an_image_needs_a_description(client, member, members_org, tuebingen):
    image = SimpleUploadedFile("haus.png", png(), content_type="image/png")
    errors = errors_for(client, member, members_org, tuebingen, image=image, image_alt="")
    assert "image_alt" in errors


def test_an_image_with_a_description_is_saved(client, member, members_org, tuebingen):
    image = SimpleUploadedFile("haus.png", png(), content_type="image/png")
    response = post(client, member, form_data(tuebingen, organisation=members_org, image=image,
                                               image_alt="Das Haus von der Straße aus"))
    assert response.status_code == 302
    anchor = Anchor.objects.get()
    assert anchor.image.name.startswith("anchors/") and anchor.image.name.endswith(".png")
    assert anchor.image_alt == "Das Haus von der Straße aus"


@pytest.mark.parametrize("field, value", [
    ("website", "javascript:alert(1)"),
    ("email", "keine-adresse"),
    ("phone", "<b>0707</b>"),
    ("name", ""),
    ("lat", "abc"),
])
def test_bad_contact_and_required_fields_are_refused(
    client, member, members_org, tuebingen, field, value
):
    assert field in errors_for(client, member, members_org, tuebingen, **{field: value})


def test_an_offer_needs_a_title_and_a_target_group(client, member, members_org, tuebingen):
    data = form_data(tuebingen, organisation=members_org,
                     offers=[{"category": "care", "title": "", "when": "montags"}])
    response = post(client, member, data)
    assert response.status_code == 400
    offer_errors = response.context["formset"].errors[0]
    assert {"title", "target_groups"} <= set(offer_errors)
    assert not Anchor.objects.exists()
