"""The demo: plausible consulting through the services, marked as demo data, once."""

import pytest
from django.core.management import call_command

from conftest import make_quarter
from quartier.accounts.demo import create_demo_accounts
from quartier.budget.models import BudgetLine
from quartier.budget.services import reconcile
from quartier.consulting.models import Case, ConsultantProfile, ConsultingRequest, Format, Session
from quartier.places.models import Place

pytestmark = pytest.mark.django_db


@pytest.fixture
def some_quarters(db):
    for ags in ("08416041", "08421000", "08111000", "08212000", "08311000"):
        make_quarter(Place.objects.get(ags=ags), name="Mitte")


def test_the_demo_builds_a_year_of_consulting_once(some_quarters, capsys):
    create_demo_accounts()
    call_command("consulting", "demo")
    requests, cases = ConsultingRequest.objects.count(), Case.objects.count()
    assert requests > 220 and cases > 150 and Session.objects.count() > 250
    assert ConsultantProfile.objects.filter(is_demo=True).count() == 41
    assert not ConsultingRequest.objects.filter(is_demo=False).exists()
    assert not Case.objects.filter(is_demo=False).exists()
    assert Format.objects.filter(is_demo=True).count() == 7
    demo = ConsultantProfile.objects.get(user__email="consultant@demo.quartier.invalid")
    assert demo.cases.filter(state="active").exists()
    assert ConsultingRequest.objects.filter(state="accepted").exists()
    assert ConsultingRequest.objects.filter(state="submitted").exists()
    assert all(reconcile(line) for line in BudgetLine.objects.all())
    call_command("consulting", "demo")
    assert "nothing to do" in capsys.readouterr().out
    assert ConsultingRequest.objects.count() == requests
