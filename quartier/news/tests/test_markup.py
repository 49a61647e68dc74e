"""Markdown → sanitised HTML: raw HTML inert, links and images only where allowed."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quartier.news import markup


@pytest.mark.parametrize("text", [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src=//evil.example></iframe>",
    "<style>body{display:none}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<svg onload=alert(1)>",
    "<!-- <script>alert(1)</script> -->",
])
def test_raw_html_is_shown_as_text(text):
    html = markup.render(text)
    for dangerous in ("<script", "<img", "<a ", "<iframe", "<style", "<div", "<svg", "<!--"):
        assert dangerous not in html
    assert "&lt;" in html


@pytest.mark.parametrize("link", [
    "javascript:alert(1)", "JavaScript:alert(1)", "java\tscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD4=", "vbscript:msgbox(1)", "//evil.example/x",
    "/\\evil.example/x", "file:///etc/passwd",
])
def test_links_with_other_schemes_lose_their_address(link):
    html = markup.render(f"[klick]({link})")
    assert "href" not in html and "klick" in html
    assert [code for code, _detail in markup.problems(f"[klick]({link})")] == ["link"]


@pytest.mark.parametrize("link", ["https://example.org/a?b=c", "http://example.org",
                                  "mailto:info@example.org", "/news/", "#abschnitt"])
def test_ordinary_links_are_kept(link):
    html = markup.render(f"[klick]({link})")
    assert f'href="{link.replace("&", "&amp;")}"' in html
    assert markup.problems(f"[klick]({link})") == []


def test_images_from_other_hosts_never_load():
    for src in ("https://tracker.example/p.png", "//tracker.example/p.png",
                "http://tracker.example/p.png", "/\\tracker.example/p.png"):
        html = markup.render(f"![Foto]({src})")
        assert "tracker.example" not in html
        assert ("remote_image", src) in markup.problems(f"![Foto]({src})")


@pytest.mark.parametrize("src", [
    "data:image/png;base64,iVBORw0KGgo=", "data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+",
    "javascript:alert(1)", "/&#47;evil.example/a.png", "&#x2F;/evil.example/a.png",
])
def test_images_with_data_or_script_addresses_lose_them(src):
    html = markup.render(f"![Foto]({src})")
    assert "src=" not in html and "data:" not in html and "javascript" not in html
    assert [code for code, _detail in markup.problems(f"![Foto]({src})")] == ["remote_image"]


@pytest.mark.parametrize("text", [
    '![x](/a.png" onerror="alert(1))',
    '![x](/a.png "t\\" onerror=\\"alert(1)")',
    "![x](/a.png 'a' onerror='alert(1)')",
    '[x](https://example.org "t\\" onmouseover=\\"alert(1)")',
    '![x" onerror="alert(1)](/a.png)',
    "![x](/a.png)<img src=x onerror=alert(1)>",
    "[<img src=x onerror=alert(1)>](https://example.org)",
])
def test_quotes_in_markdown_images_and_links_never_make_an_event_handler(text):
    from html.parser import HTMLParser

    found = []

    class Tags(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, dict(attrs)))

    Tags().feed(markup.render(text))
    for tag, attrs in found:
        assert tag in markup.TAGS
        assert set(attrs) <= markup.ATTRIBUTES.get(tag, set()) | {"rel"}, (tag, attrs)


@pytest.mark.parametrize("text", [
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript&#58;alert(1))",
    "[x](jav&#x09;ascript:alert(1))",
    "[x](  javascript:alert(1))",
    "[x][r]\n\n[r]: javascript:alert(1)",
    "[x](data:text/html,<script>alert(1)</script>)",
])
def test_encoded_and_reference_style_script_links_lose_their_address(text):
    html = markup.render(text)
    assert "href" not in html
    assert [code for code, _detail in markup.problems(text)] == ["link"]


def test_autolinks_with_other_schemes_stay_text():
    assert markup.render("<javascript:alert(1)>") == "<p>&lt;javascript:alert(1)&gt;</p>"
    assert 'href="https://example.org"' in markup.render("<https://example.org>")


def test_images_of_this_site_need_a_description():
    assert 'src="/media/news/a.jpg"' in markup.render("![Foto](/media/news/a.jpg)")
    assert markup.problems("![Foto](/media/news/a.jpg)") == []
    assert markup.problems("![](/media/news/a.jpg)") == [("image_alt", "/media/news/a.jpg")]


@pytest.mark.parametrize("src", [
    "/accounts/logout/", "/news/1/edit/", "/i18n/setlang/", "/media/../accounts/logout/",
    "/media/%2e%2e/accounts/logout/", "/static/%2E%2E/admin/",
])
def test_pages_of_this_site_are_not_images(src):
    # Every reader's browser would request them in the reader's name.
    html = markup.render(f"![Foto]({src})")
    assert "src=" not in html
    assert [code for code, _detail in markup.problems(f"![Foto]({src})")] == ["image_path"]


@pytest.mark.parametrize("src", ["/news/12/image/", "/media/news/a.jpg", "/static/img/a.png"])
def test_images_of_this_site_are_kept(src):
    assert f'src="{src}"' in markup.render(f"![Foto]({src})")
    assert markup.problems(f"![Foto]({src})") == []


def test_the_highest_heading_becomes_h2():
    assert markup.render("# Eins\n\n## Zwei") == "<h2>Eins</h2>\n<h3>Zwei</h3>"
    assert markup.render("### Drei") == "<h2>Drei</h2>"


def test_plain_text_drops_tags_and_decodes_entities():
    assert markup.plain_text(markup.render("# Titel & mehr\n\n**fett** <b>")) == (
        "Titel & mehr fett <b>")


def test_overlong_text_is_a_problem():
    assert ("too_long", str(markup.MAX_LENGTH)) in markup.problems("x" * (markup.MAX_LENGTH + 1))


# No deadline: the machine is shared, a slow example is not a wrong one.
@settings(deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>\"'=/ :ajvscriptonerlodhf()[]!#*\n-")),
               max_size=200))
def test_no_text_makes_an_event_handler_or_script(text):
    from html.parser import HTMLParser

    found = []

    class Tags(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Tags().feed(markup.render(text))
    for tag, attrs in found:
        assert tag in markup.TAGS
        for name, value in attrs:
            assert not name.startswith("on")
            assert not (value or "").replace(" ", "").lower().startswith(("javascript", "//"))
