"""Public pages shared between visitors without an account (quartier/pagecache.py)."""

import pytest
from django.db import transaction

from conftest import make_quarter
from quartier import pagecache
from quartier.places.models import Quarter

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(settings):
    settings.PAGE_CACHE_SECONDS = 60
    settings.CACHES = {**settings.CACHES, "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages-test"}}


@pytest.fixture
def kiez(tuebingen):
    return make_quarter(tuebingen, name="Altstadt")


def test_a_second_visitor_gets_the_first_visitors_page_without_queries(
    shared, kiez, client, django_assert_max_num_queries
):
    first = client.get(kiez.get_absolute_url())
    with django_assert_max_num_queries(0):
        second = client.get(kiez.get_absolute_url())

    assert second.status_code == 200 and second.content == first.content


def commit():
    """What a commit does with the callbacks of the test's transaction (which never commits)."""
    connection = transaction.get_connection()
    pending, connection.run_on_commit = connection.run_on_commit, []
    for _savepoints, callback, _robust in pending:
        callback()


def test_a_saved_change_is_seen_by_the_next_visitor(shared, kiez, client):
    client.get(kiez.get_absolute_url())

    Quarter.objects.filter(pk=kiez.pk).update(name="Unterstadt")  # no signal: still shared
    assert "Unterstadt" not in client.get(kiez.get_absolute_url()).content.decode()
    kiez.refresh_from_db()
    kiez.save()
    assert "Unterstadt" not in client.get(kiez.get_absolute_url()).content.decode()
    commit()

    assert "Unterstadt" in client.get(kiez.get_absolute_url()).content.decode()


def test_pages_of_signed_in_people_are_never_shared(shared, kiez, client, staff):
    client.get(kiez.get_absolute_url())
    client.force_login(staff)

    page = client.get(kiez.get_absolute_url()).content.decode()

    assert "Abmelden" in page or "Sign out" in page


def test_a_page_with_a_form_is_not_shared(shared, client, coordinator, tuebingen):
    # The sign-in page carries a CSRF token: every visitor gets their own.
    first = client.get("/accounts/login/")
    client.cookies.clear()
    second = client.get("/accounts/login/")

    assert "csrftoken" in first.cookies and "csrftoken" in second.cookies
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value


def test_each_language_has_its_own_shared_page(shared, kiez, client):
    german = client.get(kiez.get_absolute_url()).content.decode()
    client.cookies["django_language"] = "en"
    english = client.get(kiez.get_absolute_url()).content.decode()

    assert 'lang="de"' in german and 'lang="en"' in english


def test_the_language_switch_sets_the_cookie_and_returns_to_the_page(client):
    response = client.get("/language/", {"language": "en", "next": "/about-the-data/"})

    assert response.status_code == 302 and response["Location"] == "/about-the-data/"
    assert response.cookies["django_language"].value == "en"
    assert 'lang="en"' in client.get("/about-the-data/").content.decode()


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_the_language_switch_never_leads_off_the_platform(client, target):
    response = client.get("/language/", {"language": "en", "next": target})

    assert response["Location"] == "/"


def test_the_language_switch_ignores_unknown_languages(client):
    response = client.get("/language/", {"language": "xx<script>", "next": "/"})

    assert response.status_code == 302 and "django_language" not in response.cookies


def test_a_transaction_that_saves_many_rows_outdates_the_pages_once(shared, tuebingen):
    commit()
    for number in range(50):
        make_quarter(tuebingen, name=f"Viertel {number}")
    pending = transaction.get_connection().run_on_commit

    assert [callback for _ids, callback, _robust in pending] == [pagecache.bump_version]


def test_the_file_backend_shares_pages_and_keeps_its_version_in_a_file(
    settings, tmp_path, kiez, client, django_assert_max_num_queries
):
    settings.PAGE_CACHE_SECONDS = 60
    settings.CACHES = {**settings.CACHES, "pages": {
        "BACKEND": "quartier.pagecache.FileBasedCache", "LOCATION": str(tmp_path)}}
    client.get(kiez.get_absolute_url())
    with django_assert_max_num_queries(0):
        client.get(kiez.get_absolute_url())

    pagecache.bump_version()
    first = (tmp_path / "content-version").read_text()
    pagecache.bump_version()

    assert (tmp_path / "content-version").read_text() != first
    with django_assert_max_num_queries(20) as fresh:
        client.get(kiez.get_absolute_url())
    assert len(fresh) > 0


def test_the_file_backend_counts_its_pages_on_few_writes_and_still_bounds_them(tmp_path):
    cache = pagecache.FileBasedCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 100}})
    listed = []
    count = cache._list_cache_files
    cache._list_cache_files = lambda: listed.append(1) or count()

    for number in range(4 * cache.CULL_EVERY):
        cache.set(f"page-{number}", "<html>")

    assert len(listed) == 4  # once in CULL_EVERY writes, not on each
    assert len(count()) <= 100 + cache.CULL_EVERY


def test_parameters_in_another_order_share_a_page(shared, kiez, client,
                                                  django_assert_max_num_queries):
    client.get("/about-the-data/?b=2&a=1")
    with django_assert_max_num_queries(0):
        client.get("/about-the-data/?a=1&b=2")
