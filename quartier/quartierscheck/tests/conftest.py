import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def computed(quarter, tuebingen):
    """The hand-computable world, computed once: the quarter has figures."""
    from quartier.quartierscheck import services
    from quartier.quartierscheck.tests.support import full_world

    full_world(tuebingen)
    services.recompute()
    return quarter
