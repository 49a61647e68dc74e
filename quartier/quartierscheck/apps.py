from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuartierscheckConfig(AppConfig):
    name = "quartier.quartierscheck"
    label = "quartierscheck"
    verbose_name = _("Quarter check")
