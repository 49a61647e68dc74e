"""Places: import, search, quarters. Every write goes through here."""

import csv
import io
import json
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import shapely
from django.db import transaction
from django.db.models import Count, Prefetch, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from quartier.places import geo
from quartier.places.models import AGE_BANDS, Place, Quarter

Progress = Callable[[str], object]
Kind = Place.Kind

LAND_AGS = "08"
LAND_NAME = "Baden-Württemberg"
# Files larger than this are refused before reading (the real Gemeinde file is 100 KB).
IMPORT_MAX_BYTES = 50 * 1024 * 1024

GEOMETRY_MESSAGES = {
    "too_large": gettext_lazy("The boundary is larger than %(max_kb)s KB; simplify it first."),
    "not_json": gettext_lazy("The boundary is not valid JSON."),
    "not_object": gettext_lazy("The boundary must be a GeoJSON object."),
    "not_one_feature": gettext_lazy("A FeatureCollection must hold exactly one feature."),
    "not_polygon": gettext_lazy("The boundary must be a Polygon or MultiPolygon, not %(got)s."),
    "unreadable": gettext_lazy("The boundary's coordinates cannot be read."),
    "empty": gettext_lazy("The boundary is empty."),
    "not_wgs84": gettext_lazy(
        "The coordinates are not longitude/latitude (WGS84, EPSG:4326)."
    ),
    "self_intersection": gettext_lazy(
        "The boundary crosses itself; redraw it without crossings."
    ),
    "invalid": gettext_lazy("The boundary is not a valid area (%(reason)s)."),
    "too_small": gettext_lazy("The boundary is too small (under 100 m²)."),
    "outside_bw": gettext_lazy("The boundary lies (partly) outside Baden-Württemberg."),
}


def geometry_message(error: geo.GeometryError) -> str:
    return str(GEOMETRY_MESSAGES[error.code]) % error.params


def no_progress(message: str) -> None:
    """The default progress callback: report nothing."""


# Search ---------------------------------------------------------------------------------

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def _strip_accents(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    )


def fold(text: str) -> str:
    """Fold a name for search: case and umlauts forgiven ("Tübingen" ~ "Tuebingen" ~ "tubingen").

    Holds both spellings of umlauts, so a query folded by fold_query matches either.
    """
    lowered = text.casefold()
    german = lowered.translate(_UMLAUTS)
    plain = _strip_accents(lowered.replace("ß", "ss"))
    return german if german == plain else f"{german} | {plain}"


def fold_query(text: str) -> str:
    # No name holds NUL, and PostgreSQL refuses it in a query (a 500 instead of no match).
    text = text.replace("\x00", "")
    return _strip_accents(text.strip().casefold().translate(_UMLAUTS))


@dataclass
class SearchResult:
    gemeinden: list[Place]
    quarters: list[Quarter]


def search(query: str, *, limit: int = 20) -> SearchResult:
    """Gemeinden and published quarters by name or postcode."""
    folded = fold_query(query)
    if len(folded) < 2:
        return SearchResult([], [])
    gemeinden = Place.objects.filter(kind=Kind.GEMEINDE).select_related("parent")
    if folded.isdigit():
        gemeinden = gemeinden.filter(postcode__startswith=folded)
        quarters = Quarter.objects.none()
    else:
        gemeinden = gemeinden.filter(search_key__contains=folded)
        quarters = Quarter.objects.published().filter(search_key__contains=folded)
    # Exact and prefix matches first, then the larger places.
    gemeinden = sorted(
        gemeinden.order_by("-population")[: limit * 3],
        key=lambda p: (not p.search_key.startswith(folded), -p.population),
    )[:limit]
    quarters = list(quarters.select_related("gemeinde").order_by("name")[:limit])
    return SearchResult(gemeinden, quarters)


# Import ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    file: str
    line: int
    field: str
    reason: str

    def __str__(self):
        return _("%(file)s, line %(line)s, %(field)s: %(reason)s") % {
            "file": self.file, "line": self.line,
            "field": _ROW_ERROR_WHERE.get(self.field, self.field), "reason": self.reason}


# An error that concerns no column (the file, its header, a row, a place's parent) names
# where it is in the reader's language; columns keep their names.
_ROW_ERROR_WHERE = {
    "file": pgettext_lazy("import error", "file"),
    "header": pgettext_lazy("import error", "header"),
    "row": pgettext_lazy("import error", "row"),
    "parent": pgettext_lazy("import error", "parent"),
}


