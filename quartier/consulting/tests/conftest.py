import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def topics(db):
    from quartier.consulting.tests.support import seed_topics

    return seed_topics()


@pytest.fixture
def line(db):
    from quartier.consulting.tests.support import make_line

    return make_line()


@pytest.fixture
def profile(consultant):
    from quartier.consulting.tests.support import make_profile

    return make_profile(consultant, name="Bea Berater")


@pytest.fixture(autouse=True)
def english_messages():
    """Service tests read the English msgids, whichever language an earlier test left
    active in this thread (pages set it per request; browser tests read German)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def today_is_in_2031(monkeypatch):
    """The services' today is the tests' fixed day, so the 2031 periods lie ahead."""
    from quartier.consulting import services
    from quartier.consulting.tests.support import TODAY

    monkeypatch.setattr(services, "_today", lambda today=None: today or TODAY)
