"""Demo anchors for every Gemeinde: plausible in number, kind, place, hours, accessibility.

Deterministic for a seed. Marked is_demo, so the UI labels them as demo data; their
providers are demo organisations, their contacts use the reserved domain .example.
"""

import math
import random

import shapely
from django.db import transaction
from django.utils.translation import gettext as _

from quartier.accounts.models import Organisation
from quartier.anchors import services
from quartier.anchors.models import ACCESSIBILITY_FIELDS, Anchor
from quartier.places import geo
from quartier.places.demo import short_name
from quartier.places.models import Place, Quarter
from quartier.places.services import fold, no_progress

# About one anchor per this many residents, and at least this many per Gemeinde.
RESIDENTS_PER_ANCHOR = 2_500
MIN_PER_GEMEINDE = 2
# Relative frequency of the kinds (public spaces and meeting places are the most common).
KIND_WEIGHTS = {
    "barrierefreier-ort": 22,
    "begegnungsstaette": 15,
    "beratungsstelle": 14,
    "nachbarschaftszentrum": 10,
    "jugendhaus": 10,
    "kinder-und-familienzentrum": 10,
    "freiwilligenagentur": 5,
    "pflegestuetzpunkt": 5,
    "mehrgenerationenhaus": 5,
    "muetterzentrum": 4,
}
NAMES = {
    "barrierefreier-ort": (
        "Stadtgarten",
        "Marktplatz",
        "Rathausplatz",
        "Kurpark",
        "Seepark",
        "Generationenpark",
        "Dorfplatz",
        "Schlossgarten",
        "Bürgerpark",
    ),
    "begegnungsstaette": ("Begegnungsstätte", "Seniorentreff", "Bürgertreff", "Café Miteinander"),
    "beratungsstelle": (
        "Beratungsstelle",
        "Familienberatung",
        "Sozialberatung",
        "Schuldnerberatung",
        "Lebensberatung",
    ),
    "nachbarschaftszentrum": ("Nachbarschaftszentrum", "Stadtteilzentrum", "Bürgerhaus"),
    "jugendhaus": ("Jugendhaus", "Jugendtreff", "Kinder- und Jugendhaus"),
    "kinder-und-familienzentrum": ("Kinder- und Familienzentrum", "Familienzentrum"),
    "freiwilligenagentur": ("Freiwilligenagentur", "Ehrenamtsbörse", "Bürgerbüro Engagement"),
    "pflegestuetzpunkt": ("Pflegestützpunkt",),
    "mehrgenerationenhaus": ("Mehrgenerationenhaus",),
    "muetterzentrum": ("Mütterzentrum", "Mütter- und Familienzentrum"),
}
HOURS = {
    "barrierefreier-ort": ("Mo-Su 00:00-24:00", "Mo-Su 06:00-22:00", ""),
    "begegnungsstaette": ("Mo-Fr 14:00-18:00", "Tu,Th 14:00-17:00", "Mo-Fr 10:00-17:00"),
    "beratungsstelle": (
        "Mo-Fr 09:00-12:00,14:00-16:00",
        "Mo-Th 08:30-16:00; Fr 08:30-12:00",
        "Tu,Th 09:00-12:00",
    ),
    "nachbarschaftszentrum": ("Mo-Fr 09:00-18:00", "Mo-Fr 10:00-20:00; Sa 10:00-14:00"),
    "jugendhaus": ("Mo-Fr 14:00-21:00", "Tu-Fr 15:00-21:00; Sa 14:00-22:00"),
    "kinder-und-familienzentrum": ("Mo-Fr 07:30-17:00", "Mo-Fr 08:00-16:00"),
    "freiwilligenagentur": ("Mo,We 10:00-13:00; Th 15:00-18:00", "Tu-Th 10:00-16:00"),
    "pflegestuetzpunkt": ("Mo-Fr 09:00-12:00; Tu,Th 14:00-17:00", "Mo-Fr 08:30-12:30"),
    "mehrgenerationenhaus": ("Mo-Fr 09:00-18:00; Sa 10:00-14:00", "Mo-Fr 08:00-20:00"),
    "muetterzentrum": ("Mo-Fr 09:00-12:30; We 15:00-18:00", "Mo-Fr 09:00-13:00"),
}
# (category, title, target groups, when, free, booking) per kind; one to three are chosen.
OFFERS = {
    "barrierefreier-ort": [
        (
            "meeting",
            "Bewegungstreff im Freien",
            ["seniors", "adults"],
            "mittwochs 10:00",
            True,
            False,
        ),
        (
            "exercise",
            "Spaziergang für alle Generationen",
            ["everyone"],
            "sonntags 14:00",
            True,
            False,
        ),
    ],
    "begegnungsstaette": [
        (
            "meeting",
            "Mittagstisch",
            ["seniors", "everyone"],
            "dienstags und donnerstags 12:00",
            False,
            True,
        ),
        ("meeting", "Erzählcafé", ["seniors"], "jeden ersten Montag 15:00", True, False),
        ("culture", "Spielenachmittag", ["everyone"], "freitags 14:30", True, False),
    ],
    "beratungsstelle": [
        ("counselling", "Sozialberatung", ["adults", "families"], "nach Vereinbarung", True, True),
        (
            "counselling",
            "Beratung für Menschen mit Behinderungen",
            ["disabilities", "families"],
            "dienstags 09:00–12:00",
            True,
            True,
        ),
        ("counselling", "Schuldnerberatung", ["adults"], "nach Vereinbarung", True, True),
    ],
    "nachbarschaftszentrum": [
        (
            "neighbourhood_help",
            "Nachbarschaftshilfe",
            ["everyone"],
            "Mo–Fr nach Absprache",
            True,
            False,
        ),
        ("language_cafe", "Sprachcafé", ["adults", "youth"], "donnerstags 17:00", True, False),
        ("meeting", "Offener Treff", ["everyone"], "täglich", True, False),
    ],
    "jugendhaus": [
        ("meeting", "Offener Jugendtreff", ["youth"], "Di–Fr ab 15:00", True, False),
        ("education", "Hausaufgabenhilfe", ["children", "youth"], "Mo–Do 14:00–16:00", True, True),
        ("culture", "Bandprobenraum", ["youth"], "nach Absprache", False, True),
    ],
    "kinder-und-familienzentrum": [
        ("childcare", "Kinderbetreuung", ["children", "families"], "Mo–Fr", False, True),
        ("counselling", "Erziehungsberatung", ["families"], "nach Vereinbarung", True, True),
        ("meeting", "Eltern-Kind-Café", ["families", "children"], "mittwochs 09:30", True, False),
    ],
    "freiwilligenagentur": [
        (
            "volunteer_matching",
            "Engagement finden",
            ["everyone"],
            "Sprechstunde mittwochs",
            True,
            False,
        ),
        (
            "volunteer_matching",
            "Ehrenamtliche Lesepaten",
            ["adults", "seniors"],
            "nach Absprache",
            True,
            True,
        ),
    ],
    "pflegestuetzpunkt": [
        (
            "care",
            "Pflegeberatung",
            ["seniors", "families", "disabilities"],
            "nach Vereinbarung",
            True,
            True,
        ),
        (
            "counselling",
            "Beratung für pflegende Angehörige",
            ["adults", "families"],
            "dienstags",
            True,
            True,
        ),
    ],
    "mehrgenerationenhaus": [
        ("meeting", "Offener Treff für alle Generationen", ["everyone"], "täglich", True, False),
        (
            "neighbourhood_help",
            "Leihgroßeltern",
            ["families", "seniors"],
            "nach Absprache",
            True,
            True,
        ),
        (
            "language_cafe",
            "Internationales Sprachcafé",
            ["adults", "youth"],
            "montags 18:00",
            True,
            False,
        ),
    ],
    "muetterzentrum": [
        (
            "childcare",
            "Kinderbetreuung stundenweise",
            ["children", "families"],
            "Mo–Fr vormittags",
            False,
            True,
        ),
        ("meeting", "Offenes Frühstück", ["families"], "freitags 09:00", False, False),
    ],
}
STREETS = (
    "Hauptstraße",
    "Schulstraße",
    "Bahnhofstraße",
    "Kirchstraße",
    "Gartenstraße",
    "Lindenstraße",
    "Rathausplatz",
    "Marktplatz",
    "Friedrichstraße",
    "Bergstraße",
    "Mühlweg",
    "Schillerstraße",
    "Goethestraße",
    "Wilhelmstraße",
    "Am Stadtpark",
)
# Share of anchors with each attribute: public buildings are mostly step-free, few have
# hearing loops or tactile guidance (a mix like Baden-Württemberg's "Barrierefrei"-surveys).
ACCESS_SHARE = {
    "step_free_entrance": 0.68,
    "lift": 0.42,
    "accessible_toilet": 0.48,
    "hearing_loop": 0.08,
    "tactile_guidance": 0.06,
    "easy_language": 0.22,
    "disabled_parking": 0.47,
}
SPACE_ACCESS_SHARE = {
    "step_free_entrance": 0.82,
    "lift": 0.0,
    "accessible_toilet": 0.25,
    "hearing_loop": 0.0,
    "tactile_guidance": 0.12,
    "easy_language": 0.10,
    "disabled_parking": 0.50,
}
LANGUAGE_SHARE = {
    "en": 0.45,
    "tr": 0.16,
    "ar": 0.10,
    "ru": 0.08,
    "uk": 0.12,
    "it": 0.05,
    "hr": 0.04,
    "el": 0.03,
    "fr": 0.05,
    "gsg": 0.03,
}
PROVIDER_NAMES = (
    "Quartierswerk {kreis} e. V.",
    "Familiennetz {kreis} e. V.",
    "Bürgerstiftung {kreis}",
    "Seniorenhilfe {kreis} e. V.",
)
DEMO_MGH = "Mehrgenerationenhaus Tübingen e. V."
DEMO_DESCRIPTION = "Demo-Eintrag: erfunden, um die Plattform auszuprobieren."


