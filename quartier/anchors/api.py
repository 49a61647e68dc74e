"""Open data: published anchors and their offers, as JSON pages, GeoJSON and CSV."""

import io
from typing import Literal

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError

from quartier.anchors import services
from quartier.anchors.models import (
    ACCESSIBILITY_FIELDS,
    Anchor,
    AnchorKind,
    Language,
    OfferCategory,
    TargetGroup,
)

router = Router()
MAX_LIMIT = 500
MAX_GEOJSON_LIMIT = 50_000
# Larger offsets overflow the database's integer (a 500 error instead of a 422).
MAX_OFFSET = 2**31 - 1

Need = Literal[ACCESSIBILITY_FIELDS]  # type: ignore[valid-type]
CategoryCode = Literal[tuple(OfferCategory.values)]  # type: ignore[valid-type]
GroupCode = Literal[tuple(TargetGroup.values)]  # type: ignore[valid-type]
LanguageCode = Literal[tuple(Language.values)]  # type: ignore[valid-type]


class KindOut(Schema):
    slug: str
    name_de: str
    name_en: str
    success_factor: str


class OfferOut(Schema):
    category: str
    title: str
    description: str
    target_groups: list[str]
    when: str
    is_free: bool
    booking_required: bool


class AnchorOut(Schema):
    id: int
    ref: str
    kind: str
    success_factor: str
    name: str
    description: str
    provider: str
    gemeinde_ags: str
    quarter_id: int | None
    street: str
    postcode: str
    city: str
    lon: float
    lat: float
    x: float
    y: float
    opening_hours: str
    phone: str
    email: str
    website: str
    languages: list[str]
    step_free_entrance: bool
    lift: bool
    accessible_toilet: bool
    hearing_loop: bool
    tactile_guidance: bool
    easy_language: bool
    disabled_parking: bool
    is_demo: bool
    url: str
    walking_distance_m: float | None = None
    offers: list[OfferOut]


class AnchorFilter(Schema):
    kind: str | None = Field(None, max_length=50, pattern=r"^[-a-z0-9]+$")
    category: CategoryCode | None = None
    target_group: GroupCode | None = None
    language: LanguageCode | None = None
    needs: list[Need] = Field(default_factory=list)
    open_now: bool = False
    gemeinde: str | None = Field(None, pattern=r"^08\d{6}$")
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    radius_m: int = Field(5000, ge=100, le=100_000)


