"""Idea images: checked with Pillow, limited in size, re-encoded without metadata."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from quartier.participation.models import Idea
from quartier.participation.tests.test_propose_idea import form_data


def jpeg_with_gps(size=(1200, 900)) -> bytes:
    image = Image.new("RGB", size, (200, 80, 40))
    exif = Image.Exif()
    exif[0x010F] = "Kamerahersteller"          # Make
    exif[0x8825] = {1: "N", 2: (48.0, 31.0, 0.0)}  # GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def post(client, process, upload, **changes):
    data = form_data(process.quarter, **changes)
    data["image"] = upload
    return client.post(f"/participation/{process.pk}/ideas/new/", data)


def test_an_image_is_stored_without_its_metadata_and_served(client, process, resident):
    client.force_login(resident)
    upload = SimpleUploadedFile("foto.jpg", jpeg_with_gps((3000, 2000)), "image/jpeg")
    response = post(client, process, upload, image_alt="Der leere Marktplatz")
    assert response.status_code == 302
    idea = Idea.objects.get()
    assert idea.image.name.endswith(".jpg") and "foto" not in idea.image.name
    stored = Image.open(idea.image.open("rb"))
    assert stored.format == "JPEG" and max(stored.size) == 1600
    assert not stored.getexif()
    response = client.get(f"/participation/ideas/{idea.pk}/image/")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b'alt="Der leere Marktplatz"' in client.get(idea.get_absolute_url()).content


def test_an_image_needs_its_alt_text(client, process, resident):
    client.force_login(resident)
    response = post(client, process, SimpleUploadedFile("a.jpg", jpeg_with_gps(), "image/jpeg"))
    assert response.status_code == 400 and "image_alt" in response.context["form"].errors
    assert not Idea.objects.exists()


@pytest.mark.parametrize("name, content", [
    ("bild.jpg", b"<html><script>alert(1)</script></html>"),
    ("bild.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
    ("bild.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50),
])
def test_files_that_are_not_jpeg_png_or_webp_images_are_refused(client, process, resident, name,
                                                                 content):
    client.force_login(resident)
    response = post(client, process, SimpleUploadedFile(name, content), image_alt="Bild")
    assert response.status_code == 400 and "image" in response.context["form"].errors
    assert not Idea.objects.exists()


def test_a_real_gif_is_refused_too(client, process, resident):
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    client.force_login(resident)
    response = post(client, process, SimpleUploadedFile("a.gif", out.getvalue()), image_alt="x")
    assert response.status_code == 400 and "image" in response.context["form"].errors


def test_an_oversized_upload_is_refused(client, process, resident, settings):
    settings.UPLOAD_MAX_BYTES = 10_000
    client.force_login(resident)
    upload = SimpleUploadedFile("gross.jpg", jpeg_with_gps((2000, 2000)) + b"\0" * 20_000)
    response = post(client, process, upload, image_alt="Groß")
    assert response.status_code == 400
    assert "larger than" in " ".join(response.context["form"].errors["image"])


def test_too_many_pixels_are_refused_before_decoding(client, process, resident):
    out = io.BytesIO()
    Image.new("1", (8000, 8000)).save(out, "PNG")  # 64 megapixels, a tiny file
    client.force_login(resident)
    response = post(client, process, SimpleUploadedFile("bomb.png", out.getvalue()), image_alt="x")
    assert response.status_code == 400 and "image" in response.context["form"].errors


def test_a_transparent_png_stays_a_png(client, process, resident):
    out = io.BytesIO()
    Image.new("RGBA", (40, 40), (0, 0, 0, 0)).save(out, "PNG")
    client.force_login(resident)
    post(client, process, SimpleUploadedFile("logo.png", out.getvalue()), image_alt="Logo")
    assert Idea.objects.get().image.name.endswith(".png")