def counts_per_gemeinde(gemeinden: list[Place], total: int | None) -> dict[int, int]:
    """How many anchors each Gemeinde gets: by population, at least MIN_PER_GEMEINDE; with
    total, scaled so the counts add up to about total."""
    if total is None:
        return {
            g.pk: max(MIN_PER_GEMEINDE, round(g.population / RESIDENTS_PER_ANCHOR))
            for g in gemeinden
        }
    spare = max(0, total - MIN_PER_GEMEINDE * len(gemeinden))
    population = sum(g.population for g in gemeinden) or 1
    exact = {g.pk: spare * g.population / population for g in gemeinden}
    counts = {pk: MIN_PER_GEMEINDE + math.floor(e) for pk, e in exact.items()}
    remainder = total - sum(counts.values())
    for pk in sorted(exact, key=lambda pk: math.floor(exact[pk]) - exact[pk])[: max(0, remainder)]:
        counts[pk] += 1
    return counts


def generate_demo_anchors(
    *,
    total: int | None = None,
    seed: int = 2018,
    gemeinden=None,
    progress: services.Progress = no_progress,
) -> int:
    """Create demo anchors for every Gemeinde (of the queryset `gemeinden`, default all) that
    has none yet; returns how many."""
    gemeinden = list(
        (gemeinden if gemeinden is not None else Place.objects.all())
        .filter(kind=Place.Kind.GEMEINDE, x__isnull=False)
        .exclude(anchors__isnull=False)
        .select_related("parent")
        .order_by("ags")
    )
    if not gemeinden:
        return 0
    counts = counts_per_gemeinde(gemeinden, total)
    providers = _demo_providers({g.parent for g in gemeinden})
    mgh = Organisation.objects.filter(name=DEMO_MGH).first()
    quarters: dict[int, list[Quarter]] = {}
    for quarter in Quarter.objects.published().filter(gemeinde__in=gemeinden).order_by("pk"):
        quarters.setdefault(quarter.gemeinde_id, []).append(quarter)
    created = 0
    batch: list = []
    for number, gemeinde in enumerate(gemeinden, start=1):
        rng = random.Random(f"{seed}:{gemeinde.ags}")
        shapes = [(q, geo.loads(q.boundary)) for q in quarters.get(gemeinde.pk, [])]
        for index in range(counts[gemeinde.pk]):
            snapshot = _snapshot(gemeinde, index, shapes, providers[gemeinde.parent_id], mgh, rng)
            batch.append(("demo", index, f"demo-{gemeinde.ags}-{index + 1}", snapshot))
        if len(batch) >= 2000 or number == len(gemeinden):
            with transaction.atomic():
                services._write_rows(
                    batch, {}, actor=None, progress=no_progress, action=services.Action.GENERATED
                )
            created += len(batch)
            batch = []
            progress(
                _("Gemeinden: %(done)s of %(total)s; anchors created: %(anchors)s")
                % {"done": number, "total": len(gemeinden), "anchors": created}
            )
    return created


