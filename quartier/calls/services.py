"""Calls and competition: every write and every non-trivial query goes through here.

The life cycle (docs/calls.md): staff set a call up (draft) and publish it; organisations
draft and submit applications until the deadline (server time); staff decide eligibility,
pick the jury and assign it; jurors score; staff close the jury, compute the allocation and
decide; the decisions are booked in the budget ledger and published. Each step is one
function here, atomic, and leaves an event in the audit trail.
"""

import hashlib
import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.mail import send_mail, send_mass_mail
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from quartier.accounts.models import Membership, Organisation, Role, User
from quartier.accounts.services import grants_of, record_event
from quartier.budget import services as budget
from quartier.budget.services import Overspend, euros  # noqa: F401 - views catch it
from quartier.calls.engine import allocation as allocation_engine
from quartier.calls.engine.assignment import assign_reviewers
from quartier.calls.engine.ranking import Ranked, weighted_score
from quartier.calls.engine.ranking import Review as ReviewScore
from quartier.calls.engine.ranking import rank as rank_reviews
from quartier.calls.models import (
    GENERATION_OF,
    AllocationRun,
    Application,
    Attachment,
    Call,
    Conflict,
    CostItem,
    Criterion,
    Decision,
    Review,
    Score,
    content_hash,
)
from quartier.places.models import Place, Quarter

# Roles that act for an applying organisation.
APPLICANT_ROLES = (Role.MEMBER, Role.MUNICIPAL_COORDINATOR)
AWARD_SOURCE = "calls.award"
PDF_MAGIC = b"%PDF-"
MAX_ATTACHMENTS = 5


