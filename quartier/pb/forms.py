import math

import shapely
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from quartier.pb import services
from quartier.pb.models import Budget, Proposal
from quartier.places import geo

# Amounts are typed in whole euros and stored in cents.
MAX_EUR = services.MAX_AMOUNT_CENTS // 100
# A proposal's point may lie this far outside its quarter (a playground just across a road).
QUARTER_TOLERANCE_M = 1_000
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
PHASE_FIELDS = ("proposals_open", "proposals_close", "voting_opens", "voting_closes")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


def _datetime(label, help_text=""):
    return forms.DateTimeField(label=label, widget=DateTimeInput(), help_text=help_text,
                               input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"])


def _whole(label, *, minimum=0, maximum, help_text="", required=True, initial=None):
    return forms.IntegerField(label=label, min_value=minimum, max_value=maximum,
                              help_text=help_text, required=required, initial=initial)


class BudgetForm(forms.Form):
    """A budget's settings; dates are entered in Berlin time (the site's time zone)."""

    title = forms.CharField(label=pgettext_lazy("pb", "Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), max_length=4000, required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the money is for, who decides, and what happens with the result."),
    )
    amount_eur = _whole(_("Amount in euros"), minimum=1, maximum=MAX_EUR,
                        help_text=_("Whole euros."))
    access = forms.ChoiceField(
        label=_("Online voting"), choices=Budget.Access.choices, widget=forms.RadioSelect,
        initial=Budget.Access.ACCOUNTS,
        help_text=_("Voting codes go out in letters to the households of the quarter. A person "
                    "with a letter and an account could vote twice: use both only if letters "
                    "go to those who have no account."),
    )
    residents_only = forms.BooleanField(
        label=_("Accounts only of residents of the Gemeinde"), required=False, initial=True,
        help_text=_("Accounts must hold the resident role of the Gemeinde; otherwise every "
                    "verified account may propose and vote."),
    )
    min_age = _whole(_("Minimum age"), maximum=120, initial=14,
                     help_text=_("Voters confirm their age on the ballot; 0 for no minimum."))
    ballot_type = forms.ChoiceField(label=_("Ballot"), choices=Budget.BallotType.choices,
                                    widget=forms.RadioSelect, initial=Budget.BallotType.APPROVAL)
    min_projects = _whole(_("Approval: at least this many projects"), minimum=1, maximum=100,
                          initial=1)
    max_projects = _whole(_("Approval: at most this many projects"), minimum=1, maximum=100,
                          initial=5)
    points_total = _whole(_("Cumulative: points per voter"), minimum=1, maximum=1000,
                          initial=10)
    max_ranks = _whole(_("Ranking: projects to rank at most"), minimum=1, maximum=50,
                       initial=3)
    proposals_open = _datetime(_("Proposals open"), _("Date and time, Berlin time."))
    proposals_close = _datetime(_("Proposals close"), _("Review follows until voting opens."))
    voting_opens = _datetime(_("Voting opens"))
    voting_closes = _datetime(_("Voting closes"))
    rule = forms.ChoiceField(
        label=_("Counting rule"), choices=Budget.Rule.choices, widget=forms.RadioSelect,
        initial=Budget.Rule.GREEDY,
        help_text=_("Greedy funds the projects with the most votes as long as money is left. "
                    "Equal Shares gives every voter an equal share of the budget to spend on "
                    "the projects they chose, then spends what is left by votes. The optimum "
                    "funds the set of projects that satisfies voters most."),
    )
    greedy_skip = forms.BooleanField(
        label=_("Greedy: skip projects that do not fit"), required=False, initial=True,
        help_text=_("If unticked, counting stops at the first project that does not fit in "
                    "the money left."),
    )
    min_votes = _whole(_("Greedy: minimum votes for funding"), maximum=10**9, initial=1,
                       help_text=_("Projects with fewer votes (points for cumulative ballots) "
                                   "are not funded; 0 for no minimum."))

    FIELDS = ("title", "description", "access", "residents_only", "min_age", "ballot_type",
              "min_projects", "max_projects", "points_total", "max_ranks", *PHASE_FIELDS,
              "rule", "greedy_skip", "min_votes")

    def __init__(self, *args, instance: Budget | None = None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(instance, name) for name in self.FIELDS}
            kwargs["initial"]["amount_eur"] = instance.amount_cents // 100
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        for first, second in zip(PHASE_FIELDS, PHASE_FIELDS[1:], strict=False):
            a, b = cleaned.get(first), cleaned.get(second)
            if a and b and (b < a or (b == a and first != "proposals_close")):
                self.add_error(second, _("This must come after “%(field)s”.")
                               % {"field": self.fields[first].label})
        low, high = cleaned.get("min_projects"), cleaned.get("max_projects")
        if low is not None and high is not None and low > high:
            self.add_error("min_projects", _("The minimum cannot be larger than the maximum."))
        return cleaned

    def settings(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.FIELDS}
        data["title"] = data["title"].strip()
        data["amount_cents"] = self.cleaned_data["amount_eur"] * 100
        return data


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
    title = forms.CharField(label=pgettext_lazy("pb", "Title"), max_length=200)
    description = forms.CharField(
        label=_("What should be done, and for whom?"), max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    location = forms.CharField(
        label=_("Where?"), max_length=200, required=False,
        help_text=_("In words, e.g. “playground at Lindenplatz” or “along Hauptstraße”. "
                    "Optional; you can also mark the place on the map."),
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
        if cost * 100 > self.budget.amount_cents:
            raise ValidationError(_("The cost is more than the whole budget of %(amount)s.")
                                  % {"amount": services.format_money(self.budget.amount_cents)})
        return cost

    def clean(self):
        cleaned = super().clean()
        lat, lon = cleaned.get("lat"), cleaned.get("lon")
        if "lat" in self.errors or "lon" in self.errors:
            return cleaned
        if (lat is None) != (lon is None):
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
    if not (math.isfinite(x) and math.isfinite(y)) or geo.loads(quarter.boundary).distance(
            shapely.Point(x, y)) > QUARTER_TOLERANCE_M:
        raise ValidationError(_("The point lies outside the quarter %(name)s.")
                              % {"name": quarter.name})
    return round(x, 2), round(y, 2)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), widget=forms.RadioSelect,
        choices=[(Proposal.Status.FEASIBLE, _("Feasible: put it on the ballot")),
                 (Proposal.Status.INFEASIBLE, _("Not feasible (shown publicly with the "
                                                "reason)")),
                 (Proposal.Status.REMOVED, _("Remove: breaks the rules of participation (not "
                                             "shown publicly)"))],
    )
    reviewed_cost_eur = forms.IntegerField(
        label=_("Cost after review in euros"), required=False, min_value=1, max_value=MAX_EUR,
        help_text=_("Leave empty to keep the estimate."),
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required unless feasible. Shown publicly with the proposal."),
    )

    def __init__(self, *args, proposal: Proposal, **kwargs):
        if "initial" not in kwargs and proposal.status != Proposal.Status.SUBMITTED:
            kwargs["initial"] = {
                "decision": proposal.status, "reason": proposal.reason,
                "reviewed_cost_eur": (proposal.reviewed_cost_cents // 100
                                      if proposal.reviewed_cost_cents else None),
            }
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision and decision != Proposal.Status.FEASIBLE \
                and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason, so the proposer understands the "
                                       "decision."))
        return cleaned

    def reviewed_cost_cents(self) -> int | None:
        euros = self.cleaned_data.get("reviewed_cost_eur")
        return euros * 100 if euros else None