def _demo_providers(kreise: set[Place]) -> dict[int, list[Organisation]]:
    providers: dict[int, list[Organisation]] = {}
    for kreis in sorted(kreise, key=lambda k: k.ags):
        names = [pattern.format(kreis=short_name(kreis.name)) for pattern in PROVIDER_NAMES]
        organisations = []
        for number, name in enumerate(names):
            kind = Organisation.Kind.ASSOCIATION if number % 2 else Organisation.Kind.PROVIDER
            organisation, _created = Organisation.objects.get_or_create(
                name=name, defaults={"kind": kind, "is_demo": True}
            )
            organisations.append(organisation)
        providers[kreis.pk] = organisations
    return providers


def _snapshot(gemeinde: Place, index: int, shapes, providers, mgh, rng: random.Random) -> dict:
    kind = _kind(gemeinde, index, mgh, rng)
    quarter, (x, y) = _point(gemeinde, shapes, rng)
    place_name = quarter.name if quarter else short_name(gemeinde.name)
    base = rng.choice(NAMES[kind])
    name = base if kind == "barrierefreier-ort" else f"{base} {place_name}"
    provider = (
        mgh
        if (mgh and kind == "mehrgenerationenhaus" and gemeinde.ags == "08416041")
        else rng.choice(providers)
    )
    slug = "".join(c for c in fold(name).split(" | ")[0] if c.isalnum())[:28]
    is_space = kind == "barrierefreier-ort"
    shares = SPACE_ACCESS_SHARE if is_space else ACCESS_SHARE
    access = {name: rng.random() < shares[name] for name in ACCESSIBILITY_FIELDS}
    # Buildings with a lift or accessible toilet nearly always have a step-free entrance.
    if access["lift"] or access["accessible_toilet"]:
        access["step_free_entrance"] = access["step_free_entrance"] or rng.random() < 0.9
    urban = (gemeinde.urbanisation or 2) == 1
    languages = ["de"] + [
        code
        for code, share in LANGUAGE_SHARE.items()
        if rng.random() < share * (1.5 if urban else 0.7)
    ]
    offers = [
        {
            "category": c,
            "title": t,
            "description": "",
            "target_groups": g,
            "when": w,
            "is_free": f,
            "booking_required": b,
        }
        for c, t, g, w, f, b in rng.sample(OFFERS[kind], rng.randint(1, min(3, len(OFFERS[kind]))))
    ]
    return {
        "kind": kind,
        "provider": provider.pk,
        "provider_name": provider.name,
        "gemeinde": gemeinde.ags,
        "gemeinde_name": gemeinde.name,
        "name": name,
        # Demo data are data of Baden-Württemberg, so German like real entries.
        "description": DEMO_DESCRIPTION,
        "street": f"{rng.choice(STREETS)} {rng.randint(1, 60)}",
        "postcode": gemeinde.postcode or "70173",
        "city": short_name(gemeinde.name),
        "x": round(x, 2),
        "y": round(y, 2),
        "opening_hours": rng.choice(HOURS[kind]),
        "phone": "" if is_space else f"+49 7{rng.randint(100, 999)} {rng.randint(10000, 999999)}",
        "email": "" if is_space else f"info@{slug.lower() or 'anchor'}.example",
        "website": "" if is_space else f"https://{slug.lower() or 'anchor'}.example/",
        "languages": sorted(set(languages)) if not is_space else [],
        **access,
        "image": "",
        "image_alt": "",
        "is_demo": True,
        "offers": offers,
    }


