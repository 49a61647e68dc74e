"""The image of an anchor /anchors/<id>/image/: served like the page it belongs to."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from quartier.anchors.tests.support import make_anchor

pytestmark = pytest.mark.django_db
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35"
       b"\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def with_image(anchor):
    anchor.image.name = default_storage.save("anchors/haus.png", ContentFile(PNG))
    anchor.image_alt = "Das Haus"
    anchor.save()
    return anchor


def test_the_image_of_a_published_anchor_is_public(client, tuebingen):
    anchor = with_image(make_anchor(tuebingen))
    response = client.get(f"/anchors/{anchor.pk}/image/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG
    page = client.get(f"/anchors/{anchor.pk}/").content.decode()
    assert f'src="/anchors/{anchor.pk}/image/" alt="Das Haus"' in page


def test_the_image_of_an_unpublished_anchor_is_hidden(client, tuebingen):
    anchor = with_image(make_anchor(tuebingen, status="pending"))
    assert client.get(f"/anchors/{anchor.pk}/image/").status_code == 404


def test_an_anchor_without_image_has_none(client, tuebingen):
    anchor = make_anchor(tuebingen)
    assert client.get(f"/anchors/{anchor.pk}/image/").status_code == 404
