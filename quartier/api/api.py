"""The one NinjaAPI of the platform; each app mounts its own router here."""

from ninja import NinjaAPI

from quartier.anchors.api import router as anchors_router
from quartier.budget.api import router as budget_router
from quartier.calls.api import router as calls_router
from quartier.places.api import router as places_router

api = NinjaAPI(
    title="Quartier API",
    version="1",
    description=(
        "Open data of the Quartier platform: places of Baden-Württemberg "
        "(Regierungsbezirke, Kreise, Gemeinden) and their quarters; published anchors and "
        "offers (also as CSV); calls and the awards of their results; the sums of the budget "
        "lines per line and Kreis. "
        "JSON lists are paginated with `limit` and `offset`; `.geojson` endpoints return "
        "GeoJSON FeatureCollections in WGS84 (EPSG:4326)."
    ),
    urls_namespace="api",
)
api.add_router("/", places_router, tags=["places"])
api.add_router("/", anchors_router, tags=["anchors"])
api.add_router("/", calls_router, tags=["calls"])
api.add_router("/", budget_router, tags=["budget"])
