import pytest


@pytest.fixture(autouse=True)
def participation_test_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # E-mails of notifications go out at once, into the test outbox.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "participation-tests"}}
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def english_client(client, settings):
    """View tests read the English msgids; browser tests run in German."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def process(quarter):
    from quartier.participation.tests.support import make_process

    return make_process(quarter, phases=("ideas",))


@pytest.fixture
def idea(process, resident):
    from quartier.participation.tests.support import make_idea

    return make_idea(process, resident)