class ImportRejected(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


@dataclass
class ImportReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    boundaries: int = 0


@dataclass
class _Row:
    kind: str
    ags: str
    values: dict


@dataclass
class _Parsed:
    rows: dict[str, _Row] = field(default_factory=dict)
    boundaries: dict[str, str] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)


def default_import_files() -> list[Path]:
    return [
        geo.DATA_DIR / "regierungsbezirke.csv",
        geo.DATA_DIR / "kreise.csv",
        geo.DATA_DIR / "gemeinden.csv",
        geo.DATA_DIR / "kreise.geojson",
    ]


def import_places(paths: Iterable[Path], *, progress: Progress = no_progress) -> ImportReport:
    """Import Regierungsbezirke, Kreise and Gemeinden (CSV) and boundaries (GeoJSON).

    All files are validated first; when any row is bad, ImportRejected lists every bad
    row and nothing is changed. Keyed by AGS, so running it again changes nothing.
    """
    parsed = _Parsed()
    known = dict(Place.objects.values_list("ags", "kind"))
    for path in paths:
        path = Path(path)
        _read_file(path, parsed, progress)
    _check_parents(parsed, known)
    if parsed.errors:
        raise ImportRejected(parsed.errors)
    progress(_("All rows are valid; writing."))
    report = _write(parsed, progress)
    progress(_("Done."))
    return report


def _read_file(path: Path, parsed: _Parsed, progress: Progress) -> None:
    name = path.name
    try:
        size = path.stat().st_size
    except OSError as error:
        parsed.errors.append(RowError(name, 0, "file", str(error.strerror)))
        return
    if size > IMPORT_MAX_BYTES:
        parsed.errors.append(
            RowError(name, 0, "file", _("larger than %(kb)s KB") % {"kb": IMPORT_MAX_BYTES >> 10})
        )
        return
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        parsed.errors.append(
            RowError(name, 0, "file", _("not UTF-8 (byte %(pos)s)") % {"pos": error.start})
        )
        return
    if path.suffix.lower() in (".geojson", ".json"):
        _read_boundaries(name, text, parsed, progress)
    else:
        _read_csv(name, text, parsed, progress)


_CSV_KINDS = (
    # kind, the column that marks the file, required columns
    (Kind.GEMEINDE, "kreis", {"ags", "name", "kreis", "population", "lon", "lat"}),
    (Kind.KREIS, "regierungsbezirk", {"ags", "name", "regierungsbezirk"}),
    (Kind.REGIERUNGSBEZIRK, "ags", {"ags", "name"}),
)
_AGS_LENGTH = {Kind.REGIERUNGSBEZIRK: 3, Kind.KREIS: 5, Kind.GEMEINDE: 8}


def _read_csv(name: str, text: str, parsed: _Parsed, progress: Progress) -> None:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = set(reader.fieldnames or [])
    kind, required = next(
        ((k, required) for k, marker, required in _CSV_KINDS if marker in columns), (None, None)
    )
    if kind is None or not required <= columns:
        missing = ", ".join(sorted(required - columns)) if required else "ags, name"
        parsed.errors.append(
            RowError(name, 1, "header", _("missing columns: %(cols)s") % {"cols": missing})
        )
        return
    seen: set[str] = set()
    count = 0
    for row in reader:
        line = reader.line_num
        errors = _check_row(kind, row)
        ags = (row.get("ags") or "").strip()
        if ags in seen:
            errors.append(("ags", _("AGS %(ags)s appears twice") % {"ags": ags}))
        seen.add(ags)
        if errors:
            parsed.errors.extend(RowError(name, line, f, r) for f, r in errors)
        else:
            parsed.rows[ags] = _Row(kind, ags, _row_values(kind, row))
        count += 1
        if count % 500 == 0:
            progress(_rows_checked(name, count))
    progress(_rows_checked(name, count))


def _rows_checked(name: str, count: int) -> str:
    return ngettext("%(file)s: %(n)s row checked", "%(file)s: %(n)s rows checked", count) % {
        "file": name, "n": count}


