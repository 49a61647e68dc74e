"""Background work of participation (django-tasks, database backend)."""

from django.core.mail import send_mass_mail
from django.utils.translation import gettext as _
from django_tasks import task

from quartier.accounts.models import User


@task()
def send_notification_mails(user_ids: list[int], text: str, url: str) -> int:
    """One e-mail per person who wants notifications by e-mail; returns how many."""
    from quartier.participation.services import site_url

    subject = _("[Quartier] News from participation")
    body = _("%(text)s\n\nOpen: %(link)s\n\nYou can switch these e-mails off under "
             "“Notifications” on the platform.\n") % {
        "text": text, "link": site_url(url),
    }
    addresses = User.objects.filter(pk__in=user_ids).exclude(email="").values_list(
        "email", flat=True
    )
    messages = [(subject, body, None, [address]) for address in addresses]
    return send_mass_mail(messages, fail_silently=False) if messages else 0
