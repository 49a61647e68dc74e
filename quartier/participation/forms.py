"""Forms of participation. HoneypotMixin and CommentForm are also used by news."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from quartier.participation import services
from quartier.participation.models import (
    COMMENT_MAX_LENGTH,
    HIDE_REASON_MAX_LENGTH,
    IDEA_TEXT_MAX_LENGTH,
    Category,
    Idea,
    Meeting,
    Phase,
    Poll,
    Process,
    Report,
)

HONEYPOT_FIELD = "homepage"


class HoneypotMixin:
    """A field people never see (hidden from eyes and screen readers, out of the tab order)
    but form-filling robots do. Filled in, the form is invalid and nothing is saved.
    Render it with {% include "participation/_honeypot.html" %} inside the <form>."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[HONEYPOT_FIELD] = forms.CharField(
            label=_("Leave this field empty"), required=False, max_length=200,
            widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get(HONEYPOT_FIELD):
            raise ValidationError(_("This could not be sent. Please try again."))
        return cleaned

    @property
    def honeypot(self):
        return self[HONEYPOT_FIELD]


def text_widget(rows: int = 4, **attrs):
    return forms.Textarea(attrs={"rows": rows, **attrs})


class CommentForm(HoneypotMixin, forms.Form):
    """A comment or a reply (parent = the id of the comment answered)."""

    text = forms.CharField(
        label=_("Your comment"), max_length=COMMENT_MAX_LENGTH, widget=text_widget(4),
        help_text=_("Plain text, at most %(max)d characters.") % {"max": COMMENT_MAX_LENGTH},
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1,
                                max_value=2**62)


class CommentEditForm(forms.Form):
    text = forms.CharField(label=_("Your comment"), max_length=COMMENT_MAX_LENGTH,
                           widget=text_widget(6))


class ReportForm(HoneypotMixin, forms.Form):
    reason = forms.ChoiceField(label=_("What is wrong with it?"), choices=Report.Reason.choices,
                               widget=forms.RadioSelect)
    explanation = forms.CharField(
        label=_("Explanation (optional)"), required=False, max_length=1000, widget=text_widget(3),
        help_text=_("Moderators read it; the author does not see who reported."),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput, max_length=300)


class ModerateForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Decision"), widget=forms.RadioSelect,
        choices=[("hide", _("Hide with a public reason")),
                 ("dismiss", _("Keep it visible (the reports were unfounded)"))],
    )
    reason = forms.CharField(
        label=_("Public reason (shown in place of the contribution)"), required=False,
        max_length=HIDE_REASON_MAX_LENGTH, widget=text_widget(2),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "hide" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Give the public reason for hiding."))
        return cleaned


class SanctionForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"), widget=forms.RadioSelect,
        choices=[("warn", _("Warn the account")), ("block", _("Block the account"))],
    )
    reason = forms.CharField(label=_("Reason (the person reads it)"), max_length=1000,
                             widget=text_widget(3))
    until = forms.DateTimeField(
        label=_("Blocked until (empty: until lifted)"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class ProcessForm(forms.ModelForm):
    class Meta:
        model = Process
        fields = ["title", "goal", "open_for_decision", "not_open_for_decision",
                  "summary_simple", "participants", "invited_organisations", "result",
                  "result_simple"]
        widgets = {
            "goal": text_widget(4), "open_for_decision": text_widget(3),
            "not_open_for_decision": text_widget(3), "summary_simple": text_widget(4),
            "result": text_widget(6), "result_simple": text_widget(4),
            "participants": forms.RadioSelect,
            "invited_organisations": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "summary_simple": _("Optional: short sentences, common words (Einfache Sprache)."),
            "invited_organisations": _("Only when members of invited organisations take part."),
            "result": _("After the process: what was decided and what happened next."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from quartier.accounts.models import Organisation

        self.fields["invited_organisations"].queryset = Organisation.objects.order_by("name")

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("participants") == Process.Participants.INVITED
                and not cleaned.get("invited_organisations")):
            self.add_error("invited_organisations", _("Invite at least one organisation."))
        return cleaned


DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class PhaseForm(forms.Form):
    kind = forms.ChoiceField(label=_("Phase"), choices=Phase.Kind.choices)
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DATETIME_WIDGET)
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DATETIME_WIDGET)
    description = forms.CharField(label=_("What happens in this phase"), required=False,
                                  max_length=2000, widget=text_widget(2))
    budget = forms.ModelChoiceField(label=_("Quarter budget (only for a quarter-budget phase)"),
                                    queryset=None, required=False)

    def __init__(self, *args, budgets=(), **kwargs):
        super().__init__(*args, **kwargs)
        from quartier.pb.models import Budget

        self.fields["budget"].queryset = Budget.objects.filter(pk__in=[b.pk for b in budgets])

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and starts >= ends:
            self.add_error("ends_at", _("The phase must end after it starts."))
        if cleaned.get("budget") and cleaned.get("kind") != Phase.Kind.BUDGET:
            self.add_error("budget", _("Only a quarter-budget phase links a budget."))
        return cleaned

    def phase_data(self) -> services.PhaseData:
        data = self.cleaned_data
        return services.PhaseData(
            kind=data["kind"], starts_at=data["starts_at"], ends_at=data["ends_at"],
            description=(data.get("description") or "").strip(), budget=data.get("budget"),
        )


class BasePhaseFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        if not any(f.has_changed() and not f.cleaned_data.get("DELETE") for f in self.forms):
            raise ValidationError(_("Give the process at least one phase."))

    def phases(self) -> list[services.PhaseData]:
        return [f.phase_data() for f in self.forms
                if f.has_changed() and f.cleaned_data and not f.cleaned_data.get("DELETE")]


PhaseFormSet = forms.formset_factory(
    PhaseForm, formset=BasePhaseFormSet, extra=1, can_delete=True, max_num=12,
    validate_max=True,
)


class IdeaForm(HoneypotMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("Your idea"), max_length=IDEA_TEXT_MAX_LENGTH,
                           widget=text_widget(6))
    text_simple = forms.CharField(
        label=_("Your idea in simple language (optional)"), required=False,
        max_length=IDEA_TEXT_MAX_LENGTH, widget=text_widget(4),
        help_text=_("Short sentences and common words, for people who read Einfache Sprache."),
    )
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    location_text = forms.CharField(
        label=_("Where? (optional, in words)"), required=False, max_length=200,
        help_text=_("For example “the playground in Wilhelmstraße”."),
    )
    lat = forms.FloatField(
        label=_("Latitude (optional)"), required=False, min_value=-90, max_value=90,
        help_text=_("WGS84 degrees, e.g. 48.5216; a click on the map fills it."),
        widget=forms.NumberInput(attrs={"step": "any", "data-lat-input": ""}),
    )
    lon = forms.FloatField(
        label=_("Longitude (optional)"), required=False, min_value=-180, max_value=180,
        help_text=_("WGS84 degrees, e.g. 9.0576."),
        widget=forms.NumberInput(attrs={"step": "any", "data-lon-input": ""}),
    )
    remove_point = forms.BooleanField(label=_("Remove the point from the map"), required=False)
    image = forms.ImageField(label=_("Image (optional)"), required=False)
    remove_image = forms.BooleanField(label=_("Remove the image"), required=False)
    image_alt = forms.CharField(
        label=_("Image description (alt text)"), max_length=300, required=False,
        help_text=_("What the image shows, for people who cannot see it. Required with an image."),
    )

    def __init__(self, *args, quarter, idea: Idea | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.quarter = quarter
        self.idea = idea
        self.point = ...
        self.new_image = None
        self.fields["image"].help_text = _(
            "A photo as JPEG, PNG or WebP, at most %(size)s. It is stored without its metadata."
        ) % {"size": filesizeformat(settings.UPLOAD_MAX_BYTES)}
        self.fields["image"].widget.attrs["accept"] = "image/jpeg,image/png,image/webp"
        if idea is None:
            del self.fields["remove_point"]
            del self.fields["remove_image"]

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        if not upload:
            return None
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise ValidationError(_("The image is larger than %(size)s.")
                                  % {"size": filesizeformat(settings.UPLOAD_MAX_BYTES)})
        try:
            self.new_image = services.reencode_image(upload)
        except ValidationError as error:
            raise ValidationError(error.message_dict["image"]) from None
        return upload

    def clean(self):
        cleaned = super().clean()
        lat, lon = cleaned.get("lat"), cleaned.get("lon")
        if cleaned.get("remove_point"):
            self.point = None
        elif lat is not None and lon is not None:
            try:
                self.point = services.check_point(self.quarter, lon, lat)
            except ValidationError as error:
                self.add_error("lat", error.message_dict["lat"])
        elif (lat is None) != (lon is None) and not ({"lat", "lon"} & set(self.errors)):
            self.add_error("lat" if lat is None else "lon",
                           _("Give both latitude and longitude, or neither."))
        elif self.idea is None:
            self.point = None
        has_image = bool(self.new_image) or (
            self.idea is not None and bool(self.idea.image) and not cleaned.get("remove_image")
        )
        if has_image and not (cleaned.get("image_alt") or "").strip():
            self.add_error("image_alt", _("Describe the image for people who cannot see it."))
        return cleaned

    def values(self) -> dict:
        data = self.cleaned_data
        values = {name: data.get(name) or "" for name in
                  ("title", "text", "text_simple", "category", "location_text", "image_alt")}
        if self.point is not ...:
            values["point"] = self.point
        if self.new_image is not None:
            values["image"] = self.new_image
        elif self.idea is not None and data.get("remove_image"):
            values["image"] = None
        return values


class AnswerForm(forms.ModelForm):
    class Meta:
        model = Idea
        fields = ["status", "status_reason", "answer"]
        widgets = {"status_reason": text_widget(2), "answer": text_widget(5),
                   "status": forms.RadioSelect}
        help_texts = {"status_reason": _("Required when the idea is not feasible.")}

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("status") == Idea.Status.NOT_FEASIBLE
                and not (cleaned.get("status_reason") or "").strip()):
            self.add_error("status_reason", _("Say why the idea is not feasible."))
        return cleaned

    def _post_clean(self):
        # The service saves; keep the model's own checks out of the rejected input.
        pass


class IdeaFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=[("", _("All categories")), *Category.choices])
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Every status")), *Idea.Status.choices])
    sort = forms.ChoiceField(
        label=_("Order"), required=False,
        choices=[("new", _("Newest first")), ("old", _("Oldest first")),
                 ("support", _("Most support")), ("comments", _("Most comments"))],
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000,
                              widget=forms.HiddenInput)

    def query(self) -> services.IdeaFilter:
        data = self.cleaned_data if self.is_valid() else {}
        return services.IdeaFilter(
            category=data.get("category") or "", status=data.get("status") or "",
            q=(data.get("q") or "").strip(), sort=data.get("sort") or "new",
        )


