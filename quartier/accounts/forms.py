from django import forms
from django.utils.translation import gettext_lazy as _

from quartier.accounts.models import Organisation, Role
from quartier.places.models import Place


class OrganisationForm(forms.ModelForm):
    ags = forms.CharField(
        label=_("AGS of the Gemeinde or Kreis"),
        required=False,
        max_length=8,
        help_text=_("Only for a Kommune (8-digit AGS of its Gemeinde) or a Landkreis (5 digits)."),
    )

    class Meta:
        model = Organisation
        fields = ["name", "kind"]

    def clean(self):
        cleaned = super().clean()
        kind, ags = cleaned.get("kind"), (cleaned.get("ags") or "").strip()
        expected = {Organisation.Kind.KOMMUNE: Place.Kind.GEMEINDE,
                    Organisation.Kind.LANDKREIS: Place.Kind.KREIS}.get(kind)
        if expected is None:
            if ags:
                self.add_error("ags", _("Only a Kommune or a Landkreis is bound to a place."))
            self.instance.place = None
            return cleaned
        place = Place.objects.filter(ags=ags, kind=expected).first() if ags else None
        if place is None:
            self.add_error(
                "ags",
                _("Enter the AGS of an existing Gemeinde.") if expected == Place.Kind.GEMEINDE
                else _("Enter the AGS of an existing Kreis."),
            )
        self.instance.place = place
        return cleaned


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
