import pytest


def _with_django(request) -> bool:
    # The engine tests also run without pytest-django (-p no:django).
    return request.config.pluginmanager.hasplugin("django")


@pytest.fixture(autouse=True)
def fast_password_hashing(request):
    if _with_django(request):
        request.getfixturevalue("settings").PASSWORD_HASHERS = [
            "django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def media_in_tmp(request, tmp_path):
    if _with_django(request):
        request.getfixturevalue("settings").MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def english_messages(request):
    """Unit tests assert the English msgids; browser tests see the German pages."""
    if request.node.get_closest_marker("browser") or not _with_django(request):
        yield
        return
    from django.conf import settings
    from django.utils import translation

    client = request.getfixturevalue("client")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def tuebingen_org_(coordinator):
    from quartier.accounts.models import Organisation

    return Organisation.objects.get(name="Stadt Tübingen")


@pytest.fixture
def ulm_org(other_coordinator):
    from quartier.accounts.models import Organisation

    return Organisation.objects.get(name="Stadt Ulm")


@pytest.fixture
def provider_org(member):
    from quartier.accounts.models import Organisation

    return Organisation.objects.get(name="Träger e. V.")