def _check_row(kind: str, row: dict) -> list[tuple[str, str]]:
    errors = []
    if None in row or any(v is None for v in row.values()):
        return [("row", _("wrong number of columns"))]
    ags = row["ags"].strip()
    length = _AGS_LENGTH[kind]
    if not (ags.isascii() and ags.isdigit() and len(ags) == length and ags.startswith(LAND_AGS)):
        errors.append(("ags", _("must be %(n)s digits starting with 08") % {"n": length}))
    if not row["name"].strip():
        errors.append(("name", _("is empty")))
    elif len(row["name"]) > 200:
        errors.append(("name", _("is longer than 200 characters")))
    for column in ("population", "male", "female"):
        if column in row and not _is_count(row[column]):
            errors.append((column, _("must be a whole number ≥ 0")))
    if kind == Kind.KREIS and not row["regierungsbezirk"].strip().isdigit():
        errors.append(("regierungsbezirk", _("must be an AGS")))
    if kind == Kind.GEMEINDE:
        if not ags.startswith(row["kreis"].strip()) or len(row["kreis"].strip()) != 5:
            errors.append(("kreis", _("must be the 5-digit AGS the Gemeinde's AGS starts with")))
        if (
            not errors
            and row.get("male", "").strip()
            and row.get("female", "").strip()
            and int(row["male"]) + int(row["female"]) != (_int_or_none(row["population"]) or 0)
        ):
            errors.append(("population", _("is not male + female")))
        area = _float(row.get("area_km2", ""))
        if row.get("area_km2", "").strip() and (area is None or area <= 0):
            errors.append(("area_km2", _("must be a number > 0")))
        postcode = row.get("postcode", "").strip()
        if postcode and not (postcode.isascii() and postcode.isdigit() and len(postcode) == 5):
            errors.append(("postcode", _("must be 5 digits")))
        lon, lat = _float(row["lon"]), _float(row["lat"])
        if lon is None or lat is None:
            errors.append(("lon/lat", _("must be numbers")))
        elif not (-180 <= lon <= 180 and -90 <= lat <= 90) or not geo.in_bw(
            *geo.lonlat_to_utm(lon, lat)
        ):
            errors.append(("lon/lat", _("lies outside Baden-Württemberg")))
        urbanisation = row.get("urbanisation", "").strip()
        if urbanisation and urbanisation not in ("1", "2", "3"):
            errors.append(("urbanisation", _("must be 1, 2 or 3")))
    return errors


def _is_count(value: str) -> bool:
    value = value.strip()
    # isascii: str.isdigit() also accepts "²" and "٣", which int() refuses or misreads.
    return value == "" or (value.isascii() and value.isdigit() and len(value) < 10)


def _float(value: str) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) != float("inf") else None


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.strip() else None


def _row_values(kind: str, row: dict) -> dict:
    name = row["name"].strip()
    values = {"name": name, "search_key": fold(name)}
    if "population" in row:
        values["population"] = _int_or_none(row["population"]) or 0
    if kind == Kind.REGIERUNGSBEZIRK:
        values["parent_ags"] = LAND_AGS
    elif kind == Kind.KREIS:
        values["parent_ags"] = row["regierungsbezirk"].strip()
    else:
        x, y = geo.lonlat_to_utm(float(row["lon"]), float(row["lat"]))
        values.update(parent_ags=row["kreis"].strip(), x=round(x, 2), y=round(y, 2))
        # Optional columns a file leaves out keep their stored values.
        optional = {
            "male": _int_or_none, "female": _int_or_none, "urbanisation": _int_or_none,
            "area_km2": _float, "postcode": str.strip,
        }
        values.update((c, read(row[c])) for c, read in optional.items() if c in row)
    return values


def _read_boundaries(name: str, text: str, parsed: _Parsed, progress: Progress) -> None:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        parsed.errors.append(RowError(name, getattr(error, "lineno", 0), "file", _("not JSON")))
        return
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        parsed.errors.append(RowError(name, 0, "file", _("not a GeoJSON FeatureCollection")))
        return
    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        ags = str(properties.get("ags", "") if isinstance(properties, dict) else "").strip()
        if not (ags.isdigit() and len(ags) in (5, 8)):
            parsed.errors.append(
                RowError(name, number, "ags", _("feature needs the AGS of a Kreis or Gemeinde"))
            )
            continue
        if ags in parsed.boundaries:
            parsed.errors.append(RowError(name, number, "ags", _("AGS %(ags)s appears twice")
                                          % {"ags": ags}))
            continue
        try:
            geometry = _feature_geometry(feature)
        except geo.GeometryError as error:
            parsed.errors.append(RowError(name, number, "geometry", geometry_message(error)))
            continue
        parsed.boundaries[ags] = geo.dumps(geometry)
    progress(ngettext("%(file)s: %(n)s boundary checked", "%(file)s: %(n)s boundaries checked",
                      len(features)) % {"file": name, "n": len(features)})


