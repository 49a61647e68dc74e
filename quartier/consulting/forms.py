from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quartier.accounts.models import Organisation
from quartier.anchors.models import Language
from quartier.budget.models import BudgetLine
from quartier.consulting import services
from quartier.consulting.models import (
    ConsultantProfile,
    Feedback,
    Format,
    Level,
    Mode,
    Topic,
)
from quartier.places.models import Place, Quarter


def plain_text(value: str) -> None:
    if value and services._MARKUP.search(value):
        raise ValidationError(services.MARKUP_MESSAGE)


def text(label, *, max_length, required=True, rows=4, help_text=""):
    return forms.CharField(
        label=label, max_length=max_length, required=required, help_text=help_text,
        validators=[plain_text], widget=forms.Textarea(attrs={"rows": rows}),
    )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"


def date_field(label, *, required=True, help_text=""):
    return forms.DateField(label=label, required=required, widget=DateInput(),
                           help_text=help_text)


LANGUAGES = [(code, label) for code, label in Language.choices if code != "gsg"] + [
    ("gsg", Language.SIGN_LANGUAGE.label)]


class QuarterChoices(forms.ModelMultipleChoiceField):
    """Any quarter validates (the service names a foreign one in its message); only the
    user's own quarters are offered."""

    def __init__(self, own, **kwargs):
        super().__init__(queryset=Quarter.objects.all(), **kwargs)
        self.widget.choices = [(q.pk, f"{q.name} ({q.gemeinde.name})") for q in own]


class RequestForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("For"), queryset=Organisation.objects.none(),
                                          empty_label=None)
    quarters = forms.Field()  # replaced in __init__
    format = forms.ModelChoiceField(
        label=_("Format"), queryset=Format.objects.filter(is_active=True), empty_label=None,
        help_text=_("See the catalogue above for what each format holds."))
    topic = forms.ModelChoiceField(label=_("Topic"), queryset=Topic.objects.filter(
        is_active=True), empty_label=None)
    mode = forms.ChoiceField(label=_("On site or online"), choices=Mode.choices,
                             widget=forms.RadioSelect, initial=Mode.ON_SITE)
    language = forms.ChoiceField(label=_("Language of the consulting"), choices=LANGUAGES,
                                 initial="de")
    goals = text(_("What do you want to achieve?"), max_length=4000, rows=6)
    people = text(_("Who is involved?"), max_length=2000, rows=3,
                  help_text=_("Departments, providers, volunteers, residents – and about how "
                              "many people."))
    earliest = date_field(_("Earliest start"))
    latest = date_field(_("Latest end"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = list(services.requester_organisations(user))
        self.fields["organisation"].queryset = services.requester_organisations(user)
        own = []
        for organisation in organisations:
            own.extend(services.quarters_of(organisation))
        self.fields["quarters"] = QuarterChoices(
            own, label=_("Quarters"), widget=forms.CheckboxSelectMultiple,
            help_text=_("One or more quarters of your organisation."),
            error_messages={"required": _("Choose at least one quarter.")})
        self.fields["topic"].label_from_instance = \
            lambda t: f"{t.name} ({t.get_kind_display()})"
        self.own_quarters = own


class TriageForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), widget=forms.RadioSelect,
        choices=[("accept", _("Accept")), ("ask", _("Ask back")),
                 ("decline", _("Decline"))])
    message = text(_("Question or reason"), max_length=2000, required=False, rows=3,
                   help_text=_("Needed when you ask back or decline; the requester reads it."))


class AnswerForm(forms.Form):
    answer = text(_("Your answer"), max_length=4000, rows=4)


def budget_lines():
    return BudgetLine.objects.order_by("-last_year", "code")


class AssignForm(forms.Form):
    consultant = forms.ModelChoiceField(label=_("Consultant"),
                                        queryset=ConsultantProfile.objects.none())
    reason = text(_("Reason"), max_length=2000, required=False, rows=2,
                  help_text=_("Needed when you choose someone other than the proposal."))
    start = date_field(_("Start"))
    end = date_field(_("End"))
    days = forms.IntegerField(label=_("Consulting days"), min_value=1, max_value=60)
    budget_line = forms.ModelChoiceField(label=_("Budget line"), queryset=BudgetLine.objects
                                         .none(), empty_label=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consultant"].queryset = ConsultantProfile.objects.select_related(
            "home_base").order_by("name")
        self.fields["consultant"].label_from_instance = \
            lambda p: f"{p.name} ({p.home_base.name})"
        self.fields["budget_line"].queryset = budget_lines()


