import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from quartier.budget.models import BudgetLine
from quartier.calls import services
from quartier.calls.models import ApplicantType, TargetGroup
from quartier.places.models import Place, Quarter

MAX_EUROS = Decimal("100000000")  # 100 million euros: far beyond any call


def parse_euros(text: str) -> int:
    """Cents from a German or English amount: "25.000,50", "25000,5", "25000.50", "25 000 €".
    A point followed by exactly three digits is a thousands separator."""
    text = text.strip().replace("€", "").replace("EUR", "").replace("\u00a0", "").replace(" ", "")
    if not re.fullmatch(r"[0-9.,]+", text or "x"):
        raise ValueError(text)
    if "," in text:
        whole, _sep, rest = text.rpartition(",")
        if "," in whole or "." in rest:
            raise ValueError(text)
        text = whole.replace(".", "") + "." + rest
    elif re.fullmatch(r"[0-9]{1,3}(\.[0-9]{3})+", text):
        text = text.replace(".", "")
    if text.count(".") > 1:
        raise ValueError(text)
    value = Decimal(text)
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(text)
    return int(value * 100)


def format_euros(cents: int | None) -> str:
    if cents is None:
        return ""
    whole, rest = divmod(cents, 100)
    return f"{whole:,}".replace(",", ".") + f",{rest:02d}"


