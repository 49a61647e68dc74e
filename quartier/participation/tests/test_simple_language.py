"""Texts in simple language (Einfache Sprache), where the author wrote one; a toggle."""

from quartier.participation.tests.support import make_idea


def test_the_toggle_shows_the_simple_text_and_keeps_the_standard_one_at_hand(client, process,
                                                                             resident):
    idea = make_idea(process, resident, text="Komplizierter Fachtext über Stadtmobiliar.",
                     text_simple="Wir wollen Bänke.")
    page = client.get(idea.get_absolute_url()).content.decode()
    assert "Komplizierter Fachtext" in page and "Wir wollen Bänke." not in page
    response = client.post("/participation/simple-language/",
                           {"simple": "1", "next": idea.get_absolute_url()})
    assert response["Location"] == idea.get_absolute_url()
    page = client.get(idea.get_absolute_url()).content.decode()
    assert "Wir wollen Bänke." in page and "Show the text in standard language" in page
    client.post("/participation/simple-language/", {"simple": "0"})
    assert "Wir wollen Bänke." not in client.get(idea.get_absolute_url()).content.decode()


def test_without_a_simple_text_the_standard_text_is_shown(client, process, resident):
    idea = make_idea(process, resident, text="Nur der Standardtext.")
    client.post("/participation/simple-language/", {"simple": "1"})
    assert "Nur der Standardtext." in client.get(idea.get_absolute_url()).content.decode()


def test_the_toggle_never_redirects_elsewhere(client, db):
    response = client.post("/participation/simple-language/",
                           {"simple": "1", "next": "https://evil.example/"})
    assert response["Location"] == "/participation/"


def test_the_idea_list_shows_the_simple_text_where_there_is_one(client, process, resident):
    make_idea(process, resident, title="Bänke", text="Komplizierter Fachtext.",
              text_simple="Wir wollen Bänke.")
    make_idea(process, resident, title="Bäume", text="Nur ein Standardtext.")
    url = f"/participation/{process.pk}/ideas/"
    page = client.get(url).content.decode()  # cached for visitors without an account
    assert "Komplizierter Fachtext." in page and "Wir wollen Bänke." not in page
    client.post("/participation/simple-language/", {"simple": "1", "next": url})
    page = client.get(url).content.decode()
    assert "Wir wollen Bänke." in page and "Komplizierter Fachtext." not in page
    assert "Nur ein Standardtext." in page and "Simple language" in page
    client.post("/participation/simple-language/", {"simple": "0"})
    assert "Wir wollen Bänke." not in client.get(url).content.decode()


def test_the_toggle_is_a_get_form_so_public_pages_carry_no_csrf_token(client, process):
    page = client.get(process.get_absolute_url())
    assert 'class="simple-toggle" method="get"' in page.content.decode()
    assert "csrftoken" not in page.cookies

    response = client.get("/participation/simple-language/",
                          {"simple": "1", "next": process.get_absolute_url()})

    assert response.status_code == 302 and response["Location"] == process.get_absolute_url()
    assert client.session["participation_simple_language"] is True