class PollForm(forms.Form):
    phase = forms.ModelChoiceField(label=_("Poll phase"), queryset=Phase.objects.none(),
                                   empty_label=None)
    question = forms.CharField(label=_("Question"), max_length=300)
    description = forms.CharField(label=_("Explanation"), required=False, max_length=2000,
                                  widget=text_widget(3))
    description_simple = forms.CharField(label=_("Explanation in simple language"),
                                         required=False, max_length=2000, widget=text_widget(3))
    kind = forms.ChoiceField(label=_("Kind"), choices=Poll.Kind.choices, widget=forms.RadioSelect,
                             initial=Poll.Kind.SINGLE)
    max_choices = forms.IntegerField(label=_("Choices at most (multiple choice)"),
                                     required=False, min_value=1, max_value=50)
    options = forms.CharField(
        label=_("Options, one per line"), max_length=5000, widget=text_widget(5),
        help_text=_("At least two, at most 30."),
    )
    allow_free_text = forms.BooleanField(label=_("Also ask for a free-text answer"),
                                         required=False)
    free_text_label = forms.CharField(label=_("Question for the free-text answer"),
                                      required=False, max_length=200)

    def __init__(self, *args, process, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phase"].queryset = process.phases.filter(kind=Phase.Kind.POLL)

    def clean_options(self):
        lines = [line.strip() for line in self.cleaned_data["options"].splitlines()]
        lines = [line for line in lines if line]
        if len(lines) < 2:
            raise ValidationError(_("Give at least two options."))
        if len(lines) > 30:
            raise ValidationError(_("Give at most 30 options."))
        if any(len(line) > 200 for line in lines):
            raise ValidationError(_("Each option has at most 200 characters."))
        if len(set(lines)) != len(lines):
            raise ValidationError(_("Each option must be different."))
        return lines


class VoteForm(HoneypotMixin, forms.Form):
    free_text = forms.CharField(required=False, max_length=1000, widget=text_widget(3))

    def __init__(self, *args, poll: Poll, options, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(o.pk), o.text) for o in options]
        if poll.kind == Poll.Kind.SINGLE:
            self.fields["options"] = forms.ChoiceField(
                label=poll.question, choices=choices, widget=forms.RadioSelect,
                error_messages={"required": _("Choose an option."),
                                "invalid_choice": _("Choose among the options of this poll.")},
            )
        else:
            self.fields["options"] = forms.MultipleChoiceField(
                label=poll.question, choices=choices, widget=forms.CheckboxSelectMultiple,
                error_messages={"required": _("Choose an option."),
                                "invalid_choice": _("Choose among the options of this poll.")},
            )
        if poll.allow_free_text:
            self.fields["free_text"].label = poll.free_text_label or _("Anything else?")
        else:
            del self.fields["free_text"]

    def option_ids(self) -> list[str]:
        value = self.cleaned_data["options"]
        return [value] if isinstance(value, str) else list(value)


