from django.urls import path

from quartier.places import views

app_name = "places"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("places/<str:ags>/", views.place, name="place"),
    path("places/<str:ags>/quarters/new/", views.quarter_create, name="quarter_create"),
    path("quarters/<int:pk>/", views.quarter, name="quarter"),
    path("quarters/<int:pk>/edit/", views.quarter_edit, name="quarter_edit"),
    path("about-the-data/", views.about_data, name="about_data"),
]
