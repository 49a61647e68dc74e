from django.contrib import admin
from django.urls import include, path

from quartier.api.api import api
from quartier.views import choose_language, healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", include("quartier.places.urls")),
    path("", include("quartier.accounts.urls")),
    path("", include("quartier.anchors.urls")),
    path("", include("quartier.quartierscheck.urls")),
    path("", include("quartier.budget.urls")),
    path("", include("quartier.calls.urls")),
    path("", include("quartier.consulting.urls")),
    path("", include("quartier.participation.urls")),
    path("", include("quartier.pb.urls")),
    path("", include("quartier.news.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("language/", choose_language, name="choose_language"),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
