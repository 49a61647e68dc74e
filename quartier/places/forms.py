from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from quartier.places import geo
from quartier.places.models import AGE_BANDS, Quarter
from quartier.places.services import geometry_message


class QuarterForm(forms.ModelForm):
    """Name, type, status, demographics; the boundary comes as a GeoJSON file or as
    GeoJSON drawn on the map (a hidden field the map editor fills)."""

    boundary_file = forms.FileField(
        label=_("Boundary as GeoJSON file"),
        required=False,
        help_text=_("A Polygon or MultiPolygon in WGS84 (EPSG:4326), at most 2 MB."),
    )
    boundary_geojson = forms.CharField(
        label=_("Boundary as GeoJSON text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "data-boundary-input": ""}),
        help_text=_("Filled when you draw on the map; you can also paste GeoJSON here."),
    )

    class Meta:
        model = Quarter
        fields = [
            "name", "type", "status",
            *[f for f, _label in AGE_BANDS],
            "disability_share_pct", "migration_share_pct", "households",
        ]

    def __init__(self, *args, gemeinde, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.gemeinde = gemeinde
        self.boundary = None
        for name in ("disability_share_pct", "migration_share_pct"):
            self.fields[name].min_value = 0
            self.fields[name].max_value = 100
            self.fields[name].validators += [
                forms.validators.MinValueValidator(0), forms.validators.MaxValueValidator(100)
            ]
        for field, _label in AGE_BANDS:
            self.fields[field].widget.attrs["inputmode"] = "numeric"

    def clean_boundary_file(self):
        upload = self.cleaned_data.get("boundary_file")
        if upload is None:
            return None
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.") % {"mb": settings.UPLOAD_MAX_BYTES >> 20}
            )
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from None

    def clean(self):
        cleaned = super().clean()
        text = cleaned.get("boundary_file") or (cleaned.get("boundary_geojson") or "").strip()
        field = "boundary_file" if cleaned.get("boundary_file") else "boundary_geojson"
        if text:
            try:
                self.boundary = geo.parse_area_geojson(text, max_bytes=settings.UPLOAD_MAX_BYTES)
            except geo.GeometryError as error:
                self.add_error(field, geometry_message(error))
        elif not self.instance.boundary and not self.has_error("boundary_file"):
            self.add_error(
                "boundary_geojson", _("Draw the boundary on the map or upload a GeoJSON file.")
            )
        population = sum(cleaned.get(f) or 0 for f, _label in AGE_BANDS)
        households = cleaned.get("households")
        if households is not None and households > population:
            self.add_error(
                "households",
                _("There are more households (%(h)s) than residents (%(p)s).")
                % {"h": households, "p": population},
            )
        if population and households == 0:
            self.add_error("households", _("A quarter with residents has at least one household."))
        name = cleaned.get("name")
        if name and (
            Quarter.objects.filter(gemeinde=self.instance.gemeinde, name=name)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error("name", _("This Gemeinde already has a quarter of this name."))
        return cleaned
