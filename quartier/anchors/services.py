"""Anchors and offers: registration, review, history, search, import/export. Every write
goes through here.

An anchor's data travel as a *snapshot*: a JSON-able dict of its fields and its offers
(SNAPSHOT_FIELDS, "offers"). Forms and imports build snapshots; writes apply them; the history
keeps them.
"""

import csv
import io
import json
import math
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import shapely
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from quartier.accounts import services as accounts
from quartier.accounts.models import Organisation
from quartier.anchors import engine
from quartier.anchors.models import (
    ACCESSIBILITY,
    ACCESSIBILITY_FIELDS,
    Anchor,
    AnchorKind,
    AnchorVersion,
    Language,
    Offer,
    OfferCategory,
    OpeningInterval,
    SuccessFactor,
    TargetGroup,
)
from quartier.places import geo
from quartier.places import services as places
from quartier.places.models import Place, Quarter
from quartier.places.services import ImportRejected, RowError, no_progress
from quartier.signals import bulk_changed

Progress = Callable[[str], object]
Status = Anchor.Status
Action = AnchorVersion.Action
BERLIN = ZoneInfo("Europe/Berlin")
# First two digits of the postcodes of Baden-Württemberg (Deutsche Post's postcode regions).
BW_POSTCODE_REGIONS = frozenset({*(str(n) for n in range(68, 80)), "88", "89", "97"})
# The point of an anchor may lie this far outside its Gemeinde's simplified Kreis outline.
KREIS_TOLERANCE_M = 5_000
# Organisations that can be the provider (Träger) of an anchor.
PROVIDER_KINDS = (
    Organisation.Kind.PROVIDER, Organisation.Kind.ASSOCIATION,
    Organisation.Kind.KOMMUNE, Organisation.Kind.LANDKREIS,
)
# Fields of a snapshot besides kind, provider, gemeinde and offers, in display order.
PLAIN_FIELDS = (
    "name", "description", "street", "postcode", "city", "x", "y", "opening_hours",
    "phone", "email", "website", "languages", *ACCESSIBILITY_FIELDS, "image", "image_alt",
    "is_demo",
)
OFFER_FIELDS = (
    "category", "title", "description", "target_groups", "when", "is_free", "booking_required",
)

HOURS_MESSAGES = {
    "too_long": gettext_lazy("The opening hours are longer than %(max)s characters."),
    "syntax": gettext_lazy(
        "“%(rule)s” cannot be read; write days and times like “Mo-Fr 09:00-17:00”."
    ),
    "unknown_day": gettext_lazy(
        "“%(day)s” is not a day; use Mo, Tu (Di), We (Mi), Th (Do), Fr, Sa, Su (So)."
    ),
    "bad_time": gettext_lazy("%(time)s is not a time of day (00:00 to 24:00)."),
    "end_before_start": gettext_lazy("%(range)s ends before it starts."),
    "overlap": gettext_lazy("On %(day)s, %(first)s and %(second)s overlap."),
}


def hours_message(error: engine.HoursError) -> str:
    params = dict(error.params)
    if error.code == "overlap":
        from quartier.anchors.templatetags.anchors import day_name

        params["day"] = day_name(engine.DAYS.index(params["day"]))
    return str(HOURS_MESSAGES[error.code]) % params


# Checks shared by forms and imports -----------------------------------------------------


def check_postcode(postcode: str) -> str | None:
    """The reason a postcode is refused, or None."""
    if not (len(postcode) == 5 and postcode.isascii() and postcode.isdigit()):
        return _("A postcode has 5 digits.")
    if postcode[:2] not in BW_POSTCODE_REGIONS:
        return _("This postcode is not in Baden-Württemberg.")
    return None


def check_point(lon: float, lat: float, gemeinde: Place | None) -> tuple[float, float]:
    """The point in EPSG:25832 metres; ValidationError if it lies outside Baden-Württemberg
    or far outside the Kreis of the Gemeinde."""
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValidationError(_("Longitude and latitude are not valid WGS84 degrees."))
    x, y = geo.lonlat_to_utm(lon, lat)
    if not geo.in_bw(x, y):
        raise ValidationError(_("The point lies outside Baden-Württemberg."))
    kreis = _kreis_outline(gemeinde.ags[:5]) if gemeinde is not None else None
    if kreis is not None and not kreis.contains(shapely.Point(x, y)):
        raise ValidationError(
            _("The point lies outside the Kreis of %(gemeinde)s.") % {"gemeinde": gemeinde.name}
        )
    return round(x, 2), round(y, 2)


_kreis_cache: dict[str, object] = {}


def _kreis_outline(ags: str):
    if ags not in _kreis_cache:
        boundary = Place.objects.filter(ags=ags).values_list("boundary", flat=True).first()
        outline = geo.loads(boundary).buffer(KREIS_TOLERANCE_M) if boundary else None
        if outline is not None:
            shapely.prepare(outline)
        _kreis_cache[ags] = outline
    return _kreis_cache[ags]


def provider_choices(user):
    """Organisations the user may name as provider: their own provider organisations;
    coordinators and programme staff also every other possible provider."""
    from quartier.anchors.rules import provider_ids

    organisations = Organisation.objects.filter(kind__in=PROVIDER_KINDS).order_by("name")
    if accounts.is_programme_staff(user) or accounts.coordinated_ags(user):
        return organisations
    return organisations.filter(pk__in=provider_ids(user))


