"""Demo quarters for every Gemeinde: plausible in number, size and residents.

Deterministic for a seed. Marked is_demo, so the UI labels them as demo data.
"""

import math
import random
from functools import lru_cache

import shapely
from django.db import transaction
from django.utils.translation import gettext as _

from quartier.places import geo
from quartier.places.models import AGE_BANDS, Place, Quarter
from quartier.places.services import Progress, fold, no_progress
from quartier.signals import bulk_changed

# Shares of the age bands in Baden-Württemberg (rounded, Statistisches Landesamt 2021),
# tilted below towards the young in cities and the old in the countryside.
BASE_AGE_SHARES = (0.057, 0.108, 0.138, 0.252, 0.223, 0.150, 0.072)
URBAN_TILT = {1: (1.05, 0.95, 1.30, 1.10, 0.90, 0.90, 0.95),
              2: (1.00, 1.00, 1.00, 1.00, 1.00, 1.00, 1.00),
              3: (0.98, 1.05, 0.85, 0.92, 1.10, 1.08, 1.05)}
# Residents per demo quarter by urbanisation (1 dense … 3 thin), and household sizes.
RESIDENTS_PER_QUARTER = {1: 12_000, 2: 6_000, 3: 1_800}
MAX_QUARTERS = {1: 40, 2: 16, 3: 8}
HOUSEHOLD_SIZE = {1: 1.95, 2: 2.2, 3: 2.4}
DIRECTIONS = ("Ost", "Nordost", "Nord", "Nordwest", "West", "Südwest", "Süd", "Südost")
VILLAGE_PREFIXES = ("Ober", "Unter", "Nieder", "Hinter", "Klein", "Groß", "Alt", "Neu", "")
VILLAGE_ROOTS = ("eich", "buch", "lind", "tann", "wald", "stein", "mühl", "brunn", "rot",
                 "hasel", "erl", "birk", "fichten", "horn", "kirch")
VILLAGE_ENDINGS = ("hausen", "hofen", "weiler", "bach", "dorf", "stetten", "ingen", "heim",
                   "au", "berg", "feld", "reute")


def short_name(name: str) -> str:
    return name.split(",")[0].strip()


def generate_demo_quarters(*, seed: int = 2018, progress: Progress = no_progress) -> int:
    """Create demo quarters for every Gemeinde that has none yet; returns how many."""
    gemeinden = list(
        Place.objects.filter(kind=Place.Kind.GEMEINDE)
        .exclude(quarters__isnull=False)
        .order_by("ags")
    )
    created = 0
    batch: list[Quarter] = []
    for number, gemeinde in enumerate(gemeinden, start=1):
        batch.extend(_quarters_for(gemeinde, random.Random(f"{seed}:{gemeinde.ags}")))
        if len(batch) >= 1000 or number == len(gemeinden):
            with transaction.atomic():
                Quarter.objects.bulk_create(batch)
                bulk_changed.send(sender=Quarter)
            created += len(batch)
            batch = []
            progress(_("Gemeinden: %(done)s of %(total)s; quarters created: %(quarters)s")
                     % {"done": number, "total": len(gemeinden), "quarters": created})
    return created


def _quarters_for(gemeinde: Place, rng: random.Random) -> list[Quarter]:
    urbanisation = gemeinde.urbanisation or 2
    count = max(1, min(MAX_QUARTERS[urbanisation],
                       round(gemeinde.population / RESIDENTS_PER_QUARTER[urbanisation])))
    if urbanisation == 1:
        count = max(count, 2)
    cells = _cells(gemeinde, count, rng)
    populations = _split(gemeinde.population, [rng.gammavariate(3, 1) for _c in cells])
    names = _names(gemeinde, cells, urbanisation, rng)
    quarters = []
    for (cell, is_centre), population, name in zip(cells, populations, names, strict=True):
        bands = _split(population, _age_shares(urbanisation, is_centre, rng))
        x, y = geo.inner_point(cell)
        if urbanisation == 3 or (urbanisation == 2 and not is_centre and rng.random() < 0.35):
            type_ = Quarter.Type.DORF
        elif urbanisation == 1 and is_centre:
            type_ = Quarter.Type.KIEZ
        else:
            type_ = Quarter.Type.STADTTEIL
        migration_mean = {1: 40, 2: 30, 3: 20}[urbanisation]
        household_size = HOUSEHOLD_SIZE[urbanisation] * rng.uniform(0.9, 1.1)
        quarters.append(Quarter(
            gemeinde=gemeinde,
            name=name,
            type=type_,
            status=Quarter.Status.PUBLISHED,
            boundary=geo.dumps(cell),
            x=x,
            y=y,
            **dict(zip([f for f, _label in AGE_BANDS], bands, strict=True)),
            disability_share_pct=round(min(16, max(4, rng.gauss(9.5, 1.5))), 1),
            migration_share_pct=round(min(70, max(3, rng.gauss(migration_mean, 7))), 1),
            households=max(1, round(population / household_size)) if population else 0,
            is_demo=True,
            search_key=fold(f"{name} {gemeinde.name}"),
        ))
    return quarters


