"""Forms of the ledger pages. Amounts are typed in euros and handed to services in cents.

How amounts are typed (docs/budget.md): euros with at most two decimal places, in the
notation of the page's language — German "1.234,56" (comma for cents, dots or spaces between
thousands), English "1,234.56"; a trailing "€" or "EUR" is allowed. Anything else is refused
with a message, never guessed: "12.5" on a German page could be twelve and a half or a typo.
"""

import re
import secrets
from decimal import Decimal

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from quartier.budget.models import BudgetLine, Entry
from quartier.budget.services import euros
from quartier.places.models import Place

# Ten billion euros: more than any budget line of a state ministry, far below the column's
# limit, so a typo of a few extra digits is caught.
MAX_CENTS = 10_000_000_000_00
MAX_AMOUNT_CHARS = 30
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
_CURRENCY = re.compile(r"^(?:€|eur)?(.*?)(?:€|eur)?$", re.IGNORECASE)
_KEY = re.compile(r"^[A-Za-z0-9_-]{20,43}$")


def _notation() -> tuple[str, str]:
    """(decimal mark, thousands mark) of the active language."""
    return (".", ",") if (get_language() or "de").startswith("en") else (",", ".")


def parse_euros(text: str) -> int:
    """An amount typed in euros as positive cents; raises ValidationError with the reason."""
    decimal_mark, group_mark = _notation()
    example = _("e.g. 1,234.56") if decimal_mark == "." else _("e.g. 1.234,56")
    value = _CURRENCY.match(_SPACES.sub("", text)).group(1)
    if value.startswith(("-", "−", "–")) and value[1:2].isdigit():
        raise ValidationError(_("The amount must be more than 0 €."), code="min_value")
    whole, mark, cents = value.partition(decimal_mark)
    grouped = re.fullmatch(rf"\d{{1,3}}(?:{re.escape(group_mark)}\d{{3}})+", whole)
    if not (whole.isdigit() and whole.isascii() or grouped) or (mark and not cents):
        if re.fullmatch(rf"\d+{re.escape(group_mark)}\d{{1,2}}", value):
            raise ValidationError(
                _("Write the cents after a comma: %(example)s.") % {"example": example}
                if decimal_mark == "," else
                _("Write the cents after a point: %(example)s.") % {"example": example},
                code="notation",
            )
        raise ValidationError(_("Enter an amount in euros, %(example)s.") % {"example": example},
                              code="invalid")
    if not (cents.isdigit() and cents.isascii()) and cents:
        raise ValidationError(_("Enter an amount in euros, %(example)s.") % {"example": example},
                              code="invalid")
    if len(cents) > 2:
        raise ValidationError(_("Give at most two decimal places (cents)."), code="cents")
    amount = int(Decimal(whole.replace(group_mark, "") + "." + (cents or "0")) * 100)
    if amount <= 0:
        raise ValidationError(_("The amount must be more than 0 €."), code="min_value")
    if amount > MAX_CENTS:
        raise ValidationError(_("The amount may be at most %(max)s.") % {"max": euros(MAX_CENTS)},
                              code="max_value")
    return amount


def euros_for_input(cents: int) -> str:
    """Cents as typed into an amount field: '1.234,56' (or '1,234.56' in English)."""
    decimal_mark, group_mark = _notation()
    whole, rest = divmod(cents, 100)
    return f"{whole:,}".replace(",", group_mark) + f"{decimal_mark}{rest:02d}"


