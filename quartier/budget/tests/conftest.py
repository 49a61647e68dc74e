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
