from django import forms
from django.conf import settings
from django.core import validators
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from quartier.accounts.models import Organisation
from quartier.anchors import engine, services
from quartier.anchors.models import (
    ACCESSIBILITY,
    ACCESSIBILITY_FIELDS,
    AnchorKind,
    Language,
    OfferCategory,
    TargetGroup,
)
from quartier.places.models import Place

IMAGE_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}
phone_validator = validators.RegexValidator(
    r"^\+?[0-9][0-9 ()/\-]{3,38}$", _("Enter a phone number of digits, spaces and + ( ) / -.")
)
web_validator = validators.URLValidator(schemes=["http", "https"])


class AnchorForm(forms.Form):
    """An anchor's data; the registration and edit pages and the import use it alike.

    `snapshot()` turns the cleaned data into a services snapshot.
    """

    kind = forms.ModelChoiceField(
        label=_("Kind"), queryset=AnchorKind.objects.all(), to_field_name="slug",
        empty_label=None,
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    provider = forms.ModelChoiceField(
        label=_("Provider (Träger)"), queryset=Organisation.objects.none(), empty_label=None
    )
    gemeinde = forms.ModelChoiceField(
        label=_("Gemeinde"), queryset=Place.objects.none(), to_field_name="ags",
    )
    street = forms.CharField(label=_("Street and number"), max_length=200)
    postcode = forms.CharField(
        label=_("Postcode"), max_length=5, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    city = forms.CharField(
        label=_("Town"), max_length=100, required=False,
        help_text=_("Leave empty to use the name of the Gemeinde."),
    )
    lat = forms.FloatField(
        label=_("Latitude"),
        help_text=_("WGS84 degrees, e.g. 48.5216; a click on the map fills it."),
        widget=forms.NumberInput(attrs={"step": "any", "data-lat-input": ""}),
    )
    lon = forms.FloatField(
        label=_("Longitude"), help_text=_("WGS84 degrees, e.g. 9.0576."),
        widget=forms.NumberInput(attrs={"step": "any", "data-lon-input": ""}),
    )
    opening_hours = forms.CharField(
        label=_("Opening hours"), required=False, max_length=engine.MAX_HOURS_LENGTH,
        help_text=_("Days and times like “Mo-Fr 09:00-12:00,14:00-17:00; Sa 10:00-13:00”. "
                    "Leave empty if there are no fixed hours."),
    )
    phone = forms.CharField(
        label=_("Phone"), max_length=40, required=False, validators=[phone_validator]
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    website = forms.CharField(
        label=_("Website"), max_length=200, required=False, validators=[web_validator],
        help_text=_("An address starting with https:// or http://."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"), choices=Language.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    image = forms.ImageField(label=_("Image"), required=False)
    remove_image = forms.BooleanField(label=_("Remove the image"), required=False)
    image_alt = forms.CharField(
        label=_("Image description (alt text)"), max_length=300, required=False,
        help_text=_("What the image shows, for people who cannot see it. Required with an image."),
    )

    def __init__(self, *args, user=None, context=None, current_image: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in ACCESSIBILITY:
            self.fields[name] = forms.BooleanField(label=label, required=False)
        self.current_image = current_image
        self.user = user
        if context is not None:
            # An import: lookups come from the import's context, without a query per row.
            self.fields["kind"] = _DictChoiceField(context.kinds, label=_("Kind"))
            self.fields["provider"] = _DictChoiceField(
                {str(o.pk): o for o in context.providers.values()}, label=_("Provider (Träger)")
            )
            self.fields["gemeinde"] = _DictChoiceField(context.gemeinden, label=_("Gemeinde"))
        else:
            self.fields["provider"].queryset = services.provider_choices(user)
            self.fields["gemeinde"].queryset = services.gemeinde_choices(user)
        self.fields["image"].help_text = _(
            "A photo as JPEG, PNG or WebP, at most %(size)s."
        ) % {"size": filesizeformat(settings.UPLOAD_MAX_BYTES)}
        self.fields["image"].widget.attrs["accept"] = "image/jpeg,image/png,image/webp"

    def accessibility_fields(self):
        return [self[name] for name in ACCESSIBILITY_FIELDS]

    def clean_postcode(self):
        postcode = self.cleaned_data["postcode"].strip()
        if reason := services.check_postcode(postcode):
            raise ValidationError(reason)
        return postcode

    def clean_opening_hours(self):
        text = self.cleaned_data["opening_hours"].strip()
        try:
            engine.parse_hours(text)
        except engine.HoursError as error:
            raise ValidationError(services.hours_message(error)) from None
        return text

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        if not upload:
            return None
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise ValidationError(
                _("The image is larger than %(size)s.")
                % {"size": filesizeformat(settings.UPLOAD_MAX_BYTES)}
            )
        # forms.ImageField has already opened the file with Pillow, so it is a real image.
        if getattr(upload, "image", None) is None or upload.image.format not in IMAGE_FORMATS:
            raise ValidationError(_("The image must be a JPEG, PNG or WebP file."))
        return upload

    def clean(self):
        cleaned = super().clean()
        gemeinde = cleaned.get("gemeinde")
        lat, lon = cleaned.get("lat"), cleaned.get("lon")
        if lat is not None and lon is not None:
            try:
                self.point = services.check_point(lon, lat, gemeinde)
            except ValidationError as error:
                self.add_error("lat", error)
        has_image = bool(cleaned.get("image")) or (
            bool(self.current_image) and not cleaned.get("remove_image")
        )
        if has_image and not (cleaned.get("image_alt") or "").strip():
            self.add_error("image_alt", _("Describe the image for people who cannot see it."))
        provider = cleaned.get("provider")
        if self.user is not None and provider is not None and gemeinde is not None and not (
            services.may_keep(self.user, provider_id=provider.pk, gemeinde_ags=gemeinde.ags)
        ):
            self.add_error(
                "gemeinde",
                _("You can register entries only for your organisation or in the places you "
                  "coordinate."),
            )
        return cleaned

    def snapshot(self, *, offers: list[dict], image: str) -> dict:
        """The cleaned data as a services snapshot; image is the stored image's name."""
        data = self.cleaned_data
        x, y = self.point
        gemeinde = data["gemeinde"]
        snapshot = {
            "kind": data["kind"].slug,
            "provider": data["provider"].pk,
            "provider_name": data["provider"].name,
            "gemeinde": gemeinde.ags,
            "gemeinde_name": gemeinde.name,
            "name": data["name"].strip(),
            "description": data["description"].strip(),
            "street": data["street"].strip(),
            "postcode": data["postcode"],
            "city": data["city"].strip() or gemeinde.name.split(",")[0].strip(),
            "x": x,
            "y": y,
            "opening_hours": data["opening_hours"],
            "phone": data["phone"].strip(),
            "email": data["email"].strip(),
            "website": data["website"].strip(),
            "languages": sorted(data["languages"]),
            **{name: bool(data.get(name)) for name in ACCESSIBILITY_FIELDS},
            "image": image,
            "image_alt": data["image_alt"].strip() if image else "",
            "is_demo": False,
            "offers": offers,
        }
        return snapshot


class _DictChoiceField(forms.Field):
    """A choice among preloaded objects by key (imports)."""

    def __init__(self, objects: dict, **kwargs):
        super().__init__(**kwargs)
        self.objects = objects

    def to_python(self, value):
        if value in self.empty_values:
            return None
        found = self.objects.get(str(value).strip())
        if found is None:
            raise ValidationError(_("“%(value)s” is not known.") % {"value": value})
        return found


class OfferForm(forms.Form):
    category = forms.ChoiceField(label=_("What"), choices=OfferCategory.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    target_groups = forms.MultipleChoiceField(
        label=_("For whom"), choices=TargetGroup.choices, widget=forms.CheckboxSelectMultiple,
    )
    when = forms.CharField(
        label=_("When"), max_length=200, required=False,
        help_text=_("In words, e.g. “every Tuesday 15:00–17:00”."),
    )
    is_free = forms.BooleanField(label=_("Free of charge"), required=False, initial=True)
    booking_required = forms.BooleanField(label=_("Booking needed"), required=False)

    def offer(self) -> dict:
        data = self.cleaned_data
        return {
            "category": data["category"],
            "title": data["title"].strip(),
            "description": data["description"].strip(),
            "target_groups": [c for c in TargetGroup.values if c in data["target_groups"]],
            "when": data["when"].strip(),
            "is_free": bool(data["is_free"]),
            "booking_required": bool(data["booking_required"]),
        }


OfferFormSet = forms.formset_factory(
    OfferForm, extra=1, can_delete=True, max_num=30, validate_max=True
)


def offers_of(formset) -> list[dict]:
    return [
        form.offer() for form in formset.forms
        if form.has_changed() and not form.cleaned_data.get("DELETE")
    ]


def initial_from_snapshot(snapshot: dict) -> tuple[dict, list[dict]]:
    """Form and formset initial data from a snapshot."""
    from quartier.places import geo

    lon, lat = geo.utm_to_lonlat(snapshot["x"], snapshot["y"])
    initial = {key: value for key, value in snapshot.items() if key != "offers"}
    initial.update(lat=round(lat, 6), lon=round(lon, 6))
    return initial, list(snapshot["offers"])


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), widget=forms.RadioSelect,
        choices=[("publish", _("Publish")), ("reject", _("Reject"))],
    )
    reason = forms.CharField(
        label=_("Reason (required when rejecting)"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent to the person who submitted the entry."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason, so the provider can correct the entry."))
        return cleaned


RADIUS_CHOICES = [
    ("500", _("500 m")), ("1000", _("1 km")), ("2000", _("2 km")), ("5000", _("5 km")),
    ("10000", _("10 km")), ("25000", _("25 km")), ("50000", _("50 km")),
]


class SearchForm(forms.Form):
    """The public search; every field optional, bad values are form errors, never a 500."""

    near = forms.CharField(
        label=_("Near (Gemeinde, quarter or postcode)"), required=False, max_length=100,
    )
    radius = forms.TypedChoiceField(
        label=_("Walking distance at most"), choices=RADIUS_CHOICES, coerce=int,
        initial="5000", required=False, empty_value=None,
    )
    kind = forms.ModelChoiceField(
        label=_("Kind of place"), queryset=AnchorKind.objects.all(), to_field_name="slug",
        required=False, empty_label=_("All kinds"),
    )
    category = forms.ChoiceField(
        label=_("Offer"), required=False, choices=[("", _("All offers")), *OfferCategory.choices]
    )
    target_group = forms.ChoiceField(
        label=_("For whom"), required=False, choices=[("", _("Everyone")), *TargetGroup.choices]
    )
    language = forms.ChoiceField(
        label=_("Language spoken"), required=False, choices=[("", _("Any")), *Language.choices]
    )
    needs = forms.MultipleChoiceField(
        label=_("Accessibility I need"), required=False, choices=ACCESSIBILITY,
        widget=forms.CheckboxSelectMultiple,
    )
    open_now = forms.BooleanField(label=_("Open now"), required=False)
    quarter = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1,
                                 max_value=2**31 - 1)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput(attrs={"data-geo-lat": ""}),
                           min_value=-90, max_value=90)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput(attrs={"data-geo-lon": ""}),
                           min_value=-180, max_value=180)
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000,
                              widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        self.origin = None
        lat, lon = cleaned.get("lat"), cleaned.get("lon")
        near = (cleaned.get("near") or "").strip()
        # A typed place wins over a position or quarter still in the form, then the position.
        try:
            if near:
                self.origin = services.origin_from_text(near)
            elif lat is not None and lon is not None:
                self.origin = services.origin_from_position(lat, lon)
            elif cleaned.get("quarter"):
                self.origin = services.origin_from_quarter(cleaned["quarter"])
        except services.OriginNotFound:
            if near:
                self.add_error(
                    "near", _("No Gemeinde, quarter or postcode of this name was found.")
                )
            elif lat is not None and lon is not None:
                self.add_error(None, _("Your position lies outside Baden-Württemberg."))
            else:
                self.add_error(None, _("This quarter is not known."))
        return cleaned

    def query(self) -> services.SearchQuery:
        data = self.cleaned_data
        origin = self.origin
        return services.SearchQuery(
            kind_id=data["kind"].pk if data.get("kind") else None,
            category=data.get("category") or None,
            target_group=data.get("target_group") or None,
            needs=tuple(data.get("needs") or ()),
            language=data.get("language") or None,
            open_now=bool(data.get("open_now")),
            origin=(origin.x, origin.y) if origin else None,
            radius_m=data.get("radius") or 5000,
            page=data.get("page") or 1,
        )
