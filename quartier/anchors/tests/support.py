"""Helpers for the anchors tests: kinds, snapshots and anchors in a few lines."""

import importlib

from quartier.accounts.models import Organisation
from quartier.anchors import services
from quartier.anchors.models import Anchor, AnchorKind
from quartier.places import geo

PROVIDER = "Nachbarschaftsverein e. V."


def seed_kinds() -> None:
    """The kinds the data migration seeds; transactional tests empty the database."""
    if not AnchorKind.objects.exists():
        migration = importlib.import_module("quartier.anchors.migrations.0002_seed_kinds")
        from django.apps import apps

        migration.seed(apps, None)


def provider(name: str = PROVIDER) -> Organisation:
    organisation, _created = Organisation.objects.get_or_create(
        name=name, defaults={"kind": Organisation.Kind.PROVIDER}
    )
    return organisation


def offer(**changes) -> dict:
    data = {"category": "meeting", "title": "Offener Treff", "description": "",
            "target_groups": ["everyone"], "when": "täglich", "is_free": True,
            "booking_required": False}
    data.update(changes)
    return data


def snapshot(gemeinde, *, dx: float = 0, dy: float = 0, organisation=None, **changes) -> dict:
    """A valid snapshot of an anchor dx/dy metres from the Gemeinde's point."""
    seed_kinds()
    organisation = organisation or provider()
    data = {
        "kind": "mehrgenerationenhaus", "provider": organisation.pk,
        "provider_name": organisation.name, "gemeinde": gemeinde.ags,
        "gemeinde_name": gemeinde.name, "name": "Mehrgenerationenhaus Südstadt",
        "description": "", "street": "Hauptstraße 1", "postcode": gemeinde.postcode or "72070",
        "city": gemeinde.name.split(",")[0], "x": round(gemeinde.x + dx, 2),
        "y": round(gemeinde.y + dy, 2), "opening_hours": "Mo-Fr 09:00-17:00", "phone": "",
        "email": "", "website": "", "languages": ["de"], "step_free_entrance": False,
        "lift": False, "accessible_toilet": False, "hearing_loop": False,
        "tactile_guidance": False, "easy_language": False, "disabled_parking": False,
        "image": "", "image_alt": "", "is_demo": False, "offers": [offer()],
    }
    data.update(changes)
    return data


def make_anchor(gemeinde, *, status: str = "published", **changes) -> Anchor:
    anchor = services._apply(Anchor(status=status), snapshot(gemeinde, **changes))
    return anchor


def lonlat(gemeinde, dx: float = 0, dy: float = 0) -> tuple[float, float]:
    return geo.utm_to_lonlat(gemeinde.x + dx, gemeinde.y + dy)


def form_data(gemeinde, *, organisation, dx: float = 0, dy: float = 0, offers=(), **changes):
    """POST data of the registration form (and its offers formset)."""
    seed_kinds()
    lon, lat = lonlat(gemeinde, dx, dy)
    data = {
        "kind": "mehrgenerationenhaus", "name": "Mehrgenerationenhaus Lustnau",
        "description": "Ein Haus für alle Generationen.", "provider": organisation.pk,
        "gemeinde": gemeinde.ags, "street": "Dorfstraße 5", "postcode": "72074",
        "city": "", "lat": f"{lat:.6f}", "lon": f"{lon:.6f}",
        "opening_hours": "Mo-Fr 09:00-17:00; Sa 10:00-13:00", "phone": "07071 12345",
        "email": "info@mgh.example", "website": "https://mgh.example/",
        "languages": ["de", "tr"], "step_free_entrance": "on", "accessible_toilet": "on",
        "image_alt": "",
        "offers-TOTAL_FORMS": str(len(offers)), "offers-INITIAL_FORMS": "0",
        "offers-MIN_NUM_FORMS": "0", "offers-MAX_NUM_FORMS": "30",
    }
    for number, item in enumerate(offers):
        for key, value in item.items():
            data[f"offers-{number}-{key}"] = value
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}