class BallotForm(forms.Form):
    """The ballot: one field per project (`p<pk>`), or one radio group for choose-one.

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
            self.fields["choice"].widget.attrs["data-ballot-input"] = ""
        for proposal in proposals:
            name = f"p{proposal.pk}"
            if kind == Budget.BallotType.APPROVAL:
                field = forms.BooleanField(required=False, initial=proposal.pk in chosen)
            elif kind == Budget.BallotType.CUMULATIVE:
                field = forms.IntegerField(
                    required=False, min_value=0, max_value=budget.points_total,
                    initial=chosen.get(proposal.pk, 0),
                    widget=forms.NumberInput(attrs={"inputmode": "numeric", "size": 4}))
            elif kind == Budget.BallotType.RANKING:
                field = forms.TypedChoiceField(
                    required=False, coerce=int, empty_value=0,
                    choices=[("", _("not ranked"))]
                    + [(n, str(n)) for n in range(1, budget.max_ranks + 1)],
                    initial=chosen.get(proposal.pk, ""))
            else:
                continue
            field.label = proposal.title
            field.widget.attrs.update({
                "data-ballot-input": "", "data-cost": proposal.final_cost_cents,
                "aria-describedby": f"project-{proposal.pk}-cost",
            })
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
        if any(name != "age_confirmed" for name in self.errors):
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

    def raw_selection(self) -> dict[int, int]:
        """The selection as typed so far, for the running cost (also when invalid): 1 per
        chosen project, the points typed on a cumulative ballot (0 when not a number)."""
        if not self.is_bound:
            return {}
        chosen = {}
        for proposal in self.proposals:
            if self.budget.ballot_type == Budget.BallotType.CHOOSE_ONE:
                value = "1" if self.data.get("choice") == str(proposal.pk) else ""
            else:
                value = str(self.data.get(f"p{proposal.pk}", "")).strip()
            if not value or value in ("0", "false"):
                continue
            if self.budget.ballot_type == Budget.BallotType.CUMULATIVE:
                if value.isdigit() and len(value) < 7 and int(value):
                    chosen[proposal.pk] = int(value)
            else:
                chosen[proposal.pk] = 1
        return chosen


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
        help_text=_("One per household letter. The codes are written only once, in the file "
                    "you download now; the platform keeps only a fingerprint of each."),
    )
    output = forms.ChoiceField(label=_("File"), widget=forms.RadioSelect, initial="pdf")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["output"].choices = [
            ("pdf", gettext("Letters to print (PDF), up to %(n)s codes at a time")
             % {"n": number_format(services.MAX_LETTERS_PER_PDF, force_grouping=True)}),
            ("csv", gettext("Codes for a print shop's mail merge (CSV), up to %(n)s codes at "
                            "a time")
             % {"n": number_format(services.MAX_CODES_PER_BATCH, force_grouping=True)}),
        ]

    def clean(self):
        cleaned = super().clean()
        number = cleaned.get("number")
        if cleaned.get("output") == "pdf" and number and number > services.MAX_LETTERS_PER_PDF:
            self.add_error("number", _(
                "Letters come at most %(n)s at a time: generate several batches, or choose "
                "the CSV file for a print shop.") % {"n": services.MAX_LETTERS_PER_PDF})
        return cleaned


class VoidCodesForm(forms.Form):
    serials = forms.CharField(
        label=_("Numbers of the codes"), max_length=2000,
        help_text=_("The numbers printed beside the codes, e.g. “12, 15-18”."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=500,
                             help_text=_("E.g. “letter returned as undeliverable”."))

    def clean_serials(self):
        serials: set[int] = set()
        for part in self.cleaned_data["serials"].replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            low, _dash, high = part.partition("-")
            if not low.strip().isdigit() or (high and not high.strip().isdigit()):
                raise ValidationError(_("Write numbers and ranges like “12, 15-18”."))
            first, last = int(low), int(high or low)
            if last < first or last - first >= services.MAX_CODES_PER_BATCH:
                raise ValidationError(_("The range %(range)s is not valid.") % {"range": part})
            serials.update(range(first, last + 1))
        if not serials:
            raise ValidationError(_("Write numbers and ranges like “12, 15-18”."))
        return sorted(serials)


class PaperEntryForm(forms.Form):
    """One paper ballot, typed: its number, then the project numbers as on the ballot."""

    sheet = forms.CharField(
        label=_("Ballot number"), max_length=services.MAX_SHEET_LENGTH,
        help_text=_("As written on the paper ballot, e.g. “A-17”."),
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
            Budget.BallotType.RANKING: _("Project numbers in the order of the ranks, separated "
                                         "by spaces: “3 7 1”."),
            Budget.BallotType.CUMULATIVE: _("Numbers of the projects that got points, "
                                            "separated by spaces: “3 7”."),
            Budget.BallotType.CHOOSE_ONE: _("The number of the chosen project."),
        }.get(kind, _("Numbers of the ticked projects, separated by spaces: “3 7 12”."))
        if kind == Budget.BallotType.CUMULATIVE:
            self.fields["points"] = forms.CharField(
                label=_("Points"), max_length=2000,
                help_text=_("The points of each project, in the same order: “4 6”."),
                widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
            )

    def clean_sheet(self):
        return services.clean_sheet(self.cleaned_data["sheet"])

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        refs = services.paper_refs(self.budget)
        try:
            selection = services.parse_paper_selection(
                self.budget, refs, cleaned.get("projects", ""), cleaned.get("points", ""))
            self.selection = services.check_selection(self.budget, selection, refs.values())
        except ValidationError as error:
            self.add_error("projects", error.messages[0])
        return cleaned


class DiscardForm(forms.Form):
    reason = forms.CharField(label=_("Reason for discarding"), max_length=500,
                             help_text=_("E.g. “typing error, compared with the paper”."))


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
        help_text=_("0 to not fund a project the count funded; the computed amount to undo a "
                    "deviation."),
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required. Shown on the public result page."),
    )

    def __init__(self, *args, budget: Budget, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposal"].queryset = budget.proposals.on_ballot().order_by("pk")
        self.fields["proposal"].label_from_instance = lambda p: f"{p.ref}. {p.title}"

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Give a written reason; it is shown on the result page."))
        return reason
