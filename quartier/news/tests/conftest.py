import pytest


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def fresh_cache():
    # Test databases start over; cached lists of an earlier test must not meet them.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