class MeetingForm(forms.ModelForm):
    online_url = forms.URLField(label=_("Online link"), required=False, assume_scheme="https",
                                max_length=200)

    class Meta:
        model = Meeting
        fields = ["title", "description", "description_simple", "starts_at", "ends_at", "venue",
                  "address", "step_free", "accessible_toilet", "hearing_loop", "sign_language",
                  "accessibility", "online_url", "capacity", "registration_open", "minutes",
                  "minutes_simple"]
        widgets = {
            "description": text_widget(4), "description_simple": text_widget(3),
            "accessibility": text_widget(2), "minutes": text_widget(8),
            "minutes_simple": text_widget(4),
            "starts_at": DATETIME_WIDGET, "ends_at": DATETIME_WIDGET,
        }
        help_texts = {
            "minutes": _("After the meeting: what was discussed and agreed."),
            "online_url": _("An address starting with https://, if people can join online."),
        }

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and starts >= ends:
            self.add_error("ends_at", _("The meeting must end after it starts."))
        if not cleaned.get("venue") and not cleaned.get("online_url"):
            self.add_error("venue", _("Give a place or an online link."))
        return cleaned

    def _post_clean(self):
        # The service validates and saves; rejected input never reaches the instance.
        pass


class SettingsForm(forms.Form):
    public_name = forms.CharField(
        label=_("Name shown with my contributions"), required=False, max_length=60,
        help_text=_("Empty: “Participant” and a number. Your e-mail address is never shown."),
    )
    in_platform = forms.BooleanField(label=_("Notify me in my notification list"),
                                     required=False)
    by_email = forms.BooleanField(label=_("Notify me by e-mail"), required=False)
