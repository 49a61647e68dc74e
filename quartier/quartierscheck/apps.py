from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _

from quartier.signals import bulk_changed


class QuartierscheckConfig(AppConfig):
    name = "quartier.quartierscheck"
    label = "quartierscheck"
    verbose_name = _("Quarter check")

    def ready(self):
        # Quarters and anchors belong to other modules, which know nothing of the check;
        # it follows their changes with one background recomputation per transaction.
        from quartier.anchors.models import Anchor, Offer
        from quartier.places.models import Quarter

        for model in (Quarter, Anchor, Offer):
            post_save.connect(_changed, sender=model, dispatch_uid=f"check-{model.__name__}")
            post_delete.connect(_changed, sender=model, dispatch_uid=f"check-d-{model.__name__}")
            bulk_changed.connect(_bulk_changed, sender=model,
                                 dispatch_uid=f"check-b-{model.__name__}")


def _bulk_changed(sender, **kwargs):
    _changed(sender, None)


def _changed(sender, instance, raw=False, **kwargs):
    from django.conf import settings

    from quartier.quartierscheck import services

    if raw or not settings.QUARTIERSCHECK_AUTO_RECOMPUTE:
        return
    services.recompute_soon()
