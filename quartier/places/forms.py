from django import forms
from django.conf import settings
from django.core import validators
from django.utils.translation import gettext_lazy as _

from quartier.places import geo
from quartier.places.models import AGE_BANDS, Quarter
from quartier.places.services import geometry_message

# Far above any real quarter (Stuttgart has 630,000 residents), far below 2**31 / 7.
MAX_RESIDENTS_PER_BAND = 1_000_000


class QuarterForm(forms.ModelForm):
    """Name, type, status, demographics; the boundary comes as a GeoJSON file or as
    GeoJSON drawn on the map (a hidden field the map editor fills)."""

    boundary_file = forms.FileField(
        label=_("Boundary as GeoJSON file"),
        required=False,
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
        self.fields["boundary_file"].help_text = _(
            "A Polygon or MultiPolygon in WGS84 (EPSG:4326), at most %(mb)s MB."
        ) % {"mb": settings.UPLOAD_MAX_BYTES >> 20}
        for name in ("disability_share_pct", "migration_share_pct"):
            self.fields[name].widget.attrs.update(min=0, max=100, step="0.1")
            self.fields[name].validators += [
                validators.MinValueValidator(0), validators.MaxValueValidator(100)
            ]
        for field, _label in AGE_BANDS:
            self.fields[field].widget.attrs["inputmode"] = "numeric"
            # Seven bands must still sum inside the generated integer population column.
            self.fields[field].validators.append(validators.MaxValueValidator(MAX_RESIDENTS_PER_BAND))

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
        bands_valid = not any(self.has_error(f) for f, _label in AGE_BANDS)
        if bands_valid and households is not None and households > population:
            self.add_error(
                "households",
                _("There are more households (%(h)s) than residents (%(p)s).")
                % {"h": households, "p": population},
            )
        if bands_valid and population and households == 0:
            self.add_error("households", _("A quarter with residents has at least one household."))
        name = cleaned.get("name")
        if name and (
            Quarter.objects.filter(gemeinde=self.instance.gemeinde, name=name)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error("name", _("This Gemeinde already has a quarter of this name."))
        return cleaned
