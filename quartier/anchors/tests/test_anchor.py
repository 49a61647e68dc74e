"""The public page of an anchor /anchors/<id>/: stable URL, schema.org, inert text."""

import json
import re

import pytest

from quartier.accounts.models import Organisation
from quartier.anchors.tests.support import make_anchor, offer

pytestmark = pytest.mark.django_db
SCRIPT = "<script>alert('x')</script>"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def json_ld(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


def test_everyone_sees_a_published_anchor_with_offers_hours_and_accessibility(client, tuebingen):
    anchor = make_anchor(tuebingen, step_free_entrance=True, hearing_loop=True,
                         opening_hours="Mo-Fr 09:00-17:00; Sa 10:00-13:00",
                         offers=[offer(title="Sprachcafé", category="language_cafe")])

    response = client.get(f"/anchors/{anchor.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Sprachcafé" in html
    assert "Stufenloser Eingang: <strong>ja</strong>" in html
    assert "Aufzug zu allen Etagen: <strong>nein</strong>" in html
    assert "Samstag" in html and "10:00–13:00" in html


def test_the_page_carries_schema_org_markup(client, tuebingen):
    anchor = make_anchor(tuebingen, phone="07071 1234", step_free_entrance=True,
                         opening_hours="Mo 09:00-12:00", offers=[offer(title="Sprachcafé")])

    data = json_ld(client.get(f"/anchors/{anchor.pk}/").content.decode())

    place, organisation = data["@graph"]
    assert data["@context"] == "https://schema.org"
    assert place["@type"] == "CivicStructure"
    assert place["name"] == anchor.name
    assert place["telephone"] == "07071 1234"
    assert place["address"]["postalCode"] == anchor.postcode
    assert 48 < place["geo"]["latitude"] < 49 and 8.9 < place["geo"]["longitude"] < 9.2
    assert place["openingHoursSpecification"] == [{
        "@type": "OpeningHoursSpecification", "dayOfWeek": "https://schema.org/Monday",
        "opens": "09:00", "closes": "12:00"}]
    assert {"@type": "LocationFeatureSpecification", "name": "Stufenloser Eingang",
            "value": True} in place["amenityFeature"]
    assert organisation["makesOffer"][0]["itemOffered"]["name"] == "Sprachcafé"


def test_html_and_script_in_text_fields_are_shown_as_text(client, tuebingen):
    anchor = make_anchor(
        tuebingen, name=f"Haus {SCRIPT}", description=f"<img src=x onerror=alert(1)> {SCRIPT}",
        offers=[offer(title=SCRIPT, when="</script><script>alert(2)</script>")],
    )

    html = client.get(f"/anchors/{anchor.pk}/").content.decode()

    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    # In the JSON-LD block "<" is escaped, so no text can close the script element.
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "<" not in block
    assert json_ld(html)["@graph"][0]["name"] == f"Haus {SCRIPT}"


def test_the_page_holds_no_executable_inline_script(client, tuebingen):
    anchor = make_anchor(tuebingen)
    html = client.get(f"/anchors/{anchor.pk}/").content.decode()
    for chunk in html.split("<script")[1:]:
        tag = chunk.split(">", 1)[0]
        assert "src=" in tag or 'type="application/json"' in tag \
            or 'type="application/ld+json"' in tag, tag


def test_unpublished_entries_are_hidden_from_the_public(client, tuebingen):
    anchor = make_anchor(tuebingen, status="pending")
    assert client.get(f"/anchors/{anchor.pk}/").status_code == 404
    assert client.get("/anchors/999999/").status_code == 404


def test_the_provider_sees_its_pending_entry_without_schema_markup(client, member, tuebingen):
    organisation = Organisation.objects.get(name="Träger e. V.")
    anchor = make_anchor(tuebingen, organisation=organisation, status="pending")
    client.force_login(member)

    response = client.get(f"/anchors/{anchor.pk}/")

    assert response.status_code == 200
    assert "application/ld+json" not in response.content.decode()
    assert response.context["can_change"]


def test_demo_anchors_are_marked_as_demo_data(client, tuebingen):
    anchor = make_anchor(tuebingen, is_demo=True)
    assert "Demodaten" in client.get(f"/anchors/{anchor.pk}/").content.decode()