class AcceptRunForm(forms.Form):
    budget_line = forms.ModelChoiceField(label=_("Budget line"), queryset=BudgetLine.objects
                                         .none(), empty_label=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["budget_line"].queryset = budget_lines()


HALF_DAYS = [(n, services.days_text(n)) for n in range(1, 21)]


class PdfField(forms.FileField):
    def validate(self, value):
        super().validate(value)
        if value:
            try:
                services.check_pdf(value)
            except ValidationError as error:
                raise ValidationError(error.message_dict["document"]) from None


class SessionForm(forms.Form):
    date = date_field(_("Date"))
    start_time = forms.TimeField(label=_("Start time"), required=False, widget=TimeInput(),
                                 help_text=_("Optional; shown in the calendar feed."))
    half_days = forms.TypedChoiceField(label=_("Duration"), choices=HALF_DAYS, coerce=int)
    mode = forms.ChoiceField(label=_("On site or online"), choices=Mode.choices,
                             widget=forms.RadioSelect)
    participants = forms.IntegerField(label=_("Participants"), min_value=1, max_value=999)
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"), queryset=Topic.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Name at least one topic of the session.")})
    protocol = text(_("Short protocol"), max_length=4000, required=False, rows=6,
                    help_text=_("Confidential: read only by the case's consultant, the "
                                "requester and programme staff."))
    document = PdfField(label=_("Document (PDF)"), required=False,
                        help_text=_("Agenda or results as PDF, at most %(max)s MB.") % {
                            "max": services.DOCUMENT_MAX_BYTES // 1024 // 1024},
                        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}))


class DocumentForm(forms.Form):
    document = PdfField(label=_("Document (PDF)"),
                        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}))


class CompleteForm(forms.Form):
    outcome = text(_("Outcome"), max_length=4000, rows=5,
                   help_text=_("What was reached, what comes next."))


class FeedbackForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=Feedback._meta.get_field("satisfaction").verbose_name, coerce=int,
        choices=[(n, str(n)) for n in range(1, 6)], widget=forms.RadioSelect,
        help_text=_("1 not at all, 5 very."))
    goals_reached = forms.ChoiceField(label=Feedback._meta.get_field("goals_reached")
                                      .verbose_name, choices=Feedback.Reached.choices,
                                      widget=forms.RadioSelect)
    would_recommend = forms.TypedChoiceField(
        label=Feedback._meta.get_field("would_recommend").verbose_name,
        choices=[("yes", _("Yes")), ("no", _("No"))], widget=forms.RadioSelect,
        coerce=lambda value: value == "yes")
    comment = text(_("Comment"), max_length=2000, required=False, rows=4)


class CloseForm(forms.Form):
    note = text(_("Note"), max_length=2000, required=False, rows=2)


class CancelForm(forms.Form):
    reason = text(_("Reason"), max_length=2000, rows=2)


class ProfileForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150, validators=[plain_text])
    organisation = forms.ModelChoiceField(label=_("Organisation"),
                                          queryset=Organisation.objects.none(), empty_label=None)
    home_base = forms.ModelChoiceField(
        label=_("Home base (Gemeinde)"), to_field_name="ags",
        queryset=Place.objects.filter(kind=Place.Kind.GEMEINDE).order_by("name"),
        help_text=_("Where you travel from; distances are counted from its centre."))
    languages = forms.MultipleChoiceField(label=_("Languages"), choices=LANGUAGES,
                                          widget=forms.CheckboxSelectMultiple, required=False,
                                          help_text=_("German is always included."))
    capacity = forms.IntegerField(label=_("Capacity in consulting days per month"),
                                  min_value=1, max_value=23)
    region = forms.ModelMultipleChoiceField(
        label=_("Kreise you serve"), required=False, widget=forms.CheckboxSelectMultiple,
        queryset=Place.objects.filter(kind=Place.Kind.KREIS).order_by("name"),
        help_text=_("None ticked: the whole state."))
    conflicts = forms.ModelMultipleChoiceField(
        label=_("Declared conflicts of interest"), required=False,
        queryset=Organisation.objects.exclude(kind=Organisation.Kind.LAND).order_by("name"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Organisations you must not advise (e.g. your former employer). "
                    "Hold Ctrl to choose several."))
    bio = text(_("About me"), max_length=2000, required=False, rows=3)
    is_active = forms.BooleanField(label=_("I take new cases"), required=False, initial=True)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.topics = list(Topic.objects.filter(is_active=True))
        for topic in self.topics:
            self.fields[f"level_{topic.pk}"] = forms.TypedChoiceField(
                label=topic.name, coerce=int, required=False, empty_value=0,
                choices=[(0, _("not offered")), *Level.choices])

    def topic_fields(self):
        return [self[f"level_{topic.pk}"] for topic in self.topics]

    def levels(self) -> dict[int, int]:
        return {topic.pk: self.cleaned_data.get(f"level_{topic.pk}") or 0
                for topic in self.topics}


