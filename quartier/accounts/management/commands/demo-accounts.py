from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from quartier.accounts.demo import DEMO_PASSWORD, create_demo_accounts


class Command(BaseCommand):
    help = "Create demo organisations and accounts (one per role) for trying the platform."

    def handle(self, *args, **options):
        for email, role, organisation in create_demo_accounts():
            self.stdout.write(f"{email:40} {role:25} {organisation}")
        self.stdout.write(self.style.SUCCESS(_("Demo accounts ready; password: %(password)s")
                                             % {"password": DEMO_PASSWORD}))