class EuroField(forms.Field):
    """An amount in euros, typed as text (German notation welcome); cleans to cents."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={
            "inputmode": "decimal", "autocomplete": "off", "maxlength": 20}))
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        return format_euros(value) if isinstance(value, int) else value

    def to_python(self, value):
        value = (value or "").strip() if isinstance(value, str) else value
        if value in self.empty_values:
            return None
        if isinstance(value, int):
            return value
        if len(value) > 20:
            raise ValidationError(_("This amount is too large."), code="max")
        try:
            cents = parse_euros(value)
        except (ValueError, InvalidOperation):
            raise ValidationError(
                _("Enter an amount in euros, e.g. 25.000,00."), code="invalid") from None
        if cents <= 0:
            raise ValidationError(_("Enter an amount of more than 0 €."), code="min")
        if cents > MAX_EUROS * 100:
            raise ValidationError(_("This amount is too large."), code="max")
        return cents


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


# Calls ----------------------------------------------------------------------------------


class CallForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), max_length=500,
                              help_text=_("One or two sentences for the list of calls."),
                              widget=forms.Textarea(attrs={"rows": 2}))
    text = forms.CharField(label=_("Text of the call"), max_length=20_000,
                           widget=forms.Textarea(attrs={"rows": 8}))
    applicant_types = forms.MultipleChoiceField(
        label=_("Who may apply"), choices=ApplicantType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    opens_at = forms.DateTimeField(label=_("Open for applications from"),
                                   help_text=_("Time in Germany (Europe/Berlin)."),
                                   widget=LocalDateTimeInput())
    closes_at = forms.DateTimeField(label=_("Deadline"),
                                    help_text=_("Time in Germany (Europe/Berlin); the server's "
                                                "clock decides."),
                                    widget=LocalDateTimeInput())
    budget_line = forms.ModelChoiceField(label=_("Budget line"), queryset=BudgetLine.objects.all())
    pot_cents = EuroField(label=_("Pot (euros)"))
    min_award_cents = EuroField(label=_("Minimum award (euros)"))
    max_award_cents = EuroField(label=_("Maximum award (euros)"))
    allow_partial = forms.BooleanField(
        label=_("Partial funding allowed"), required=False,
        help_text=_("An application may get less than it requested, at least the minimum "
                    "award."))
    reviews_per_application = forms.IntegerField(label=_("Reviews per application"),
                                                 min_value=1, max_value=9, initial=3)
    score_min = forms.IntegerField(label=_("Lowest score"), min_value=0, max_value=100,
                                   initial=0)
    score_max = forms.IntegerField(label=_("Highest score"), min_value=1, max_value=100,
                                   initial=10)
    min_awards_per_regierungsbezirk = forms.IntegerField(
        label=_("At least this many awards per Regierungsbezirk"), min_value=0, max_value=500,
        initial=0)
    max_awards_per_kreis = forms.IntegerField(
        label=_("At most this many awards per Kreis"), min_value=0, max_value=500,
        required=False, help_text=_("Leave empty for no limit."))

    TYPE_FIELDS = {ApplicantType.KOMMUNE: "for_kommunen",
                   ApplicantType.LANDKREIS: "for_landkreise",
                   ApplicantType.CIVIL_SOCIETY: "for_civil_society"}

    def call_fields(self) -> dict:
        data = dict(self.cleaned_data)
        types = data.pop("applicant_types")
        for applicant_type, field in self.TYPE_FIELDS.items():
            data[field] = applicant_type in types
        return data

    @classmethod
    def initial_of(cls, call) -> dict:
        initial = {name: getattr(call, name) for name in services.CALL_FIELDS
                   if not name.startswith("for_")}
        initial["applicant_types"] = call.applicant_types()
        return initial


class CriterionForm(forms.Form):
    # A row without a name is left out: clearing the name removes a criterion.
    name = forms.CharField(label=_("Criterion"), max_length=200, required=False)
    description = forms.CharField(label=_("What the jury looks at"), max_length=1000,
                                  required=False)
    weight = forms.IntegerField(label=_("Weight"), min_value=1, max_value=100, initial=1)


CriterionFormSet = forms.formset_factory(CriterionForm, extra=2, max_num=20, validate_max=True,
                                         absolute_max=20)


def criteria_of(formset) -> list[dict]:
    return [f.cleaned_data for f in formset if f.cleaned_data and f.cleaned_data.get("name")]


# Applications ---------------------------------------------------------------------------


class OrganisationChoiceForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Apply for"), queryset=None, empty_label=None)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class ApplicationForm(forms.Form):
    """The application; nothing is required to save a draft, services.submission_errors
    says what a submission needs."""

    gemeinde = forms.ModelChoiceField(label=_("Gemeinde"), queryset=Place.objects.none(),
                                      to_field_name="ags", required=False)
    quarters = forms.ModelMultipleChoiceField(
        label=_("Quarters"), queryset=Quarter.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The quarters (Stadtteil, Kiez or Dorf) the project is for."))
    title = forms.CharField(label=_("Title of the project"), max_length=200, required=False)
    summary = forms.CharField(
        label=_("Idea in brief"), max_length=600, required=False,
        help_text=_("Up to 600 characters; published with the results if you are awarded."),
        widget=forms.Textarea(attrs={"rows": 3}))
    idea = forms.CharField(label=_("Idea and concept"), max_length=10_000, required=False,
                           widget=forms.Textarea(attrs={"rows": 8}))
    target_groups = forms.MultipleChoiceField(
        label=_("Target groups"), choices=TargetGroup.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Quarters bring generations together: name the groups across "
                    "generations the project reaches."))
    partners = forms.CharField(
        label=_("Partners in the quarter"), max_length=3000, required=False,
        help_text=_("One partner per line, with their part in the project."),
        widget=forms.Textarea(attrs={"rows": 4}))
    work_plan = forms.CharField(
        label=_("Work plan"), max_length=6000, required=False,
        help_text=_("Steps with months, e.g. “03/2026: first quarter meeting”."),
        widget=forms.Textarea(attrs={"rows": 6}))
    requested = EuroField(label=_("Requested amount (euros)"), required=False)

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        self.application = application
        self.fields["gemeinde"].queryset = services.gemeinde_choices(application).select_related(
            "parent")
        # Some Gemeinden share a name (two Altdorfs): the Kreis tells them apart.
        self.fields["gemeinde"].label_from_instance = lambda place: (
            f"{place.name} ({place.parent.name})" if place.parent else place.name)
        if application.organisation.kind == "kommune":
            self.fields["gemeinde"].disabled = True
        gemeinde = application.gemeinde
        if self.is_bound and not self.fields["gemeinde"].disabled:
            ags = self.data.get(self.add_prefix("gemeinde"))
            gemeinde = Place.objects.filter(kind=Place.Kind.GEMEINDE, ags=ags).first()
        self.fields["quarters"].queryset = services.quarter_choices(gemeinde)
        call = application.call
        self.fields["requested"].help_text = _(
            "Between %(min)s and %(max)s; the cost items below must add up to it.") % {
            "min": services.euros(call.min_award_cents),
            "max": services.euros(call.max_award_cents)}

    @classmethod
    def initial_of(cls, application) -> dict:
        return {
            "gemeinde": application.gemeinde.ags if application.gemeinde else None,
            "quarters": [q.pk for q in application.quarters.all()],
            "title": application.title, "summary": application.summary,
            "idea": application.idea, "target_groups": application.target_groups,
            "partners": application.partners, "work_plan": application.work_plan,
            "requested": application.requested_cents,
        }

    def draft_fields(self) -> dict:
        """The valid fields, ready for services.save_draft (invalid ones are left out)."""
        data = self.cleaned_data
        fields = {}
        for name in ("title", "summary", "idea", "partners", "work_plan", "target_groups"):
            if name in data:
                fields[name] = data[name]
        if "requested" in data:
            fields["requested_cents"] = data["requested"]
        if "gemeinde" in data and not self.fields["gemeinde"].disabled:
            fields["gemeinde"] = data["gemeinde"]
        return fields


class CostItemForm(forms.Form):
    description = forms.CharField(label=_("Cost item"), max_length=200, required=False)
    amount = EuroField(label=_("Amount (euros)"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("amount") and not (data.get("description") or "").strip():
            self.add_error("description", _("Say what the amount is for."))
        if (data.get("description") or "").strip() and not data.get("amount") \
                and "amount" not in self.errors:
            self.add_error("amount", _("Give the amount of this item."))
        return data


CostItemFormSet = forms.formset_factory(CostItemForm, extra=3, max_num=40, validate_max=True,
                                        absolute_max=40)


def cost_items_of(formset) -> list[tuple[str, int]]:
    return [
        (f.cleaned_data["description"].strip(), f.cleaned_data["amount"])
        for f in formset
        if f.cleaned_data and f.cleaned_data.get("amount") and f.cleaned_data.get("description")
    ]


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("PDF file"),
                           widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        services.check_pdf(upload)
        upload.seek(0)
        return upload


class EligibilityForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), widget=forms.RadioSelect,
        choices=[("eligible", _("Eligible")), ("ineligible", _("Not eligible"))])
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Required if not eligible, or if an automatic check "
                                         "failed."))


class JurorsForm(forms.Form):
    jurors = forms.ModelMultipleChoiceField(
        label=_("Jurors"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurors"].queryset = services.jury_candidates()
        self.fields["jurors"].label_from_instance = lambda user: user.get_full_name() or \
            user.email


class ConflictForm(forms.Form):
    application = forms.TypedChoiceField(label=_("Application"), coerce=int)
    reason = forms.CharField(label=_("Reason (optional)"), max_length=500, required=False)

    def __init__(self, *args, applications, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].choices = [
            (a.pk, f"{a.organisation.name}: {a.title}") for a in applications]


class ScoreForm(forms.Form):
    """One score and comment per criterion; services.score_review checks the scale."""

    def __init__(self, *args, review, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        call = review.application.call
        self.criteria = criteria
        existing = {s.criterion_id: s for s in review.scores.all()}
        for criterion in criteria:
            score = existing.get(criterion.pk)
            self.fields[f"criterion_{criterion.pk}"] = forms.IntegerField(
                label=_("Score for “%(name)s”") % {"name": criterion.name},
                help_text=_("From %(min)s to %(max)s points; weight %(weight)s.")
                % {"min": call.score_min, "max": call.score_max, "weight": criterion.weight},
                initial=score.value if score else None, required=False,
                widget=forms.NumberInput(attrs={"min": call.score_min, "max": call.score_max}),
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Comment on “%(name)s”") % {"name": criterion.name}, max_length=3000,
                initial=score.comment if score else "", required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self):
        return [(c, self[f"criterion_{c.pk}"], self[f"comment_{c.pk}"]) for c in self.criteria]

    def values(self) -> dict[int, tuple[int, str]]:
        data = self.cleaned_data
        return {
            c.pk: (data.get(f"criterion_{c.pk}"), data.get(f"comment_{c.pk}") or "")
            for c in self.criteria if data.get(f"criterion_{c.pk}") is not None
        }


class AllocationForm(forms.Form):
    """Only the button: the computation uses the call's settings."""


