"""Article bodies: Markdown rendered to HTML and sanitised with nh3 (an allow-list).

Two layers, neither hand-rolled:
1. Python-Markdown without its raw-HTML handling, so HTML typed into the text is shown as
   text; headings are shifted so the highest is h2 (the page's title is the only h1).
2. nh3 (ammonia) keeps only the tags and attributes below, links only with http, https,
   mailto or a relative address, and images only from this site's image addresses
   (`is_image_path`: article images, media and static files), so the Content-Security-Policy
   (images only from self) never has to block anything, and an image cannot make every
   reader's browser request another page of the platform (a GET in the reader's name).

`problems()` reports what the author should fix (for a message at the field); `render()`
makes whatever it is given safe, also input that never passed a form.
"""

import html
import re
import threading
from html.parser import HTMLParser
from urllib.parse import urlsplit

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

TAGS = frozenset({
    "p", "br", "h2", "h3", "h4", "h5", "h6", "strong", "em", "a", "ul", "ol", "li",
    "blockquote", "code", "pre", "hr", "img",
})
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
MAX_LENGTH = 50_000
_LOCAL_PATH = re.compile(r"^/(?![/\\])[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$")


def is_local_path(url: str) -> bool:
    """A path on this site ("/media/x.png"), never "//host" or "/\\host" (other hosts)."""
    return bool(_LOCAL_PATH.match(url))


# Where this site serves images: article images (/news/<id>/image/), media and static files.
_IMAGE_PATH = re.compile(r"^/(news/\d+/image/|media/|static/)")


def is_image_path(url: str) -> bool:
    """An image address of this site; never a page (it would be requested by every reader)."""
    # Browsers resolve dot segments, also encoded ones: /media/%2e%2e/accounts/ is a page.
    return (is_local_path(url) and bool(_IMAGE_PATH.match(url)) and ".." not in url
            and "%2e" not in url.lower())


def is_allowed_link(url: str) -> bool:
    url = url.strip()
    if url.startswith("#") or is_local_path(url):
        return True
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme in ("http", "https"):
        return bool(parts.netloc)
    return parts.scheme == "mailto"


class _ShiftHeadings(Treeprocessor):
    """The text's highest heading becomes h2 (the page's title is the h1), the rest follow."""

    def run(self, root):
        headings = [e for e in root.iter() if e.tag in ("h1", "h2", "h3", "h4", "h5", "h6")]
        if not headings:
            return
        shift = 2 - min(int(e.tag[1]) for e in headings)
        for element in headings:
            element.tag = f"h{min(6, int(element.tag[1]) + shift)}"


class _ArticleExtension(Extension):
    def extendMarkdown(self, md):  # noqa: N802 - Markdown's API
        # Raw HTML is escaped and shown as text instead of passed through.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_ShiftHeadings(md), "shift_headings", 5)


_local = threading.local()


def _markdown_html(text: str) -> str:
    converter = getattr(_local, "converter", None)
    if converter is None:
        converter = _local.converter = markdown.Markdown(
            extensions=["sane_lists", _ArticleExtension()], output_format="html"
        )
    converter.reset()
    return converter.convert(text[:MAX_LENGTH])


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        return value if is_image_path(value) else None
    if tag == "a" and attribute == "href":
        return value if is_allowed_link(value) else None
    return value


_cleaner = nh3.Cleaner(
    tags=set(TAGS),
    attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
    attribute_filter=_filter_attribute,
    url_schemes=set(URL_SCHEMES),
    link_rel="noopener noreferrer",
)


def render(text: str) -> str:
    """Markdown → sanitised HTML, safe to show as is."""
    return _cleaner.clean(_markdown_html(text))


def sanitise(fragment: str) -> str:
    """Sanitise an HTML fragment with the same allow-list (for HTML from elsewhere)."""
    return _cleaner.clean(fragment)


def plain_text(fragment: str) -> str:
    """The text of an HTML fragment, without tags, entities decoded, spaces collapsed."""
    text = html.unescape(nh3.clean(fragment, tags=set()))
    return " ".join(text.split())


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.images: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "a":
            self.links.append(values.get("href") or "")
        elif tag == "img":
            self.images.append((values.get("src") or "", values.get("alt") or ""))


def problems(text: str) -> list[tuple[str, str]]:
    """What an author must fix: (code, detail) for links and images the page will not keep.

    Codes: "link" (a link with another scheme, e.g. javascript:), "remote_image" (an image
    from another site), "image_path" (an address of this site that is not an image),
    "image_alt" (an image without a description), "too_long".
    """
    found: list[tuple[str, str]] = []
    if len(text) > MAX_LENGTH:
        found.append(("too_long", str(MAX_LENGTH)))
    collector = _Collector()
    collector.feed(_markdown_html(text))
    for href in collector.links:
        if not is_allowed_link(href):
            found.append(("link", href))
    for src, alt in collector.images:
        if not is_local_path(src):
            found.append(("remote_image", src))
        elif not is_image_path(src):
            found.append(("image_path", src))
        elif not alt.strip():
            found.append(("image_alt", src))
    return found
