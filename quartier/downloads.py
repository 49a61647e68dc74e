"""Reports as files, one mechanism for every module: PDF (WeasyPrint) and CSV responses.

PDFs are tagged PDF/UA (accessible). WeasyPrint only reads the project's own static files:
no request leaves the machine, and user content cannot make the server fetch a URL.
"""

import csv
import io
import mimetypes
from collections.abc import Iterable
from urllib.parse import urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string


def _local_static(url: str):
    """The bytes of a static file named by `url`; anything else is refused."""
    from weasyprint.urls import URLFetcherResponse

    if url.startswith("data:"):
        from weasyprint.urls import URLFetcher

        return URLFetcher(allowed_protocols={"data"}).fetch(url)
    path = urlparse(url).path
    prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    if not url.startswith("http://quartier.invalid/") or not path.startswith(prefix) \
            or ".." in path.split("/"):
        raise ValueError(f"PDF reports read only the platform's static files, not {url}")
    found = finders.find(path[len(prefix):])
    if not found:
        raise ValueError(f"no static file {path}")
    with open(found, "rb") as handle:
        body = handle.read()
    return URLFetcherResponse(url, body, {"Content-Type": mimetypes.guess_type(found)[0] or
                                          "application/octet-stream"})


def _fetcher():
    from weasyprint.urls import URLFetcher

    class StaticOnly(URLFetcher):
        def fetch(self, url, headers=None):
            return _local_static(url)

    return StaticOnly()


def render_pdf(template: str, context: dict, request=None) -> bytes:
    """The template rendered as an accessible PDF (bytes)."""
    from weasyprint import HTML

    html = render_to_string(template, context, request=request)
    return HTML(string=html, base_url="http://quartier.invalid/", url_fetcher=_fetcher()
                ).write_pdf(pdf_variant="pdf/ua-1")


def pdf_response(template: str, context: dict, request, filename: str) -> HttpResponse:
    response = HttpResponse(render_pdf(template, context, request),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_text(header: list[str], rows: Iterable[Iterable]) -> str:
    """CSV with a header row; cells that a spreadsheet would run as a formula are quoted
    with a leading apostrophe (CSV injection)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_inert(cell) for cell in row])
    return out.getvalue()


def _inert(cell):
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return "" if cell is None else cell


def csv_response(header: list[str], rows: Iterable[Iterable], filename: str) -> HttpResponse:
    response = HttpResponse(csv_text(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