def _kind(gemeinde: Place, index: int, mgh, rng: random.Random) -> str:
    # Tübingen's demo Mehrgenerationenhaus belongs to the demo provider account.
    if mgh and gemeinde.ags == "08416041" and index == 0:
        return "mehrgenerationenhaus"
    kinds, weights = zip(*KIND_WEIGHTS.items(), strict=True)
    return rng.choices(kinds, weights=weights)[0]


def _point(gemeinde: Place, shapes, rng: random.Random):
    """A point inside one of the Gemeinde's quarters (by residents), else near its centre."""
    if shapes:
        weights = [max(1, q.population) for q, _s in shapes]
        quarter, shape = rng.choices(shapes, weights=weights)[0]
        min_x, min_y, max_x, max_y = shape.bounds
        for _attempt in range(50):
            x, y = rng.uniform(min_x, max_x), rng.uniform(min_y, max_y)
            if shape.contains(shapely.Point(x, y)):
                return quarter, (x, y)
        return quarter, (quarter.x, quarter.y)
    radius = math.sqrt((gemeinde.area_km2 or 10) / math.pi) * 1000 * 0.5
    r, angle = radius * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
    x, y = gemeinde.x + r * math.cos(angle), gemeinde.y + r * math.sin(angle)
    return None, ((x, y) if geo.in_bw(x, y) else (gemeinde.x, gemeinde.y))


def demo_count() -> int:
    return Anchor.objects.filter(is_demo=True).count()
