"""Shared fixtures: the places of Baden-Württemberg and one user per role.

Role fixtures: anonymous, resident, member, coordinator (Tübingen), other_coordinator
(Ulm), county_coordinator (Landkreis Tübingen), moderator, juror, consultant, staff.
Staff-like roles get a TOTP authenticator, as the platform requires for them.
"""

import pytest

TUEBINGEN = "08416041"
ULM = "08421000"
PASSWORD = "correct-horse-battery-9"


@pytest.fixture(scope="session", autouse=True)
def _pages_not_shared():
    """Tests see every page fresh; quartier/tests/test_pagecache.py turns sharing on."""
    from django.conf import settings

    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture
def default_language(settings):
    """The language a person at the command line gets (settings.LANGUAGE_CODE, German),
    whatever an earlier test's request or an app's conftest left active in this thread."""
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Import the real places once per test database; tests add what they need."""
    from quartier.places.services import default_import_files, import_places

    with django_db_blocker.unblock():
        import_places(default_import_files())


@pytest.fixture
def tuebingen(db):
    from quartier.places.models import Place

    return Place.objects.get(ags=TUEBINGEN)


@pytest.fixture
def ulm(db):
    from quartier.places.models import Place

    return Place.objects.get(ags=ULM)


def make_quarter(gemeinde, name="Südstadt", status="published", **fields):
    """A small square quarter around the Gemeinde's point."""
    import shapely

    from quartier.places import services
    from quartier.places.models import Quarter

    defaults = dict(age_0_5=100, age_6_17=200, age_18_29=300, age_30_49=400, age_50_64=300,
                    age_65_79=200, age_80_plus=100, households=800,
                    disability_share_pct=9, migration_share_pct=30, type="stadtteil")
    defaults.update(fields)
    quarter = Quarter(gemeinde=gemeinde, name=name, status=status, **defaults)
    square = shapely.box(gemeinde.x - 300, gemeinde.y - 300, gemeinde.x + 300, gemeinde.y + 300)
    return services.save_quarter(quarter, boundary=square, actor=None)


@pytest.fixture
def quarter(tuebingen):
    return make_quarter(tuebingen)


@pytest.fixture
def draft_quarter(tuebingen):
    return make_quarter(tuebingen, name="Entwurfsviertel", status="draft")


def make_user(email, role=None, organisation=None, *, second_factor=False):
    from allauth.account.models import EmailAddress

    from quartier.accounts import services
    from quartier.accounts.models import User

    user = User.objects.create_user(username=email, email=email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if role:
        services.add_member(organisation, user, role, actor=None)
    if second_factor:
        from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

        TOTP.activate(user, generate_totp_secret())
    return user


def totp_code(user) -> str:
    """The user's current authenticator code (see code_for_secret)."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import decrypt

    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return code_for_secret(decrypt(authenticator.data["secret"]))


def code_for_secret(secret: str) -> str:
    """The current code of a TOTP secret, valid for at least 5 more seconds: the server
    accepts only the code of its own 30-second period, so a code taken at the end of one
    would be refused by the time a browser sends it."""
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import (
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    left = app_settings.TOTP_PERIOD - time.time() % app_settings.TOTP_PERIOD
    if left < 5:
        time.sleep(left)
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def make_org(name, kind, ags=None):
    from quartier.accounts.models import Organisation
    from quartier.places.models import Place

    place = Place.objects.get(ags=ags) if ags else None
    return Organisation.objects.create(name=name, kind=kind, place=place)


@pytest.fixture
def land_org(db):
    return make_org("Sozialministerium", "land")


@pytest.fixture
def tuebingen_org(db):
    return make_org("Stadt Tübingen", "kommune", TUEBINGEN)


@pytest.fixture
def anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


@pytest.fixture
def resident(tuebingen_org):
    return make_user("resident@example.org", "resident", tuebingen_org)


@pytest.fixture
def member(db):
    return make_user("member@example.org", "member", make_org("Träger e. V.", "provider"))


@pytest.fixture
def coordinator(tuebingen_org):
    return make_user("coordinator@example.org", "municipal_coordinator", tuebingen_org)


@pytest.fixture
def other_coordinator(db):
    ulm_org = make_org("Stadt Ulm", "kommune", ULM)
    return make_user("ulm@example.org", "municipal_coordinator", ulm_org)


@pytest.fixture
def county_coordinator(db):
    org = make_org("Landkreis Tübingen", "landkreis", "08416")
    return make_user("county@example.org", "municipal_coordinator", org)


@pytest.fixture
def moderator(tuebingen_org):
    return make_user("moderator@example.org", "moderator", tuebingen_org, second_factor=True)


@pytest.fixture
def juror(land_org):
    return make_user("juror@example.org", "jury_member", land_org, second_factor=True)


@pytest.fixture
def consultant(db):
    org = make_org("Beratung GmbH", "consulting_firm")
    return make_user("consultant@example.org", "consultant", org, second_factor=True)


@pytest.fixture
def staff(land_org):
    return make_user("staff@example.org", "programme_staff", land_org, second_factor=True)


pytest_plugins = ["quartier.testing.browser"]