class EuroField(forms.CharField):
    """Euros typed as text, cleaned to integer cents."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("In euros with at most two decimal places, "
                                         "e.g. 1.234,56."))
        kwargs.setdefault("widget", forms.TextInput(attrs={
            "inputmode": "decimal", "autocomplete": "off", "maxlength": MAX_AMOUNT_CHARS,
            "class": "amount"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        if len(text) > MAX_AMOUNT_CHARS:
            raise ValidationError(_("Enter an amount in euros, e.g. 1.234,56."), code="invalid")
        return parse_euros(text)

    def prepare_value(self, value):
        return euros_for_input(value) if isinstance(value, int) else value


class ServiceErrorsMixin:
    # Errors of services that belong to a field of the form: {service key: field name}.
    service_fields = {"amount_cents": "amount"}

    def add_service_error(self, error: ValidationError, *, field: str = "amount") -> None:
        """Show a refusal of a service at the field it concerns; an overspend at `field`."""
        from quartier.budget.services import Overspend

        if hasattr(error, "error_dict"):
            for key, messages in error.message_dict.items():
                name = self.service_fields.get(key, key)
                self.add_error(name if name in self.fields else None, messages)
        elif isinstance(error, Overspend) and field in self.fields:
            self.add_error(field, error.messages)
        else:
            self.add_error(None, error.messages)


class IdempotentForm(ServiceErrorsMixin, forms.Form):
    """A form that carries a random key from the page it was shown on: sent twice (a double
    click, a reload, a retry after a timeout), it books once."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["idempotency_key"].initial = secrets.token_urlsafe(24)

    def clean_idempotency_key(self):
        key = self.cleaned_data["idempotency_key"]
        if not _KEY.match(key):
            raise ValidationError(_("The form was incomplete; check it and send it again."))
        return key

    def full_clean(self):
        super().full_clean()
        if "idempotency_key" in self.errors:
            # A fresh key, so the corrected form can be sent.
            self.data = self.data.copy()
            self.data["idempotency_key"] = secrets.token_urlsafe(24)
            self._bound_fields_cache.pop("idempotency_key", None)
            self._errors.setdefault(NON_FIELD_ERRORS, self.error_class(
                error_class="nonfield")).extend(self._errors.pop("idempotency_key"))

    def key_for(self, action: str, target) -> str:
        """The key the ledger stores: one per form, action and object, so a key can never
        book a different kind of entry than the form it came with."""
        return f"{action}-{target.pk}-{self.cleaned_data['idempotency_key']}"


class LineForm(ServiceErrorsMixin, forms.Form):
    code = forms.CharField(
        label=pgettext_lazy("budget line", "Code"), max_length=40,
        help_text=_("The budget title (Haushaltstitel), e.g. 0918-68401-2022; unique."),
    )
    title = forms.CharField(label=pgettext_lazy("budget line", "Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    first_year = forms.IntegerField(label=_("First fiscal year"), min_value=2000,
                                    max_value=2100)
    double_budget = forms.BooleanField(
        label=_("Double budget (two fiscal years)"), required=False,
        help_text=_("The line covers the first fiscal year and the one after it."))
    amount = EuroField(label=_("Amount"))

    service_fields = {"amount_cents": "amount", "last_year": "double_budget"}

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z .:/_-]*", code):
            raise ValidationError(_("Use letters, digits, spaces and . : / _ - only."))
        if BudgetLine.objects.filter(code=code).exists():
            raise ValidationError(_("A budget line with this code exists already."))
        return code

    def line_fields(self) -> dict:
        data = self.cleaned_data
        return dict(code=data["code"], title=data["title"].strip(),
                    description=data["description"].strip(), first_year=data["first_year"],
                    last_year=data["first_year"] + (1 if data["double_budget"] else 0),
                    amount_cents=data["amount"])



def _year_choices(line: BudgetLine) -> list[tuple[int, str]]:
    return [(year, str(year)) for year in line.years()]


def _current_year(line: BudgetLine) -> int:
    return min(max(timezone.localdate().year, line.first_year), line.last_year)


def place_choices() -> list:
    """Statewide, then each Kreis with its Gemeinden, grouped by Kreis (by AGS)."""
    kreise: dict[str, tuple[str, list]] = {}
    gemeinden = []
    for ags, name, kind in Place.objects.filter(
            kind__in=(Place.Kind.KREIS, Place.Kind.GEMEINDE)).order_by("ags").values_list(
            "ags", "name", "kind"):
        if kind == Place.Kind.KREIS:
            kreise[ags] = (name, [(ags, _("%(kreis)s (whole Kreis)") % {"kreis": name})])
        else:
            gemeinden.append((ags, name))
    for ags, name in gemeinden:
        if ags[:5] in kreise:
            kreise[ags[:5]][1].append((ags, name))
    groups = sorted(kreise.values(), key=lambda group: group[0])
    return [("", _("Statewide (no Kreis)")), *groups]