class DecisionForm(forms.Form):
    """For each ranked application an award (empty = none) and a reason for a deviation."""

    base_method = forms.ChoiceField(widget=forms.HiddenInput,
                                    choices=[("optimal", "optimal"), ("list", "list")])

    def __init__(self, *args, rows, base_method, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows_ = rows
        self.fields["base_method"].initial = base_method
        for row in rows:
            proposed = row.optimal_cents if base_method == "optimal" else row.list_cents
            key = row.application.pk
            self.fields[f"amount_{key}"] = EuroField(
                label=_("Award for “%(title)s” (euros)") % {"title": row.application.title},
                required=False, initial=proposed or None)
            self.fields[f"reason_{key}"] = forms.CharField(
                label=_("Reason for a deviation for “%(title)s”")
                % {"title": row.application.title}, max_length=2000, required=False)

    def table(self):
        return [(row, self[f"amount_{row.application.pk}"], self[f"reason_{row.application.pk}"])
                for row in self.rows_]

    def amounts(self) -> dict[int, int]:
        return {row.application.pk: self.cleaned_data.get(f"amount_{row.application.pk}") or 0
                for row in self.rows_}

    def reasons(self) -> dict[int, str]:
        return {row.application.pk: self.cleaned_data.get(f"reason_{row.application.pk}") or ""
                for row in self.rows_}


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason for withdrawing the award"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))
