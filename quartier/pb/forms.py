import math

import shapely
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from quartier.pb import services
from quartier.pb.models import Budget, Proposal
from quartier.places import geo

MAX_EUR = 10**12
# A proposal's point may lie this far outside its quarter (a playground just across a road).
QUARTER_TOLERANCE_M = 1_000
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


class BudgetForm(forms.ModelForm):
    """A budget's settings; dates are entered in Europe/Berlin (the site's time zone)."""

    class Meta:
        model = Budget
        fields = [
            "title", "description", "amount_eur", "residents_only", "min_age", "ballot_type",
            "min_projects", "max_projects", "points_total", "max_ranks", "proposals_open",
            "proposals_close", "voting_opens", "voting_closes", "rule", "greedy_skip",
            "min_votes",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            **{name: DateTimeInput() for name in (
                "proposals_open", "proposals_close", "voting_opens", "voting_closes")},
        }
        help_texts = {
            "amount_eur": _("Whole euros."),
            "residents_only": _("Accounts must hold the resident role of the Gemeinde. Voting "
                                "codes in letters to households count as proof of residence."),
            "min_age": _("Voters confirm their age on the ballot; 0 for no minimum."),
            "min_projects": _("Approval ballots."),
            "max_projects": _("Approval ballots."),
            "points_total": _("Cumulative ballots."),
            "max_ranks": _("Ranking ballots."),
            "proposals_open": _("Date and time in Berlin time."),
            "greedy_skip": _("Greedy: if unticked, counting stops at the first project that "
                             "does not fit in the money left."),
            "min_votes": _("Greedy: projects with fewer votes (points for cumulative ballots) "
                           "are not funded."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limits = {"amount_eur": MAX_EUR, "min_age": 120, "min_projects": 100,
                  "max_projects": 100, "points_total": 1000, "max_ranks": 50,
                  "min_votes": 10**9}
        for name, maximum in limits.items():
            self.fields[name].max_value = maximum
            self.fields[name].validators.append(
                forms.IntegerField(max_value=maximum).validators[-1])
            self.fields[name].widget.attrs["max"] = maximum
        for name in ("proposals_open", "proposals_close", "voting_opens", "voting_closes"):
            self.fields[name].input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M"]

    def clean(self):
        cleaned = super().clean()
        order = [("proposals_open", "proposals_close"), ("proposals_close", "voting_opens"),
                 ("voting_opens", "voting_closes")]
        for first, second in order:
            a, b = cleaned.get(first), cleaned.get(second)
            if a and b and (b < a or (b == a and first != "proposals_close")):
                self.add_error(second, _("This must come after “%(field)s”.")
                               % {"field": self.fields[first].label})
        low, high = cleaned.get("min_projects"), cleaned.get("max_projects")
        if low is not None and high is not None and low > high:
            self.add_error("min_projects", _("The minimum cannot be larger than the maximum."))
        for name in ("max_projects", "points_total", "max_ranks"):
            if cleaned.get(name) == 0:
                self.add_error(name, _("Enter at least 1."))
        return cleaned

    def _post_clean(self):
        # The constraints are checked by clean() with friendlier messages.
        try:
            super()._post_clean()
        except ValidationError:
            pass

    def settings(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


def _point_fields():
    lat = forms.FloatField(
        label=_("Latitude"), required=False,
        help_text=_("Optional. A click on the map fills it; WGS84 degrees, e.g. 48.5216."),
        widget=forms.NumberInput(attrs={"step": "any", "data-lat-input": ""}),
    )
    lon = forms.FloatField(
        label=_("Longitude"), required=False, help_text=_("WGS84 degrees, e.g. 9.0576."),
        widget=forms.NumberInput(attrs={"step": "any", "data-lon-input": ""}),
    )
    return lat, lon


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("What should be done, and for whom?"), max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    cost_eur = forms.IntegerField(
        label=_("Estimated cost in euros"), min_value=1, max_value=MAX_EUR,
        help_text=_("Whole euros. The municipality checks the cost."),
    )
    lat, lon = _point_fields()

    def __init__(self, *args, budget: Budget, **kwargs):
        super().__init__(*args, **kwargs)
        self.budget = budget
        self.point = None

    def clean_cost_eur(self):
        cost = self.cleaned_data["cost_eur"]
        if cost > self.budget.amount_eur:
            raise ValidationError(_("The cost is more than the whole budget of %(amount)s €.")
                                  % {"amount": self.budget.amount_eur})
        return cost

    def clean(self):
        cleaned = super().clean()
        lat, lon = cleaned.get("lat"), cleaned.get("lon")
        if (lat is None) != (lon is None) and "lat" not in self.errors:
            self.add_error("lat", _("Give both latitude and longitude, or neither."))
        elif lat is not None and lon is not None:
            try:
                self.point = check_point(lon, lat, self.budget.quarter)
            except ValidationError as error:
                self.add_error("lat", error)
        return cleaned


def check_point(lon: float, lat: float, quarter) -> tuple[float, float]:
    """The point in EPSG:25832 metres if it lies in or near the quarter."""
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180
            and -90 <= lat <= 90):
        raise ValidationError(_("Longitude and latitude are not valid WGS84 degrees."))
    x, y = geo.lonlat_to_utm(lon, lat)
    if geo.loads(quarter.boundary).distance(shapely.Point(x, y)) > QUARTER_TOLERANCE_M:
        raise ValidationError(_("The point lies outside the quarter %(name)s.")
                              % {"name": quarter.name})
    return round(x, 2), round(y, 2)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), widget=forms.RadioSelect,
        choices=[("feasible", _("Feasible: put it on the ballot")),
                 ("infeasible", _("Not feasible"))],
    )
    reviewed_cost_eur = forms.IntegerField(
        label=_("Cost after review in euros"), required=False, min_value=1, max_value=MAX_EUR,
        help_text=_("Leave empty to keep the estimate."),
    )
    reason = forms.CharField(
        label=_("Reason (required if not feasible)"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown publicly with the proposal."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "infeasible" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason, so the proposer understands it."))
        return cleaned


