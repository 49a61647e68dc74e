from allauth.mfa.models import Authenticator
from django.shortcuts import redirect

from quartier.accounts.services import needs_second_factor

# Paths a staff member without a second factor may still reach: sign-out, MFA set-up, assets.
_OPEN_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/media/")


def require_staff_second_factor(get_response):
    """Staff roles must set up TOTP before they use anything else."""

    def middleware(request):
        user = request.user
        if (
            not request.path.startswith(_OPEN_PREFIXES)
            and needs_second_factor(user)
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            return redirect("mfa_activate_totp")
        return get_response(request)

    return middleware
