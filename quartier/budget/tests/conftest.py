import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def line(db):
    from quartier.budget.tests.support import make_line

    return make_line(amount_cents=100_000_00)


@pytest.fixture
def commitment(line, staff, tuebingen):
    from quartier.budget import services

    return services.commit_funds(line, 40_000_00, measure="Quartiersforum Südstadt",
                                 place=tuebingen, actor=staff, fiscal_year=2018)


@pytest.fixture
def booked(line, staff, tuebingen):
    """Money for a named person in Tübingen and a statewide measure: sums public, names not."""
    from quartier.budget import services

    commitment = services.commit_funds(line, 30_000_00, measure="Preis für Frau Müller",
                                       note="Bescheid an Frau Müller", place=tuebingen,
                                       actor=staff)
    services.disburse(commitment, 10_000_00, actor=staff)
    services.commit_funds(line, 5_000_00, measure="Landesweiter Zuschuss Xylophon", actor=staff)
    return line