class BallotForm(forms.Form):
    """The ballot: one field per project (`p<id>`), or one radio group for choose-one.

    `selection()` gives the services selection; the ballot rules are checked there, so the
    same message comes for every channel.
    """

    def __init__(self, *args, budget: Budget, proposals: list[Proposal], initial_selection=None,
                 ask_age: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.budget, self.proposals = budget, proposals
        chosen = initial_selection or {}
        kind = budget.ballot_type
        if kind == Budget.BallotType.CHOOSE_ONE:
            self.fields["choice"] = forms.TypedChoiceField(
                label=_("Your choice"), coerce=int, widget=forms.RadioSelect, required=False,
                choices=[(p.pk, p.title) for p in proposals],
                initial=next(iter(chosen), None),
            )
        for proposal in proposals:
            name = f"p{proposal.pk}"
            if kind == Budget.BallotType.APPROVAL:
                field = forms.BooleanField(required=False, initial=proposal.pk in chosen)
            elif kind == Budget.BallotType.CUMULATIVE:
                field = forms.IntegerField(
                    required=False, min_value=0, max_value=budget.points_total,
                    initial=chosen.get(proposal.pk, 0),
                    widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
            elif kind == Budget.BallotType.RANKING:
                field = forms.TypedChoiceField(
                    required=False, coerce=int, empty_value=0,
                    choices=[("", _("not ranked"))]
                    + [(n, str(n)) for n in range(1, budget.max_ranks + 1)],
                    initial=chosen.get(proposal.pk, ""))
            else:
                continue
            field.label = proposal.title
            field.widget.attrs["data-cost"] = proposal.final_cost_eur
            self.fields[name] = field
        if ask_age and budget.min_age:
            self.fields["age_confirmed"] = forms.BooleanField(
                label=_("I am at least %(age)s years old.") % {"age": budget.min_age},
                error_messages={"required": _("Only people aged %(age)s or older may vote.")
                                % {"age": budget.min_age}},
            )

    def rows(self):
        """(proposal, its field) in ballot order; for choose-one the radio of each."""
        if "choice" in self.fields:
            radios = list(self["choice"])
            return list(zip(self.proposals, radios, strict=True))
        return [(p, self[f"p{p.pk}"]) for p in self.proposals]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.clean_selection = services.check_selection(
                self.budget, self.selection(), [p.pk for p in self.proposals])
        except services.BallotRejected as error:
            raise ValidationError(error.messages[0]) from None
        return cleaned

    def selection(self) -> dict[int, int]:
        data = self.cleaned_data
        kind = self.budget.ballot_type
        if kind == Budget.BallotType.CHOOSE_ONE:
            return {data["choice"]: 1} if data.get("choice") else {}
        if kind == Budget.BallotType.APPROVAL:
            return {p.pk: 1 for p in self.proposals if data.get(f"p{p.pk}")}
        return {p.pk: data.get(f"p{p.pk}") or 0 for p in self.proposals}


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Voting code"), max_length=40,
        help_text=_("The code from your letter, e.g. ABCD-EFGH-JKMN. Capitals and dashes do "
                    "not matter."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                      "spellcheck": "false"}),
    )

    def __init__(self, *args, budget: Budget, **kwargs):
        super().__init__(*args, **kwargs)
        self.budget = budget

    def clean_code(self):
        code = services.find_code(self.budget, self.cleaned_data["code"])
        if code is None:
            raise ValidationError(_("This code is not valid for this budget. Check the letter "
                                    "and type it again."))
        return code


