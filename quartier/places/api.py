"""Read-only open data: Regierungsbezirke, Kreise, Gemeinden and published quarters."""

from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import Field, FilterLookup, FilterSchema, Path, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from quartier.places import services
from quartier.places.models import Place, Quarter

router = Router()
Kind = Place.Kind
MAX_LIMIT = 500
# Larger offsets overflow the database's integer (a 500 error instead of a 422).
MAX_OFFSET = 2**31 - 1


class PlaceOut(Schema):
    ags: str
    name: str
    kind: str
    parent_ags: str | None = Field(None, alias="parent.ags")
    population: int
    area_km2: float | None
    postcode: str
    url: str = Field(..., alias="get_absolute_url")


class QuarterOut(Schema):
    id: int
    name: str
    type: str
    gemeinde_ags: str = Field(..., alias="gemeinde.ags")
    population: int
    age_0_5: int
    age_6_17: int
    age_18_29: int
    age_30_49: int
    age_50_64: int
    age_65_79: int
    age_80_plus: int
    disability_share_pct: float
    migration_share_pct: float
    households: int
    is_demo: bool
    url: str = Field(..., alias="get_absolute_url")


class PlaceFilter(FilterSchema):
    regierungsbezirk: Annotated[str | None, FilterLookup("ags__startswith")] = Field(
        None, pattern=r"^\d{3}$"
    )
    kreis: Annotated[str | None, FilterLookup("ags__startswith")] = Field(
        None, pattern=r"^\d{5}$"
    )
    min_population: Annotated[int | None, FilterLookup("population__gte")] = Field(None, ge=0)
    q: str | None = Field(None, max_length=100)

    def filter_q(self, value):
        from django.db.models import Q

        return Q(search_key__contains=services.fold_query(value)) if value else Q()


class QuarterFilter(FilterSchema):
    gemeinde: Annotated[str | None, FilterLookup("gemeinde__ags")] = Field(
        None, pattern=r"^\d{8}$"
    )
    kreis: Annotated[str | None, FilterLookup("gemeinde__ags__startswith")] = Field(
        None, pattern=r"^\d{5}$"
    )
    type: Quarter.Type | None = None


class Page(Schema):
    limit: int = Field(100, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class Pagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(100, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)


def _places(kind: str, filters: PlaceFilter):
    return filters.filter(Place.objects.filter(kind=kind).select_related("parent"))


def _quarters(filters: QuarterFilter):
    return filters.filter(Quarter.objects.published().select_related("gemeinde").order_by("pk"))


def _collection(rows, feature, page: Page) -> dict:
    count = rows.count()
    features = [feature(row) for row in rows[page.offset : page.offset + page.limit]]
    collection = services.feature_collection(features)
    collection["count"] = count
    return collection


@router.get("/regierungsbezirke", response=list[PlaceOut])
def regierungsbezirke(request):
    return Place.objects.filter(kind=Kind.REGIERUNGSBEZIRK).select_related("parent")


@router.get("/regierungsbezirke.geojson")
def regierungsbezirke_geojson(request):
    places = Place.objects.filter(kind=Kind.REGIERUNGSBEZIRK)
    return services.feature_collection([services.place_feature(p) for p in places])


@router.get("/kreise", response=list[PlaceOut])
@paginate(Pagination)
def kreise(request, filters: Query[PlaceFilter]):
    return _places(Kind.KREIS, filters)


@router.get("/kreise.geojson")
def kreise_geojson(request, filters: Query[PlaceFilter], page: Query[Page]):
    return _collection(_places(Kind.KREIS, filters), services.place_feature, page)


@router.get("/gemeinden", response=list[PlaceOut])
@paginate(Pagination)
def gemeinden(request, filters: Query[PlaceFilter]):
    return _places(Kind.GEMEINDE, filters)


@router.get("/gemeinden.geojson")
def gemeinden_geojson(request, filters: Query[PlaceFilter], page: Query[Page]):
    return _collection(_places(Kind.GEMEINDE, filters), services.place_feature, page)


AgsPath = Annotated[str, Path(pattern=r"^\d{2,8}$")]


@router.get("/places/{ags}.geojson")
def place_geojson(request, ags: AgsPath):
    return services.feature_collection(
        [services.place_feature(get_object_or_404(Place, ags=ags))]
    )


@router.get("/places/{ags}", response=PlaceOut)
def place(request, ags: AgsPath):
    return get_object_or_404(Place.objects.select_related("parent"), ags=ags)


@router.get("/quarters", response=list[QuarterOut])
@paginate(Pagination)
def quarters(request, filters: Query[QuarterFilter]):
    return _quarters(filters)


@router.get("/quarters.geojson")
def quarters_geojson(request, filters: Query[QuarterFilter], page: Query[Page]):
    return _collection(_quarters(filters), services.quarter_feature, page)


@router.get("/quarters/{quarter_id}", response=QuarterOut)
def quarter(request, quarter_id: int):
    return get_object_or_404(
        Quarter.objects.published().select_related("gemeinde"), pk=quarter_id
    )