def _cells(gemeinde: Place, count: int, rng: random.Random):
    """Split a disc of the Gemeinde's area into count cells; the first is the centre."""
    radius = math.sqrt((gemeinde.area_km2 or 10) / math.pi) * 1000
    centre = shapely.Point(gemeinde.x, gemeinde.y)
    # A metre inside the outline, so boundaries rounded to the centimetre stay inside.
    disc = centre.buffer(radius, quad_segs=6).intersection(_inner_outline())
    if count == 1:
        return [(disc, True)]
    points = [(gemeinde.x, gemeinde.y)]
    while len(points) < count:
        r = radius * math.sqrt(rng.uniform(0.05, 0.9))
        angle = rng.uniform(0, 2 * math.pi)
        points.append((gemeinde.x + r * math.cos(angle), gemeinde.y + r * math.sin(angle)))
    regions = shapely.voronoi_polygons(shapely.MultiPoint(points), extend_to=disc)
    cells = []
    for index, (px, py) in enumerate(points):
        point = shapely.Point(px, py)
        region = next(g for g in regions.geoms if g.contains(point) or g.touches(point))
        cell = region.intersection(disc)
        if cell.geom_type == "GeometryCollection":
            cell = shapely.union_all([g for g in cell.geoms if g.area > 0])
        cells.append((cell, index == 0))
    return cells


@lru_cache(maxsize=1)
def _inner_outline():
    return geo.bw_outline().buffer(-1)


def _names(gemeinde: Place, cells, urbanisation: int, rng: random.Random) -> list[str]:
    base = short_name(gemeinde.name)
    names: list[str] = []
    centre = cells[0][0].centroid
    for index, (cell, is_centre) in enumerate(cells):
        if is_centre:
            name = f"{base}-Mitte" if urbanisation < 3 else base
        elif urbanisation == 3 or (urbanisation == 2 and index % 3 == 0):
            name = _village(rng)
        else:
            c = cell.centroid
            angle = math.degrees(math.atan2(c.y - centre.y, c.x - centre.x)) % 360
            name = f"{base}-{DIRECTIONS[round(angle / 45) % 8]}"
        unique, number = name, 2
        while unique in names:
            unique, number = f"{name} {number}", number + 1
        names.append(unique)
    return names


def _village(rng: random.Random) -> str:
    prefix = rng.choice(VILLAGE_PREFIXES)
    root = rng.choice(VILLAGE_ROOTS)
    word = f"{prefix}{root}{rng.choice(VILLAGE_ENDINGS)}"
    return word[0].upper() + word[1:]


def _age_shares(urbanisation: int, is_centre: bool, rng: random.Random) -> list[float]:
    tilt = URBAN_TILT[urbanisation]
    shares = [b * t * rng.uniform(0.85, 1.15) for b, t in zip(BASE_AGE_SHARES, tilt, strict=True)]
    if is_centre and urbanisation == 1:
        shares[2] *= 1.25  # students and young workers live in the centre
    return shares


def _split(total: int, weights: list[float]) -> list[int]:
    """Largest-remainder split of total by weights; the parts add up to total."""
    weight_sum = sum(weights) or 1
    exact = [total * w / weight_sum for w in weights]
    parts = [math.floor(e) for e in exact]
    remainder = total - sum(parts)
    for index in sorted(range(len(exact)), key=lambda i: parts[i] - exact[i])[:remainder]:
        parts[index] += 1
    return parts
