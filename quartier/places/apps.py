from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "quartier.places"
    label = "places"
    verbose_name = _("Places")

    def ready(self):
        # Public pages shared by the workers are outdated by every saved change.
        from quartier import pagecache

        pagecache.connect_signals()
