"""Public pages for visitors without an account, served from a cache shared by the workers.

A visitor without cookies beyond the language and CSRF ones sees the same page as every other
such visitor, so the first one's response can serve the others. A response is stored only when
it is a plain 200 to GET that sets no cookie (a page with a form sets the CSRF cookie, so forms
are never shared) and does not forbid caching. Keys hold the language, the full path and the
content version; any model saved or deleted (after its transaction commits) bumps the version,
so the next visitor sees the change, as does `quartier.signals.bulk_changed`. For bulk updates
that send no signal, `PAGE_CACHE_SECONDS` bounds how old a shared page can be
(docs/operations.md).
"""

import hashlib
import itertools
import os
import uuid
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends import filebased
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.cache import cc_delim_re

from quartier.signals import bulk_changed

ALIAS = "pages"
VERSION_KEY = "content-version"
# Cookies a shared page may be served to: none of them changes what the page shows
# (the language is part of the key).
NEUTRAL_COOKIES = {settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME}
# Saving these changes no page: sessions and the background tasks' bookkeeping.
IGNORED_MODELS = {"sessions.session", "django_tasks_database.dbtaskresult"}


class FileBasedCache(filebased.FileBasedCache):
    """Django's file cache, but it counts its entries (to cull beyond MAX_ENTRIES) on one
    write in CULL_EVERY instead of on each: counting lists the whole directory, which took
    3 ms per stored page at 900 entries and grows with them. The cache may run over
    MAX_ENTRIES by the pages stored between two counts."""

    CULL_EVERY = 50
    _writes = itertools.count()

    def _cull(self):
        if next(self._writes) % self.CULL_EVERY == 0:
            super()._cull()


def _seconds() -> int:
    return getattr(settings, "PAGE_CACHE_SECONDS", 0)


def _stamp_file(cache) -> Path | None:
    """With the default file backend the version is a small file beside the pages: reading
    and replacing it costs microseconds, and every worker on the machine sees it."""
    if isinstance(cache, filebased.FileBasedCache):
        return Path(settings.CACHES[ALIAS]["LOCATION"]) / "content-version"
    return None


def _version(cache) -> str:
    if (stamp := _stamp_file(cache)) is not None:
        try:
            return stamp.read_text() or "new"
        except FileNotFoundError:
            return "new"
    version = cache.get(VERSION_KEY)
    if version is None:
        version = 1
        cache.add(VERSION_KEY, version, timeout=None)
    return str(version)


def bump_version() -> None:
    """Every shared page is outdated: the next visitor gets a fresh one."""
    cache = caches[ALIAS]
    if (stamp := _stamp_file(cache)) is not None:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        draft = stamp.with_name(f"{stamp.name}.{os.getpid()}.{uuid.uuid4().hex}")
        draft.write_text(uuid.uuid4().hex)
        os.replace(draft, stamp)
        return
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.add(VERSION_KEY, 2, timeout=None)


def _changed(sender, **kwargs):
    if not _seconds() or sender._meta.label_lower in IGNORED_MODELS:
        return
    connection = transaction.get_connection()
    # One bump per transaction, however many rows it saves (demo data saves thousands).
    if connection.in_atomic_block and any(
        func is bump_version for _ids, func, _robust in connection.run_on_commit
    ):
        return
    transaction.on_commit(bump_version)


def connect_signals() -> None:
    for signal in (post_save, post_delete, m2m_changed, bulk_changed):
        signal.connect(_changed, dispatch_uid=f"pagecache-{signal}")


def _shareable_request(request) -> bool:
    return (request.method in ("GET", "HEAD")
            and not request.headers.get("HX-Request")
            and set(request.COOKIES) <= NEUTRAL_COOKIES)


def _storable(response) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    control = {part.strip().lower() for part in
               cc_delim_re.split(response.get("Cache-Control", "")) if part.strip()}
    return not control & {"private", "no-cache", "no-store", "max-age=0"}


def _key(request, version: str) -> str:
    # Feeds and the sitemap name the host and scheme they were asked under.
    # Parameters in another order ask for the same page (values of one name keep their order).
    query = sorted(request.GET.lists())
    address = f"{request.scheme}://{request.get_host()}{request.path}?{query}"
    path = hashlib.sha256(address.encode()).hexdigest()
    return f"page:{version}:{getattr(request, 'LANGUAGE_CODE', '')}:{path}"


def shared_pages(get_response):
    """Middleware after LocaleMiddleware: serve and store shared public pages."""

    def middleware(request):
        seconds = _seconds()
        if not seconds or not _shareable_request(request):
            return get_response(request)
        cache = caches[ALIAS]
        key = _key(request, _version(cache))
        response = cache.get(key)
        if response is not None:
            return response
        response = get_response(request)
        if request.method == "GET" and _storable(response):
            cache.set(key, response, seconds)
        return response

    return middleware
