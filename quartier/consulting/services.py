"""Consulting: every write and every non-trivial query. Docs: docs/consulting.md.

Money goes only through budget.services: assigning a case commits its booked days × day
rate against a budget line (refused if the line has too little left), each logged session
pays out its days from that commitment, closing or cancelling a case releases the rest.
Every step is one atomic function that records an audit event and sends its e-mails after
the commit.
"""

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Avg, Count, Prefetch, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from quartier.accounts.models import Membership, Organisation, Role
from quartier.accounts.services import grants_of, is_programme_staff, record_event
from quartier.budget import services as budget
from quartier.budget.models import BudgetLine
from quartier.consulting import engine
from quartier.consulting.models import (
    Absence,
    Case,
    ConsultantProfile,
    ConsultingRequest,
    Document,
    Expertise,
    Feedback,
    Format,
    MatchingRun,
    Mode,
    Proposal,
    Session,
    Topic,
)
from quartier.formats import number
from quartier.places.models import Place, Quarter

Progress = Callable[[str], object]
State = ConsultingRequest.State
SOURCE = "consulting.case"
# Uploaded session documents: PDF only, at most this size.
DOCUMENT_MAX_BYTES = 5 * 1024 * 1024
# A request's period may reach at most this far ahead.
LONGEST_PERIOD_DAYS = 366
# Requests from quarters whose gap score is in this top share count as priority.
PRIORITY_TOP_SHARE = 0.25
CIVIL_SOCIETY = frozenset({Organisation.Kind.PROVIDER, Organisation.Kind.ASSOCIATION})
_MARKUP = re.compile(r"<\s*[a-zA-Z/!?]|&[a-zA-Z#][a-zA-Z0-9]*;|javascript:", re.IGNORECASE)
MARKUP_MESSAGE = gettext_lazy(
    "Please write plain text: HTML tags, entities and scripts (such as <b> or <script>) "
    "are not accepted."
)


def no_progress(message: str) -> None:
    """The default progress callback: report nothing."""


# Roles ------------------------------------------------------------------------------------


def requester_organisation_ids(user) -> frozenset[int]:
    """Organisations the user may request consulting for: as coordinator of a Kommune or
    Landkreis, or as member of a civil-society organisation (provider or association)."""
    return frozenset(
        g.organisation_id for g in grants_of(user)
        if (g.role == Role.MUNICIPAL_COORDINATOR
            and g.organisation_kind in (Organisation.Kind.KOMMUNE, Organisation.Kind.LANDKREIS))
        or (g.role == Role.MEMBER and g.organisation_kind in CIVIL_SOCIETY)
    )


def requester_organisations(user):
    return Organisation.objects.filter(pk__in=requester_organisation_ids(user)).select_related(
        "place").order_by("name")