def gemeinde_choices(user):
    """Gemeinden the user may register anchors in: all for staff and provider members,
    the coordinated ones for coordinators."""
    from quartier.anchors.rules import provider_ids

    gemeinden = Place.objects.filter(kind=Place.Kind.GEMEINDE).order_by("name")
    if accounts.is_programme_staff(user) or provider_ids(user):
        return gemeinden
    query = Q(pk__in=[])
    for ags in accounts.coordinated_ags(user):
        query |= Q(ags__startswith=ags)
    return gemeinden.filter(query)


def may_keep(user, *, provider_id: int, gemeinde_ags: str) -> bool:
    """Whether the user may keep an entry of this provider in this Gemeinde."""
    from quartier.anchors.rules import coordinates_ags, provider_ids

    return (
        accounts.is_programme_staff(user)
        or provider_id in provider_ids(user)
        or coordinates_ags(user, gemeinde_ags)
    )


# Stored images get a random name with the extension of their real format, so an upload
# named "x.html" can never be served as anything but an image.
IMAGE_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
IMAGE_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def store_image(upload) -> str:
    """Save an uploaded image that forms.AnchorForm has validated; returns its storage name."""
    extension = IMAGE_EXTENSIONS[upload.image.format]
    return default_storage.save(f"anchors/{secrets.token_hex(8)}.{extension}", upload)


def image_type(name: str) -> str:
    return IMAGE_TYPES.get(name.rsplit(".", 1)[-1].lower(), "application/octet-stream")


# Snapshots ------------------------------------------------------------------------------


def snapshot_of(anchor: Anchor, offers: Iterable[Offer] | None = None) -> dict:
    data = {
        "kind": anchor.kind.slug,
        "provider": anchor.provider_id,
        "provider_name": anchor.provider.name,
        "gemeinde": anchor.gemeinde.ags,
        "gemeinde_name": anchor.gemeinde.name,
    }
    for name in PLAIN_FIELDS:
        value = getattr(anchor, name)
        data[name] = value.name if name == "image" else value
    offers = anchor.offers.all() if offers is None else offers
    data["offers"] = [{name: getattr(o, name) for name in OFFER_FIELDS} for o in offers]
    return data


def current_snapshot(anchor: Anchor) -> dict:
    """What an editor starts from: the pending proposal if there is one, else the row."""
    if anchor.pending_version_id and anchor.status == Status.PUBLISHED:
        return anchor.pending_version.snapshot
    return snapshot_of(anchor)


def _apply(anchor: Anchor, snapshot: dict) -> Anchor:
    """Write a snapshot into the anchor row, its offers and its opening intervals."""
    anchor.kind = AnchorKind.objects.get(slug=snapshot["kind"])
    anchor.provider = Organisation.objects.get(pk=snapshot["provider"])
    anchor.gemeinde = Place.objects.get(ags=snapshot["gemeinde"], kind=Place.Kind.GEMEINDE)
    for name in PLAIN_FIELDS:
        if name == "image":
            anchor.image.name = snapshot["image"] or ""
        else:
            setattr(anchor, name, snapshot[name])
    anchor.__dict__.pop("intervals", None)
    anchor.quarter = locate_quarter(anchor.gemeinde, anchor.x, anchor.y)
    anchor.save()
    anchor.offers.all().delete()
    Offer.objects.bulk_create(
        Offer(anchor=anchor, position=number, **offer)
        for number, offer in enumerate(snapshot["offers"])
    )
    anchor.opening_intervals.all().delete()
    OpeningInterval.objects.bulk_create(_intervals_of(anchor))
    return anchor


def _intervals_of(anchor: Anchor) -> list[OpeningInterval]:
    return [
        OpeningInterval(anchor=anchor, start_minute=i.week_start, end_minute=i.week_end)
        for i in engine.parse_hours(anchor.opening_hours)
    ]


def _record(anchor: Anchor, action: str, snapshot: dict, actor, reason: str = "") -> AnchorVersion:
    return AnchorVersion.objects.create(
        anchor=anchor, action=action, snapshot=snapshot, actor=_user_or_none(actor), reason=reason
    )