def _feature_geometry(feature: dict):
    text = json.dumps(feature.get("geometry"))
    # Administrative boundaries are checked like quarter boundaries, without the size cap.
    return geo.parse_area_geojson(text, max_bytes=IMPORT_MAX_BYTES)


def _check_parents(parsed: _Parsed, known: dict[str, str]) -> None:
    expected_parent = {
        Kind.REGIERUNGSBEZIRK: Kind.LAND,
        Kind.KREIS: Kind.REGIERUNGSBEZIRK,
        Kind.GEMEINDE: Kind.KREIS,
    }
    kinds = {**known, LAND_AGS: Kind.LAND, **{a: r.kind for a, r in parsed.rows.items()}}
    for ags, row in parsed.rows.items():
        parent = row.values["parent_ags"]
        if kinds.get(parent) != expected_parent[row.kind]:
            parsed.errors.append(
                RowError("–", 0, "parent", _("%(ags)s: its parent %(parent)s is not known")
                         % {"ags": ags, "parent": parent})
            )
        if ags in known and known[ags] != row.kind:
            parsed.errors.append(
                RowError("–", 0, "ags", _("%(ags)s is already a place of another kind")
                         % {"ags": ags})
            )
    for ags in parsed.boundaries:
        if kinds.get(ags) not in (Kind.KREIS, Kind.GEMEINDE):
            parsed.errors.append(
                RowError("–", 0, "ags", _("boundary for unknown Kreis or Gemeinde %(ags)s")
                         % {"ags": ags})
            )


@transaction.atomic
def _write(parsed: _Parsed, progress: Progress) -> ImportReport:
    report = ImportReport()
    land, _created = Place.objects.get_or_create(
        ags=LAND_AGS, defaults={"kind": Kind.LAND, "name": LAND_NAME, "search_key": fold(LAND_NAME)}
    )
    by_ags = {LAND_AGS: land}
    for kind in (Kind.REGIERUNGSBEZIRK, Kind.KREIS, Kind.GEMEINDE):
        rows = [r for r in parsed.rows.values() if r.kind == kind]
        existing = Place.objects.in_bulk([r.ags for r in rows], field_name="ags")
        parents = {
            p.ags: p
            for p in Place.objects.filter(ags__in={r.values["parent_ags"] for r in rows})
        }
        new, changed = [], []
        fields = set()
        for row in rows:
            values = dict(row.values)
            values["parent"] = parents[values.pop("parent_ags")]
            fields |= values.keys()
            place = existing.get(row.ags)
            if place is None:
                new.append(Place(kind=kind, ags=row.ags, **values))
            else:
                for key, value in values.items():
                    setattr(place, key, value)
                changed.append(place)
        Place.objects.bulk_create(new, batch_size=500)
        if changed:
            Place.objects.bulk_update(changed, sorted(fields), batch_size=500)
        report.created[kind] = len(new)
        report.updated[kind] = len(changed)
        progress(_("%(kind)s: %(new)s created, %(changed)s updated")
                 % {"kind": Kind(kind).label, "new": len(new), "changed": len(changed)})
        by_ags.update((p.ags, p) for p in [*new, *changed])
    if parsed.boundaries:
        places = Place.objects.in_bulk(list(parsed.boundaries), field_name="ags")
        for ags, text in parsed.boundaries.items():
            places[ags].boundary = text
        Place.objects.bulk_update(places.values(), ["boundary"], batch_size=100)
        report.boundaries = len(places)
        progress(ngettext("%(n)s boundary saved", "%(n)s boundaries saved", len(places))
                 % {"n": len(places)})
    refresh_aggregates()
    return report


