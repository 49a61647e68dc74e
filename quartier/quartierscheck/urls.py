from django.urls import path

from quartier.quartierscheck import views

app_name = "quartierscheck"
urlpatterns = [
    path("quarter-check/", views.overview, name="overview"),
    path("quarter-check/status/", views.status, name="status"),
    path("quarter-check/recompute/", views.recompute, name="recompute"),
    path("quarter-check/method/", views.method, name="method"),
    path("quarter-check/compare/", views.compare, name="compare"),
    path("quarter-check/map/", views.choropleth, name="map"),
    path("quarter-check/map.geojson", views.choropleth_geojson, name="map_geojson"),
    path("quarter-check/gaps/", views.gaps, name="gaps"),
    path("quarter-check/gaps.csv", views.gaps_csv, name="gaps_csv"),
    path("quarters/<int:pk>/check/", views.quarter_check, name="quarter"),
    path("quarters/<int:pk>/check.csv", views.quarter_check_csv, name="quarter_csv"),
    path("quarters/<int:pk>/check.pdf", views.quarter_check_pdf, name="quarter_pdf"),
]
