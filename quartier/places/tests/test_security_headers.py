import pytest

pytestmark = pytest.mark.django_db


def test_pages_forbid_inline_script_and_framing(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert script_src.split() == ["script-src", "'self'"]
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_pages_hold_no_inline_script(client, quarter):
    for url in ("/", "/places/08416041/", f"/quarters/{quarter.pk}/", "/about-the-data/"):
        html = client.get(url).content.decode()
        for chunk in html.split("<script")[1:]:
            tag = chunk.split(">", 1)[0]
            assert "src=" in tag or 'type="application/json"' in tag, (url, tag)


def test_forms_are_protected_against_cross_site_requests(tuebingen, coordinator):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    response = client.post(f"/places/{tuebingen.ags}/quarters/new/", {"name": "X"})
    assert response.status_code == 403


def test_pages_are_german_until_a_person_chooses_english(client):
    page = client.get("/about-the-data/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="de">' in page.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/about-the-data/"})
    page = client.get("/about-the-data/", HTTP_ACCEPT_LANGUAGE="de")
    assert '<html lang="en">' in page.content.decode()
