from django.urls import path, register_converter

from quartier.places import views


class AgsConverter:
    regex = r"08\d{0,6}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(AgsConverter, "ags")

app_name = "places"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("places/<ags:ags>/", views.place, name="place"),
    path("places/<ags:ags>/quarters/new/", views.quarter_create, name="quarter_create"),
    path("quarters/<int:pk>/", views.quarter, name="quarter"),
    path("quarters/<int:pk>/edit/", views.quarter_edit, name="quarter_edit"),
    path("about-the-data/", views.about_data, name="about_data"),
]
