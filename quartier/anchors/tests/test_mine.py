"""The page /anchors/mine/: the entries a provider or coordinator keeps."""

import pytest

from quartier.accounts.models import Organisation
from quartier.anchors.tests.support import make_anchor, provider

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_a_provider_sees_its_entries_in_every_status(client, member, tuebingen, ulm):
    organisation = Organisation.objects.get(name="Träger e. V.")
    make_anchor(tuebingen, organisation=organisation, name="Eigenes", status="pending")
    make_anchor(ulm, organisation=organisation, name="Eigenes in Ulm", postcode="89073")
    make_anchor(tuebingen, organisation=provider("Fremder Träger e. V."), name="Fremdes")
    client.force_login(member)

    response = client.get("/anchors/mine/")

    assert [a.name for a in response.context["anchors"]] == ["Eigenes", "Eigenes in Ulm"]


def test_a_coordinator_sees_the_entries_in_the_own_gemeinde(client, coordinator, tuebingen, ulm):
    make_anchor(tuebingen, name="In Tübingen")
    make_anchor(ulm, name="In Ulm", postcode="89073")
    client.force_login(coordinator)

    assert [a.name for a in client.get("/anchors/mine/").context["anchors"]] == ["In Tübingen"]


def test_a_resident_has_no_entries_page(client, resident):
    client.force_login(resident)
    assert client.get("/anchors/mine/").status_code == 403
