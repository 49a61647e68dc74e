from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quartier.news import services
from quartier.news.models import Article, Tag
from quartier.participation import services as participation
from quartier.places.models import Place, Quarter

IMAGE_FORMATS = frozenset(services.IMAGE_EXTENSIONS)
# Larger pictures are refused before Pillow decodes them (decompression bombs).
MAX_IMAGE_SIDE_PX = 8000
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class ArticleForm(forms.ModelForm):
    """An article as its editors see it; the service does the saving."""

    publisher = forms.ModelChoiceField(
        label=_("Published by"), queryset=None, to_field_name="ags", empty_label=None,
        help_text=_("The Land, or the Gemeinde or Landkreis you coordinate; its coordinators "
                    "can edit the article."),
    )
    places_text = forms.CharField(
        label=_("Places"), required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    image = forms.ImageField(label=_("Image"), required=False)
    remove_image = forms.BooleanField(label=_("Remove the image"), required=False)
    published_at = forms.DateTimeField(
        label=_("Publication date"), required=False, input_formats=[DATETIME_FORMAT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        help_text=_("Empty means now. A later date publishes the article then."),
    )
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"), queryset=Tag.objects.all(), to_field_name="slug", required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Article
        fields = ["publisher", "title", "teaser", "teaser_simple", "body", "image_alt", "tags",
                  "status", "published_at", "accepts_comments"]
        widgets = {
            "teaser": forms.Textarea(attrs={"rows": 3}),
            "teaser_simple": forms.Textarea(attrs={"rows": 3}),
            "body": forms.Textarea(attrs={"rows": 16}),
            "status": forms.RadioSelect,
        }
        help_texts = {
            "teaser": _("One or two sentences shown in lists, feeds and search engines."),
            "teaser_simple": _("Optional: the teaser in simple language (Einfache Sprache)."),
            "body": _("Markdown: blank line between paragraphs, ## heading, **bold**, *italic*, "
                      "- list, [link text](https://…). HTML is shown as text."),
            "image_alt": _("What the image shows, for people who cannot see it. Required with "
                           "an image."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        choices = services.publisher_choices(user)
        if self.instance.pk:
            # Staff keep a Gemeinde's article under its Gemeinde.
            choices = Place.objects.filter(
                Q(pk__in=choices.values("pk")) | Q(pk=self.instance.publisher_id))
            self.initial["publisher"] = self.instance.publisher.ags
            self.initial.setdefault("places_text", services.places_text(
                self.instance.places.only("ags"),
                self.instance.quarters.select_related("gemeinde").only("name", "gemeinde__ags")))
        self.fields["publisher"].queryset = choices.order_by("ags")
        self.fields["publisher"].label_from_instance = services.place_label
        self.fields["status"].choices = Article.Status.choices
        examples = []
        publishers = list(self.fields["publisher"].queryset[:2])
        if len(publishers) == 1:
            examples = services.example_places(publishers[0])
        help_text = _("Gemeinden, Landkreise or quarters the article is about, one per line; "
                      "a quarter as “Gemeinde / quarter”.")
        if examples:
            help_text = _("%(help)s For example: %(examples)s") % {
                "help": help_text, "examples": "; ".join(examples)}
        self.fields["places_text"].help_text = help_text
        self.fields["image"].help_text = _(
            "A photo as JPEG, PNG or WebP, at most %(size)s."
        ) % {"size": filesizeformat(settings.UPLOAD_MAX_BYTES)}
        self.fields["image"].widget.attrs["accept"] = "image/jpeg,image/png,image/webp"
        self.places, self.quarters = [], []

    def clean_body(self):
        body = self.cleaned_data["body"]
        if messages := services.body_problem_messages(body):
            raise ValidationError(messages)
        return body

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        if not upload:
            return None
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise ValidationError(
                _("The image is larger than %(size)s.")
                % {"size": filesizeformat(settings.UPLOAD_MAX_BYTES)}
            )
        # forms.ImageField has opened and verified the file with Pillow: it is a real image.
        image = getattr(upload, "image", None)
        if image is None or image.format not in IMAGE_FORMATS:
            raise ValidationError(_("The image must be a JPEG, PNG or WebP file."))
        if max(image.size) > MAX_IMAGE_SIDE_PX:
            raise ValidationError(_("The image is larger than %(n)s pixels on a side.")
                                  % {"n": MAX_IMAGE_SIDE_PX})
        # Written anew as participation does for ideas: no metadata (GPS), upright, bounded.
        try:
            self.reencoded = participation.reencode_image(upload)
        except ValidationError as error:
            raise ValidationError(error.message_dict.get("image", error.messages)) from None
        return upload

    def clean(self):
        cleaned = super().clean()
        publisher = cleaned.get("publisher")
        try:
            self.places, self.quarters = services.read_places(
                cleaned.get("places_text") or "", within=publisher
            )
        except ValidationError as error:
            self.add_error("places_text", error)
        if cleaned.get("status") == Article.Status.PUBLISHED and not cleaned.get("published_at"):
            cleaned["published_at"] = timezone.now()
        has_image = bool(cleaned.get("image")) or (
            bool(self.instance.image) and not cleaned.get("remove_image")
        )
        if has_image and not (cleaned.get("image_alt") or "").strip():
            self.add_error("image_alt", _("Describe the image for people who cannot see it."))
        return cleaned

    def new_image(self) -> str | None:
        """The stored name of a new image, "" to remove it, None to keep it."""
        if self.cleaned_data.get("image"):
            return services.store_image(self.reencoded)
        if self.cleaned_data.get("remove_image"):
            return ""
        return None


class FilterForm(forms.Form):
    """The news list's filters; unknown values are messages at the field, never a 500.

    The tag select offers the tags that have articles. The place is typed like in the article
    form ("Tübingen", "Landkreis Tübingen", "Tübingen / Südstadt", an official key); links use
    the key or `q<id>` for a quarter.
    """

    tag = forms.CharField(label=_("Tag"), required=False, max_length=100, widget=forms.Select)
    place = forms.CharField(
        label=_("Place"), required=False, max_length=200,
        help_text=_("A Gemeinde, a Landkreis or “Gemeinde / quarter”."),
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000,
                              widget=forms.HiddenInput)

    def __init__(self, *args, tags, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tag"].widget.choices = [("", _("All tags"))] + [(t.slug, t.name)
                                                                      for t in tags]
        self.tag_object = self.place_object = self.quarter_object = None

    def clean_tag(self):
        slug = self.cleaned_data["tag"].strip()
        if not slug:
            return ""
        self.tag_object = Tag.objects.filter(slug=slug).first()
        if self.tag_object is None:
            raise ValidationError(_("This tag is not known."))
        choices = self.fields["tag"].widget.choices
        if slug not in {value for value, _label in choices}:
            choices.append((slug, self.tag_object.name))
        return slug

    def clean_place(self):
        text = self.cleaned_data["place"].strip()
        if text:
            found = services.find_place(text)
            if isinstance(found, Quarter):
                self.quarter_object = found
            else:
                self.place_object = found
        return text