def attachment_max_bytes() -> int:
    return int(getattr(settings, "CALLS_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


def allocation_time_limit_s() -> float:
    return float(getattr(settings, "CALLS_ALLOCATION_TIME_LIMIT_S",
                         allocation_engine.DEFAULT_TIME_LIMIT_S))


def _locked(model, pk, *related):
    """The row, locked until the transaction ends; the related rows are read with it but not
    locked (PostgreSQL cannot lock the nullable side of an outer join)."""
    return model.objects.select_for_update(of=("self",)).select_related(*related).get(pk=pk)


def _site_url(path: str) -> str:
    return getattr(settings, "SITE_URL", "").rstrip("/") + path


# Calls ----------------------------------------------------------------------------------

CALL_FIELDS = (
    "title", "summary", "text", "for_kommunen", "for_landkreise", "for_civil_society",
    "opens_at", "closes_at", "budget_line", "pot_cents", "min_award_cents", "max_award_cents",
    "allow_partial", "reviews_per_application", "score_min", "score_max",
    "min_awards_per_regierungsbezirk", "max_awards_per_kreis",
)


def _check_call(call: Call, criteria: list[dict]) -> None:
    errors = {}
    try:
        call.full_clean()
    except ValidationError as error:
        errors.update(error.message_dict)
    if not (call.for_kommunen or call.for_landkreise or call.for_civil_society):
        errors.setdefault("for_kommunen", []).append(_("Choose who may apply."))
    if call.opens_at and call.closes_at and call.closes_at <= call.opens_at:
        errors.setdefault("closes_at", []).append(_("The deadline must be after the opening."))
    if call.min_award_cents is not None and call.min_award_cents <= 0:
        errors.setdefault("min_award_cents", []).append(_("The minimum award must be more "
                                                          "than 0 €."))
    if call.min_award_cents and call.max_award_cents \
            and call.max_award_cents < call.min_award_cents:
        errors.setdefault("max_award_cents", []).append(
            _("The maximum award must not be less than the minimum award."))
    if call.max_award_cents and call.pot_cents and call.pot_cents < call.max_award_cents:
        errors.setdefault("pot_cents", []).append(
            _("The pot must hold at least one maximum award."))
    if call.budget_line_id and call.pot_cents and call.pot_cents > call.budget_line.amount_cents:
        errors.setdefault("pot_cents", []).append(
            _("The pot is larger than the budget line (%(amount)s).")
            % {"amount": euros(call.budget_line.amount_cents)})
    if call.score_max is not None and call.score_min is not None \
            and call.score_max <= call.score_min:
        errors.setdefault("score_max", []).append(
            _("The highest score must be above the lowest."))
    if not 1 <= (call.reviews_per_application or 0) <= 9:
        errors.setdefault("reviews_per_application", []).append(
            _("Between 1 and 9 reviews per application."))
    if not criteria:
        errors.setdefault("__all__", []).append(_("Give at least one scoring criterion."))
    names = [c["name"].strip().casefold() for c in criteria]
    if len(set(names)) != len(names):
        errors.setdefault("__all__", []).append(_("Two criteria have the same name."))
    if errors:
        raise ValidationError(errors)


def _save_criteria(call: Call, criteria: list[dict]) -> None:
    call.criteria.all().delete()
    Criterion.objects.bulk_create(
        Criterion(call=call, name=c["name"].strip(), description=c.get("description", ""),
                  weight=c["weight"], position=i)
        for i, c in enumerate(criteria)
    )


@transaction.atomic
def create_call(*, criteria: list[dict], actor, is_demo: bool = False, **fields) -> Call:
    """A new call in the draft phase; `criteria` are dicts with name, description, weight."""
    call = Call(created_by=_person(actor), is_demo=is_demo,
                **{k: v for k, v in fields.items() if k in CALL_FIELDS})
    _check_call(call, criteria)
    call.save()
    _save_criteria(call, criteria)
    record_event("calls.created", call, actor=actor,
                 summary=_("Call “%(title)s” created") % {"title": call.title})
    return call


@transaction.atomic
def change_call(call: Call, *, criteria: list[dict], actor, **fields) -> Call:
    """Change a call while it is a draft; a published call is fixed for fairness."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    if call.phase != Call.Phase.DRAFT:
        raise ValidationError(_("A published call cannot be changed any more."))
    for name, value in fields.items():
        if name in CALL_FIELDS:
            setattr(call, name, value)
    _check_call(call, criteria)
    call.save()
    _save_criteria(call, criteria)
    record_event("calls.changed", call, actor=actor,
                 summary=_("Call “%(title)s” changed") % {"title": call.title})
    return call


@transaction.atomic
def publish_call(call: Call, *, actor) -> Call:
    call = Call.objects.select_for_update().get(pk=call.pk)
    if call.phase != Call.Phase.DRAFT:
        raise ValidationError(_("The call is already published."))
    if call.closes_at <= timezone.now():
        raise ValidationError(_("The deadline has passed; move it before publishing."))
    if not call.criteria.exists():
        raise ValidationError(_("Give at least one scoring criterion."))
    call.phase = Call.Phase.PUBLISHED
    call.published_at = timezone.now()
    call.save(update_fields=["phase", "published_at"])
    record_event("calls.published", call, actor=actor,
                 summary=_("Call “%(title)s” published") % {"title": call.title})
    return call


def visible_calls(user):
    from quartier.accounts.services import is_programme_staff

    calls = Call.objects.all() if is_programme_staff(user) else Call.objects.visible()
    return calls.select_related("budget_line").annotate(
        submitted=Count("applications", filter=Q(applications__status="submitted")))


# Applicants -----------------------------------------------------------------------------


def applicant_organisation_ids(user) -> frozenset[int]:
    """Organisations the user acts for as member or coordinator."""
    return frozenset(g.organisation_id for g in grants_of(user) if g.role in APPLICANT_ROLES)


def organisations_for(user, call: Call):
    """The user's organisations that may apply to this call."""
    return Organisation.objects.filter(
        pk__in=applicant_organisation_ids(user), kind__in=call.applicant_kinds()
    ).select_related("place").order_by("name")


def applications_of(user):
    """Applications of the user's organisations, newest call first."""
    return (Application.objects.filter(organisation__in=applicant_organisation_ids(user))
            .select_related("call", "organisation", "decision")
            .order_by("-call__closes_at", "pk"))


@transaction.atomic
def start_application(call: Call, organisation: Organisation, *, actor) -> Application:
    """The organisation's application to the call, created as a draft if there is none."""
    if not call.is_open():
        raise ValidationError(_("This call is not open for applications."))
    if organisation.kind not in call.applicant_kinds():
        raise ValidationError(_("Organisations of type “%(kind)s” cannot apply to this call.")
                              % {"kind": organisation.get_kind_display()})
    if actor is not None and organisation.pk not in applicant_organisation_ids(actor):
        raise PermissionDenied
    application, created = Application.objects.get_or_create(
        call=call, organisation=organisation,
        defaults={"created_by": _person(actor), "gemeinde": _fixed_gemeinde(organisation)},
    )
    if created:
        record_event("calls.draft_created", application, actor=actor,
                     summary=_("Draft application of %(organisation)s to “%(call)s” started")
                     % {"organisation": organisation, "call": call})
    return application


def _fixed_gemeinde(organisation: Organisation):
    # A Kommune applies for its own Gemeinde.
    if organisation.kind == Organisation.Kind.KOMMUNE:
        return organisation.place
    return None


def gemeinde_choices(application: Application):
    """Gemeinden the application may be located in."""
    organisation = application.organisation
    gemeinden = Place.objects.filter(kind=Place.Kind.GEMEINDE).order_by("name")
    if organisation.kind == Organisation.Kind.KOMMUNE:
        return gemeinden.filter(pk=organisation.place_id)
    if organisation.kind == Organisation.Kind.LANDKREIS:
        return gemeinden.filter(ags__startswith=organisation.place.ags)
    return gemeinden


def quarter_choices(gemeinde):
    """The published quarters of a Gemeinde (none without one)."""
    if gemeinde is None:
        return Quarter.objects.none()
    return Quarter.objects.published().filter(gemeinde=gemeinde).order_by("name")


DRAFT_FIELDS = ("title", "summary", "idea", "target_groups", "partners", "work_plan",
                "requested_cents")


@transaction.atomic
def save_draft(application: Application, *, actor, fields: dict,
               quarters: Iterable[Quarter] | None = None,
               cost_items: list[tuple[str, int]] | None = None) -> Application:
    """Store what the applicant has written so far; nothing is required yet. `fields` holds
    any of DRAFT_FIELDS and "gemeinde"; None for quarters or cost_items keeps them."""
    application = _locked(Application, application.pk, "call", "organisation__place")
    _check_editable(application)
    if "gemeinde" in fields:
        gemeinde = fields["gemeinde"]
        if gemeinde is not None and not gemeinde_choices(application).filter(
                pk=gemeinde.pk).exists():
            raise ValidationError({"gemeinde": _("Choose a Gemeinde in your area.")})
        if application.organisation.kind != Organisation.Kind.KOMMUNE:
            application.gemeinde = gemeinde
    for name in DRAFT_FIELDS:
        if name in fields:
            value = fields[name]
            setattr(application, name, value if value is not None or name == "requested_cents"
                    else "")
    application.save()
    if quarters is not None:
        quarters = list(quarters)
        if any(q.gemeinde_id != application.gemeinde_id for q in quarters):
            raise ValidationError({"quarters": _("Choose quarters of the chosen Gemeinde.")})
        application.quarters.set(quarters)
    elif "gemeinde" in fields:
        # Quarters of a Gemeinde no longer chosen go with it.
        application.quarters.remove(
            *application.quarters.exclude(gemeinde_id=application.gemeinde_id))
    if cost_items is not None:
        application.cost_items.all().delete()
        CostItem.objects.bulk_create(
            CostItem(application=application, position=i, description=d[:200], amount_cents=c)
            for i, (d, c) in enumerate(cost_items)
        )
    return application


def _check_editable(application: Application) -> None:
    if not application.is_draft():
        raise ValidationError(_("The application has been submitted and cannot be changed."))
    if not application.call.is_open():
        raise ValidationError(_("The call is closed; the application can no longer be "
                                "changed."))


def submission_errors(application: Application) -> dict[str, list[str]]:
    """What keeps a draft from being submitted, by field ("__all__" for the whole)."""
    call = application.call
    errors: dict[str, list[str]] = defaultdict(list)

    def need(field: str, message: str) -> None:
        errors[field].append(message)

    for field in ("title", "summary", "idea", "partners", "work_plan"):
        if not (getattr(application, field) or "").strip():
            need(field, _("This field is required."))
    if application.gemeinde_id is None:
        need("gemeinde", _("Choose the Gemeinde of the project."))
    elif not application.quarters.exists():
        need("quarters", _("Choose at least one quarter."))
    elif application.quarters.exclude(gemeinde_id=application.gemeinde_id).exists():
        need("quarters", _("Choose quarters of the chosen Gemeinde."))
    if not application.target_groups:
        need("target_groups", _("Choose the target groups."))
    requested = application.requested_cents
    if requested is None:
        need("requested", _("Give the requested amount."))
    elif not call.min_award_cents <= requested <= call.max_award_cents:
        need("requested", _("The call funds between %(min)s and %(max)s; %(amount)s is outside.")
             % {"min": euros(call.min_award_cents), "max": euros(call.max_award_cents),
                "amount": euros(requested)})
    items = list(application.cost_items.all())
    if not items:
        need("cost_items", _("Break the costs down into at least one item."))
    elif requested is not None and sum(i.amount_cents for i in items) != requested:
        need("cost_items", _("The cost items add up to %(sum)s, not to the requested %(amount)s.")
             % {"sum": euros(sum(i.amount_cents for i in items)), "amount": euros(requested)})
    if application.organisation.kind not in call.applicant_kinds():
        need("__all__", _("Organisations of this type cannot apply to this call."))
    return dict(errors)


def automatic_checks(application: Application) -> list[dict]:
    """The eligibility checks a machine can make; staff decide the rest."""
    generations = {GENERATION_OF.get(group) for group in application.target_groups} - {None}
    partners = [line for line in application.partners.splitlines() if line.strip()]
    quarters = list(application.quarters.all())
    return [
        {"check": "applicant_type",
         "ok": application.organisation.kind in application.call.applicant_kinds()},
        {"check": "generations", "ok": len(generations) >= 2},
        {"check": "partners", "ok": len(partners) >= 2},
        {"check": "quarters_published",
         "ok": bool(quarters) and all(q.status == Quarter.Status.PUBLISHED for q in quarters)},
    ]


CHECK_LABELS = {
    "applicant_type": gettext_lazy("The applicant is of a type the call is open to."),
    "generations": gettext_lazy("The target groups span at least two generations."),
    "partners": gettext_lazy("At least two partners in the quarter are named."),
    "quarters_published": gettext_lazy("The quarters are registered and published."),
}


def application_content(application: Application) -> dict:
    """The content a receipt covers, as plain JSON (no personal data of the submitter)."""
    return {
        "call": {"id": application.call_id, "title": application.call.title},
        "applicant": {"id": application.organisation_id, "name": application.organisation.name,
                      "kind": application.organisation.kind},
        "gemeinde": application.gemeinde.ags if application.gemeinde else None,
        "quarters": [{"id": q.pk, "name": q.name}
                     for q in application.quarters.order_by("pk")],
        "title": application.title,
        "summary": application.summary,
        "idea": application.idea,
        "target_groups": sorted(application.target_groups),
        "partners": application.partners,
        "work_plan": application.work_plan,
        "requested_cents": application.requested_cents,
        "cost_items": [[i.description, i.amount_cents] for i in application.cost_items.all()],
        "attachments": [{"name": a.name, "size": a.size_bytes, "sha256": a.sha256}
                        for a in application.attachments.all()],
        "submitted_at": application.submitted_at.isoformat() if application.submitted_at
        else None,
    }


@transaction.atomic
def submit_application(application: Application, *, actor, now=None) -> Application:
    """Submit a complete draft before the deadline (the server's clock decides). Stores the
    content with its SHA-256 and mails the receipt. Raises ValidationError, changing nothing,
    when the deadline has passed or the application is incomplete."""
    application = _locked(Application, application.pk, "call", "organisation", "gemeinde")
    now = now or timezone.now()
    if not application.is_draft():
        raise ValidationError(_("The application has already been submitted."))
    call = application.call
    if not call.is_open(now):
        if call.phase == Call.Phase.PUBLISHED and now >= call.closes_at:
            raise ValidationError(
                _("The deadline was %(deadline)s; the application can no longer be submitted.")
                % {"deadline": _local(call.closes_at)})
        raise ValidationError(_("This call is not open for applications."))
    if errors := submission_errors(application):
        raise ValidationError(errors)
    application.status = Application.Status.SUBMITTED
    application.submitted_at = now
    application.submitted_by = _person(actor)
    application.content = application_content(application)
    application.content_sha256 = content_hash(application.content)
    application.checks = automatic_checks(application)
    application.save()
    record_event("calls.submitted", application, actor=actor,
                 summary=_("Application “%(title)s” submitted; SHA-256 %(hash)s")
                 % {"title": application.title, "hash": application.content_sha256},
                 sha256=application.content_sha256)
    if actor is not None and getattr(actor, "email", ""):
        subject, body = _receipt_mail(application)
        transaction.on_commit(lambda: send_mail(subject, body, None, [actor.email]))
    return application


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%d.%m.%Y %H:%M")


def _receipt_mail(application: Application) -> tuple[str, str]:
    subject = _("Receipt: your application to “%(call)s”") % {"call": application.call.title}
    body = _(
        "Your application “%(title)s” of %(organisation)s to the call “%(call)s” was "
        "received on %(when)s.\n\nRequested amount: %(amount)s\n"
        "SHA-256 of the submitted content: %(hash)s\n\n"
        "The receipt: %(link)s\n"
    ) % {"title": application.title, "organisation": application.organisation,
         "call": application.call.title, "when": _local(application.submitted_at),
         "amount": euros(application.requested_cents), "hash": application.content_sha256,
         "link": _site_url(reverse("calls:receipt", args=[application.pk]))}
    return subject, body


def verify_receipt(application: Application) -> bool:
    """True when the stored content still has the hash the receipt shows."""
    return bool(application.content_sha256) and \
        content_hash(application.content) == application.content_sha256


# Attachments ----------------------------------------------------------------------------


def check_pdf(upload) -> bytes:
    """The bytes of an uploaded PDF; ValidationError if it is too large or not a PDF."""
    limit = attachment_max_bytes()
    if upload.size > limit:
        raise ValidationError(_("The file is larger than %(mb)s MB.")
                              % {"mb": f"{limit / 1024 / 1024:.0f}"})
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(_("The file is larger than %(mb)s MB.")
                              % {"mb": f"{limit / 1024 / 1024:.0f}"})
    # The content decides, not the name or the browser's type: a PDF starts with %PDF-.
    if not data.startswith(PDF_MAGIC) or b"%%EOF" not in data[-2048:]:
        raise ValidationError(_("Only PDF files can be attached; this file is not a PDF."))
    return data


@transaction.atomic
def add_attachment(application: Application, upload, *, actor) -> Attachment:
    application = _locked(Application, application.pk, "call")
    _check_editable(application)
    if application.attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationError(_("At most %(count)s files can be attached.")
                              % {"count": MAX_ATTACHMENTS})
    data = check_pdf(upload)
    from django.core.files.base import ContentFile

    name = default_storage.save(f"calls/{secrets.token_hex(12)}.pdf", ContentFile(data))
    original = (upload.name or "attachment.pdf").replace("/", "_").replace("\\", "_")[-200:]
    attachment = Attachment.objects.create(
        application=application, file=name, name=original, size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(), uploaded_by=_person(actor),
    )
    record_event("calls.attachment_added", application, actor=actor,
                 summary=_("File “%(name)s” attached") % {"name": original},
                 sha256=attachment.sha256)
    return attachment


@transaction.atomic
def remove_attachment(attachment: Attachment, *, actor) -> None:
    application = _locked(Application, attachment.application_id, "call")
    _check_editable(application)
    name = attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: default_storage.delete(name))
    record_event("calls.attachment_removed", application, actor=actor,
                 summary=_("File “%(name)s” removed") % {"name": attachment.name})


# Eligibility ----------------------------------------------------------------------------


@transaction.atomic
def decide_eligibility(application: Application, *, eligible: bool, reason: str,
                       actor) -> Application:
    application = _locked(Application, application.pk, "call")
    if application.is_draft():
        raise ValidationError(_("Only submitted applications are checked."))
    if application.call.phase not in (Call.Phase.PUBLISHED,):
        raise ValidationError(_("The jury is closed; eligibility can no longer change."))
    failed = [c["check"] for c in application.checks if not c["ok"]]
    reason = reason.strip()
    if not eligible and not reason:
        raise ValidationError({"reason": _("Give the reason why the application is not "
                                           "eligible.")})
    if eligible and failed and not reason:
        raise ValidationError({"reason": _("An automatic check failed; give the reason why "
                                           "the application is eligible nevertheless.")})
    application.eligibility = (Application.Eligibility.ELIGIBLE if eligible
                               else Application.Eligibility.INELIGIBLE)
    application.eligibility_reason = reason
    application.eligibility_by = _person(actor)
    application.eligibility_at = timezone.now()
    application.save(update_fields=["eligibility", "eligibility_reason", "eligibility_by",
                                    "eligibility_at"])
    if not eligible:
        # Reviews of an ineligible application are no longer needed.
        application.reviews.filter(submitted_at__isnull=True).delete()
    record_event("calls.eligibility_decided", application, actor=actor,
                 summary=(_("Eligible") if eligible else _("Not eligible"))
                 + (f": {reason}" if reason else ""), eligible=eligible)
    return application


@transaction.atomic
def confirm_passing_applications(call: Call, *, actor) -> int:
    """Mark every submitted, unchecked application that passed all automatic checks as
    eligible; returns how many."""
    count = 0
    for application in call.applications.select_for_update().filter(
            status=Application.Status.SUBMITTED, eligibility=Application.Eligibility.PENDING):
        if all(c["ok"] for c in application.checks):
            decide_eligibility(application, eligible=True, reason="", actor=actor)
            count += 1
    return count


# Jury and conflicts ---------------------------------------------------------------------


def jury_candidates():
    """Everyone with the role of jury member."""
    return User.objects.filter(memberships__role=Role.JURY_MEMBER).distinct().order_by(
        "email")


@transaction.atomic
def set_jurors(call: Call, jurors: Iterable[User], *, actor) -> None:
    call = Call.objects.select_for_update().get(pk=call.pk)
    if call.phase not in (Call.Phase.DRAFT, Call.Phase.PUBLISHED):
        raise ValidationError(_("The jury is closed."))
    jurors = list(jurors)
    allowed = set(jury_candidates().values_list("pk", flat=True))
    if any(j.pk not in allowed for j in jurors):
        raise ValidationError({"jurors": _("Only jury members can be on the jury.")})
    before = set(call.jurors.values_list("pk", flat=True))
    call.jurors.set(jurors)
    removed = before - {j.pk for j in jurors}
    if removed:
        # Their open assignments go; what they have scored stays.
        Review.objects.filter(application__call=call, juror__in=removed,
                              submitted_at__isnull=True).delete()
    record_event("calls.jury_set", call, actor=actor,
                 summary=ngettext("%(count)s juror on the jury", "%(count)s jurors on the jury",
                                  len(jurors)) % {"count": len(jurors)},
                 jurors=[j.pk for j in jurors])


@dataclass(frozen=True)
class JurorPlaces:
    organisations: frozenset[int]
    kreise: frozenset[str]


def juror_places(users: Iterable[User]) -> dict[int, JurorPlaces]:
    """Per user: their organisations and the Kreise of those organisations' places."""
    rows = Membership.objects.filter(user__in=users).values_list(
        "user_id", "organisation_id", "organisation__place__ags")
    orgs, kreise = defaultdict(set), defaultdict(set)
    for user_id, organisation_id, ags in rows:
        orgs[user_id].add(organisation_id)
        if ags and len(ags) >= 5:
            kreise[user_id].add(ags[:5])
    return {u: JurorPlaces(frozenset(orgs[u]), frozenset(kreise[u])) for u in orgs}


def conflict_reason(places: JurorPlaces | None, application: Application,
                    declared: bool = False) -> str | None:
    """Why a juror may not review an application: "organisation", "kreis", "declared"."""
    if declared:
        return "declared"
    if places is None:
        return None
    if application.organisation_id in places.organisations:
        return "organisation"
    kreis = application.kreis_ags
    organisation_place = application.organisation.place
    kreise = {kreis} | ({organisation_place.ags[:5]} if organisation_place else set())
    if kreise & places.kreise:
        return "kreis"
    return None


def conflicts_of(call: Call, applications: list[Application], jurors: list[User]
                 ) -> dict[tuple[int, int], str]:
    """(application pk, juror pk) → reason, for every conflicting pair."""
    places = juror_places(jurors)
    declared = set(Conflict.objects.filter(application__call=call).values_list(
        "application_id", "juror_id"))
    found = {}
    for application in applications:
        for juror in jurors:
            reason = conflict_reason(places.get(juror.pk), application,
                                     (application.pk, juror.pk) in declared)
            if reason:
                found[(application.pk, juror.pk)] = reason
    return found


def has_conflict(user, application: Application) -> bool:
    """Whether the user may not review (or see) the application as a juror."""
    grants = grants_of(user)
    places = JurorPlaces(
        frozenset(g.organisation_id for g in grants),
        frozenset(g.ags[:5] for g in grants if g.ags and len(g.ags) >= 5),
    )
    if conflict_reason(places, application):
        return True
    return Conflict.objects.filter(application=application, juror=user).exists()


def jury_applications(call: Call):
    return (call.applications.filter(status=Application.Status.SUBMITTED,
                                     eligibility=Application.Eligibility.ELIGIBLE)
            .select_related("organisation__place", "gemeinde").order_by("pk"))


@dataclass(frozen=True)
class AssignmentResult:
    created: int
    loads: dict[int, int]
    shortfall: dict[int, int]


@transaction.atomic
def assign_jury(call: Call, *, actor, seed: int | None = None) -> AssignmentResult:
    """Give every eligible application K reviews from the call's jurors, none from a juror
    with a conflict, loads as even as possible. Existing assignments stay."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    if call.phase != Call.Phase.PUBLISHED or not call.has_closed():
        raise ValidationError(_("Jurors are assigned after the deadline, before the jury "
                                "is closed."))
    jurors = list(call.jurors.all())
    if not jurors:
        raise ValidationError(_("Put jurors on the jury first."))
    applications = list(jury_applications(call))
    if not applications:
        raise ValidationError(_("No application has been found eligible yet."))
    conflicts = conflicts_of(call, applications, jurors)
    existing = set(Review.objects.filter(application__call=call).values_list(
        "application_id", "juror_id"))
    result = assign_reviewers(
        [a.pk for a in applications], [j.pk for j in jurors], k=call.reviews_per_application,
        conflicts=set(conflicts), existing=existing, seed=call.pk if seed is None else seed,
    )
    Review.objects.bulk_create(Review(application_id=a, juror_id=j) for a, j in result.pairs)
    record_event("calls.assigned", call, actor=actor,
                 summary=ngettext("%(count)s review assigned", "%(count)s reviews assigned",
                                  len(result.pairs)) % {"count": len(result.pairs)},
                 created=len(result.pairs), shortfall={str(k): v for k, v in
                                                       result.shortfall.items()})
    if result.pairs:
        _mail_jurors(call, {j for _a, j in result.pairs})
    return AssignmentResult(len(result.pairs), result.loads, result.shortfall)


def _mail_jurors(call: Call, juror_ids: set[int]) -> None:
    link = _site_url(reverse("calls:my_reviews"))
    messages = [
        (_("Applications to review: “%(call)s”") % {"call": call.title},
         _("You have new applications to review for the call “%(call)s”:\n%(link)s\n")
         % {"call": call.title, "link": link}, None, [email])
        for email in User.objects.filter(pk__in=juror_ids).exclude(email="").values_list(
            "email", flat=True)
    ]
    transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=True))


@transaction.atomic
def declare_conflict(application: Application, *, juror: User, reason: str, actor) -> Conflict:
    """Record a conflict of interest; the juror's assignment to it (and any scores) go."""
    application = Application.objects.select_related("call").get(pk=application.pk)
    call = application.call
    if call.phase not in (Call.Phase.PUBLISHED,):
        raise ValidationError(_("The jury is closed."))
    if not call.jurors.filter(pk=juror.pk).exists():
        raise ValidationError(_("Only jurors of this call declare conflicts."))
    conflict, created = Conflict.objects.get_or_create(
        application=application, juror=juror,
        defaults={"reason": reason.strip()[:500], "declared_by": _person(actor)},
    )
    removed, _counts = Review.objects.filter(application=application, juror=juror).delete()
    if created:
        record_event("calls.conflict_declared", application, actor=actor,
                     summary=_("Conflict of interest declared by %(juror)s")
                     % {"juror": juror.get_username()}, juror=juror.pk,
                     removed_review=bool(removed))
    return conflict


def reviews_of(user):
    """The juror's own assignments, with their application and call."""
    return (Review.objects.filter(juror=user, application__status="submitted")
            .select_related("application__call", "application__organisation",
                            "application__gemeinde")
            .order_by("-application__call__closes_at", "application__pk"))


@transaction.atomic
def score_review(review: Review, values: dict[int, tuple[int, str]], *, actor) -> Review:
    """Store a juror's scores: `values` maps criterion pk → (score, comment), one for every
    criterion of the call, each score on the call's scale. Raises ValidationError (nothing
    stored) otherwise, PermissionDenied if the review is not the actor's."""
    review = _locked(Review, review.pk, "application__call", "application__organisation__place",
                     "application__gemeinde")
    if actor is None or review.juror_id != actor.pk:
        raise PermissionDenied(_("This application is not assigned to you."))
    application = review.application
    call = application.call
    if not call.in_review():
        raise ValidationError(_("Scores can only be given while the jury is at work."))
    if has_conflict(actor, application):
        raise PermissionDenied(_("You have a conflict of interest with this application."))
    criteria = list(call.criteria.all())
    errors = {}
    for criterion in criteria:
        key = f"criterion_{criterion.pk}"
        if criterion.pk not in values:
            errors[key] = [_("Give a score for this criterion.")]
            continue
        value, comment = values[criterion.pk]
        if isinstance(value, bool) or not isinstance(value, int) \
                or not call.score_min <= value <= call.score_max:
            errors[key] = [_("The score must be a whole number from %(min)s to %(max)s.")
                           % {"min": call.score_min, "max": call.score_max}]
        if not (comment or "").strip():
            errors[f"comment_{criterion.pk}"] = [_("Explain the score in a comment.")]
    unknown = set(values) - {c.pk for c in criteria}
    if unknown:
        errors["__all__"] = [_("A score was given for a criterion this call does not have.")]
    if errors:
        raise ValidationError(errors)
    review.scores.all().delete()
    Score.objects.bulk_create(
        Score(review=review, criterion=c, value=values[c.pk][0],
              comment=values[c.pk][1].strip()[:3000])
        for c in criteria
    )
    review.submitted_at = timezone.now()
    review.save(update_fields=["submitted_at"])
    record_event("calls.scored", application, actor=actor,
                 summary=_("Scores given by %(juror)s") % {"juror": actor.get_username()},
                 review=review.pk)
    return review


@transaction.atomic
def close_jury(call: Call, *, actor) -> Call:
    """End the jury phase: scores are fixed, and jurors may see each other's scores."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    if not call.in_review():
        raise ValidationError(_("The jury can be closed after the deadline, once."))
    if not Review.objects.filter(application__call=call, submitted_at__isnull=False).exists():
        raise ValidationError(_("No juror has given scores yet."))
    call.phase = Call.Phase.JURY_CLOSED
    call.jury_closed_at = timezone.now()
    call.save(update_fields=["phase", "jury_closed_at"])
    open_reviews = Review.objects.filter(application__call=call, submitted_at__isnull=True)
    record_event("calls.jury_closed", call, actor=actor,
                 summary=_("Jury closed; %(open)s assigned reviews were not given")
                 % {"open": open_reviews.count()})
    return call


def jury_progress(call: Call) -> dict:
    rows = Review.objects.filter(application__call=call).aggregate(
        assigned=Count("pk"), done=Count("pk", filter=Q(submitted_at__isnull=False)))
    return {**rows, "needed": jury_applications(call).count() * call.reviews_per_application}


# Ranking --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RankedApplication:
    application: Application
    ranked: Ranked


def review_scores(call: Call) -> list[ReviewScore]:
    """The weighted score of every given review of the call's eligible applications."""
    criteria = list(call.criteria.all())
    weights = {c.pk: c.weight for c in criteria}
    rows = Score.objects.filter(
        review__application__call=call, review__submitted_at__isnull=False,
        review__application__eligibility=Application.Eligibility.ELIGIBLE,
    ).values_list("review_id", "review__application_id", "review__juror_id", "criterion_id",
                  "value").order_by("review__application_id", "review_id")
    by_review: dict[int, dict] = {}
    for review_id, application_id, juror_id, criterion_id, value in rows:
        entry = by_review.setdefault(review_id, {"a": application_id, "j": juror_id, "s": {}})
        entry["s"][criterion_id] = value
    return [
        ReviewScore(entry["a"], entry["j"],
                    weighted_score([entry["s"][c] for c in weights], list(weights.values())))
        for entry in by_review.values() if set(entry["s"]) == set(weights)
    ]


def ranking(call: Call) -> list[RankedApplication]:
    """Eligible applications with at least one review, best first (corrected score)."""
    ranked = rank_reviews(review_scores(call), spread_limit=call.spread_limit)
    applications = Application.objects.select_related(
        "organisation__place", "gemeinde__parent").in_bulk(
        [r.application for r in ranked])
    return [RankedApplication(applications[r.application], r) for r in ranked]


def unranked_applications(call: Call):
    """Eligible applications without any given review: they cannot be allocated."""
    return jury_applications(call).exclude(
        reviews__submitted_at__isnull=False).distinct()


# Allocation -----------------------------------------------------------------------------


ALLOCATION_MESSAGES = {
    "too_few_in_regierungsbezirk": gettext_lazy(
        "Only %(count)s ranked application(s) come from the Regierungsbezirk %(name)s; the "
        "call asks for at least %(need)s awards there."),
    "capped_by_kreis": gettext_lazy(
        "Under the limit per Kreis, the Regierungsbezirk %(name)s can get at most %(possible)s "
        "awards; the call asks for at least %(need)s."),
    "pot_too_small": gettext_lazy(
        "The cheapest applications needed for the minimum per Regierungsbezirk cost "
        "%(need)s, more than the pot of %(pot)s."),
    "infeasible": gettext_lazy(
        "No allocation keeps the pot and the regional rules together."),
    "no_solution": gettext_lazy(
        "No allocation was found within the time limit of %(seconds)s seconds."),
    "solver": gettext_lazy("The solver stopped unexpectedly (%(status)s)."),
}


def allocation_message(code: str, params: dict) -> str:
    names = dict(Place.objects.filter(ags=params.get("regierungsbezirk", "")).values_list(
        "ags", "name"))
    values = {
        "name": names.get(params.get("regierungsbezirk"), params.get("regierungsbezirk", "")),
        "count": params.get("count"), "need": params.get("need"),
        "possible": params.get("possible"), "seconds": params.get("seconds"),
        "status": params.get("status"), "pot": euros(params.get("pot_cents") or 0),
    }
    if code == "pot_too_small":
        values["need"] = euros(params.get("need_cents") or 0)
    return str(ALLOCATION_MESSAGES.get(code, ALLOCATION_MESSAGES["infeasible"])) % values


def allocation_problem(call: Call, ranked: list[RankedApplication]) -> list[dict]:
    return [
        {"id": str(row.application.pk), "score": round(row.ranked.corrected, 6),
         "amount": row.application.requested_cents,
         "regierungsbezirk": row.application.regierungsbezirk_ags,
         "kreis": row.application.kreis_ags}
        for row in ranked
    ]


def _engine_problem(call: Call, rows: list[dict]):
    return allocation_engine.make_problem(
        rows, pot_cents=call.pot_cents,
        min_per_regierungsbezirk=call.min_awards_per_regierungsbezirk,
        max_per_kreis=call.max_awards_per_kreis, partial=call.allow_partial,
        min_award_cents=call.min_award_cents,
    )


@transaction.atomic
def compute_allocation(call: Call, *, actor, time_limit_s: float | None = None
                       ) -> AllocationRun:
    """Both allocations of the ranked list — down the list and the optimum — stored side
    by side for staff to decide on."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    if call.phase != Call.Phase.JURY_CLOSED:
        raise ValidationError(_("The allocation is computed once the jury is closed."))
    rows = allocation_problem(call, ranking(call))
    if not rows:
        raise ValidationError(_("No application has been scored."))
    problem = _engine_problem(call, rows)
    listed = allocation_engine.allocate_list(problem).as_dict()
    limit = time_limit_s or allocation_time_limit_s()
    try:
        optimal = allocation_engine.allocate_optimal(problem, time_limit_s=limit).as_dict()
    except allocation_engine.AllocationError as error:
        optimal = {"error": error.code, "params": error.params,
                   "message": allocation_message(error.code, error.params)}
    # The page says under which time limit the optimum was searched.
    optimal["time_limit_s"] = limit
    run = AllocationRun.objects.create(call=call, list_result=listed, optimal_result=optimal,
                                       problem=rows, created_by=_person(actor))
    summary = _("Allocation computed: down the list %(list)s awards") % {
        "list": len(listed["selected"])}
    if "error" not in optimal:
        summary += "; " + _("optimum %(count)s awards (%(proven)s)") % {
            "count": len(optimal["selected"]),
            "proven": _("proven optimal") if optimal["optimal"] else _("not proven optimal")}
    record_event("calls.allocation_computed", call, actor=actor, summary=summary, run=run.pk)
    return run


def latest_run(call: Call) -> AllocationRun | None:
    return call.allocation_runs.order_by("-created_at", "-pk").first()


@dataclass(frozen=True)
class AllocationRow:
    application: Application
    rank: int
    score: float
    list_cents: int
    optimal_cents: int | None


def allocation_rows(call: Call, run: AllocationRun) -> list[AllocationRow]:
    applications = {a.pk: a for a in Application.objects.filter(
        pk__in=[int(r["id"]) for r in run.problem]).select_related("organisation", "gemeinde")}
    optimal = run.optimal_result.get("awards") if "error" not in run.optimal_result else None
    return [
        AllocationRow(applications[int(row["id"])], number, row["score"],
                      run.list_result["awards"].get(row["id"], 0),
                      None if optimal is None else optimal.get(row["id"], 0))
        for number, row in enumerate(run.problem, start=1)
    ]


# Decisions ------------------------------------------------------------------------------


def _fiscal_year(line, moment) -> int:
    year = timezone.localtime(moment).year
    return min(max(year, line.first_year), line.last_year)


@transaction.atomic
def decide_call(call: Call, run: AllocationRun, *, base_method: str,
                amounts: dict[int, int], reasons: dict[int, str], actor,
                now=None, notify: bool = True) -> list[Decision]:
    """Decide every ranked application of the run: `amounts` maps application pk → cents
    (0 or missing = no award), `reasons` the written reason for each deviation from the
    computed allocation of `base_method`. Awards are committed on the call's budget line in
    the same transaction; if the line has too little left, nothing is decided (Overspend)."""
    call = _locked(Call, call.pk, "budget_line")
    now = now or timezone.now()
    if call.phase != Call.Phase.JURY_CLOSED:
        raise ValidationError(_("Only a call whose jury is closed and that is not yet decided "
                                "can be decided."))
    if run.call_id != call.pk or run != latest_run(call):
        raise ValidationError(_("The allocation has been recomputed; decide on the latest one."))
    if base_method not in ("list", "optimal") or "error" in run.result(base_method):
        raise ValidationError(_("Choose a computed allocation to decide on."))
    proposal = run.result(base_method)["awards"]
    applications = allocation_rows(call, run)
    errors: dict[str, list[str]] = {}
    total = 0
    decisions = []
    for row in applications:
        application = row.application
        key = application.pk
        amount = amounts.get(key) or 0
        proposed = proposal.get(str(key), 0)
        reason = (reasons.get(key) or "").strip()
        field = f"amount_{key}"
        if amount:
            if amount > application.requested_cents:
                errors[field] = [_("More than the requested %(amount)s.")
                                 % {"amount": euros(application.requested_cents)}]
            elif amount < application.requested_cents and not call.allow_partial:
                errors[field] = [_("This call funds whole applications only.")]
            elif not call.min_award_cents <= amount <= call.max_award_cents:
                errors[field] = [_("An award is between %(min)s and %(max)s.")
                                 % {"min": euros(call.min_award_cents),
                                    "max": euros(call.max_award_cents)}]
        if amount != proposed and not reason:
            errors[f"reason_{key}"] = [_("Give the reason for deviating from the computed "
                                         "allocation.")]
        total += amount
        decisions.append(Decision(call=call, application=application, amount_cents=amount,
                                  proposed_cents=proposed, reason=reason, base_method=base_method,
                                  decided_by=_person(actor), decided_at=now))
    if total > call.pot_cents:
        errors.setdefault("__all__", []).append(
            _("The awards add up to %(total)s, more than the pot of %(pot)s.")
            % {"total": euros(total), "pot": euros(call.pot_cents)})
    if not total:
        errors.setdefault("__all__", []).append(_("Award at least one application."))
    if errors:
        raise ValidationError(errors)
    Decision.objects.bulk_create(decisions)
    saved = list(call.decisions.select_related("application__organisation__place",
                                               "application__gemeinde"))
    fiscal_year = _fiscal_year(call.budget_line, now)
    for decision in saved:
        if decision.amount_cents:
            application = decision.application
            entry = budget.commit_funds(
                call.budget_line, decision.amount_cents, actor=actor,
                measure=f"{call.title}: {application.title}"[:200],
                source=AWARD_SOURCE, reference=decision.pk,
                place=application.organisation.place or application.gemeinde,
                fiscal_year=fiscal_year, idempotency_key=f"calls.decision.{decision.pk}",
            )
            decision.commitment = entry
            decision.save(update_fields=["commitment"])
        record_event("calls.decided", decision.application, actor=actor,
                     summary=(_("Awarded %(amount)s") % {"amount": euros(decision.amount_cents)}
                              if decision.amount_cents else _("Not awarded"))
                     + (f" ({decision.reason})" if decision.reason else ""),
                     amount_cents=decision.amount_cents, proposed_cents=decision.proposed_cents)
    call.phase = Call.Phase.DECIDED
    call.decided_at = now
    call.save(update_fields=["phase", "decided_at"])
    awarded = [d for d in saved if d.amount_cents]
    record_event("calls.call_decided", call, actor=actor,
                 summary=_("%(count)s awards with %(total)s decided on the basis of %(method)s")
                 % {"count": len(awarded), "total": euros(total),
                    "method": method_label(base_method)},
                 run=run.pk, total_cents=total)
    if notify:
        _mail_decisions(call, saved)
    return saved


def method_label(method: str) -> str:
    return _("the optimal allocation") if method == "optimal" else _("funding down the list")


def _mail_decisions(call: Call, decisions: list[Decision]) -> None:
    link = _site_url(reverse("calls:results", args=[call.pk]))
    recipients = defaultdict(set)
    for organisation_id, email in Membership.objects.filter(
            organisation__in=[d.application.organisation_id for d in decisions],
            role__in=APPLICANT_ROLES).exclude(user__email="").values_list(
            "organisation_id", "user__email"):
        recipients[organisation_id].add(email)
    messages = []
    for decision in decisions:
        application = decision.application
        if decision.amount_cents:
            body = _("Congratulations: your application “%(title)s” to the call “%(call)s” "
                     "receives an award of %(amount)s.\n\nThe results: %(link)s\n")
        else:
            body = _("Your application “%(title)s” to the call “%(call)s” has not received "
                     "an award this time. Thank you for taking part.\n\nThe results: %(link)s\n")
        body = body % {"title": application.title, "call": call.title,
                       "amount": euros(decision.amount_cents), "link": link}
        subject = _("Decision on your application to “%(call)s”") % {"call": call.title}
        to = sorted(recipients[application.organisation_id])
        if to:
            messages.append((subject, body, None, to))
    transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=True))


@transaction.atomic
def revoke_award(decision: Decision, *, reason: str, actor) -> Decision:
    """Withdraw an award: what is still committed and unpaid is released in the ledger."""
    decision = _locked(Decision, decision.pk, "application")
    if not decision.is_award():
        raise ValidationError(_("This is not a standing award."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for withdrawing the award.")})
    budget.release_commitments(AWARD_SOURCE, decision.pk, reason=reason.strip(), actor=actor)
    decision.revoked_at = timezone.now()
    decision.revoke_reason = reason.strip()
    decision.save(update_fields=["revoked_at", "revoke_reason"])
    record_event("calls.award_revoked", decision.application, actor=actor,
                 summary=_("Award withdrawn: %(reason)s") % {"reason": reason.strip()})
    return decision


# Results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Results:
    awards: list[Decision]
    total_cents: int
    organisations: int
    municipalities: int
    gemeinden: int


def results(call: Call) -> Results:
    awards = list(
        call.decisions.filter(amount_cents__gt=0, revoked_at__isnull=True)
        .select_related("application__organisation__place", "application__gemeinde__parent",
                        "application__call")
        .prefetch_related(Prefetch("application__quarters",
                                   queryset=Quarter.objects.order_by("name")))
        .order_by("application__organisation__name")
    )
    return Results(
        awards=awards, total_cents=sum(d.amount_cents for d in awards),
        organisations=len({d.application.organisation_id for d in awards}),
        municipalities=len({d.application.organisation_id for d in awards
                            if d.application.organisation.kind == Organisation.Kind.KOMMUNE}),
        gemeinden=len({d.application.gemeinde_id for d in awards if d.application.gemeinde_id}),
    )


RESULT_HEADER = ["organisation", "type", "gemeinde_ags", "gemeinde", "kreis_ags", "quarters",
                 "title", "summary", "amount_cents", "amount_eur"]


def result_rows(results: Results) -> list[list]:
    return [
        [d.application.organisation.name, d.application.organisation.kind,
         d.application.gemeinde.ags if d.application.gemeinde else "",
         d.application.gemeinde.name if d.application.gemeinde else "",
         d.application.kreis_ags,
         "; ".join(q.name for q in d.application.quarters.all()),
         d.application.title, d.application.summary, d.amount_cents,
         f"{d.amount_cents / 100:.2f}"]
        for d in results.awards
    ]


def results_geojson(call: Call, results: Results) -> dict:
    """The awards as points (WGS84) at their Gemeinde (or the applicant's place)."""
    from quartier.places import geo

    features = []
    for d in results.awards:
        place = d.application.gemeinde or d.application.organisation.place
        if place is None or place.x is None:
            continue
        lon, lat = geo.utm_to_lonlat(place.x, place.y)
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
            "properties": {
                "name": f"{d.application.organisation.name}: {euros(d.amount_cents)}",
                "organisation": d.application.organisation.name,
                "title": d.application.title, "summary": d.application.summary,
                "gemeinde_ags": place.ags, "amount_cents": d.amount_cents,
                "quarters": [q.name for q in d.application.quarters.all()],
                "url": reverse("calls:results", args=[call.pk]) + f"#award-{d.pk}",
            },
        })
    return {"type": "FeatureCollection", "features": features}


def _person(actor):
    return actor if getattr(actor, "is_authenticated", False) else None

