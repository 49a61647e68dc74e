from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultingConfig(AppConfig):
    name = "quartier.consulting"
    label = "consulting"
    verbose_name = _("Consulting")