class CodesForm(forms.Form):
    number = forms.IntegerField(
        label=_("Number of codes"), min_value=1, max_value=services.MAX_CODES_PER_BATCH,
        help_text=_("One per household letter. Codes are shown only once, on the sheet to "
                    "print; only a fingerprint of each is stored."),
    )


class PaperEntryForm(forms.Form):
    """One paper ballot, typed: its number, then the project ids as on the ballot."""

    sheet = forms.CharField(
        label=_("Ballot number"), max_length=services.MAX_SHEET_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )
    projects = forms.CharField(
        label=_("Projects"), max_length=2000, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, budget: Budget, **kwargs):
        super().__init__(*args, **kwargs)
        self.budget = budget
        kind = budget.ballot_type
        self.fields["projects"].help_text = {
            Budget.BallotType.RANKING: _("Project ids in the order of the ranks, separated by "
                                         "spaces: “3 7 1”."),
            Budget.BallotType.CUMULATIVE: _("Project ids that got points, separated by spaces."),
        }.get(kind, _("Ids of the ticked projects, separated by spaces: “3 7 12”."))
        if kind == Budget.BallotType.CUMULATIVE:
            self.fields["points"] = forms.CharField(
                label=_("Points"), max_length=2000,
                help_text=_("The points of each project, in the same order: “4 6”."),
                widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
            )

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        ids = {p.project_id: p.pk for p in self.budget.proposals.on_ballot()}
        try:
            selection = services.parse_id_list(
                self.budget, ids, cleaned.get("projects", ""), cleaned.get("points", ""))
            self.selection = services.check_selection(self.budget, selection, ids.values())
        except ValidationError as error:
            self.add_error("projects", error.messages[0])
        return cleaned


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File"))

    def __init__(self, *args, label=None, help_text="", accept="", **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["file"].label = label
        self.fields["file"].help_text = help_text
        if accept:
            self.fields["file"].widget.attrs["accept"] = accept

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise ValidationError(_("The file is larger than %(size)s.")
                                  % {"size": filesizeformat(settings.UPLOAD_MAX_BYTES)})
        return upload

    def data_bytes(self) -> bytes:
        upload = self.cleaned_data["file"]
        upload.seek(0)
        return upload.read(settings.UPLOAD_MAX_BYTES + 1)


class DeviationForm(forms.Form):
    proposal = forms.ModelChoiceField(label=_("Project"), queryset=Proposal.objects.none())
    amount_eur = forms.IntegerField(
        label=_("Money the project gets, in euros"), min_value=0, max_value=MAX_EUR,
        help_text=_("0 to not fund a project the count funded."),
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required. Shown on the public result page."),
    )

    def __init__(self, *args, budget: Budget, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposal"].queryset = budget.proposals.on_ballot().order_by("title")

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Give a written reason; it is shown on the result page."))
        return reason