class Page(Schema):
    limit: int = Field(100, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class AnchorPage(Schema):
    count: int
    items: list[AnchorOut]


def _query(filters: AnchorFilter, *, limit: int, offset: int) -> services.SearchQuery:
    kind_id = None
    if filters.kind:
        kind_id = AnchorKind.objects.filter(slug=filters.kind).values_list("pk", flat=True).first()
        if kind_id is None:
            raise HttpError(422, f"Unknown kind {filters.kind!r}; see /api/anchor-kinds.")
    origin = None
    if (filters.lat is None) != (filters.lon is None):
        raise HttpError(422, "Give both lat and lon, or neither.")
    if filters.lat is not None:
        try:
            found = services.origin_from_position(filters.lat, filters.lon)
        except services.OriginNotFound:
            raise HttpError(422, "The position lies outside Baden-Württemberg.") from None
        origin = (found.x, found.y)
    # Pages of the service are `limit` long; an offset that is no multiple of it is rare.
    return services.SearchQuery(
        kind_id=kind_id, category=filters.category, target_group=filters.target_group,
        needs=tuple(filters.needs), language=filters.language, open_now=filters.open_now,
        origin=origin, radius_m=filters.radius_m, page=offset // limit + 1, per_page=limit,
    )


def _out(hit: services.SearchHit) -> dict:
    anchor = hit.anchor
    lon, lat = anchor.lonlat()
    return {
        **{name: getattr(anchor, name) for name in (
            "id", "ref", "name", "description", "street", "postcode", "city", "x", "y",
            "opening_hours", "phone", "email", "website", "languages", "is_demo",
            "quarter_id", *ACCESSIBILITY_FIELDS)},
        "kind": anchor.kind.slug,
        "success_factor": anchor.kind.success_factor,
        "provider": anchor.provider.name,
        "gemeinde_ags": anchor.gemeinde.ags,
        "lon": round(lon, 7),
        "lat": round(lat, 7),
        "url": anchor.get_absolute_url(),
        "walking_distance_m": round(hit.walking_m) if hit.walking_m is not None else None,
        "offers": anchor.offer_list,
    }


@router.get("/anchor-kinds", response=list[KindOut])
def anchor_kinds(request):
    return AnchorKind.objects.all()


@router.get("/anchors", response=AnchorPage)
def anchors(request, filters: Query[AnchorFilter], page: Query[Page]):
    """Published anchors with their offers. With lat/lon: those within radius_m walking
    distance, nearest first; otherwise by name. `offset` should be a multiple of `limit`."""
    if filters.gemeinde:
        return _gemeinde_page(filters, page)
    if page.offset % page.limit:
        raise HttpError(422, "offset must be a multiple of limit.")
    result = services.search_anchors(_query(filters, limit=page.limit, offset=page.offset))
    items = [_out(hit) for hit in result.hits] if page.offset < result.total else []
    return {"count": result.total, "items": items}


def _gemeinde_page(filters: AnchorFilter, page: Page) -> dict:
    query = _query(filters, limit=page.limit, offset=0)
    anchors = (
        services.filter_published(query, services.minute_of_week())
        .filter(gemeinde__ags=filters.gemeinde)
        .select_related("kind", "gemeinde", "provider", "quarter").order_by("name", "pk")
    )
    rows = list(anchors[page.offset : page.offset + page.limit])
    services.attach_offers(rows)
    return {"count": anchors.count(), "items": [_out(services.SearchHit(a, None, None))
                                                for a in rows]}


@router.get("/anchors.geojson")
def anchors_geojson(request, gemeinde: str | None = Query(None, pattern=r"^08\d{6}$"),
                    limit: int = Query(MAX_GEOJSON_LIMIT, ge=1, le=MAX_GEOJSON_LIMIT),
                    offset: int = Query(0, ge=0, le=MAX_OFFSET)):
    """All published anchors (or those of one Gemeinde) as a GeoJSON FeatureCollection in
    WGS84, with their offers; the open-data download."""
    anchors = _export_rows(gemeinde, limit, offset)
    stream = io.StringIO()
    services.write_geojson(stream, anchors)
    response = HttpResponse(stream.getvalue(), content_type="application/geo+json")
    response["Content-Disposition"] = 'inline; filename="anchors.geojson"'
    return response


@router.get("/anchors.csv")
def anchors_csv(request, gemeinde: str | None = Query(None, pattern=r"^08\d{6}$"),
                limit: int = Query(MAX_GEOJSON_LIMIT, ge=1, le=MAX_GEOJSON_LIMIT),
                offset: int = Query(0, ge=0, le=MAX_OFFSET)):
    """All published anchors as CSV, in the format `quartier import-anchors` reads."""
    anchors = _export_rows(gemeinde, limit, offset)
    stream = io.StringIO()
    services.write_csv(stream, anchors)
    response = HttpResponse(stream.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="anchors.csv"'
    return response


def _export_rows(gemeinde: str | None, limit: int, offset: int):
    anchors = services.published_for_export()
    if gemeinde:
        anchors = anchors.filter(gemeinde__ags=gemeinde)
    ids = list(anchors.order_by("pk").values_list("pk", flat=True)[offset : offset + limit])
    if not ids:
        return anchors.none()
    # A range of ids, not a list of them: SQLite limits the parameters of one query.
    return anchors.filter(pk__gte=ids[0], pk__lte=ids[-1])


@router.get("/anchors/{anchor_id}", response=AnchorOut)
def anchor(request, anchor_id: int = Path(..., ge=1, le=MAX_OFFSET)):
    found = get_object_or_404(
        Anchor.objects.published().select_related("kind", "gemeinde", "provider"), pk=anchor_id
    )
    services.attach_offers([found])
    return _out(services.SearchHit(found, None, None))