class CommitForm(IdempotentForm):
    amount = EuroField(label=_("Amount"))
    measure = forms.CharField(label=_("Measure"), max_length=200,
                              help_text=_("What the money is for, e.g. “Quartiersforum "
                                          "Südstadt 2019”. Shown in reports."))
    place = forms.ChoiceField(label=_("Kreis or Gemeinde"), required=False,
                              help_text=_("Where the money goes; reports sum a Gemeinde into "
                                          "its Kreis."))
    fiscal_year = forms.TypedChoiceField(label=_("Fiscal year"), coerce=int)
    note = forms.CharField(label=pgettext_lazy("ledger entry", "Note"), required=False,
                           max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("Optional: decision, file number."))

    def __init__(self, *args, line: BudgetLine, **kwargs):
        super().__init__(*args, **kwargs)
        self.line = line
        self.fields["place"].choices = place_choices()
        self.fields["fiscal_year"].choices = _year_choices(line)
        self.fields["fiscal_year"].initial = _current_year(line)

    def clean_place(self):
        ags = self.cleaned_data["place"]
        if not ags:
            return None
        place = Place.objects.filter(ags=ags, kind__in=(Place.Kind.KREIS,
                                                        Place.Kind.GEMEINDE)).first()
        if place is None:
            raise ValidationError(_("Choose a Kreis or a Gemeinde from the list."))
        return place

    def clean_measure(self):
        measure = self.cleaned_data["measure"].strip()
        if not measure:
            raise ValidationError(_("This field is required."), code="required")
        return measure


class DisburseForm(IdempotentForm):
    amount = EuroField(label=_("Amount"))
    fiscal_year = forms.TypedChoiceField(label=_("Fiscal year"), coerce=int)
    note = forms.CharField(label=pgettext_lazy("ledger entry", "Note"), required=False,
                           max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("Optional: invoice or payment order number."))

    def __init__(self, *args, commitment: Entry, open_cents: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fiscal_year"].choices = _year_choices(commitment.line)
        self.fields["fiscal_year"].initial = _current_year(commitment.line)
        if open_cents > 0:
            self.fields["amount"].initial = open_cents


class ReverseForm(IdempotentForm):
    amount = EuroField(label=_("Amount to reverse"), required=False)
    reason = forms.CharField(label=_("Reason"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Why the booking is corrected; kept in the ledger "
                                         "and the audit trail."))

    def __init__(self, *args, reversible_cents: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].help_text = _(
            "In euros; leave empty to reverse all that can still be reversed: %(amount)s."
        ) % {"amount": euros(reversible_cents)}

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Give the reason for the correction."), code="required")
        return reason


class ReportForm(forms.Form):
    line = forms.ModelChoiceField(label=_("Budget line"), queryset=BudgetLine.objects.all(),
                                  to_field_name="code", required=False,
                                  empty_label=_("All budget lines"))
    year = forms.TypedChoiceField(label=_("Fiscal year"), coerce=int, required=False,
                                  empty_value=None)
    by = forms.ChoiceField(label=_("By"), initial="year", required=False, choices=[
        ("year", _("fiscal year")), ("kreis", _("Kreis")), ("measure", _("measure")),
        ("line", _("budget line")),
    ])

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All years")), *((y, str(y)) for y in years)]

    def clean_by(self):
        return self.cleaned_data["by"] or "year"

    def clean(self):
        data = super().clean()
        line, year = data.get("line"), data.get("year")
        if line is not None and year is not None and year not in line.years():
            self.add_error("year", _("The line %(line)s covers %(years)s only.")
                           % {"line": line.code, "years": line.years_label})
        return data


class AuditFilterForm(forms.Form):
    module = forms.ChoiceField(label=_("Module"), required=False)
    target_type = forms.ChoiceField(label=_("Object type"), required=False)
    target_id = forms.CharField(label=_("Object key"), required=False, max_length=40)
    actor = forms.CharField(label=_("By (name or e-mail)"), required=False, max_length=100)
    date_from = forms.DateField(label=_("From"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = forms.DateField(label=_("To"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, modules: list[str], target_types: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].choices = [("", _("All modules")), *((m, m) for m in modules)]
        self.fields["target_type"].choices = [("", _("All types")),
                                              *((t, t) for t in target_types)]

    def clean_actor(self):
        return self.cleaned_data["actor"].strip()

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end must not be before the start."))
        return data
