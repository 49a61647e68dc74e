from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PbConfig(AppConfig):
    name = "quartier.pb"
    label = "pb"
    verbose_name = _("Quarter budget")
