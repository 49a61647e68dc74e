"""Demo organisations and one account per role, for trying the platform locally."""

from allauth.account.models import EmailAddress
from django.db import transaction

from quartier.accounts import services
from quartier.accounts.models import Organisation, Role, User
from quartier.places.models import Place

# Documented in the README; demo accounts exist only where `quartier demo-accounts` ran.
DEMO_PASSWORD = "quartier-demo-2018"

DEMO_ORGANISATIONS = [
    ("Ministerium für Soziales, Gesundheit und Integration", Organisation.Kind.LAND, None),
    ("Universitätsstadt Tübingen", Organisation.Kind.KOMMUNE, "08416041"),
    ("Landratsamt Tübingen", Organisation.Kind.LANDKREIS, "08416"),
    ("Stadt Ulm", Organisation.Kind.KOMMUNE, "08421000"),
    ("Mehrgenerationenhaus Tübingen e. V.", Organisation.Kind.PROVIDER, None),
    ("Quartiersberatung Süd", Organisation.Kind.CONSULTING_FIRM, None),
]

DEMO_ACCOUNTS = [
    ("staff@demo.quartier.invalid", Role.PROGRAMME_STAFF, 0),
    ("jury@demo.quartier.invalid", Role.JURY_MEMBER, 0),
    ("consultant@demo.quartier.invalid", Role.CONSULTANT, 5),
    ("coordinator@demo.quartier.invalid", Role.MUNICIPAL_COORDINATOR, 1),
    ("county@demo.quartier.invalid", Role.MUNICIPAL_COORDINATOR, 2),
    ("provider@demo.quartier.invalid", Role.MEMBER, 4),
    ("moderator@demo.quartier.invalid", Role.MODERATOR, 1),
    ("resident@demo.quartier.invalid", Role.RESIDENT, 1),
]


@transaction.atomic
def create_demo_accounts() -> list[tuple[str, str, str]]:
    organisations = []
    for name, kind, ags in DEMO_ORGANISATIONS:
        place = Place.objects.get(ags=ags) if ags else None
        organisation, _created = Organisation.objects.get_or_create(
            name=name, defaults={"kind": kind, "place": place, "is_demo": True}
        )
        organisations.append(organisation)
    rows = []
    for email, role, index in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(username=email, defaults={"email": email})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        services.add_member(organisations[index], user, role, actor=None)
        rows.append((email, Role(role).label, organisations[index].name))
    return rows