def _user_or_none(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def locate_quarter(gemeinde: Place, x: float, y: float, *, quarters=None) -> Quarter | None:
    """The published quarter of the Gemeinde that holds the point, if any."""
    if quarters is None:
        quarters = _quarter_shapes(gemeinde.pk)
    point = shapely.Point(x, y)
    return next((quarter for quarter, shape in quarters if shape.contains(point)), None)


def _quarter_shapes(gemeinde_id: int) -> list[tuple[Quarter, object]]:
    shapes = []
    for quarter in Quarter.objects.published().filter(gemeinde_id=gemeinde_id).order_by("pk"):
        shape = geo.loads(quarter.boundary)
        shapely.prepare(shape)
        shapes.append((quarter, shape))
    return shapes


# Registering, changing, reviewing ----------------------------------------------------------


class ReviewConflict(ValidationError):
    """The entry changed while a reviewer looked at it."""


@transaction.atomic
def register_anchor(snapshot: dict, *, actor) -> Anchor:
    """Create an anchor. Programme staff publish at once; everyone else's entry waits for
    review and is not public until then."""
    anchor = _apply(Anchor(), snapshot)
    if accounts.is_programme_staff(actor):
        anchor.status = Status.PUBLISHED
        anchor.published_at = timezone.now()
        _record(anchor, Action.PUBLISHED, snapshot, actor)
    else:
        anchor.pending_version = _record(anchor, Action.SUBMITTED, snapshot, actor)
    anchor.save(update_fields=["status", "published_at", "pending_version"])
    return anchor


@transaction.atomic
def change_anchor(anchor: Anchor, snapshot: dict, *, actor) -> AnchorVersion:
    """Change an anchor. Staff change it directly (superseding a waiting proposal); others
    change an unpublished entry and send it to review again, or propose a change to a
    published one, which stays public unchanged until staff publish the proposal."""
    anchor = Anchor.objects.select_for_update().get(pk=anchor.pk)
    if accounts.is_programme_staff(actor):
        _apply(anchor, snapshot)
        version = _record(anchor, Action.CHANGED, snapshot, actor)
        anchor.pending_version = None if anchor.status == Status.PUBLISHED else version
    elif anchor.status == Status.PUBLISHED:
        version = _record(anchor, Action.PROPOSED, snapshot, actor)
        anchor.pending_version = version
    else:
        _apply(anchor, snapshot)
        anchor.status = Status.PENDING
        version = _record(anchor, Action.SUBMITTED, snapshot, actor)
        anchor.pending_version = version
    anchor.save(update_fields=["status", "pending_version"])
    return version


def _lock_for_review(anchor: Anchor, seen_version_id: int | None) -> Anchor:
    # Lock only the anchor row: PostgreSQL cannot lock the nullable side of the outer join.
    anchor = (
        Anchor.objects.select_for_update(of=("self",)).select_related("pending_version")
        .get(pk=anchor.pk)
    )
    waiting = anchor.status == Status.PENDING or anchor.pending_version_id is not None
    if not waiting or anchor.pending_version_id != seen_version_id:
        raise ReviewConflict(
            _("This entry has changed since you opened it; please review it again.")
        )
    return anchor


@transaction.atomic
def publish_anchor(anchor: Anchor, *, seen_version_id: int | None, actor) -> Anchor:
    """Publish a new entry or a proposed change that a reviewer has seen."""
    anchor = _lock_for_review(anchor, seen_version_id)
    if anchor.pending_version and anchor.status == Status.PUBLISHED:
        _apply(anchor, anchor.pending_version.snapshot)
    anchor.status = Status.PUBLISHED
    anchor.published_at = timezone.now()
    anchor.pending_version = None
    anchor.save(update_fields=["status", "published_at", "pending_version"])
    _record(anchor, Action.PUBLISHED, snapshot_of(anchor), actor)
    return anchor


@transaction.atomic
def reject_anchor(anchor: Anchor, reason: str, *, seen_version_id: int | None, actor) -> Anchor:
    """Reject a new entry (it stays unpublished) or a proposed change (the published entry
    stays as it was), with a reason that goes to the person who submitted it."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give a reason, so the provider can correct the entry."))
    anchor = _lock_for_review(anchor, seen_version_id)
    proposal = anchor.pending_version
    if anchor.status == Status.PUBLISHED:
        snapshot = proposal.snapshot
    else:
        anchor.status = Status.REJECTED
        snapshot = snapshot_of(anchor)
    anchor.pending_version = None
    anchor.save(update_fields=["status", "pending_version"])
    _record(anchor, Action.REJECTED, snapshot, actor, reason=reason)
    submitter = proposal.actor if proposal else None
    if submitter is not None and submitter.email:
        subject = _("Your entry “%(name)s” was not published") % {"name": snapshot["name"]}
        body = _("Programme staff did not publish your entry “%(name)s”:\n\n%(reason)s\n") % {
            "name": snapshot["name"], "reason": reason}
        transaction.on_commit(lambda: send_mail(subject, body, None, [submitter.email]))
    return anchor


def review_queue() -> list[Anchor]:
    """New entries and proposed changes waiting for programme staff, oldest first."""
    return list(
        Anchor.objects.awaiting_review()
        .select_related("kind", "provider", "gemeinde", "pending_version__actor")
        .order_by("updated_at", "pk")
    )


def anchors_kept_by(user) -> list[Anchor]:
    """The anchors the user may change: their organisations' and those in places they
    coordinate (all for programme staff would be too many: staff use the search)."""
    from quartier.anchors.rules import provider_ids

    query = Q(provider_id__in=provider_ids(user))
    for ags in accounts.coordinated_ags(user):
        query |= Q(gemeinde__ags__startswith=ags)
    return list(
        Anchor.objects.filter(query).select_related("kind", "gemeinde", "provider")
        .order_by("name", "pk")[:500]
    )


@dataclass
class Change:
    field: str
    before: object
    after: object


@dataclass
class HistoryEntry:
    version: AnchorVersion
    changes: list[Change]


def history_of(anchor: Anchor) -> list[HistoryEntry]:
    """Versions newest first, each with what it changed against the version before it."""
    versions = list(anchor.versions.select_related("actor").order_by("created_at", "pk"))
    entries = []
    before: dict = {}
    for version in versions:
        after = version.snapshot
        changes = [
            Change(key, before.get(key), after.get(key))
            for key in after
            if before and before.get(key) != after.get(key) and not key.endswith("_name")
        ]
        entries.append(HistoryEntry(version, changes))
        before = after
    return entries[::-1]


# Search ---------------------------------------------------------------------------------


def detour_factor() -> float:
    return settings.WALKING_DETOUR_FACTOR


def minute_of_week(moment: datetime | None = None) -> int:
    local = timezone.localtime(moment or timezone.now(), BERLIN)
    return engine.week_minute(local.weekday(), local.hour, local.minute)


@dataclass(frozen=True)
class SearchQuery:
    kind_id: int | None = None
    category: str | None = None
    target_group: str | None = None
    needs: tuple[str, ...] = ()
    language: str | None = None
    open_now: bool = False
    # Where to measure from, in EPSG:25832 metres, and how far to walk at most.
    origin: tuple[float, float] | None = None
    radius_m: float = 10_000
    page: int = 1
    per_page: int = 20
    now: datetime | None = None


@dataclass
class SearchHit:
    anchor: Anchor
    walking_m: float | None
    open_now: bool | None


@dataclass
class SearchPage:
    hits: list[SearchHit]
    total: int
    page: int
    pages: int
    per_page: int

    @property
    def start(self) -> int:
        """The number of the first hit on this page."""
        return (self.page - 1) * self.per_page + 1

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def filter_published(query: SearchQuery, minute: int):
    """Published anchors matching every filter of the query (not the distance)."""
    anchors = Anchor.objects.published()
    if query.kind_id:
        anchors = anchors.filter(kind_id=query.kind_id)
    if query.category or query.target_group:
        offers = Offer.objects.filter(anchor=OuterRef("pk"))
        if query.category:
            offers = offers.filter(category=query.category)
        if query.target_group:
            offers = offers.filter(target_groups__has=query.target_group)
        anchors = anchors.filter(Exists(offers))
    for need in query.needs:
        if need in ACCESSIBILITY_FIELDS:
            anchors = anchors.filter(**{need: True})
    if query.language:
        anchors = anchors.filter(languages__has=query.language)
    if query.open_now:
        anchors = anchors.filter(Exists(OpeningInterval.objects.filter(
            anchor=OuterRef("pk"), start_minute__lte=minute, end_minute__gt=minute
        )))
    return anchors


def search_anchors(query: SearchQuery) -> SearchPage:
    """Published anchors matching every filter. From an origin: those within the walking
    radius, nearest first (walking distance = straight line × detour factor); without one:
    by name. A bounding box on the indexed x/y cuts the candidates before NumPy measures."""
    minute = minute_of_week(query.now)
    anchors = filter_published(query, minute)
    per_page = max(1, query.per_page)
    distances: dict[int, float] = {}
    if query.origin is not None:
        factor = detour_factor()
        min_x, min_y, max_x, max_y = engine.bounding_box(query.origin, query.radius_m, factor)
        rows = np.array(
            list(anchors.filter(x__gte=min_x, x__lte=max_x, y__gte=min_y, y__lte=max_y)
                 .values_list("pk", "x", "y")),
            dtype=float,
        ).reshape(-1, 3)
        walking = engine.walking_distances_m(query.origin, rows[:, 1], rows[:, 2], factor)
        inside = walking <= query.radius_m
        ids, walking = rows[inside, 0].astype(np.int64), walking[inside]
        order = engine.nearest_first(walking, ids)
        total = len(order)
        pages = max(1, math.ceil(total / per_page))
        page = min(max(1, query.page), pages)
        chosen = order[(page - 1) * per_page : page * per_page]
        page_ids = [int(i) for i in ids[chosen]]
        distances = {int(ids[i]): float(walking[i]) for i in chosen}
        by_id = {a.pk: a for a in _with_relations(Anchor.objects.filter(pk__in=page_ids))}
        rows_on_page = [by_id[i] for i in page_ids]
    else:
        total = anchors.count()
        pages = max(1, math.ceil(total / per_page))
        page = min(max(1, query.page), pages)
        offset = (page - 1) * per_page
        ordered = anchors.order_by("name", "pk")[offset : offset + per_page]
        rows_on_page = list(_with_relations(ordered))
    attach_offers(rows_on_page)
    hits = [
        SearchHit(a, distances.get(a.pk), a.is_open_at(minute) if a.intervals else None)
        for a in rows_on_page
    ]
    return SearchPage(hits=hits, total=total, page=page, pages=pages, per_page=per_page)


def _with_relations(anchors):
    return anchors.select_related("kind", "gemeinde", "quarter", "provider")


def attach_offers(anchors: list[Anchor]) -> None:
    """Set `offer_list` on each anchor with one query (none for no anchors)."""
    by_anchor: dict[int, list[Offer]] = defaultdict(list)
    if anchors:
        for offer in Offer.objects.filter(anchor_id__in=[a.pk for a in anchors]):
            by_anchor[offer.anchor_id].append(offer)
    for anchor in anchors:
        anchor.offer_list = by_anchor[anchor.pk]


@dataclass
class Origin:
    x: float
    y: float
    label: str


class OriginNotFound(ValueError):
    pass


def origin_from_text(text: str) -> Origin:
    """The point of the Gemeinde, postcode or published quarter a person typed."""
    result = places.search(text, limit=1)
    if result.gemeinden and result.gemeinden[0].x is not None:
        gemeinde = result.gemeinden[0]
        return Origin(gemeinde.x, gemeinde.y, gemeinde.name)
    if result.quarters:
        quarter = result.quarters[0]
        return Origin(quarter.x, quarter.y, f"{quarter.name} ({quarter.gemeinde.name})")
    raise OriginNotFound(text)


def origin_from_quarter(quarter_id: int) -> Origin:
    quarter = Quarter.objects.published().select_related("gemeinde").filter(pk=quarter_id).first()
    if quarter is None:
        raise OriginNotFound(str(quarter_id))
    return Origin(quarter.x, quarter.y, f"{quarter.name} ({quarter.gemeinde.name})")


def origin_from_position(lat: float, lon: float) -> Origin:
    """A position from the browser; OriginNotFound outside Baden-Württemberg."""
    x, y = geo.lonlat_to_utm(lon, lat)
    if not geo.in_bw(x, y):
        raise OriginNotFound(f"{lat},{lon}")
    return Origin(x, y, _("your position"))


def hits_feature_collection(hits: list[SearchHit]) -> dict:
    """The hits as WGS84 GeoJSON points for the map beside the list."""
    if not hits:
        return places.feature_collection([])
    xs = np.array([h.anchor.x for h in hits])
    ys = np.array([h.anchor.y for h in hits])
    lons, lats = geo._to_wgs84.transform(xs, ys)
    return places.feature_collection([
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
            "properties": {"id": h.anchor.pk, "name": h.anchor.name,
                           "url": h.anchor.get_absolute_url()},
        }
        for h, lon, lat in zip(hits, lons, lats, strict=True)
    ])


# Quarter pages --------------------------------------------------------------------------


@dataclass
class QuarterAnchors:
    anchors: list[Anchor]
    present: list[SuccessFactor]
    missing: list[SuccessFactor]


def quarter_anchors(quarter: Quarter) -> QuarterAnchors:
    """The published anchors in a quarter with their offers, and the success factors no
    anchor there serves. Two queries, however many anchors."""
    anchors = list(
        Anchor.objects.published().filter(quarter=quarter).select_related("kind")
        .order_by("kind__position", "name", "pk")
    )
    by_anchor: dict[int, list[Offer]] = defaultdict(list)
    offers = Offer.objects.filter(anchor__quarter=quarter, anchor__status=Status.PUBLISHED)
    for offer in offers:
        by_anchor[offer.anchor_id].append(offer)
    for anchor in anchors:
        anchor.offer_list = by_anchor[anchor.pk]
    served = {anchor.kind.success_factor for anchor in anchors}
    return QuarterAnchors(
        anchors=anchors,
        present=[f for f in SuccessFactor if f in served],
        missing=[f for f in SuccessFactor if f not in served],
    )


# schema.org -----------------------------------------------------------------------------

_SCHEMA_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def json_ld(anchor: Anchor, offers: list[Offer], *, page_url: str) -> dict:
    """schema.org markup of a published anchor: the place and its provider's offers there."""
    lon, lat = anchor.lonlat()
    place_id = f"{page_url}#place"
    is_space = anchor.kind.success_factor == SuccessFactor.BARRIER_FREE_SPACE
    place = {
        "@type": "Park" if "park" in anchor.kind.slug else
        ("Place" if is_space else "CivicStructure"),
        "@id": place_id,
        "name": anchor.name,
        "url": page_url,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": anchor.street,
            "postalCode": anchor.postcode,
            "addressLocality": anchor.city,
            "addressRegion": "Baden-Württemberg",
            "addressCountry": "DE",
        },
        "geo": {"@type": "GeoCoordinates", "latitude": round(lat, 6), "longitude": round(lon, 6)},
        "amenityFeature": [
            {"@type": "LocationFeatureSpecification", "name": str(label),
             "value": getattr(anchor, name)}
            for name, label in ACCESSIBILITY
        ],
        "openingHoursSpecification": [
            {"@type": "OpeningHoursSpecification",
             "dayOfWeek": f"https://schema.org/{_SCHEMA_DAYS[i.day]}",
             "opens": f"{i.start // 60:02d}:{i.start % 60:02d}",
             "closes": f"{i.end // 60:02d}:{i.end % 60:02d}"}
            for i in anchor.intervals
        ],
    }
    if anchor.description:
        place["description"] = anchor.description
    if anchor.phone:
        place["telephone"] = anchor.phone
    if anchor.email:
        place["email"] = anchor.email
    if anchor.website:
        place["sameAs"] = anchor.website
    if anchor.image:
        place["image"] = page_url + "image/"
    provider = {
        "@type": "Organization",
        "name": anchor.provider.name,
        "knowsLanguage": anchor.languages,
        "makesOffer": [
            {
                "@type": "Offer",
                "name": offer.title,
                "category": str(OfferCategory(offer.category).label),
                **({"price": 0, "priceCurrency": "EUR"} if offer.is_free else {}),
                "itemOffered": {
                    "@type": "Service",
                    "name": offer.title,
                    **({"description": offer.description} if offer.description else {}),
                    "audience": [{"@type": "Audience", "audienceType": label}
                                 for label in offer.target_group_labels()],
                    "availableChannel": {"@type": "ServiceChannel",
                                         "serviceLocation": {"@id": place_id}},
                },
            }
            for offer in offers
        ],
    }
    return {"@context": "https://schema.org", "@graph": [place, provider]}


