"""Helpers for the news tests."""

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from quartier.news import services
from quartier.news.models import Article, Tag
from quartier.places.models import Place

ROLES = [
    "anonymous", "resident", "member", "coordinator", "other_coordinator",
    "county_coordinator", "moderator", "juror", "consultant", "staff",
]
# Who keeps (may change, publish, delete) an article published for Tübingen / Ulm / the Land.
KEEP_TUEBINGEN = {"staff", "coordinator", "county_coordinator"}
KEEP_ULM = {"staff", "other_coordinator"}
KEEP_LAND = {"staff"}
MAY_WRITE = {"staff", "coordinator", "county_coordinator", "other_coordinator"}


def tag(slug="beteiligung", name=None):
    found, _created = Tag.objects.get_or_create(slug=slug, defaults={"name": name or
                                                                    slug.capitalize()})
    return found


def make_article(publisher="08", *, title="Bürgerwerkstatt im Quartier", status="published",
                 published_at=None, tags=(), places=(), quarters=(), body=None, **fields):
    """An article saved through the service (related articles included)."""
    if isinstance(publisher, str):
        publisher = Place.objects.get(ags=publisher)
    if status == "published" and published_at is None:
        published_at = timezone.now() - dt.timedelta(hours=1)
    article = Article(
        publisher=publisher, title=title, status=status, published_at=published_at,
        teaser=fields.pop("teaser", "Ideen für das Quartier gesammelt."),
        body=body if body is not None else "Bewohner sammeln **Ideen** für ihr Quartier.",
        **fields,
    )
    places = [Place.objects.get(ags=p) if isinstance(p, str) else p for p in places]
    return services.save_article(article, tags=list(tags), places=places,
                                 quarters=list(quarters), actor=None)


def png_bytes(size=(4, 3), fmt="PNG") -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


def png_upload(name="bild.png", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(**kwargs), content_type="image/png")


def form_data(publisher="08", **changes) -> dict:
    data = {
        "publisher": publisher,
        "title": "Neues aus dem Quartier",
        "teaser": "Ein kurzer Anriss.",
        "teaser_simple": "",
        "body": "Ein **Text** mit [Link](https://example.org).",
        "image_alt": "",
        "places_text": "",
        "status": "published",
        "published_at": "",
        "accepts_comments": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}
