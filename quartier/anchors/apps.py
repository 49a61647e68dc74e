from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnchorsConfig(AppConfig):
    name = "quartier.anchors"
    label = "anchors"
    verbose_name = _("Anchors and offers")
