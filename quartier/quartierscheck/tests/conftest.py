import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def english_messages():
    """Services and commands speak English in these tests (the msgids); pages are asked
    for in English by `english`, and browser tests read German."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def computed(quarter, tuebingen):
    """The hand-computable world, computed once: the quarter has figures."""
    from quartier.quartierscheck import services
    from quartier.quartierscheck.tests.support import full_world

    full_world(tuebingen)
    services.recompute()
    return quarter


@pytest.fixture
def english(client):
    """Pages in English, so tests read the msgids (browser tests read German)."""
    client.cookies["django_language"] = "en"
    return client


def signed_in(client, user):
    if user.is_authenticated:
        client.force_login(user)
    return client