def refresh_aggregates() -> None:
    """Derive population, point and outline of Kreise, Regierungsbezirke and the Land
    from the level below, where the level below is known."""
    for kind in (Kind.KREIS, Kind.REGIERUNGSBEZIRK, Kind.LAND):
        places = list(Place.objects.filter(kind=kind).prefetch_related("children"))
        for place in places:
            children = list(place.children.all())
            if children:
                place.population = sum(c.population for c in children)
                shapes = [geo.loads(c.boundary) for c in children if c.boundary]
                if kind != Kind.KREIS and len(shapes) == len(children):
                    place.boundary = geo.dumps(shapely.union_all(shapes).simplify(50))
            if place.boundary:
                place.x, place.y = geo.inner_point(geo.loads(place.boundary))
            elif children and all(c.x is not None for c in children):
                weights = [max(c.population, 1) for c in children]
                total = sum(weights)
                place.x = sum(c.x * w for c, w in zip(children, weights, strict=True)) / total
                place.y = sum(c.y * w for c, w in zip(children, weights, strict=True)) / total
        Place.objects.bulk_update(places, ["population", "boundary", "x", "y"], batch_size=100)


# Reading --------------------------------------------------------------------------------


def children_of(place: Place) -> list[Place]:
    """The places one level below, each with `quarter_count` (published quarters)."""
    quarter_filter = Q(quarters__status=Quarter.Status.PUBLISHED)
    children = place.children.order_by("name")
    if place.kind == Kind.KREIS:
        return list(children.annotate(quarter_count=Count("quarters", filter=quarter_filter)))
    return list(children)


def quarters_of(gemeinde: Place, *, include_drafts: bool) -> list[Quarter]:
    quarters = gemeinde.quarters.all()
    return list(quarters if include_drafts else quarters.published())


def quarter_totals(place: Place) -> dict:
    """Published quarters below a place: count, residents and age bands summed."""
    quarters = Quarter.objects.published()
    if place.kind == Kind.GEMEINDE:
        quarters = quarters.filter(gemeinde=place)
    elif place.kind != Kind.LAND:
        quarters = quarters.filter(gemeinde__ags__startswith=place.ags)
    sums = {f: Sum(f) for f, _label in AGE_BANDS}
    totals = quarters.aggregate(count=Count("pk"), population=Sum("population"), **sums)
    totals["age_bands"] = [(label, totals[f] or 0) for f, label in AGE_BANDS]
    return totals


def state_figures() -> dict:
    counts = dict(
        Place.objects.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n")
    )
    land = Place.objects.filter(kind=Kind.LAND).first()
    return {
        "land": land,
        "regierungsbezirke": counts.get(Kind.REGIERUNGSBEZIRK, 0),
        "regierungsbezirke_with_kreise": Place.objects.filter(kind=Kind.REGIERUNGSBEZIRK)
        .prefetch_related(Prefetch("children", Place.objects.order_by("name"))),
        "kreise": counts.get(Kind.KREIS, 0),
        "gemeinden": counts.get(Kind.GEMEINDE, 0),
        "quarters": Quarter.objects.published().count(),
        "population": land.population if land else 0,
    }


# Quarters -------------------------------------------------------------------------------


@transaction.atomic
def save_quarter(quarter: Quarter, *, boundary, actor) -> Quarter:
    """Save a quarter whose fields a form has set; boundary is a valid EPSG:25832 geometry
    or None to keep the stored one."""
    if boundary is not None:
        quarter.boundary = geo.dumps(boundary)
        quarter.x, quarter.y = geo.inner_point(boundary)
    quarter.search_key = fold(f"{quarter.name} {quarter.gemeinde.name}")
    quarter.save()
    return quarter


def ancestors(place: Place) -> list[Place]:
    """The places above `place`, the Land first (for breadcrumbs)."""
    above = []
    current = place.parent
    while current is not None:
        above.append(current)
        current = current.parent
    return above[::-1]


def quarter_feature(quarter: Quarter) -> dict:
    return {
        "type": "Feature",
        "geometry": geo.geojson_wgs84(quarter.boundary),
        "properties": {
            "id": quarter.pk,
            "name": quarter.name,
            "type": quarter.type,
            "url": quarter.get_absolute_url(),
            "population": quarter.population,
            "is_demo": quarter.is_demo,
        },
    }


def place_feature(place: Place) -> dict:
    geometry = geo.geojson_wgs84(place.boundary)
    if geometry is None and place.x is not None:
        lon, lat = geo.utm_to_lonlat(place.x, place.y)
        geometry = {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]}
    return {
        "type": "Feature",
        "geometry": geometry,
        "properties": {
            "ags": place.ags,
            "name": place.name,
            "kind": place.kind,
            "population": place.population,
            "url": place.get_absolute_url(),
        },
    }


def feature_collection(features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "features": features}