class AbsenceForm(forms.Form):
    start = date_field(_("From"))
    end = date_field(_("Until"))
    note = forms.CharField(label=_("Note"), max_length=200, required=False,
                           validators=[plain_text])

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end must not be before the start."))
        if data.get("end") and data["end"] < timezone.localdate():
            self.add_error("end", _("The absence must not lie in the past."))
        return data


class EuroField(forms.CharField):
    """A euro amount like “950” or “950,00” as integer cents."""

    def to_python(self, value):
        value = super().to_python(value).strip().replace("€", "").replace(" ", "")
        if not value:
            return None
        if len(value) > 20:
            raise ValidationError(_("Enter an amount in euros, e.g. 950 or 950,00."))
        if "," in value:
            value = value.replace(".", "").replace(",", ".")
        try:
            amount = Decimal(value)
        except InvalidOperation:
            raise ValidationError(_("Enter an amount in euros, e.g. 950 or 950,00.")) from None
        if amount <= 0 or amount > 100_000 or amount != amount.quantize(Decimal("0.01")):
            raise ValidationError(_("Enter an amount between 0,01 and 100.000 euros with at "
                                    "most two decimals."))
        return int(amount * 100)


class FormatForm(forms.ModelForm):
    day_rate = EuroField(label=_("Day rate in euros"))

    class Meta:
        model = Format
        fields = ["name_de", "name_en", "slug", "kind", "description_de", "description_en",
                  "for_kommune", "for_landkreis", "for_civil_society", "usual_days",
                  "delivery", "min_level", "position", "is_active"]
        widgets = {"description_de": forms.Textarea(attrs={"rows": 4}),
                   "description_en": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("name_de", "name_en", "description_de", "description_en"):
            self.fields[name].validators.append(plain_text)
        if self.instance.pk:
            self.fields["day_rate"].initial = f"{self.instance.day_rate_cents / 100:.2f}" \
                .replace(".", ",")

    def clean(self):
        data = super().clean()
        if not any(data.get(k) for k in ("for_kommune", "for_landkreis", "for_civil_society")):
            self.add_error("for_kommune", _("Tick at least one kind of requester."))
        rate = data.get("day_rate")
        if rate is not None and rate % 2:
            self.add_error("day_rate", _("The day rate must split into two half days of whole "
                                         "cents."))
        return data


class TopicForm(forms.ModelForm):
    class Meta:
        model = Topic
        fields = ["name_de", "name_en", "slug", "kind", "position", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("name_de", "name_en"):
            self.fields[name].validators.append(plain_text)


class ReportForm(forms.Form):
    by = forms.ChoiceField(label=_("By"), choices=[])
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    kreis = forms.ChoiceField(label=_("Kreis"), required=False)
    topic = forms.ChoiceField(label=_("Topic"), required=False)

    def __init__(self, *args, staff: bool, **kwargs):
        super().__init__(*args, **kwargs)
        dimensions = services.REPORT_DIMENSIONS if staff else {
            k: v for k, v in services.REPORT_DIMENSIONS.items()
            if k in services.PUBLIC_DIMENSIONS}
        self.fields["by"].choices = list(dimensions.items())
        self.fields["year"].choices = [("", _("all years"))] + [
            (y, str(y)) for y in services.years()]
        self.fields["kreis"].choices = [("", _("all Kreise"))] + list(
            Place.objects.filter(kind=Place.Kind.KREIS).order_by("name").values_list(
                "ags", "name"))
        self.fields["topic"].choices = [("", _("all topics"))] + [
            (t.slug, t.name) for t in Topic.objects.all()]


