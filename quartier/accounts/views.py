from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from quartier.accounts import services
from quartier.accounts.forms import InvitationForm, OrganisationForm
from quartier.accounts.models import Invitation, Membership, Organisation


@login_required
def me(request):
    memberships = request.user.memberships.select_related("organisation")
    return render(request, "accounts/me.html", {"memberships": memberships})


@permission_required("accounts.manage_organisations", raise_exception=True)
@require_http_methods(["GET", "POST"])
def organisations(request):
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = services.create_organisation(
            name=form.cleaned_data["name"], kind=form.cleaned_data["kind"],
            place=form.instance.place, actor=request.user,
        )
        messages.success(request, _("Organisation created."))
        return redirect(organisation)
    rows = Organisation.objects.select_related("place").annotate(members=Count("memberships"))
    return render(request, "accounts/organisations.html", {"organisations": rows, "form": form},
                  status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def organisation(request, pk):
    organisation = get_object_or_404(Organisation.objects.select_related("place"), pk=pk)
    if not request.user.has_perm("accounts.view_organisation", organisation):
        raise PermissionDenied
    can_manage = request.user.has_perm("accounts.manage_organisations")
    form = InvitationForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.invite_member(
                    organisation, form.cleaned_data["email"], form.cleaned_data["role"],
                    actor=request.user, accept_url_base=request.build_absolute_uri("/")[:-1],
                )
            except ValidationError as error:
                for message in error.message_dict.get("role", error.messages):
                    form.add_error("role", message)
            else:
                messages.success(request, _("Invitation sent."))
                return redirect(organisation)
    return render(request, "accounts/organisation.html", {
        "organisation": organisation,
        "memberships": organisation.memberships.select_related("user"),
        "invitations": organisation.invitations.filter(accepted_at__isnull=True),
        "form": form,
        "can_manage": can_manage,
    }, status=400 if form.errors else 200)


@permission_required("accounts.manage_organisations", raise_exception=True)
@require_POST
def remove_membership(request, pk):
    membership = get_object_or_404(Membership, pk=pk)
    services.remove_membership(membership, actor=request.user)
    messages.success(request, _("Role removed."))
    return redirect(membership.organisation)


@login_required
@require_http_methods(["GET", "POST"])
def accept_invitation(request, token):
    invitation = get_object_or_404(Invitation.objects.select_related("organisation"), token=token)
    error = None
    if request.method == "POST":
        try:
            membership = services.accept_invitation(invitation, user=request.user)
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            messages.success(request, _("You are now %(role)s of %(organisation)s.") % {
                "role": membership.get_role_display(), "organisation": membership.organisation})
            return redirect("accounts:me")
    return render(request, "accounts/accept_invitation.html",
                  {"invitation": invitation, "error": error}, status=400 if error else 200)