def json_ld_text(data: dict) -> str:
    """JSON for a <script type="application/ld+json"> block: "<", ">" and "&" escaped, so
    text in it can never close the script element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# Import and export ----------------------------------------------------------------------

# Columns of the CSV format (docs/anchors.md); GeoJSON features carry the same properties.
CSV_COLUMNS = (
    "ref", "kind", "name", "description", "provider", "gemeinde", "street", "postcode",
    "city", "lon", "lat", "opening_hours", "phone", "email", "website", "languages",
    *ACCESSIBILITY_FIELDS, "is_demo", "offers",
)
REQUIRED_COLUMNS = frozenset({"kind", "name", "provider", "gemeinde", "street", "postcode",
                              "lon", "lat"})
IMPORT_MAX_BYTES = 50 * 1024 * 1024
_TRUE = frozenset({"1", "true", "yes", "ja", "y", "x"})
_FALSE = frozenset({"", "0", "false", "no", "nein", "n"})


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0


@dataclass
class _Parsed:
    # (file, line, ref or None, snapshot)
    rows: list[tuple[str, int, str | None, dict]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def import_anchors(
    paths: Iterable[Path], *, actor=None, progress: Progress = no_progress
) -> ImportReport:
    """Import anchors with their offers from CSV or GeoJSON files (docs/anchors.md).

    Every row is checked as the registration form checks it; when any row is bad,
    ImportRejected lists every bad row and nothing is changed. Rows are keyed by `ref`: a
    known ref updates that anchor, a new or empty one creates an anchor. Imported anchors
    are published (importing is programme staff's work) and each gets a version.
    """
    parsed = _Parsed()
    context = _ImportContext()
    seen: set[str] = set()
    for path in paths:
        path = Path(path)
        for name, line, row in _read_rows(path, parsed.errors):
            ref, snapshot, errors = _check_row(row, context)
            if ref and ref in seen:
                errors.append(("ref", _("ref %(ref)s appears twice") % {"ref": ref}))
            seen.add(ref)
            if errors:
                parsed.errors.extend(RowError(name, line, f, r) for f, r in errors)
            else:
                parsed.rows.append((name, line, ref, snapshot))
        progress(_("%(file)s checked") % {"file": path.name})
    refs = [ref for _n, _l, ref, _s in parsed.rows if ref]
    if parsed.errors:
        raise ImportRejected(parsed.errors)
    progress(_("All rows are valid; writing."))
    existing = {a.ref: a for a in Anchor.objects.filter(ref__in=refs)}
    report = _write_rows(parsed.rows, existing, actor=actor, progress=progress)
    progress(_("Done."))
    return report


class _ImportContext:
    """Lookups shared by all rows of an import, read once."""

    def __init__(self):
        self.kinds = {k.slug: k for k in AnchorKind.objects.all()}
        self.providers = {o.name: o for o in Organisation.objects.filter(kind__in=PROVIDER_KINDS)}
        self.gemeinden = {
            p.ags: p
            for p in Place.objects.filter(kind=Place.Kind.GEMEINDE).only("pk", "ags", "name")
        }


def _read_rows(path: Path, errors: list[RowError]) -> Iterable[tuple[str, int, dict]]:
    name = path.name
    try:
        size = path.stat().st_size
    except OSError as error:
        errors.append(RowError(name, 0, "file", str(error.strerror)))
        return
    if size > IMPORT_MAX_BYTES:
        errors.append(RowError(name, 0, "file", _("larger than %(kb)s KB")
                               % {"kb": IMPORT_MAX_BYTES >> 10}))
        return
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        reason = _("not UTF-8 (byte %(pos)s)") % {"pos": error.start}
        errors.append(RowError(name, 0, "file", reason))
        return
    if path.suffix.lower() in (".geojson", ".json"):
        yield from _geojson_rows(name, text, errors)
    else:
        yield from _csv_rows(name, text, errors)


def _csv_rows(name: str, text: str, errors: list[RowError]):
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = set(reader.fieldnames or [])
    if not REQUIRED_COLUMNS <= columns:
        missing = ", ".join(sorted(REQUIRED_COLUMNS - columns))
        reason = _("missing columns: %(cols)s") % {"cols": missing}
        errors.append(RowError(name, 1, "header", reason))
        return
    for row in reader:
        if None in row or any(value is None for value in row.values()):
            errors.append(RowError(name, reader.line_num, "row", _("wrong number of columns")))
            continue
        yield name, reader.line_num, row


def _geojson_rows(name: str, text: str, errors: list[RowError]):
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        errors.append(RowError(name, getattr(error, "lineno", 0), "file", _("not JSON")))
        return
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        errors.append(RowError(name, 0, "file", _("not a GeoJSON FeatureCollection")))
        return
    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if not isinstance(properties, dict):
            errors.append(RowError(name, number, "properties", _("missing")))
            continue
        coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
        if (not isinstance(geometry, dict) or geometry.get("type") != "Point"
                or not isinstance(coordinates, list) or len(coordinates) < 2):
            errors.append(RowError(name, number, "geometry", _("must be a Point")))
            continue
        row = {key: value for key, value in properties.items() if key in CSV_COLUMNS}
        row["lon"], row["lat"] = coordinates[0], coordinates[1]
        yield name, number, row


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value).strip()


def _as_bool(value) -> bool | None:
    if isinstance(value, bool):
        return value
    text = _as_text(value).casefold()
    return True if text in _TRUE else False if text in _FALSE else None


def _as_list(value) -> list | None:
    if isinstance(value, list):
        return [_as_text(v) for v in value]
    text = _as_text(value)
    return [part for part in text.replace(",", " ").split() if part]


def _check_row(row: dict, context: _ImportContext) -> tuple[str | None, dict, list]:
    """Check one imported row with the registration form; (ref, snapshot, errors)."""
    from quartier.anchors.forms import AnchorForm, OfferForm

    errors: list[tuple[str, str]] = []
    ref = _as_text(row.get("ref")) or None
    if ref and (len(ref) > 40 or not ref.replace("-", "").replace("_", "").isalnum()):
        errors.append(("ref", _("at most 40 letters, digits, “-” or “_”")))
    provider = context.providers.get(_as_text(row.get("provider")))
    if provider is None:
        errors.append(("provider", _("no provider organisation of this name")))
    data = {
        name: _as_text(row.get(name))
        for name in ("kind", "name", "description", "gemeinde", "street", "postcode", "city",
                     "lon", "lat", "opening_hours", "phone", "email", "website")
    }
    data["provider"] = provider.pk if provider else ""
    data["languages"] = _as_list(row.get("languages"))
    for name in (*ACCESSIBILITY_FIELDS, "is_demo"):
        value = _as_bool(row.get(name))
        if value is None:
            errors.append((name, _("must be yes or no")))
        data[name] = value or False
    form = AnchorForm(data, context=context)
    for name, messages in form.errors.items():
        errors.extend((name, message) for message in messages)
    offers = row.get("offers") or []
    if isinstance(offers, str):
        try:
            offers = json.loads(offers) if offers.strip() else []
        except ValueError:
            offers = None
    if not isinstance(offers, list) or not all(isinstance(o, dict) for o in offers):
        errors.append(("offers", _("must be a JSON list of offers")))
        offers = []
    offer_data = []
    for number, offer in enumerate(offers, start=1):
        values = {
            name: _as_text(offer.get(name))
            for name in ("category", "title", "description", "when")
        }
        values["target_groups"] = _as_list(offer.get("target_groups"))
        for name in ("is_free", "booking_required"):
            value = _as_bool(offer.get(name, name == "is_free"))
            if value is None:
                errors.append((f"offers[{number}].{name}", _("must be yes or no")))
            values[name] = value or False
        offer_form = OfferForm(values)
        for name, messages in offer_form.errors.items():
            errors.extend((f"offers[{number}].{name}", message) for message in messages)
        if offer_form.is_valid():
            offer_data.append(offer_form.offer())
    if errors:
        return ref, {}, errors
    snapshot = form.snapshot(offers=offer_data, image="")
    snapshot["is_demo"] = data["is_demo"]
    return ref, snapshot, []


@transaction.atomic
def _write_rows(rows, existing: dict[str, Anchor], *, actor, progress: Progress,
                action: str = Action.IMPORTED) -> ImportReport:
    """Write checked snapshots in bulk: anchors, offers, opening intervals, versions."""
    report = ImportReport()
    kinds = {k.slug: k for k in AnchorKind.objects.all()}
    gemeinden = {p.ags: p for p in Place.objects.filter(
        ags__in={snapshot["gemeinde"] for *_r, snapshot in rows})}
    shapes: dict[int, list] = {}
    now = timezone.now()
    new, changed = [], []
    for _name, _line, ref, snapshot in rows:
        anchor = existing.get(ref) if ref else None
        is_new = anchor is None
        if is_new:
            anchor = Anchor(ref=ref) if ref else Anchor()
            anchor.image_alt = ""
        gemeinde = gemeinden[snapshot["gemeinde"]]
        anchor.kind = kinds[snapshot["kind"]]
        anchor.provider_id = snapshot["provider"]
        anchor.gemeinde = gemeinde
        for name in PLAIN_FIELDS:
            # Imports carry no images; an updated anchor keeps its own.
            if name not in ("image", "image_alt"):
                setattr(anchor, name, snapshot[name])
        if gemeinde.pk not in shapes:
            shapes[gemeinde.pk] = _quarter_shapes(gemeinde.pk)
        anchor.quarter = locate_quarter(gemeinde, anchor.x, anchor.y, quarters=shapes[gemeinde.pk])
        anchor.status = Status.PUBLISHED
        anchor.published_at = anchor.published_at or now
        anchor.pending_version = None
        anchor.offers_to_write = snapshot["offers"]
        (new if is_new else changed).append(anchor)
    for anchor in new:
        anchor.created_at = anchor.updated_at = now
    Anchor.objects.bulk_create(new, batch_size=500)
    if changed:
        fields = ["kind", "provider", "gemeinde", "quarter", "status", "published_at",
                  "pending_version", *[f for f in PLAIN_FIELDS if f not in ("image", "image_alt")]]
        for anchor in changed:
            anchor.updated_at = now
        Anchor.objects.bulk_update(changed, [*fields, "updated_at"], batch_size=500)
        Offer.objects.filter(anchor__in=changed).delete()
        OpeningInterval.objects.filter(anchor__in=changed).delete()
    written = [*new, *changed]
    Offer.objects.bulk_create(
        (Offer(anchor=a, position=n, **offer)
         for a in written for n, offer in enumerate(a.offers_to_write)),
        batch_size=1000,
    )
    OpeningInterval.objects.bulk_create(
        (interval for a in written for interval in _intervals_of(a)), batch_size=1000
    )
    user = _user_or_none(actor)
    AnchorVersion.objects.bulk_create(
        (AnchorVersion(anchor=a, action=action, actor=user,
                       snapshot={**_row_snapshot(a), "offers": a.offers_to_write})
         for a in written),
        batch_size=500,
    )
    bulk_changed.send(sender=Anchor)
    report.created, report.updated = len(new), len(changed)
    progress(ngettext("%(n)s anchor created", "%(n)s anchors created", len(new)) % {"n": len(new)})
    progress(ngettext("%(n)s anchor updated", "%(n)s anchors updated", len(changed))
             % {"n": len(changed)})
    return report


def _row_snapshot(anchor: Anchor) -> dict:
    data = {"kind": anchor.kind.slug, "provider": anchor.provider_id,
            "gemeinde": anchor.gemeinde.ags}
    for name in PLAIN_FIELDS:
        value = getattr(anchor, name)
        data[name] = value.name if name == "image" else value
    return data


def published_for_export(filters: Q | None = None):
    anchors = Anchor.objects.published().select_related("kind", "provider", "gemeinde")
    return anchors.filter(filters) if filters is not None else anchors.order_by("pk")


def _export_chunks(anchors, chunk: int = 2000):
    """Anchors with their offers (offer_list), a chunk at a time, in id order."""
    last = 0
    while True:
        rows = list(anchors.filter(pk__gt=last).order_by("pk")[:chunk])
        if not rows:
            return
        attach_offers(rows)
        yield from rows
        last = rows[-1].pk


def _offer_dicts(anchor: Anchor) -> list[dict]:
    return [{name: getattr(o, name) for name in OFFER_FIELDS} for o in anchor.offer_list]


def export_row(anchor: Anchor, lonlat: tuple[float, float]) -> dict:
    lon, lat = lonlat
    row = {
        "ref": anchor.ref, "kind": anchor.kind.slug, "name": anchor.name,
        "description": anchor.description, "provider": anchor.provider.name,
        "gemeinde": anchor.gemeinde.ags, "street": anchor.street, "postcode": anchor.postcode,
        "city": anchor.city, "lon": round(lon, 7), "lat": round(lat, 7),
        "opening_hours": anchor.opening_hours, "phone": anchor.phone, "email": anchor.email,
        "website": anchor.website, "languages": anchor.languages,
    }
    row.update((name, getattr(anchor, name)) for name in ACCESSIBILITY_FIELDS)
    row["is_demo"] = anchor.is_demo
    row["offers"] = _offer_dicts(anchor)
    return row


def _rows_with_lonlat(anchors):
    batch: list[Anchor] = []
    for anchor in _export_chunks(anchors):
        batch.append(anchor)
        if len(batch) == 2000:
            yield from _lonlat_batch(batch)
            batch = []
    yield from _lonlat_batch(batch)


def _lonlat_batch(batch: list[Anchor]):
    if not batch:
        return
    lons, lats = geo._to_wgs84.transform(np.array([a.x for a in batch]),
                                         np.array([a.y for a in batch]))
    for anchor, lon, lat in zip(batch, lons, lats, strict=True):
        yield anchor, export_row(anchor, (float(lon), float(lat)))


def write_csv(stream, anchors=None) -> int:
    """Published anchors as CSV (CSV_COLUMNS; lists space-separated, offers as JSON)."""
    writer = csv.DictWriter(stream, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for _anchor, row in _rows_with_lonlat(published_for_export() if anchors is None else anchors):
        row["languages"] = " ".join(row["languages"])
        for name in (*ACCESSIBILITY_FIELDS, "is_demo"):
            row[name] = "yes" if row[name] else "no"
        row["offers"] = json.dumps(row["offers"], ensure_ascii=False) if row["offers"] else ""
        writer.writerow(row)
        count += 1
    return count


def feature_of(anchor: Anchor, row: dict) -> dict:
    properties = {key: value for key, value in row.items() if key not in ("lon", "lat")}
    properties.update(
        id=anchor.pk, url=anchor.get_absolute_url(), kind_name=anchor.kind.name,
        success_factor=anchor.kind.success_factor, gemeinde_name=anchor.gemeinde.name,
    )
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
        "properties": properties,
    }


def geojson_features(anchors=None) -> Iterable[dict]:
    for anchor, row in _rows_with_lonlat(published_for_export() if anchors is None else anchors):
        yield feature_of(anchor, row)


def write_geojson(stream, anchors=None) -> int:
    """Published anchors as a GeoJSON FeatureCollection (WGS84), written feature by feature."""
    stream.write('{"type":"FeatureCollection","features":[')
    count = 0
    for feature in geojson_features(anchors):
        stream.write(("," if count else "") + json.dumps(feature, ensure_ascii=False))
        count += 1
    stream.write("]}\n")
    return count


LANGUAGE_CODES = frozenset(Language.values)
TARGET_GROUP_CODES = frozenset(TargetGroup.values)


@dataclass
class CheckPoints:
    """The published anchors as the quarter check needs them: one entry per anchor."""

    kinds: list[str] = field(default_factory=list)  # every kind slug, in list order
    kind: list[str] = field(default_factory=list)
    factor: list[str] = field(default_factory=list)
    x: list[float] = field(default_factory=list)
    y: list[float] = field(default_factory=list)
    # Step-free entrance and an accessible toilet: docs/quartierscheck.md.
    barrier_free: list[bool] = field(default_factory=list)
    gemeinde_id: list[int] = field(default_factory=list)
    quarter_id: list[int | None] = field(default_factory=list)
    offer_categories: list[tuple[str, ...]] = field(default_factory=list)
    offers: list[int] = field(default_factory=list)


def points_for_check() -> CheckPoints:
    """Published anchors with kind, success factor, accessibility and offers (two queries)."""
    points = CheckPoints(kinds=list(AnchorKind.objects.values_list("slug", flat=True)))
    categories: dict[int, list[str]] = defaultdict(list)
    for anchor_id, category in Offer.objects.filter(
        anchor__status=Anchor.Status.PUBLISHED
    ).values_list("anchor_id", "category"):
        categories[anchor_id].append(category)
    rows = Anchor.objects.published().order_by("pk").values_list(
        "pk", "kind__slug", "kind__success_factor", "x", "y", "step_free_entrance",
        "accessible_toilet", "gemeinde_id", "quarter_id",
    )
    for pk, kind, factor, x, y, step_free, toilet, gemeinde_id, quarter_id in rows:
        points.kind.append(kind)
        points.factor.append(factor)
        points.x.append(x)
        points.y.append(y)
        points.barrier_free.append(step_free and toilet)
        points.gemeinde_id.append(gemeinde_id)
        points.quarter_id.append(quarter_id)
        offered = categories.get(pk, [])
        points.offer_categories.append(tuple(sorted(set(offered))))
        points.offers.append(len(offered))
    return points
