"""Quarter budget fixtures beyond the role fixtures of the root conftest."""

import pytest

from conftest import make_user


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def english_messages(request):
    """Unit tests assert the English msgids; browser tests read the German pages."""
    if request.node.get_closest_marker("browser"):
        yield
        return
    from django.conf import settings
    from django.utils import translation

    client = request.getfixturevalue("client")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def ulm_resident(other_coordinator):
    """A resident of another Gemeinde (Ulm)."""
    from quartier.accounts.models import Organisation

    return make_user("ulm-resident@example.org", "resident",
                     Organisation.objects.get(name="Stadt Ulm"))


@pytest.fixture
def town_clerk(tuebingen_org):
    """A member of the Kommune Tübingen (municipal staff): may type paper ballots."""
    return make_user("clerk@example.org", "member", tuebingen_org)


@pytest.fixture
def second_clerk(tuebingen_org):
    return make_user("clerk2@example.org", "member", tuebingen_org)


@pytest.fixture
def hostile_text():
    return '<script>alert("x")</script><img src=x onerror=alert(1)> =HYPERLINK("http://x")'