def profile_of(user) -> ConsultantProfile | None:
    """The user's consultant profile; cached on the user, so once per request."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_consulting_profile"):
        user._consulting_profile = ConsultantProfile.objects.filter(user=user).first()
    return user._consulting_profile


def is_consultant(user) -> bool:
    return any(g.role == Role.CONSULTANT for g in grants_of(user))


def requester_kind(organisation: Organisation) -> str:
    """'kommune', 'landkreis' or 'civil_society' (the format's requester columns)."""
    if organisation.kind in CIVIL_SOCIETY:
        return "civil_society"
    return organisation.kind


def format_allows(fmt: Format, organisation: Organisation) -> bool:
    return {
        "kommune": fmt.for_kommune, "landkreis": fmt.for_landkreis,
        "civil_society": fmt.for_civil_society,
    }.get(requester_kind(organisation), False)


def quarters_of(organisation: Organisation):
    """The quarters an organisation may request consulting for: a Kommune's in its Gemeinde,
    a Landkreis' in its Kreis, a civil-society organisation's in the Gemeinden where it runs
    an anchor (anchors registry)."""
    quarters = Quarter.objects.select_related("gemeinde").order_by("gemeinde__name", "name")
    if organisation.kind == Organisation.Kind.KOMMUNE:
        return quarters.filter(gemeinde_id=organisation.place_id)
    if organisation.kind == Organisation.Kind.LANDKREIS:
        return quarters.filter(gemeinde__ags__startswith=organisation.place.ags)
    if organisation.kind in CIVIL_SOCIETY:
        from quartier.anchors.models import Anchor

        return quarters.filter(gemeinde__in=Anchor.objects.filter(
            provider=organisation).values("gemeinde")).filter(status=Quarter.Status.PUBLISHED)
    return quarters.none()


# Checks -----------------------------------------------------------------------------------


def check_plain(**fields: str) -> None:
    """Refuse HTML, entities and scripts in free text, naming each field."""
    errors = {name: MARKUP_MESSAGE for name, text in fields.items() if text and
              _MARKUP.search(text)}
    if errors:
        raise ValidationError(errors)


def check_pdf(upload) -> None:
    """A PDF of at most DOCUMENT_MAX_BYTES: by its name and its first bytes, not by what the
    browser claims."""
    if upload.size > DOCUMENT_MAX_BYTES:
        raise ValidationError({"document": _(
            "The file is %(size)s MB; at most %(max)s MB are accepted."
        ) % {"size": f"{upload.size / 1024 / 1024:.1f}".replace(".", ","),
             "max": DOCUMENT_MAX_BYTES // 1024 // 1024}})
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    if not upload.name.lower().endswith(".pdf") or b"%PDF-" not in head:
        raise ValidationError({"document": _("Only PDF documents are accepted.")})


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


# Notifications ----------------------------------------------------------------------------


def _site() -> str:
    return getattr(settings, "SITE_URL", "").rstrip("/")


def _notify(recipients: Iterable[str], subject: str, body: str, link: str = "") -> None:
    """One e-mail per recipient after the commit; nothing is sent if the change rolls back."""
    addresses = sorted({a for a in recipients if a})
    if not addresses:
        return
    text = body + (f"\n\n{_site()}{link}\n" if link else "\n")
    subject = "[Quartier] " + subject

    def send():
        for address in addresses:
            send_mail(subject, text, None, [address], fail_silently=True)

    transaction.on_commit(send)


def _staff_addresses() -> list[str]:
    return list(Membership.objects.filter(role=Role.PROGRAMME_STAFF).values_list(
        "user__email", flat=True))


def _requester_addresses(request: ConsultingRequest) -> list[str]:
    addresses = [request.requested_by.email] if request.requested_by_id else []
    return addresses


# Catalogue --------------------------------------------------------------------------------


@transaction.atomic
def save_format(fmt: Format, *, actor) -> Format:
    creating = fmt.pk is None
    check_plain(name_de=fmt.name_de, name_en=fmt.name_en, description_de=fmt.description_de,
                description_en=fmt.description_en)
    if fmt.day_rate_cents % 2:
        raise ValidationError({"day_rate": _("The day rate must split into two half days "
                                             "of whole cents.")})
    fmt.full_clean()
    fmt.save()
    record_event("consulting.format_created" if creating else "consulting.format_changed", fmt,
                 actor=actor, summary=_("Consulting format “%(name)s” saved") % {"name": fmt})
    return fmt


@transaction.atomic
def save_topic(topic: Topic, *, actor) -> Topic:
    creating = topic.pk is None
    check_plain(name_de=topic.name_de, name_en=topic.name_en)
    topic.full_clean()
    topic.save()
    record_event("consulting.topic_created" if creating else "consulting.topic_changed", topic,
                 actor=actor, summary=_("Consulting topic “%(name)s” saved") % {"name": topic})
    return topic


def catalogue(*, include_inactive: bool = False):
    formats = Format.objects.all()
    topics = Topic.objects.all()
    if not include_inactive:
        formats, topics = formats.filter(is_active=True), topics.filter(is_active=True)
    return list(formats), list(topics)


# Consultant profiles ----------------------------------------------------------------------


@transaction.atomic
def save_profile(profile: ConsultantProfile, *, levels: dict[int, int], region: Iterable[Place],
                 conflicts: Iterable[Organisation], actor) -> ConsultantProfile:
    """Save a profile with its topics (topic id → level; 0 drops it), region and conflicts."""
    creating = profile.pk is None
    check_plain(name=profile.name, bio=profile.bio)
    if profile.home_base.kind != Place.Kind.GEMEINDE:
        raise ValidationError({"home_base": _("The home base must be a Gemeinde.")})
    if not any(level for level in levels.values()):
        raise ValidationError({"topics": _("Name at least one topic you advise on.")})
    if "de" not in profile.languages:
        profile.languages = ["de", *profile.languages]
    profile.full_clean(exclude=["user"] if creating else None)
    profile.save()
    Expertise.objects.filter(profile=profile).delete()
    Expertise.objects.bulk_create([
        Expertise(profile=profile, topic_id=topic_id, level=level)
        for topic_id, level in sorted(levels.items()) if level
    ])
    profile.region.set(list(region))
    profile.conflicts.set(list(conflicts))
    record_event("consulting.profile_saved", profile, actor=actor,
                 summary=_("Consultant profile of %(name)s saved") % {"name": profile.name})
    return profile


@transaction.atomic
def add_absence(profile: ConsultantProfile, *, start: date, end: date, note: str = "",
                actor) -> Absence:
    check_plain(note=note)
    if end < start:
        raise ValidationError({"end": _("The end must not be before the start.")})
    absence = Absence.objects.create(profile=profile, start=start, end=end, note=note.strip())
    record_event("consulting.absence_added", profile, actor=actor,
                 summary=_("Absent from %(start)s to %(end)s") % {
                     "start": start.isoformat(), "end": end.isoformat()})
    return absence


@transaction.atomic
def remove_absence(absence: Absence, *, actor) -> None:
    profile = absence.profile
    record_event("consulting.absence_removed", profile, actor=actor,
                 summary=_("Absence from %(start)s to %(end)s removed") % {
                     "start": absence.start.isoformat(), "end": absence.end.isoformat()})
    absence.delete()


@transaction.atomic
def renew_calendar_token(profile: ConsultantProfile, *, actor) -> str:
    from quartier.consulting.models import _new_token

    profile.calendar_token = _new_token()
    profile.save(update_fields=["calendar_token"])
    record_event("consulting.calendar_renewed", profile, actor=actor,
                 summary=_("Calendar address renewed; the old one no longer works"))
    return profile.calendar_token


def consultants_with_load():
    """Every consultant with their running cases and the days booked in them."""
    return list(
        ConsultantProfile.objects.select_related("organisation", "home_base")
        .prefetch_related("expertise__topic")
        .annotate(
            open_cases=Count("cases", filter=Q(cases__state=Case.State.ACTIVE), distinct=True),
            booked_days=Sum("cases__booked_days", filter=Q(cases__state=Case.State.ACTIVE)),
        )
        .order_by("name")
    )


# Gap scores of the quarter check ----------------------------------------------------------


def gap_scores() -> dict[int, float]:
    """Quarter id → gap score from the quarter check; empty where it offers none yet."""
    try:
        from quartier.quartierscheck import services as quarter_check
    except ImportError:
        return {}
    scores = getattr(quarter_check, "gap_scores", None)
    return dict(scores() or {}) if scores else {}


def priority_threshold(scores: dict[int, float]) -> float | None:
    """The lowest gap score that still counts as one of the largest gaps (top quarter)."""
    values = sorted((v for v in scores.values() if v is not None and v > 0), reverse=True)
    if not values:
        return None
    return values[max(0, int(len(values) * PRIORITY_TOP_SHARE + 0.5) - 1)]


def _priority(quarter_ids: Iterable[int], scores: dict[int, float]) -> tuple[bool, float | None]:
    own = [scores[q] for q in quarter_ids if scores.get(q) is not None]
    threshold = priority_threshold(scores)
    best = max(own) if own else None
    return (best is not None and threshold is not None and best >= threshold), best


@transaction.atomic
def update_priorities(scores: dict[int, float] | None = None) -> int:
    """Mark the open requests from quarters with the largest gaps; returns how many."""
    scores = gap_scores() if scores is None else scores
    marked = 0
    for request in ConsultingRequest.objects.open().prefetch_related("quarters"):
        priority, best = _priority([q.pk for q in request.quarters.all()], scores)
        if (priority, best) != (request.priority, request.gap_score):
            request.priority, request.gap_score = priority, best
            request.save(update_fields=["priority", "gap_score"])
        marked += priority
    return marked


# Requests ---------------------------------------------------------------------------------


@transaction.atomic
def submit_request(
    *, organisation: Organisation, quarters: list[Quarter], topic: Topic, format: Format,
    mode: str, goals: str, people: str, earliest: date, latest: date, language: str = "de",
    actor, today: date | None = None, at: datetime | None = None, is_demo: bool = False,
    scores: dict[int, float] | None = None,
) -> ConsultingRequest:
    """A new request. Refused unless the actor may request for the organisation and every
    quarter is one of the organisation's, the format is open to it and fits the topic, and
    the period starts today or later. `scores` are the quarter check's gap scores, if the
    caller has them already."""
    today = _today(today)
    if organisation.pk not in requester_organisation_ids(actor) and not is_demo:
        raise ValidationError({"organisation": _(
            "You cannot request consulting for this organisation.")})
    check_plain(goals=goals, people=people)
    errors = {}
    if not quarters:
        errors["quarters"] = _("Choose at least one quarter.")
    else:
        own = set(quarters_of(organisation).filter(
            pk__in=[q.pk for q in quarters]).values_list("pk", flat=True))
        foreign = [q.name for q in quarters if q.pk not in own]
        if foreign:
            errors["quarters"] = _(
                "%(quarters)s is not a quarter of %(organisation)s; you can only request "
                "consulting for your own quarters."
            ) % {"quarters": ", ".join(foreign), "organisation": organisation}
    if not format.is_active or not topic.is_active:
        errors["format"] = _("This format is no longer offered.")
    elif not format_allows(format, organisation):
        errors["format"] = _("This format cannot be requested by a %(kind)s.") % {
            "kind": organisation.get_kind_display()}
    elif format.kind != topic.kind:
        errors["topic"] = _("The topic does not fit the format: choose a topic of “%(kind)s”.") \
            % {"kind": format.get_kind_display()}
    if mode not in format.modes():
        errors["mode"] = _("This format is offered only on site.") \
            if format.delivery == Format.Delivery.ON_SITE else \
            _("This format is offered only online.")
    if earliest < today:
        errors["earliest"] = _("The start must not be in the past.")
    if latest < earliest:
        errors["latest"] = _("The end must not be before the start.")
    elif latest > today + timedelta(days=LONGEST_PERIOD_DAYS):
        errors["latest"] = _("The period may reach at most one year ahead.")
    elif (latest - earliest).days + 1 < format.usual_days:
        errors["latest"] = _("The period is shorter than the %(days)s consulting days of the "
                             "format.") % {"days": format.usual_days}
    if not goals.strip():
        errors["goals"] = _("Describe what you want to achieve.")
    if errors:
        raise ValidationError(errors)
    priority, best = _priority([q.pk for q in quarters],
                               gap_scores() if scores is None else scores)
    request = ConsultingRequest.objects.create(
        organisation=organisation, requested_by=_person(actor), gemeinde=quarters[0].gemeinde,
        topic=topic, format=format, mode=mode, language=language, goals=goals.strip(),
        people=people.strip(), earliest=earliest, latest=latest, days=format.usual_days,
        priority=priority, gap_score=best, submitted_at=_now(at), is_demo=is_demo,
    )
    request.quarters.set(quarters)
    record_event("consulting.requested", request, actor=actor,
                 summary=_("%(organisation)s requested %(format)s on %(topic)s") % {
                     "organisation": organisation, "format": format, "topic": topic},
                 priority=priority)
    if not is_demo:
        _notify(_requester_addresses(request), _("Your consulting request was received"),
                _("Thank you. Programme staff will review your request %(number)s and tell "
                  "you what happens next.") % {"number": request.pk},
                request.get_absolute_url())
        _notify(_staff_addresses(), _("New consulting request"),
                _("%(organisation)s requested %(format)s.") % {
                    "organisation": organisation, "format": format},
                request.get_absolute_url())
    return request


TRIAGE = ("accept", "ask", "decline")


@transaction.atomic
def triage_request(request: ConsultingRequest, decision: str, *, message: str = "", actor,
                   at: datetime | None = None) -> ConsultingRequest:
    """Accept (awaiting a consultant), ask back (the requester answers) or decline with a
    reason. Only for submitted requests."""
    request = ConsultingRequest.objects.select_for_update().get(pk=request.pk)
    if request.state != State.SUBMITTED:
        raise ValidationError(
            _("Only a submitted request can be reviewed; this one is “%(state)s”.")
            % {"state": request.get_state_display()})
    check_plain(message=message)
    if decision not in TRIAGE:
        raise ValidationError({"decision": _("Choose accept, ask back or decline.")})
    if decision in ("ask", "decline") and not message.strip():
        raise ValidationError({"message": _("Write the question or the reason for declining.")
                               if decision == "decline" else
                               _("Write the question to the requester.")})
    request.state = {"accept": State.ACCEPTED, "ask": State.QUESTION,
                     "decline": State.DECLINED}[decision]
    request.staff_message = message.strip()
    request.decided_at = _now(at)
    request.save(update_fields=["state", "staff_message", "decided_at"])
    summaries = {
        "accept": _("Request accepted; a consultant will be assigned"),
        "ask": _("Question to the requester: %(message)s"),
        "decline": _("Request declined: %(message)s"),
    }
    actions = {"accept": "consulting.accepted", "ask": "consulting.asked_back",
               "decline": "consulting.declined"}
    record_event(actions[decision], request, actor=actor,
                 summary=summaries[decision] % {"message": request.staff_message})
    subjects = {
        "accept": _("Your consulting request was accepted"),
        "ask": _("A question about your consulting request"),
        "decline": _("Your consulting request was declined"),
    }
    if at is None:
        _notify(_requester_addresses(request), subjects[decision],
                summaries[decision] % {"message": request.staff_message},
                request.get_absolute_url())
    return request


@transaction.atomic
def answer_request(request: ConsultingRequest, answer: str, *, actor) -> ConsultingRequest:
    """The requester answers the staff's question; the request goes back for review."""
    request = ConsultingRequest.objects.select_for_update().get(pk=request.pk)
    if request.state != State.QUESTION:
        raise ValidationError(_("There is no open question on this request."))
    check_plain(answer=answer)
    if not answer.strip():
        raise ValidationError({"answer": _("Write your answer.")})
    request.answer = answer.strip()
    request.state = State.SUBMITTED
    request.save(update_fields=["answer", "state"])
    record_event("consulting.answered", request, actor=actor,
                 summary=_("The requester answered: %(answer)s") % {"answer": request.answer})
    _notify(_staff_addresses(), _("Answer to your question on a consulting request"),
            request.answer, request.get_absolute_url())
    return request


@transaction.atomic
def withdraw_request(request: ConsultingRequest, *, actor) -> ConsultingRequest:
    request = ConsultingRequest.objects.select_for_update().get(pk=request.pk)
    if not request.is_open():
        raise ValidationError(_("Only an open request can be withdrawn."))
    request.state = State.WITHDRAWN
    request.save(update_fields=["state"])
    record_event("consulting.withdrawn", request, actor=actor,
                 summary=_("Request withdrawn by the requester"))
    _notify(_staff_addresses(), _("A consulting request was withdrawn"),
            _("%(organisation)s withdrew request %(number)s.") % {
                "organisation": request.organisation, "number": request.pk},
            request.get_absolute_url())
    return request


def requests_for(user, *, state: str = ""):
    """The requests a user may see: staff all, a requester their organisations'."""
    requests = ConsultingRequest.objects.select_related(
        "organisation", "topic", "format", "gemeinde", "case__consultant")
    if not is_programme_staff(user):
        requests = requests.filter(organisation_id__in=requester_organisation_ids(user))
    if state:
        requests = requests.filter(state=state)
    return requests


def triage_queue():
    """Submitted requests, priority first, then in order of arrival."""
    return ConsultingRequest.objects.filter(state=State.SUBMITTED).select_related(
        "organisation", "topic", "format", "gemeinde").order_by("-priority", "submitted_at")


# Matching ---------------------------------------------------------------------------------


def detour_factor() -> float:
    return float(getattr(settings, "CONSULTING_ROAD_DETOUR_FACTOR", engine.ROAD_DETOUR_FACTOR))


def _months_between(start: date, end: date) -> list[int]:
    first, last = engine.month_of(start.toordinal()), engine.month_of(end.toordinal())
    return list(range(first, last + 1))


def booked_by_month(today: date, profiles: Iterable[ConsultantProfile] | None = None
                    ) -> dict[int, dict[int, float]]:
    """Consultant id → month → days still to give in running cases: what is booked and not
    yet held, spread evenly over the months left of each case's period."""
    cases = Case.objects.filter(state=Case.State.ACTIVE, end__gte=today).annotate(
        held=Sum("sessions__half_days"))
    if profiles is not None:
        cases = cases.filter(consultant__in=list(profiles))
    booked: dict[int, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for case in cases:
        left = case.booked_days - (case.held or 0) / 2
        months = _months_between(max(case.start, today), case.end)
        if left <= 0 or not months:
            continue
        for month in months:
            booked[case.consultant_id][month] += left / len(months)
    return booked


def _engine_consultants(profiles: list[ConsultantProfile], today: date,
                        booked: dict[int, dict[int, float]]) -> list[engine.Consultant]:
    return [
        engine.Consultant(
            id=p.pk, topics={e.topic.slug: e.level for e in p.expertise.all()},
            languages=frozenset(p.languages or ["de"]), x=p.home_base.x, y=p.home_base.y,
            capacity_per_month=p.capacity_days_per_month,
            absences=tuple((a.start.toordinal(), a.end.toordinal()) for a in p.absences.all()),
            booked=dict(booked.get(p.pk, {})),
            conflicts=frozenset(o.pk for o in p.conflicts.all()),
            region=frozenset(k.ags for k in p.region.all()),
        )
        for p in profiles
    ]


def _engine_request(r: ConsultingRequest, today: date) -> engine.Request:
    return engine.Request(
        id=r.pk, topic=r.topic.slug, language=r.language, x=r.gemeinde.x, y=r.gemeinde.y,
        days=r.days, start=max(r.earliest, today).toordinal(), end=r.latest.toordinal(),
        submitted=timezone.localtime(r.submitted_at).date().toordinal(),
        on_site=r.mode == Mode.ON_SITE, organisation=r.organisation_id,
        kreis=r.gemeinde.ags[:5], min_level=r.format.min_level, priority=r.priority,
    )


def _profiles():
    return ConsultantProfile.objects.select_related("home_base").prefetch_related(
        "expertise__topic", "absences", "conflicts", "region")


def matchable_requests(today: date | None = None):
    """Accepted requests waiting for a consultant whose period has not ended."""
    return ConsultingRequest.objects.filter(state=State.ACCEPTED, latest__gte=_today(today)) \
        .select_related("topic", "format", "gemeinde", "organisation").order_by("submitted_at")


def compute_matching(*, actor, today: date | None = None,
                     progress: Progress = no_progress) -> MatchingRun:
    """Propose consultants for all accepted requests together (engine.propose) and store
    the proposal next to first come, first served. The solver runs outside any transaction,
    so it holds no lock while it computes."""
    today = _today(today)
    progress(_("Marking requests from quarters with the largest gaps …"))
    update_priorities()
    requests = list(matchable_requests(today))
    profiles = list(_profiles().filter(is_active=True))
    progress(_("%(requests)s open requests, %(consultants)s consultants; computing …") % {
        "requests": len(requests), "consultants": len(profiles)})
    booked = booked_by_month(today, profiles)
    params = engine.Params(detour_factor=detour_factor())
    proposal = engine.propose([_engine_request(r, today) for r in requests],
                              _engine_consultants(profiles, today, booked), params)
    best, fcfs = proposal.optimal, proposal.fcfs
    with transaction.atomic():
        run = _store_run(requests, profiles, proposal, params, today, actor)
    progress(_("Done: %(km)s km of travel, %(fcfs)s km first come, first served.") % {
        "km": number(best.travel_km, 0), "fcfs": number(fcfs.travel_km, 0)})
    return run


def _store_run(requests, profiles, proposal, params, today: date, actor) -> MatchingRun:
    best, fcfs = proposal.optimal, proposal.fcfs
    run = MatchingRun.objects.create(created_by=_person(actor), summary={
        "requests": len(requests), "consultants": len(profiles), "pairs": proposal.pairs,
        "travel_km": round(best.travel_km, 1), "fcfs_travel_km": round(fcfs.travel_km, 1),
        "waiting_days": best.waiting_days, "fcfs_waiting_days": fcfs.waiting_days,
        "served": len(best.assignments), "fcfs_served": len(fcfs.assignments),
        "optimal": best.optimal, "seconds": round(best.seconds + fcfs.seconds, 3),
        "detour_factor": params.detour_factor, "today": today.isoformat(),
    })
    chosen = {a.request: a for a in best.assignments}
    first = {a.request: a for a in fcfs.assignments}
    waiting_unserved = {r.pk: max(0, (r.latest - timezone.localtime(r.submitted_at).date()).days
                                  + 1) for r in requests}
    Proposal.objects.bulk_create([
        Proposal(
            run=run, request=r,
            consultant_id=chosen[r.pk].consultant if r.pk in chosen else None,
            travel_km=chosen[r.pk].travel_km if r.pk in chosen else 0,
            waiting_days=chosen[r.pk].waiting_days if r.pk in chosen else waiting_unserved[r.pk],
            fcfs_consultant_id=first[r.pk].consultant if r.pk in first else None,
            fcfs_travel_km=first[r.pk].travel_km if r.pk in first else 0,
            fcfs_waiting_days=first[r.pk].waiting_days if r.pk in first
            else waiting_unserved[r.pk],
        )
        for r in requests
    ])
    record_event("consulting.matching_computed", run, actor=actor,
                 summary=_("Matching of %(requests)s requests: %(km)s km instead of %(fcfs)s km "
                           "first come, first served") % {
                     "requests": len(requests), "km": f"{best.travel_km:,.0f}",
                     "fcfs": f"{fcfs.travel_km:,.0f}"}, **{k: v for k, v in run.summary.items()
                                                           if k != "today"})
    return run


def latest_run() -> MatchingRun | None:
    return MatchingRun.objects.first()


def proposals_of(run: MatchingRun):
    """The run's proposals for requests still waiting for a consultant."""
    return list(run.proposals.filter(request__state=State.ACCEPTED).select_related(
        "request__organisation", "request__topic", "request__format", "request__gemeinde",
        "consultant__home_base", "fcfs_consultant"))


def reasons_against(request: ConsultingRequest, profile: ConsultantProfile,
                    today: date | None = None, *, start: date | None = None,
                    end: date | None = None, days: int | None = None) -> list[str]:
    """Why a consultant cannot take the request (translated sentences); empty if they can."""
    today = _today(today)
    profile = _profiles().get(pk=profile.pk)
    booked = booked_by_month(today, [profile])
    item = _engine_request(request, today)
    item = engine.Request(**{**item.__dict__, **{
        k: v for k, v in {"start": start.toordinal() if start else None,
                          "end": end.toordinal() if end else None, "days": days}.items()
        if v is not None}})
    codes = engine.unfit_reasons(item, _engine_consultants([profile], today, booked)[0],
                                 engine.Params(detour_factor=detour_factor()))
    if not profile.is_active:
        codes.insert(0, "inactive")
    messages = {
        "inactive": _("%(name)s takes no new cases at the moment."),
        "topic": _("%(name)s does not advise on this topic at the level the format needs."),
        "language": _("%(name)s does not speak the language of the consulting."),
        "conflict": _("%(name)s has declared a conflict of interest with this organisation."),
        "region": _("%(name)s does not serve this Kreis."),
        "absent": _("%(name)s is away for too much of the period."),
        "capacity": _("%(name)s has no capacity left in the months of the period."),
    }
    return [messages[code] % {"name": profile.name} for code in codes]


def _travel_km(request: ConsultingRequest, profile: ConsultantProfile) -> float:
    if request.mode != Mode.ON_SITE:
        return 0.0
    return round(engine.road_km(request.gemeinde.x, request.gemeinde.y, profile.home_base.x,
                                profile.home_base.y, detour_factor()), 1)


def default_budget_line(day: date) -> BudgetLine | None:
    """The newest line whose fiscal years include the day's year, else the newest line."""
    return budget.lines_for(year=day.year).first() or BudgetLine.objects.order_by(
        "-last_year", "code").first()


@transaction.atomic
def assign_case(
    request: ConsultingRequest, profile: ConsultantProfile, *, actor, budget_line: BudgetLine,
    reason: str = "", proposed: ConsultantProfile | None = None, start: date | None = None,
    end: date | None = None, days: int | None = None, today: date | None = None,
    at: datetime | None = None, is_demo: bool = False,
) -> Case:
    """Give an accepted request to a consultant: the case, and its days × day rate committed
    against the budget line. Refused if the consultant does not fit (topic, language,
    conflict, region, absence, capacity), if staff deviate from the proposal without a reason,
    or if the line has too little left — then nothing is changed."""
    today = _today(today)
    request = ConsultingRequest.objects.select_for_update().select_related(
        "format", "topic", "gemeinde", "organisation").get(pk=request.pk)
    if request.state != State.ACCEPTED:
        raise ValidationError(_("Only an accepted request waiting for a consultant can be "
                                "assigned; this one is “%(state)s”.")
                              % {"state": request.get_state_display()})
    start = start or max(request.earliest, today)
    end = end or request.latest
    days = days or request.days
    check_plain(reason=reason)
    errors = {}
    if end < start:
        errors["end"] = _("The end must not be before the start.")
    if start < today and not is_demo:
        errors["start"] = _("The start must not be in the past.")
    if days < 1 or days > 60:
        errors["days"] = _("Book between 1 and 60 consulting days.")
    if proposed is not None and proposed.pk != profile.pk and not reason.strip():
        errors["reason"] = _("You chose someone other than the proposal: give the reason.")
    if errors:
        raise ValidationError(errors)
    if not is_demo:
        unfit = reasons_against(request, profile, today, start=start, end=end, days=days)
        if unfit:
            raise ValidationError({"consultant": unfit})
    day_rate = request.format.day_rate_cents
    case = Case.objects.create(
        request=request, consultant=profile, proposed_consultant=proposed,
        assignment_reason=reason.strip(), start=start, end=end, booked_days=days,
        day_rate_cents=day_rate, budget_line=budget_line, travel_km=_travel_km(request, profile),
        created_at=_now(at), is_demo=is_demo,
    )
    try:
        case.commitment = budget.commit_funds(
            budget_line, days * day_rate, actor=actor, source=SOURCE, reference=case.pk,
            measure=_("Consulting %(case)s: %(format)s for %(organisation)s") % {
                "case": case.pk, "format": request.format, "organisation": request.organisation},
            place=request.gemeinde,
            fiscal_year=start.year if start.year in budget_line.years() else None,
            idempotency_key=f"consulting.case.{case.pk}.commitment",
        )
    except budget.Overspend as overspend:
        raise ValidationError({"budget_line": overspend.messages}) from None
    case.save(update_fields=["commitment"])
    request.state = State.ASSIGNED
    request.save(update_fields=["state"])
    summary = _("%(consultant)s assigned for %(days)s days (%(amount)s committed)") % {
        "consultant": profile.name, "days": days, "amount": budget.euros(case.committed_cents)}
    if proposed is not None and proposed.pk != profile.pk:
        summary += " – " + _("instead of %(proposed)s: %(reason)s") % {
            "proposed": proposed.name, "reason": reason.strip()}
    record_event("consulting.assigned", case, actor=actor, summary=summary,
                 request=request.pk, consultant=profile.pk,
                 proposed=proposed.pk if proposed else None, amount_cents=case.committed_cents)
    record_event("consulting.assigned", request, actor=actor, summary=summary, case=case.pk)
    if not is_demo:
        _notify(_requester_addresses(request), _("A consultant takes your request"),
                _("%(consultant)s will advise you (%(days)s consulting days between %(start)s "
                  "and %(end)s).") % {"consultant": profile.name, "days": days,
                                      "start": start.isoformat(), "end": end.isoformat()},
                case.get_absolute_url())
        _notify([profile.user.email], _("A new consulting case for you"),
                _("You advise %(organisation)s: %(format)s on %(topic)s.") % {
                    "organisation": request.organisation, "format": request.format,
                    "topic": request.topic}, case.get_absolute_url())
    return case


@transaction.atomic
def accept_proposals(run: MatchingRun, *, actor, budget_line: BudgetLine,
                     today: date | None = None) -> list[Case]:
    """Assign every request of the run to its proposed consultant; all or nothing."""
    cases = []
    for proposal in proposals_of(run):
        if proposal.consultant_id is None:
            continue
        try:
            cases.append(assign_case(proposal.request, proposal.consultant, actor=actor,
                                     budget_line=budget_line, proposed=proposal.consultant,
                                     today=today))
        except ValidationError as error:
            messages = error.message_dict if hasattr(error, "error_dict") else {
                "__all__": error.messages}
            raise ValidationError(_("Request %(number)s: %(errors)s") % {
                "number": proposal.request_id,
                "errors": " ".join(m for ms in messages.values() for m in ms)}) from None
    return cases


# Cases ------------------------------------------------------------------------------------


def cases_for(user):
    """The cases a user may see: staff all; a consultant theirs; a requester their
    organisations'."""
    cases = Case.objects.select_related(
        "request__organisation", "request__topic", "request__format", "request__gemeinde",
        "consultant").annotate(held=Sum("sessions__half_days"))
    if is_programme_staff(user):
        return cases
    profile = profile_of(user)
    visible = Q(request__organisation_id__in=requester_organisation_ids(user))
    if profile is not None:
        visible |= Q(consultant=profile)
    return cases.filter(visible)


def held_half_days(case: Case) -> int:
    return case.sessions.aggregate(total=Sum("half_days"))["total"] or 0


def absent_on(profile: ConsultantProfile, day: date) -> Absence | None:
    return profile.absences.filter(start__lte=day, end__gte=day).first()


@transaction.atomic
def log_session(
    case: Case, *, date: date, half_days: int, mode: str, participants: int,
    topics: list[Topic], protocol: str = "", start_time: time | None = None, document=None,
    actor, at: datetime | None = None,
) -> Session:
    """Log a session of a running case and pay out its days. Refused outside the case's
    period, on a day the consultant is away, or beyond the booked days."""
    case = Case.objects.select_for_update().select_related("consultant", "request").get(
        pk=case.pk)
    if case.state != Case.State.ACTIVE:
        raise ValidationError(_("Sessions can only be logged while the case is running."))
    check_plain(protocol=protocol)
    errors = {}
    if not case.start <= date <= case.end:
        errors["date"] = _("The date must lie within the case's period, %(start)s to %(end)s.") \
            % {"start": case.start.strftime("%d.%m.%Y"), "end": case.end.strftime("%d.%m.%Y")}
    elif absence := absent_on(case.consultant, date):
        errors["date"] = _("%(name)s is away from %(start)s to %(end)s.") % {
            "name": case.consultant.name, "start": absence.start.strftime("%d.%m.%Y"),
            "end": absence.end.strftime("%d.%m.%Y")}
    held = held_half_days(case)
    if half_days < 1:
        errors["half_days"] = _("A session lasts at least half a day.")
    elif held + half_days > 2 * case.booked_days:
        errors["half_days"] = _("Only %(left)s of the %(booked)s booked days are left.") % {
            "left": _days_text(2 * case.booked_days - held), "booked": case.booked_days}
    if participants < 1:
        errors["participants"] = _("At least one person took part.")
    if not topics:
        errors["topics"] = _("Name at least one topic of the session.")
    if mode not in Mode.values:
        errors["mode"] = _("Choose on site or online.")
    if document is not None:
        try:
            check_pdf(document)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    cost = case.day_rate_cents * half_days // 2
    session = Session.objects.create(
        case=case, date=date, start_time=start_time, half_days=half_days, mode=mode,
        participants=participants, protocol=protocol.strip(), cost_cents=cost,
        logged_by=_person(actor),
    )
    Session.topics.through.objects.bulk_create(
        [Session.topics.through(session=session, topic=topic) for topic in set(topics)])
    if at is not None:
        Session.objects.filter(pk=session.pk).update(created_at=at)
    try:
        session.disbursement = budget.disburse(
            case.commitment, cost, actor=actor,
            note=_("Session of %(date)s, %(days)s") % {
                "date": date.strftime("%d.%m.%Y"), "days": _days_text(half_days)},
            fiscal_year=date.year if date.year in case.budget_line.years() else None,
            idempotency_key=f"consulting.session.{session.pk}",
        )
    except budget.Overspend as overspend:
        raise ValidationError({"half_days": overspend.messages}) from None
    session.save(update_fields=["disbursement"])
    if document is not None:
        _store_document(session, document, actor)
    record_event("consulting.session_logged", case, actor=actor,
                 summary=_("Session of %(date)s logged: %(days)s, %(amount)s paid out") % {
                     "date": date.strftime("%d.%m.%Y"), "days": _days_text(half_days),
                     "amount": budget.euros(cost)}, session=session.pk, cost_cents=cost)
    if at is None:
        _notify(_requester_addresses(case.request), _("A consulting session was logged"),
                _("%(name)s logged the session of %(date)s.") % {
                    "name": case.consultant.name, "date": date.strftime("%d.%m.%Y")},
                case.get_absolute_url())
    return session


def _store_document(session: Session, upload, actor) -> Document:
    name = re.sub(r"[^\w.\- ]", "_", upload.name.rsplit("/", 1)[-1])[:200]
    document = Document(session=session, name=name, size_bytes=upload.size,
                        uploaded_by=_person(actor))
    document.file.save("document.pdf", upload, save=False)
    document.save()
    return document


@transaction.atomic
def add_document(session: Session, upload, *, actor) -> Document:
    check_pdf(upload)
    document = _store_document(session, upload, actor)
    record_event("consulting.document_added", session.case, actor=actor,
                 summary=_("Document “%(name)s” added to the session of %(date)s") % {
                     "name": document.name, "date": session.date.strftime("%d.%m.%Y")})
    return document


@transaction.atomic
def complete_case(case: Case, outcome: str, *, actor, at: datetime | None = None) -> Case:
    """The consultant reports the outcome; the requester is asked for feedback."""
    case = Case.objects.select_for_update().select_related("request", "consultant").get(
        pk=case.pk)
    if case.state != Case.State.ACTIVE:
        raise ValidationError(_("Only a running case can be completed."))
    check_plain(outcome=outcome)
    if not outcome.strip():
        raise ValidationError({"outcome": _("Describe the outcome.")})
    if not case.sessions.exists():
        raise ValidationError({"outcome": _("Log at least one session before completing.")})
    case.state = Case.State.COMPLETED
    case.outcome = outcome.strip()
    case.completed_at = _now(at)
    case.save(update_fields=["state", "outcome", "completed_at"])
    record_event("consulting.completed", case, actor=actor,
                 summary=_("Case completed: %(outcome)s") % {"outcome": case.outcome})
    if at is None:
        _notify(_requester_addresses(case.request), _("Your consulting is completed"),
                _("%(name)s completed the consulting. Please tell us in a short survey how "
                  "it went.") % {"name": case.consultant.name},
                reverse("consulting:feedback", args=[case.pk]))
    return case


@transaction.atomic
def give_feedback(case: Case, *, satisfaction: int, goals_reached: str, would_recommend: bool,
                  comment: str = "", actor, at: datetime | None = None) -> Feedback:
    case = Case.objects.select_for_update().select_related("consultant__user").get(pk=case.pk)
    if case.state != Case.State.COMPLETED:
        raise ValidationError(_("Feedback can be given once the case is completed."))
    if Feedback.objects.filter(case=case).exists():
        raise ValidationError(_("Feedback has already been given for this case."))
    check_plain(comment=comment)
    if satisfaction not in range(1, 6):
        raise ValidationError({"satisfaction": _("Choose from 1 to 5.")})
    feedback = Feedback.objects.create(
        case=case, satisfaction=satisfaction, goals_reached=goals_reached,
        would_recommend=would_recommend, comment=comment.strip(), given_by=_person(actor))
    if at is not None:
        Feedback.objects.filter(pk=feedback.pk).update(created_at=at)
    record_event("consulting.feedback", case, actor=actor,
                 summary=_("Feedback given: satisfaction %(score)s of 5") % {
                     "score": satisfaction})
    if at is None:
        _notify([case.consultant.user.email, *_staff_addresses()],
                _("Feedback on a consulting case"),
                _("The requester gave feedback on case %(number)s.") % {"number": case.pk},
                case.get_absolute_url())
    return feedback


@transaction.atomic
def close_case(case: Case, *, actor, note: str = "", at: datetime | None = None) -> Case:
    """Staff close a completed case; the days not used are released from the budget."""
    case = Case.objects.select_for_update().select_related("request", "consultant__user").get(
        pk=case.pk)
    if case.state != Case.State.COMPLETED:
        raise ValidationError(_("Only a completed case can be closed."))
    check_plain(note=note)
    case.state = Case.State.CLOSED
    case.closed_at = _now(at)
    case.save(update_fields=["state", "closed_at"])
    released = budget.release_commitments(
        SOURCE, case.pk, actor=actor,
        reason=note.strip() or _("Case %(number)s closed; days not used released") % {
            "number": case.pk})
    amount = sum(-e.amount_cents for e in released)
    record_event("consulting.case_closed", case, actor=actor,
                 summary=_("Case closed; %(amount)s released") % {"amount": budget.euros(amount)},
                 released_cents=amount)
    if at is None:
        _notify([*_requester_addresses(case.request), case.consultant.user.email],
                _("Consulting case closed"),
                _("Case %(number)s is closed. Thank you.") % {"number": case.pk},
                case.get_absolute_url())
    return case


@transaction.atomic
def cancel_case(case: Case, reason: str, *, actor) -> Case:
    """Staff cancel a running case; what is not paid out is released."""
    case = Case.objects.select_for_update().select_related("request", "consultant__user").get(
        pk=case.pk)
    if case.state != Case.State.ACTIVE:
        raise ValidationError(_("Only a running case can be cancelled."))
    check_plain(reason=reason)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for cancelling.")})
    case.state = Case.State.CANCELLED
    case.closed_at = timezone.now()
    case.save(update_fields=["state", "closed_at"])
    budget.release_commitments(SOURCE, case.pk, actor=actor, reason=reason.strip())
    record_event("consulting.case_cancelled", case, actor=actor,
                 summary=_("Case cancelled: %(reason)s") % {"reason": reason.strip()})
    _notify([*_requester_addresses(case.request), case.consultant.user.email],
            _("Consulting case cancelled"), reason.strip(), case.get_absolute_url())
    return case


def _days_text(half_days: int) -> str:
    days = half_days / 2
    text = f"{days:g}".replace(".", ",")
    return _("%(days)s day") % {"days": text} if days == 1 else _("%(days)s days") % {
        "days": text}


def days_text(half_days: int) -> str:
    return _days_text(half_days)


def case_detail(case: Case) -> dict:
    """Sessions with topics and documents, the money booked, and the feedback of a case."""
    sessions = list(case.sessions.prefetch_related("topics", "documents").select_related(
        "logged_by"))
    held = sum(s.half_days for s in sessions)
    return {
        "sessions": sessions,
        "held_half_days": held,
        "left_half_days": 2 * case.booked_days - held,
        "booked": budget.booked_for(SOURCE, case.pk),
        "feedback": Feedback.objects.filter(case=case).first(),
    }


# Calendar ---------------------------------------------------------------------------------


def calendar_feed(profile: ConsultantProfile) -> bytes:
    """The consultant's sessions of running and recent cases as iCalendar (RFC 5545). Holds
    no protocol: a calendar app is not a confidential place."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//Quartier//Beratung//DE")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("Consulting sessions of %(name)s") % {"name": profile.name})
    since = timezone.localdate() - timedelta(days=400)
    sessions = Session.objects.filter(case__consultant=profile, date__gte=since).select_related(
        "case__request__organisation", "case__request__gemeinde", "case__request__topic")
    host = _site().split("//")[-1] or "quartier.invalid"
    for session in sessions:
        request = session.case.request
        event = Event()
        event.add("uid", f"consulting-session-{session.pk}@{host}")
        event.add("summary", _("Consulting: %(topic)s – %(organisation)s") % {
            "topic": request.topic, "organisation": request.organisation})
        if session.start_time:
            begin = timezone.make_aware(datetime.combine(session.date, session.start_time))
            event.add("dtstart", begin)
            event.add("dtend", begin + timedelta(hours=4 * session.half_days))
        else:
            event.add("dtstart", session.date)
            event.add("dtend", session.date + timedelta(days=1))
        event.add("dtstamp", session.created_at)
        event.add("location", _("online") if session.mode == Mode.ONLINE
                  else request.gemeinde.name)
        event.add("url", f"{_site()}{session.case.get_absolute_url()}")
        calendar.add_component(event)
    return calendar.to_ical()


# Coverage and reports ---------------------------------------------------------------------


@dataclass
class AreaFigures:
    place: Place
    requests: int = 0
    cases: int = 0
    half_days: int = 0

    @property
    def days(self) -> float:
        return self.half_days / 2

    @property
    def days_per_10k(self) -> float:
        return self.days * 10_000 / self.place.population if self.place.population else 0.0

    @property
    def reached(self) -> bool:
        return self.cases > 0


def years() -> list[int]:
    """Years with cases or sessions, newest first."""
    found = {d.year for d in Case.objects.dates("start", "year")}
    found |= {d.year for d in Session.objects.dates("date", "year")}
    return sorted(found, reverse=True)


def _counted_cases():
    return Case.objects.exclude(state=Case.State.CANCELLED)


def coverage(year: int | None) -> dict:
    """Per Kreis and per Gemeinde: requests, cases begun and consulting days held in the
    year (all years if None); days per 10,000 residents; the Kreise not reached. Three
    queries per level, whatever the number of places."""
    case_filter = Q(start__year=year) if year else Q()
    session_filter = Q(date__year=year) if year else Q()
    request_filter = Q(submitted_at__year=year) if year else Q()
    kreise = {p.pk: AreaFigures(p) for p in Place.objects.filter(kind=Place.Kind.KREIS)
              .order_by("name")}
    gemeinden: dict[int, AreaFigures] = {}
    rows = (_counted_cases().filter(case_filter)
            .values("request__gemeinde_id").annotate(n=Count("id")))
    counts = {r["request__gemeinde_id"]: r["n"] for r in rows}
    rows = (Session.objects.filter(session_filter).exclude(case__state=Case.State.CANCELLED)
            .values("case__request__gemeinde_id").annotate(h=Sum("half_days")))
    halves = {r["case__request__gemeinde_id"]: r["h"] for r in rows}
    rows = (ConsultingRequest.objects.filter(request_filter).values("gemeinde_id")
            .annotate(n=Count("id")))
    asked = {r["gemeinde_id"]: r["n"] for r in rows}
    places = Place.objects.filter(pk__in=set(counts) | set(halves) | set(asked)).order_by("name")
    for place in places:
        figures = AreaFigures(place, asked.get(place.pk, 0), counts.get(place.pk, 0),
                              halves.get(place.pk, 0))
        gemeinden[place.pk] = figures
        kreis = kreise.get(place.parent_id)
        if kreis is not None:
            kreis.requests += figures.requests
            kreis.cases += figures.cases
            kreis.half_days += figures.half_days
    kreis_rows = list(kreise.values())
    reached = [g for g in gemeinden.values() if g.reached]
    total_days = sum(k.days for k in kreis_rows)
    population = sum(k.place.population for k in kreis_rows)
    return {
        "kreise": kreis_rows,
        "gemeinden": sorted(reached, key=lambda g: (-g.cases, g.place.name)),
        "white_spots": [k for k in kreis_rows if not k.reached],
        "totals": {
            "requests": sum(k.requests for k in kreis_rows),
            "cases": sum(k.cases for k in kreis_rows), "days": total_days,
            "kreise_reached": sum(k.reached for k in kreis_rows),
            "gemeinden_reached": len(reached),
            "days_per_10k": total_days * 10_000 / population if population else 0.0,
        },
    }


# Colours of the coverage map by days per 10,000 residents; the table carries the numbers.
COVERAGE_CLASSES = [
    (0.0, "#ffffff", gettext_lazy("not reached")),
    (0.5, "#deebf7", gettext_lazy("under 0.5 days")),
    (1.0, "#9ecae1", gettext_lazy("0.5 to 1 day")),
    (2.0, "#4292c6", gettext_lazy("1 to 2 days")),
    (float("inf"), "#08519c", gettext_lazy("2 days and more")),
]


def coverage_class(figures: AreaFigures) -> tuple[str, str]:
    if not figures.reached:
        return COVERAGE_CLASSES[0][1], str(COVERAGE_CLASSES[0][2])
    for upper, colour, label in COVERAGE_CLASSES[1:]:
        if figures.days_per_10k < upper:
            return colour, str(label)
    return COVERAGE_CLASSES[-1][1], str(COVERAGE_CLASSES[-1][2])


def coverage_features(year: int | None, level: str) -> dict:
    """GeoJSON (WGS84) of the Kreise (areas, coloured) or of the Gemeinden reached (points)."""
    from quartier.places import geo

    figures = coverage(year)
    features = []
    if level == "kreise":
        for area in figures["kreise"]:
            colour, label = coverage_class(area)
            features.append({"type": "Feature", "geometry": geo.geojson_wgs84(area.place.boundary),
                             "properties": {
                                 "ags": area.place.ags, "name": area.place.name,
                                 "url": area.place.get_absolute_url(), "fill": colour,
                                 "class": label, "cases": area.cases, "days": area.days,
                                 "days_per_10k": round(area.days_per_10k, 2)}})
    else:
        for area in figures["gemeinden"]:
            lon, lat = geo.utm_to_lonlat(area.place.x, area.place.y)
            features.append({"type": "Feature",
                             "geometry": {"type": "Point",
                                          "coordinates": [round(lon, 5), round(lat, 5)]},
                             "properties": {
                                 "ags": area.place.ags, "name": area.place.name,
                                 "url": area.place.get_absolute_url(), "cases": area.cases,
                                 "days": area.days,
                                 "days_per_10k": round(area.days_per_10k, 2)}})
    return {"type": "FeatureCollection", "features": features}


def trends() -> list[dict]:
    """Per year: requests, cases begun, consulting days held, Kreise and Gemeinden reached."""
    cases = dict(_counted_cases().values_list("start__year").annotate(n=Count("id"))
                 .values_list("start__year", "n"))
    halves = dict(Session.objects.exclude(case__state=Case.State.CANCELLED)
                  .values_list("date__year").annotate(h=Sum("half_days"))
                  .values_list("date__year", "h"))
    requests = dict(ConsultingRequest.objects.values_list("submitted_at__year")
                    .annotate(n=Count("id")).values_list("submitted_at__year", "n"))
    reach = defaultdict(set)
    kreis_reach = defaultdict(set)
    for year, gemeinde, kreis in _counted_cases().values_list(
            "start__year", "request__gemeinde_id", "request__gemeinde__parent_id").distinct():
        reach[year].add(gemeinde)
        kreis_reach[year].add(kreis)
    all_years = sorted(set(cases) | set(halves) | set(requests))
    return [{"year": y, "requests": requests.get(y, 0), "cases": cases.get(y, 0),
             "days": (halves.get(y) or 0) / 2, "kreise": len(kreis_reach[y]),
             "gemeinden": len(reach[y])} for y in all_years]


REPORT_DIMENSIONS = {
    "year": gettext_lazy("Year"),
    "kreis": gettext_lazy("Kreis"),
    "topic": gettext_lazy("Topic"),
    "consultant": gettext_lazy("Consultant"),
}
PUBLIC_DIMENSIONS = ("year", "kreis", "topic")


@dataclass
class ReportRow:
    label: str
    cases: int = 0
    sessions: int = 0
    half_days: int = 0
    committed_cents: int = 0
    paid_cents: int = 0
    satisfaction: float | None = None
    feedbacks: int = 0

    @property
    def days(self) -> float:
        return self.half_days / 2


def report(by: str, *, year: int | None = None, kreis: str = "", topic: str = "",
           consultant: int | None = None) -> tuple[list[ReportRow], ReportRow]:
    """Cases, sessions, days held, money committed and paid out, and average satisfaction,
    grouped by year, Kreis, topic or consultant; filtered likewise. A fixed number of
    queries."""
    if by not in REPORT_DIMENSIONS:
        raise ValueError(by)
    cases = _counted_cases()
    if year:
        cases = cases.filter(start__year=year)
    if kreis:
        cases = cases.filter(request__gemeinde__ags__startswith=kreis)
    if topic:
        cases = cases.filter(request__topic__slug=topic)
    if consultant:
        cases = cases.filter(consultant_id=consultant)
    key = {"year": "start__year", "kreis": "request__gemeinde__parent_id",
           "topic": "request__topic_id", "consultant": "consultant_id"}[by]
    rows: dict[object, ReportRow] = {}
    for row in cases.values(key).annotate(n=Count("id")).order_by():
        rows[row[key]] = ReportRow(label="", cases=row["n"])
    committed = defaultdict(int)
    for k, days, rate in cases.values_list(key, "booked_days", "day_rate_cents"):
        committed[k] += days * rate
    for row in (Session.objects.filter(case__in=cases).values("case__" + key)
                .annotate(n=Count("id"), h=Sum("half_days"), paid=Sum("cost_cents"))):
        target = rows.setdefault(row["case__" + key], ReportRow(label=""))
        target.sessions, target.half_days, target.paid_cents = row["n"], row["h"], row["paid"]
    for row in (Feedback.objects.filter(case__in=cases).values("case__" + key)
                .annotate(avg=Avg("satisfaction"), n=Count("id"))):
        target = rows.setdefault(row["case__" + key], ReportRow(label=""))
        target.satisfaction, target.feedbacks = row["avg"], row["n"]
    labels = _labels(by, [k for k in rows if k is not None])
    result = []
    for k, row in rows.items():
        row.committed_cents = committed.get(k, 0)
        row.label = labels.get(k, str(k))
        result.append(row)
    result.sort(key=lambda r: r.label, reverse=by == "year")
    total = ReportRow(
        label=_("Total"), cases=sum(r.cases for r in result),
        sessions=sum(r.sessions for r in result), half_days=sum(r.half_days for r in result),
        committed_cents=sum(r.committed_cents for r in result),
        paid_cents=sum(r.paid_cents for r in result),
        feedbacks=sum(r.feedbacks for r in result),
    )
    if total.feedbacks:
        total.satisfaction = sum((r.satisfaction or 0) * r.feedbacks for r in result) \
            / total.feedbacks
    return result, total


def _labels(by: str, keys: list) -> dict:
    if by == "year":
        return {k: str(k) for k in keys}
    if by == "kreis":
        return dict(Place.objects.filter(pk__in=keys).values_list("pk", "name"))
    if by == "topic":
        return {t.pk: t.name for t in Topic.objects.filter(pk__in=keys)}
    return dict(ConsultantProfile.objects.filter(pk__in=keys).values_list("pk", "name"))


def per_consultant(year: int | None):
    """Staff figures per consultant: cases, days held, average satisfaction."""
    rows, _total = report("consultant", year=year)
    return rows


def per_topic(year: int | None):
    rows, _total = report("topic", year=year)
    return rows


def report_csv_rows(rows: list[ReportRow], total: ReportRow):
    for row in [*rows, total]:
        yield [row.label, row.cases, row.sessions, f"{row.days:g}",
               f"{row.committed_cents / 100:.2f}", f"{row.paid_cents / 100:.2f}",
               "" if row.satisfaction is None else f"{row.satisfaction:.2f}", row.feedbacks]


# Listing helpers --------------------------------------------------------------------------


def request_detail(request: ConsultingRequest) -> ConsultingRequest:
    return ConsultingRequest.objects.select_related(
        "organisation", "topic", "format", "gemeinde__parent", "requested_by",
        "case__consultant").prefetch_related(
        Prefetch("quarters", queryset=Quarter.objects.select_related("gemeinde"))).get(
        pk=request.pk)


def _person(actor):
    return actor if getattr(actor, "is_authenticated", False) else None
